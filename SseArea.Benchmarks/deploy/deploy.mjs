// A deploy behind nginx, measured with N clients that recover exactly as <sse-stream> does: each is the element's
// own connection code (SseArea/wwwroot/sse-hub.js) over npm's `eventsource` (a spec EventSource for node), one
// per simulated page. Starts redis-server, SampleSite (Redis, history on), a second SampleSite that publishes, and
// nginx with the docs' proxy block, all on loopback; opens the clients through nginx; stops SampleSite with SIGTERM,
// publishes while it is down, starts it again on the same port, and reports when each client got the event
// published meanwhile, and how many requests the outage cost. Every process is stopped by its pid; the run ends by
// itself after --max-seconds. Run by deploy-behind-nginx.sh.
//
// Usage: node deploy.mjs --repo <root> --clients 1000 [--down-seconds 5] [--max-seconds 180]
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const repo = args.repo;
const clients = Number(args.clients ?? 1000);
const downSeconds = Number(args["down-seconds"] ?? 5);
const require = createRequire(join(repo, "SseArea.Tests/Field/clients/package.json"));
const { EventSource } = require("eventsource");
const { SseHub } = await import(pathToFileURL(join(repo, "SseArea/wwwroot/sse-hub.js")).href);
const children = [];
const folder = mkdtempSync(join(tmpdir(), "ssearea-deploy-"));
const log = (text) => process.stderr.write(`[${(performance.now() / 1000).toFixed(1)} s] ${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
setTimeout(() => stopAll(1, `stopped after ${args["max-seconds"] ?? 180} s`), 1000 * Number(args["max-seconds"] ?? 180)).unref();

// Every request the clients make: their EventSources' and the element's status probes.
let requests = 0;
const original = globalThis.fetch;
const counting = (input, init) => {
  requests++;
  return original(input, init);
};
globalThis.EventSource = class extends EventSource {
  constructor(url, init) {
    super(url, { ...init, fetch: counting });
  }
};
globalThis.fetch = counting;

const redisPort = await freePort();
const sitePort = await freePort();
const publisherPort = await freePort();
const nginxPort = await freePort();
start("redis-server", ["--port", redisPort, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
const siteEnv = { ...process.env, ASPNETCORE_ENVIRONMENT: "Production", Sse__Redis__Url: `redis://127.0.0.1:${redisPort}`, Sse__HistoryLength: "100", Logging__LogLevel__Default: "Warning" };
const siteDll = join(repo, "SampleSite/bin/Release/net10.0/SampleSite.dll");
let site = start("dotnet", [siteDll, "--urls", `http://127.0.0.1:${sitePort}`], siteEnv, join(repo, "SampleSite"));
start("dotnet", [siteDll, "--urls", `http://127.0.0.1:${publisherPort}`], siteEnv, join(repo, "SampleSite"));
writeFileSync(join(folder, "nginx.conf"), `
worker_processes 1; daemon off; pid ${folder}/nginx.pid; error_log ${folder}/error.log crit; user root;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${folder}/body; proxy_temp_path ${folder}/proxy; fastcgi_temp_path ${folder}/f; uwsgi_temp_path ${folder}/u; scgi_temp_path ${folder}/s;
  upstream app { server 127.0.0.1:${sitePort}; keepalive 16; }
  server {
    listen 127.0.0.1:${nginxPort} backlog=4096;
    location / {
      proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off; proxy_cache off; proxy_read_timeout 1h;
    }
  }
}`);
start("nginx", ["-p", folder, "-c", join(folder, "nginx.conf")]);
await Promise.all([listening(redisPort), listening(sitePort), listening(publisherPort), listening(nginxPort)]);
log(`redis :${redisPort}, SampleSite :${sitePort} (publisher :${publisherPort}), nginx :${nginxPort}`);

// The pages: one hub and one element each, following the default channel through nginx.
const pages = [];
for (let i = 0; i < clients; i++) {
  const page = { state: "connecting", events: [], errors: [] };
  new SseHub().subscribe({
    src: `http://127.0.0.1:${nginxPort}/sse/stream?channel=sse`, types: ["greeting"], credentials: false, share: true,
    event: (type, data) => page.events.push({ data, at: performance.now() }),
    state: (state, error) => {
      page.state = state;
      if (error) page.errors.push(error);
    },
  });
  pages.push(page);
  if (i % 100 === 99) await sleep(20); // a ramp, as visitors arrive
}
await until(() => pages.every((p) => p.state === "open"), 60_000, "every client open");
log(`${clients} clients open through nginx (${requests} requests)`);

// The deploy.
const before = requests;
const down = performance.now();
await stop(site);
log("SampleSite stopped (SIGTERM)");
await until(() => pages.some((p) => p.errors.some((e) => e.status === 502)), 30_000, "a client seeing nginx's 502");
const published = await (await original(`http://127.0.0.1:${publisherPort}/hello`)).text();
log(`published during the deploy: ${published}`);
await sleep(downSeconds * 1000);
site = start("dotnet", [siteDll, "--urls", `http://127.0.0.1:${sitePort}`], siteEnv, join(repo, "SampleSite"));
await listening(sitePort);
const back = performance.now();
log(`SampleSite back after ${((back - down) / 1000).toFixed(1)} s`);
await until(() => pages.every((p) => p.events.length > 0), 120_000, "every client receiving the event published meanwhile");
const delays = pages.map((p) => p.events[0].at - back).sort((a, b) => a - b);
const at = (q) => Math.round(delays[Math.min(delays.length - 1, Math.floor(q * delays.length))]);
const summary = {
  clients,
  downSeconds: Number(((back - down) / 1000).toFixed(1)),
  firstEventAfterBackMs: { p50: at(0.5), p95: at(0.95), max: Math.round(delays.at(-1)) },
  requestsDuringOutage: requests - before,
  requestsPerClient: Number(((requests - before) / clients).toFixed(1)),
  statuses: [...new Set(pages.flatMap((p) => p.errors.map((e) => e.status)))],
  reconnectsAllOpen: pages.every((p) => p.state === "open"),
};
console.log(JSON.stringify(summary));
await stopAll(0);

function start(command, argv, env = process.env, cwd = undefined) {
  const child = spawn(command, argv.map(String), { env, cwd, stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  return child;
}

async function stop(child) {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(command(child) === "nginx" ? "SIGQUIT" : "SIGTERM");
    await Promise.race([exited, sleep(15_000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

function command(child) {
  return child.spawnfile;
}

async function stopAll(code, why) {
  if (why) log(why);
  for (const child of children.reverse()) await stop(child);
  rmSync(folder, { recursive: true, force: true });
  process.exit(code);
}

async function until(check, ms, what) {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) await stopAll(1, `timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function listening(port) {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      }).on("error", () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  await stopAll(1, `nothing listening on ${port}`);
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
