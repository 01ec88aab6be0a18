// Drives a real browser for the field tests with puppeteer-core: Debian's firefox-esr (over WebDriver BiDi) or
// chromium. Reads one JSON command per line on stdin and answers one JSON line each on stdout:
//   {"id":1,"op":"page"}                                    -> {"id":1,"value":"<page>"}   (a fresh browser context)
//   {"id":2,"op":"tab","page":"<page>"}                     -> another tab in the same context
//   {"id":3,"op":"goto","page":..,"url":..}                 -> {"id":3,"value":<HTTP status>}
//   {"id":4,"op":"eval","page":..,"script":"() => ..."}      -> {"id":4,"value":<JSON result>}
//   {"id":5,"op":"wait","page":..,"script":"() => ..","timeout":ms} -> once the function returns truthy
//   {"id":6,"op":"errors","page":..}                        -> the page's script errors so far
//   {"id":7,"op":"close","page":..}                         (the context closes with its last tab)
// A failure answers {"id":..,"error":"..."}. Ends when stdin closes, or after 10 minutes.
// Usage: node browser.mjs <firefox|chromium>
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
const puppeteer = require("puppeteer-core");
const kind = process.argv[2];
const browser = await puppeteer.launch(kind === "firefox"
  ? { browser: "firefox", executablePath: process.env.FIREFOX_PATH || "/usr/bin/firefox-esr", headless: true, acceptInsecureCerts: true }
  : {
    browser: "chrome",
    acceptInsecureCerts: true, // the HTTPS tests' own certificates
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
const say = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const pages = new Map();
const contexts = new Map();
const errors = new Map();
let next = 0;

async function open(context) {
  const page = await context.newPage();
  const name = String(++next);
  pages.set(name, page);
  contexts.set(name, context);
  errors.set(name, []);
  page.on("pageerror", (error) => errors.get(name).push(String(error?.message ?? error)));
  return name;
}

const handlers = {
  page: async () => open(await browser.createBrowserContext()),
  tab: async (m) => open(contexts.get(m.page)),
  goto: async (m) => (await pages.get(m.page).goto(m.url))?.status() ?? 0,
  eval: async (m) => pages.get(m.page).evaluate(`(${m.script})()`),
  wait: async (m) => {
    // A string is an expression to puppeteer: call the function, or its truthy source would pass at once.
    await pages.get(m.page).waitForFunction(`(${m.script})()`, { timeout: m.timeout ?? 10000, polling: 50 });
    return true;
  },
  errors: async (m) => errors.get(m.page),
  close: async (m) => {
    const context = contexts.get(m.page);
    await pages.get(m.page).close();
    pages.delete(m.page);
    contexts.delete(m.page);
    if (![...contexts.values()].includes(context)) {
      await context.close(); // the context's last tab: its cookies, storage and SharedWorkers go too
    }
    return true;
  },
};

const stop = async () => {
  await browser.close().catch(() => {});
  process.exit(0);
};
setTimeout(stop, 600_000).unref();
const lines = createInterface({ input: process.stdin });
lines.on("close", stop);
lines.on("line", async (line) => {
  const m = JSON.parse(line);
  try {
    say({ id: m.id, value: (await handlers[m.op](m)) ?? null });
  } catch (error) {
    say({ id: m.id, error: String(error?.message ?? error) });
  }
});
say({ id: 0, value: await browser.version() });
