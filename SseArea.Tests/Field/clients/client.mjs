// Follows an SseArea stream with a real npm client and writes what the client's user sees, one JSON line each:
//   {"kind":"open"}, {"kind":"message","event":..,"data":..,"id":..}, {"kind":"position","id":..}, {"kind":"error",..}
// Usage: node client.mjs <eventsource|fetch-event-source> <url>. Ends when stdin closes, or after 60 s.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [mode, url] = process.argv.slice(2);
const say = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const stop = () => process.exit(0);
process.stdin.on("end", stop);
process.stdin.resume();
setTimeout(stop, 60_000).unref();

if (mode === "eventsource") {
  const { EventSource } = require("eventsource");
  const source = new EventSource(url);
  source.onopen = () => say({ kind: "open" });
  source.onmessage = (e) => say({ kind: "message", event: e.type, data: e.data, id: e.lastEventId });
  source.addEventListener("sse-position", (e) => say({ kind: "position", id: e.lastEventId }));
  source.onerror = (e) => say({ kind: "error", message: String(e?.message ?? "") });
} else if (mode === "fetch-event-source") {
  globalThis.window = globalThis; // the package reaches timers and fetch through window
  const { fetchEventSource } = require("@microsoft/fetch-event-source");
  fetchEventSource(url, {
    openWhenHidden: true,
    onopen: async () => say({ kind: "open" }),
    onmessage: (m) => {
      if (m.event === "sse-position") {
        say({ kind: "position", id: m.id });
      }
      say({ kind: "message", event: m.event, data: m.data, id: m.id });
    },
    // The package stops for good when a server ends the stream (a restart) unless onclose throws: then it retries,
    // with Last-Event-ID, after the server's retry: (SseArea's docs say so).
    onclose: () => {
      throw new Error("the stream ended");
    },
    onerror: (e) => say({ kind: "error", message: String(e?.message ?? e) }),
  });
} else {
  console.error(`unknown client '${mode}'`);
  process.exit(2);
}
