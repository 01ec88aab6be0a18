// SseArea's SharedWorker: one SseHub (sse-hub.js) for every tab of the site, so tabs share connections too.
// A tab talks to it over its port: {op:"subscribe", id, src, types, credentials}, {op:"unsubscribe", id},
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
      const sub = {
        src: m.src, types: m.types, credentials: m.credentials, share: true,
        event: (type, data, lastEventId, channel) => port.postMessage({ op: "event", id: m.id, type, data, lastEventId, channel }),
        state: (state, error) => port.postMessage({ op: "state", id: m.id, state, error }),
      };
      subs.get(m.id)?.leave();
      subs.set(m.id, sub);
      hub.subscribe(sub);
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
