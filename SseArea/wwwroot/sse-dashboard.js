// The SseArea dashboard's page script: it follows the dashboard's channel through the page's <sse-stream id="feed">,
// keeps each server's latest figures (one `sse-dashboard` event per server per update), adds them up, and draws
// the rates as SVG polylines. No library, nothing fetched: the figures arrive on the stream.
import "./sse-stream.js";

const feed = document.getElementById("feed");
const servers = new Map(); // server -> { snapshot, history: [{ at, totals }] }
const series = { published: [], delivered: [] };
const points = 300; // five minutes at one update a second
const forgetAfter = 10_000; // a server not heard from for 10 s has stopped or left
const names = {
  published: "sse.events.published",
  delivered: "sse.events.delivered",
  replayed: "sse.events.replayed",
  missed: "sse.missed.sent",
  dropped: "sse.clients.dropped",
  refused: "sse.access.refused",
  invalid: "sse.requests.invalid",
  reconnects: "sse.redis.reconnects",
  gaps: "sse.redis.gaps",
};

function receive(snapshot) {
  const known = servers.get(snapshot.server) ?? { history: [] };
  known.snapshot = snapshot;
  known.heard = Date.now();
  known.history.push({ at: snapshot.at, totals: snapshot.totals });
  while (known.history.length > 2 && snapshot.at - known.history[0].at > 61_000) known.history.shift();
  servers.set(snapshot.server, known);
  for (const [name, server] of servers) {
    if (Date.now() - server.heard > forgetAfter) servers.delete(name);
  }
  draw(snapshot.server);
}

// What a counter gained on each server over its last update (per second), and over about a minute.
function rate(name) {
  let sum = 0;
  for (const { history } of servers.values()) {
    if (history.length < 2) continue;
    const [before, now] = history.slice(-2);
    const seconds = (now.at - before.at) / 1000;
    if (seconds > 0) sum += ((now.totals[name] ?? 0) - (before.totals[name] ?? 0)) / seconds;
  }
  return sum;
}

function lastMinute(name) {
  let sum = 0;
  for (const { history } of servers.values()) {
    const first = history[0], last = history[history.length - 1];
    sum += (last.totals[name] ?? 0) - (first.totals[name] ?? 0);
  }
  return sum;
}

function text(id, value) {
  document.getElementById(id).textContent = String(value);
}

function draw(latest) {
  const all = [...servers.values()].map(s => s.snapshot);
  text("connections-all", all.reduce((n, s) => n + s.connections, 0));
  text("connections-here", servers.get(latest)?.snapshot.connections ?? 0);
  text("servers", all.length);
  text("viewers", all.reduce((n, s) => n + s.viewers, 0));
  text("channels", all.reduce((n, s) => Math.max(n, s.channels), 0));
  const health = all.find(s => s.problem)?.problem ?? null;
  const healthElement = document.getElementById("health");
  healthElement.textContent = health ?? "Healthy";
  healthElement.className = health ? "unwell" : "well";
  text("broker", all[0]?.broker ?? "");
  for (const key of ["published", "delivered"]) {
    const value = rate(names[key]);
    series[key].push(value);
    if (series[key].length > points) series[key].shift();
    text(`rate-${key}`, Math.round(value));
    chart(document.getElementById(`chart-${key}`), series[key]);
  }
  for (const key of ["replayed", "missed", "dropped", "refused", "invalid", "reconnects", "gaps"]) {
    text(`minute-${key}`, lastMinute(names[key]));
  }
  table("busiest", busiest(all).map(([channel, streams]) => [channel, streams]));
  table("server-list", all.map(s => [s.server, s.connections, s.problem ?? "Healthy"]));
  const here = servers.get(latest)?.snapshot.endpoints ?? [];
  table("endpoints", here.length ? here.map(e => [e.endpoint, e.connected ? "connected" : "not connected"]) : [["in memory: this process only", ""]]);
}

function busiest(all) {
  const streams = new Map();
  for (const snapshot of all) {
    for (const { channel, streams: n } of snapshot.busiest) streams.set(channel, (streams.get(channel) ?? 0) + n);
  }
  return [...streams].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
}

function table(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(...rows.map(cells => {
    const row = document.createElement("tr");
    row.append(...cells.map(cell => Object.assign(document.createElement("td"), { textContent: String(cell) })));
    return row;
  }));
}

function chart(svg, values) {
  const max = Math.max(1, ...values);
  const span = Math.max(60, values.length); // the first minute fills the chart, then it scrolls over five
  const step = 300 / (span - 1);
  const start = span - values.length;
  const coordinates = values.map((v, i) => `${((start + i) * step).toFixed(1)},${(58 - (v / max) * 56).toFixed(1)}`);
  let line = svg.querySelector("polyline");
  if (!line) {
    line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    svg.append(line);
  }
  line.setAttribute("points", coordinates.join(" "));
}

receive(JSON.parse(document.getElementById("initial").textContent));
feed.addEventListener("sse-dashboard", event => receive(event.detail.data));
const showState = () => text("state", feed.getAttribute("state") ?? "connecting");
new MutationObserver(showState).observe(feed, { attributes: true, attributeFilter: ["state"] });
showState(); // it may have changed before this script ran
