// SseArea's SharedWorker: one SseHub (sse-hub.js) for every tab of the site, so tabs share connections too.
// A tab talks to it over its port: {op:"subscribe", subs:[{id, src, types, credentials}, ...]} (those of one task,
// so they share one request), {op:"unsubscribe", id},
// {op:"tab", lock} (a Web Lock the tab holds while it lives: when it is granted here, the tab is gone) and
// {op:"bye"} (pagehide); the worker answers {op:"event", id, type, data, lastEventId, channel} and {op:"state", id, state, error}.
import { SseHub } from "./sse-hub.js";

const hub = new SseHub();

self.addEventListener("connect", (connect) => {
  const port = connect.ports[0];
  const subs = new Map();
  const leaveAll = () => {
    subs.forEach((sub) => sub.leave());
    subs.clear();
  };
  port.addEventListener("message", ({ data: m }) => {
    if (m.op === "subscribe") {
      for (const one of m.subs) {
        const sub = {
          src: one.src, types: one.types, credentials: one.credentials, share: true,
          event: (type, data, lastEventId, channel) => port.postMessage({ op: "event", id: one.id, type, data, lastEventId, channel }),
          state: (state, error) => port.postMessage({ op: "state", id: one.id, state, error }),
        };
        subs.get(one.id)?.leave();
        subs.set(one.id, sub);
        hub.subscribe(sub);
      }
    } else if (m.op === "unsubscribe") {
      subs.get(m.id)?.leave();
      subs.delete(m.id);
    } else if (m.op === "tab") {
      navigator.locks?.request(m.lock, leaveAll);
    } else if (m.op === "bye") {
      leaveAll();
    }
  });
  port.start();
});
