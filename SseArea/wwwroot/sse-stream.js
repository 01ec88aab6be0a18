// <sse-stream src="/sse/stream?channel=x" events="a,b" target="#feed" with-credentials share="page">
// SseArea's browser client, a standards-only module (no build step, no dependency).
// - Connections are shared (sse-hub.js): every element that points at the same endpoint shares one EventSource on
//   the union of their channels, across the site's tabs through a SharedWorker (sse-worker.js) where the browser
//   has one, else within the page. `share="page"` keeps it to the page, `share="none"` gives the element its own.
// - Each event of the element's channels is re-dispatched on it as a CustomEvent named after its SSE type
//   ("message" when untyped; other types only when listed in `events`), not bubbling, with
//   detail = { data, lastEventId, channel }: data is the parsed value when the text is a JSON object or array,
//   else the text itself. `sse-missed` is always dispatched (detail.data.channels).
// - `target` (a CSS selector): each event's text is appended there as one line, as text only;
//   a gap (`sse-missed`) is marked there with a line of class "sse-missed".
// - `actions` (opt-in): an event of the element's channels whose text is a Turbo Streams action
//   (<turbo-stream action="append" target="id"><template>HTML</template></turbo-stream>, as ISseViews publishes)
//   is applied to the document, never running script (sse-actions.js), instead of going to `target`.
//   Without `actions`, such an event is text like any other.
// - `state` attribute: "connecting", "open", "reconnecting" (the browser or the element retries),
//   "refused" (400/401/403/404: not retried) or "closed" (no src, or not in the document).
// - Recovery: when the browser gives up (a proxy's 502 during a deploy, a 503), the connection asks the stream URL
//   once for its status, then reopens after a backoff (1 s doubling to 30 s, with jitter) from the last ids it saw.
//   Each failure dispatches `sse-error` with detail = { status, reason, state, retryIn }.
import { SseHub } from "./sse-hub.js";
import { applyStreamActions, isStreamAction } from "./sse-actions.js";

let pageHub = null;
let workerLink;

class SseStreamElement extends HTMLElement {
  static observedAttributes = ["src", "events", "with-credentials", "share"];

  #sub = null;
  #connected = false;

  connectedCallback() {
    this.#connected = true;
    this.#subscribe();
  }

  disconnectedCallback() {
    this.#connected = false;
    this.#unsubscribe();
    this.#setState("closed");
  }

  // A new URL, event list or sharing means a new subscription. Before connectedCallback (as when the element
  // upgrades) there is nothing to redo: connectedCallback subscribes with the final values.
  attributeChangedCallback(name, oldValue, newValue) {
    if (this.#connected && oldValue !== newValue) {
      this.#unsubscribe();
      this.#subscribe();
    }
  }

  /** The connection's state as a word; also in the `state` attribute. */
  get state() {
    return this.getAttribute("state") || "closed";
  }

  #subscribe() {
    const src = this.getAttribute("src");
    if (!src) {
      if (this.hasAttribute("channel") || this.hasAttribute("channels")) {
        console.warn("<sse-stream> has a channel but no src: SseArea's tag helper did not render it. Add @addTagHelper *, SseArea "
          + "to Views/_ViewImports.cshtml (MVC) or Pages/_ViewImports.cshtml (Razor Pages).", this);
      }
      this.#setState("closed");
      return;
    }

    const share = this.getAttribute("share");
    const sub = {
      src: new URL(src, document.baseURI).href,
      types: (this.getAttribute("events") || "").split(",").map((t) => t.trim()).filter((t) => t),
      credentials: this.hasAttribute("with-credentials"),
      share: share !== "none",
      event: (type, data, lastEventId, channel) => this.#relay(type, data, lastEventId, channel),
      state: (state, error) => {
        this.#setState(state);
        if (error) {
          this.dispatchEvent(new CustomEvent("sse-error", { detail: error }));
        }
      },
    };
    this.#sub = sub;
    const link = share === "none" || share === "page" ? null : worker();
    (link ?? hub()).subscribe(sub);
  }

  #unsubscribe() {
    this.#sub?.leave();
    this.#sub = null;
  }

  #setState(state) {
    if (this.getAttribute("state") !== state) {
      this.setAttribute("state", state);
    }
  }

  #relay(type, text, lastEventId, channel) {
    if (type !== "sse-missed" && this.hasAttribute("actions") && isStreamAction(text)) {
      applyStreamActions(text);
      this.dispatchEvent(new CustomEvent(type, { detail: { data: text, lastEventId, channel } }));
      return;
    }
    this.dispatchEvent(new CustomEvent(type, { detail: { data: parse(text), lastEventId, channel } }));

    const selector = this.getAttribute("target");
    const target = selector && document.querySelector(selector);
    if (target) {
      const list = target.tagName === "OL" || target.tagName === "UL";
      const line = document.createElement(list ? "li" : "div");
      line.dataset.type = type;
      if (type === "sse-missed") {
        line.className = "sse-missed";
        line.textContent = "Some events may have been missed here.";
      } else {
        line.textContent = text; // Never innerHTML: event text is untrusted.
      }
      target.append(line);
    }
  }
}

function hub() {
  return (pageHub ??= new SseHub());
}

// The site's SharedWorker, shared by its tabs; null where there is none. Should it fail to start, every
// subscription it holds moves to the page's own hub.
function worker() {
  if (workerLink !== undefined) {
    return workerLink;
  }
  if (typeof SharedWorker !== "function") {
    return (workerLink = null);
  }
  const subs = new Map();
  let next = 0;
  let port;
  try {
    const shared = new SharedWorker(new URL("./sse-worker.js", import.meta.url), { type: "module", name: "sse-stream" });
    shared.addEventListener("error", () => {
      workerLink = null;
      subs.forEach((sub) => hub().subscribe(sub));
      subs.clear();
    });
    port = shared.port;
  } catch {
    return (workerLink = null);
  }

  port.addEventListener("message", ({ data: m }) => {
    const sub = subs.get(m.id);
    if (m.op === "event") {
      sub?.event(m.type, m.data, m.lastEventId, m.channel);
    } else if (m.op === "state") {
      sub?.state(m.state, m.error);
    }
  });
  port.start();
  const message = (id, sub) => ({ id, src: sub.src, types: sub.types, credentials: sub.credentials });

  // The worker learns that this tab is gone when it is granted the lock the tab holds while it lives.
  const lock = `sse-stream-tab-${Math.random().toString(36).slice(2)}${Date.now()}`;
  navigator.locks?.request(lock, () => {
    port.postMessage({ op: "tab", lock });
    return new Promise(() => {});
  });
  addEventListener("pagehide", () => port.postMessage({ op: "bye" }));
  addEventListener("pageshow", (e) => e.persisted && port.postMessage({ op: "subscribe", subs: [...subs].map(([id, sub]) => message(id, sub)) }));

  // Subscriptions made in one task (a page's elements upgrading) go in one message: the worker opens one stream for them.
  let batch = null;
  return (workerLink = {
    subscribe(sub) {
      const id = ++next;
      subs.set(id, sub);
      sub.leave = () => {
        subs.delete(id);
        port.postMessage({ op: "unsubscribe", id });
      };
      if (!batch) {
        batch = [];
        queueMicrotask(() => {
          port.postMessage({ op: "subscribe", subs: batch.filter((s) => subs.has(s.id)) });
          batch = null;
        });
      }
      batch.push(message(id, sub));
    },
  });
}

// Objects and arrays are parsed; other text stays text ("42" is not turned into a number).
function parse(text) {
  const first = text.trimStart()[0];
  if (first === "{" || first === "[") {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON after all: hand over the text.
    }
  }
  return text;
}

if (!customElements.get("sse-stream")) {
  customElements.define("sse-stream", SseStreamElement);
}

export { SseStreamElement };
