// <sse-stream src="/sse/stream?channel=x" events="a,b" target="#feed" with-credentials>
// SseArea's browser client, a standards-only module (no build step, no dependency).
// - One EventSource on `src` while the element is in the document; closed when it leaves.
// - Each event is re-dispatched on the element as a CustomEvent named after its SSE type
//   ("message" when untyped; other types only when listed in `events`), not bubbling, with
//   detail = { data, lastEventId }: data is the parsed value when the text is a JSON object or
//   array, else the text itself.
// - `target` (a CSS selector): each event's text is appended there as one line, as text only.
// - `state` attribute: "connecting", "open" or "closed", following the browser's reconnects.

class SseStreamElement extends HTMLElement {
  static observedAttributes = ["src", "events", "with-credentials"];

  #source = null;
  #connected = false;

  connectedCallback() {
    this.#connected = true;
    this.#open();
  }

  disconnectedCallback() {
    this.#connected = false;
    this.#close();
  }

  // A new URL or event list means a new connection. Before connectedCallback (as when the
  // element upgrades) there is nothing to redo: connectedCallback opens with the final values.
  attributeChangedCallback(name, oldValue, newValue) {
    if (this.#connected && oldValue !== newValue) {
      this.#close();
      this.#open();
    }
  }

  /** The EventSource's readyState as a word; also in the `state` attribute. */
  get state() {
    return this.getAttribute("state") || "closed";
  }

  #open() {
    const src = this.getAttribute("src");
    if (!src || this.#source) {
      return;
    }

    const source = new EventSource(src, { withCredentials: this.hasAttribute("with-credentials") });
    this.#source = source;
    this.#setState("connecting");
    source.addEventListener("open", () => this.#setState("open"));
    // After an error the browser either retries (CONNECTING) or gives up (CLOSED, e.g. on a 403).
    source.addEventListener("error", () => {
      this.#setState(source.readyState === EventSource.CLOSED ? "closed" : "connecting");
    });

    // EventSource only delivers typed events to listeners of that exact type.
    const types = new Set(["message"]);
    for (const type of (this.getAttribute("events") || "").split(",")) {
      if (type.trim()) {
        types.add(type.trim());
      }
    }
    for (const type of types) {
      source.addEventListener(type, (event) => this.#relay(event));
    }
  }

  #close() {
    if (this.#source) {
      this.#source.close();
      this.#source = null;
    }
    this.#setState("closed");
  }

  #setState(state) {
    if (this.getAttribute("state") !== state) {
      this.setAttribute("state", state);
    }
  }

  #relay(event) {
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
      line.textContent = text; // Never innerHTML: event text is untrusted.
      target.append(line);
    }
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
