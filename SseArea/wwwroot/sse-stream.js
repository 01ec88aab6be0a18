// <sse-stream src="/sse/stream?channel=x" events="a,b" target="#feed" with-credentials>
// SseArea's browser client, a standards-only module (no build step, no dependency).
// - One EventSource on `src` while the element is in the document; closed when it leaves.
// - Each event is re-dispatched on the element as a CustomEvent named after its SSE type
//   ("message" when untyped; other types only when listed in `events`), not bubbling, with
//   detail = { data, lastEventId }: data is the parsed value when the text is a JSON object or
//   array, else the text itself. `sse-missed` is always dispatched (detail.data.channels).
// - `target` (a CSS selector): each event's text is appended there as one line, as text only;
//   a gap (`sse-missed`) is marked there with a line of class "sse-missed".
// - `state` attribute: "connecting", "open", "reconnecting" (the browser or the element retries),
//   "refused" (400/401/403/404: not retried) or "closed" (no src, or not in the document).
// - Recovery: when the browser gives up (a proxy's 502 during a deploy, a 503), the element asks
//   the stream URL once for its status, then opens a new EventSource after a backoff (1 s doubling
//   to 30 s, with jitter), from the last event id it saw (`lastEventId` query value). Each failure
//   dispatches `sse-error` with detail = { status, reason, state, retryIn }.

const retryBase = 1000;
const retryCap = 30000;
const refusals = new Set([400, 401, 403, 404]);

class SseStreamElement extends HTMLElement {
  static observedAttributes = ["src", "events", "with-credentials"];

  #source = null;
  #connected = false;
  #lastEventId = null;
  #attempt = 0;
  #timer = 0;
  #probe = null;

  connectedCallback() {
    this.#connected = true;
    this.#open();
  }

  disconnectedCallback() {
    this.#connected = false;
    this.#close();
    this.#setState("closed");
  }

  // A new URL or event list means a new connection. Before connectedCallback (as when the
  // element upgrades) there is nothing to redo: connectedCallback opens with the final values.
  attributeChangedCallback(name, oldValue, newValue) {
    if (this.#connected && oldValue !== newValue) {
      if (name === "src") {
        this.#lastEventId = null; // another stream: its own positions
      }
      this.#close();
      this.#open();
    }
  }

  /** The connection's state as a word; also in the `state` attribute. */
  get state() {
    return this.getAttribute("state") || "closed";
  }

  #open() {
    const src = this.getAttribute("src");
    if (!src || this.#source || !this.#connected) {
      if (!src) {
        this.#setState("closed");
      }
      return;
    }

    const source = new EventSource(this.#url(src), { withCredentials: this.#credentials() });
    this.#source = source;
    this.#setState(this.#attempt > 0 ? "reconnecting" : "connecting");
    source.addEventListener("open", () => {
      this.#attempt = 0;
      this.#setState("open");
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        this.#gaveUp(src); // a non-200 answer: the browser will not retry by itself
      } else {
        this.#setState("reconnecting"); // the browser retries, with the last id it saw
      }
    });

    // EventSource only delivers typed events to listeners of that exact type.
    const types = new Set(["message", "sse-missed"]);
    for (const type of (this.getAttribute("events") || "").split(",")) {
      if (type.trim()) {
        types.add(type.trim());
      }
    }
    for (const type of types) {
      source.addEventListener(type, (event) => this.#relay(event));
    }
    source.addEventListener("sse-position", (event) => this.#remember(event));
  }

  #close() {
    clearTimeout(this.#timer);
    this.#probe?.abort();
    this.#probe = null;
    this.#attempt = 0;
    if (this.#source) {
      this.#source.close();
      this.#source = null;
    }
  }

  // The stream URL, resuming from the last event id seen (a new EventSource sends no Last-Event-ID).
  #url(src) {
    if (this.#lastEventId === null) {
      return src;
    }
    const url = new URL(src, document.baseURI);
    url.searchParams.set("lastEventId", this.#lastEventId);
    return url.href;
  }

  #credentials() {
    return this.hasAttribute("with-credentials");
  }

  // EventSource does not say why it closed: one GET of the same URL does, aborted once its status is in.
  async #gaveUp(src) {
    this.#source?.close();
    this.#source = null;
    const probe = new AbortController();
    this.#probe = probe;
    let status = 0;
    let reason = "The stream could not be reached.";
    try {
      const response = await fetch(this.#url(src), {
        headers: { Accept: "text/event-stream" },
        credentials: this.#credentials() ? "include" : "same-origin",
        signal: probe.signal,
      });
      status = response.status;
      reason = response.ok ? "The stream closed." : await problemDetail(response);
    } catch {
      if (probe.signal.aborted && this.#probe !== probe) {
        return; // the element moved on meanwhile
      }
    } finally {
      probe.abort();
    }
    if (this.#probe !== probe || !this.#connected) {
      return;
    }
    this.#probe = null;

    if (refusals.has(status)) {
      this.#setState("refused");
      this.#error(status, reason, "refused", null);
      return;
    }
    const delay = Math.min(retryCap, retryBase * 2 ** this.#attempt);
    const retryIn = Math.round(delay / 2 + Math.random() * delay / 2);
    this.#attempt++;
    this.#setState("reconnecting");
    this.#error(status, reason, "reconnecting", retryIn);
    this.#timer = setTimeout(() => this.#open(), retryIn);
  }

  #error(status, reason, state, retryIn) {
    this.dispatchEvent(new CustomEvent("sse-error", { detail: { status, reason, state, retryIn } }));
  }

  #setState(state) {
    if (this.getAttribute("state") !== state) {
      this.setAttribute("state", state);
    }
  }

  #remember(event) {
    if (event.lastEventId) {
      this.#lastEventId = event.lastEventId;
    }
  }

  #relay(event) {
    this.#remember(event);
    const text = event.data;
    this.dispatchEvent(new CustomEvent(event.type, {
      detail: { data: parse(text), lastEventId: event.lastEventId },
    }));

    const selector = this.getAttribute("target");
    const target = selector && document.querySelector(selector);
    if (target) {
      const list = target.tagName === "OL" || target.tagName === "UL";
      const line = document.createElement(list ? "li" : "div");
      line.dataset.type = event.type;
      if (event.type === "sse-missed") {
        line.className = "sse-missed";
        line.textContent = "Some events may have been missed here.";
      } else {
        line.textContent = text; // Never innerHTML: event text is untrusted.
      }
      target.append(line);
    }
  }
}

// A problem-details body's detail (SseArea's refusals have one), else the status text.
async function problemDetail(response) {
  try {
    const problem = await response.json();
    return String(problem.detail || problem.title || response.statusText);
  } catch {
    return response.statusText || `HTTP ${response.status}`;
  }
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
