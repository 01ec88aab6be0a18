// SseArea's shared connections: every <sse-stream> of a page (or, through sse-worker.js, of every tab of the
// site) that points at the same stream endpoint shares one EventSource on the union of their channels, so the
// browser's 6 connections per host over HTTP/1.1 are never used up. Runs in a page or in a SharedWorker (no DOM).
// - Routing: a stream of several channels names each event's channel with an `sse-channel` event just before it.
// - Positions: kept per channel; a connection reopened on other channels resumes each known channel from its id,
//   and asks for a new channel's live events only (`*`).
// - Recovery: when the browser gives up (a non-200 answer), one fetch of the URL tells the status; a refusal
//   (400/401/403/404) is not retried; anything else is, after 1 s doubling to 30 s, with jitter. When a shared
//   connection is refused, the elements that joined since it last opened get a connection each (all of them, if it
//   never opened), so a refused channel does not take the others down, and its own element says why.

const retryBase = 1000;
const retryCap = 30000;
const maxChannels = 16; // the server's default Sse:MaxChannelsPerConnection
const refusals = new Set([400, 401, 403, 404]);

/** Connections by endpoint; `subscribe` sets `sub.leave`, which ends the subscription (wherever it moved). */
export class SseHub {
  #connections = new Set();

  /**
   * @param {{ src: string, types: string[], credentials: boolean, share: boolean,
   *   event(type: string, data: string, lastEventId: string, channel: string | null): void,
   *   state(state: string, error: object | null): void }} sub   (error: a new failure's, once)
   */
  subscribe(sub) {
    const url = new URL(sub.src);
    sub.channels = url.searchParams.getAll("channel");
    const solo = !sub.share || sub.channels.length === 0 || url.searchParams.has("lastEventId");
    url.searchParams.delete("channel");
    const key = `${sub.credentials}|${url.href}`;
    let connection = solo ? null : [...this.#connections].find((c) => c.fits(key, sub.channels));
    if (!connection) {
      connection = new Connection(this, key, solo ? sub.src : url.href, sub.credentials, solo);
      this.#connections.add(connection);
    }
    sub.leave = () => connection.remove(sub);
    connection.add(sub);
  }

  /** Gives each of `subs` (taken from a refused shared connection) a connection of its own. */
  split(subs) {
    for (const sub of subs) {
      const own = new Connection(this, null, sub.src, sub.credentials, true);
      this.#connections.add(own);
      sub.leave = () => own.remove(sub);
      own.add(sub);
    }
  }

  drop(connection) {
    this.#connections.delete(connection);
  }
}

class Connection {
  #subs = new Set();
  #channels = [];
  #types = new Set(["message", "sse-missed"]);
  #positions = new Map(); // channel -> id ("" for a channel with no event yet: from its start)
  #last = null; // a solo connection's last id, as the stream wrote it
  #opened = []; // the channels of the last stream that opened
  #source = null;
  #current = null; // the channel the last sse-channel event named
  #attempt = 0;
  #timer = 0;
  #probe = null;
  #state = "connecting";
  #error = null;

  constructor(hub, key, base, credentials, solo) {
    Object.assign(this, { hub, key, base, credentials, solo });
  }

  fits(key, channels) {
    const added = channels.filter((c) => !this.#channels.includes(c)).length;
    return !this.solo && this.key === key && this.#state !== "refused" && this.#channels.length + added <= maxChannels;
  }

  add(sub) {
    this.#subs.add(sub);
    sub.state(this.#state, this.#error);
    const channels = sub.channels.filter((c) => !this.#channels.includes(c));
    const types = sub.types.filter((t) => !this.#types.has(t));
    types.forEach((t) => this.#types.add(t));
    if (channels.length > 0 || !this.#source) {
      this.#channels.push(...channels);
      this.#reopenSoon(); // one reopen for all the elements a page adds at once
    } else {
      types.forEach((t) => this.#source.addEventListener(t, (e) => this.#relay(e)));
    }
  }

  remove(sub) {
    if (!this.#subs.delete(sub)) {
      return;
    }
    if (this.#subs.size === 0) {
      this.#close();
      this.hub.drop(this);
      return;
    }
    const needed = this.#channels.filter((c) => [...this.#subs].some((s) => s.channels.includes(c)));
    if (needed.length < this.#channels.length) {
      this.#channels = needed; // the server lets go of channels no element follows any more
      this.#reopenSoon();
    }
  }

  #reopenSoon() {
    this.#close();
    this.#timer = setTimeout(() => this.#open(), 0);
  }

  #url() {
    const url = new URL(this.base);
    if (this.solo) {
      if (this.#last !== null) {
        url.searchParams.set("lastEventId", this.#last); // a new EventSource sends no Last-Event-ID
      }
      return url.href;
    }
    this.#channels.forEach((c) => url.searchParams.append("channel", c));
    const known = this.#channels.filter((c) => this.#positions.has(c));
    if (known.length > 0) {
      url.searchParams.set("lastEventId", this.#channels.length === 1
        ? this.#positions.get(this.#channels[0])
        : this.#channels.map((c) => (this.#positions.has(c) ? escape(this.#positions.get(c)) : "*")).join(","));
    }
    return url.href;
  }

  #open() {
    const source = new EventSource(this.#url(), { withCredentials: this.credentials });
    this.#source = source;
    this.#current = null;
    this.#setState(this.#attempt > 0 ? "reconnecting" : "connecting", this.#error);
    source.addEventListener("open", () => {
      this.#attempt = 0;
      this.#opened = [...this.#channels];
      this.#setState("open", null);
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        this.#gaveUp(); // a non-200 answer: the browser will not retry by itself
      } else {
        this.#setState("reconnecting", this.#error); // the browser retries, with the last id it saw
      }
    });
    source.addEventListener("sse-channel", (e) => { this.#current = e.data; });
    source.addEventListener("sse-position", (e) => this.#remember(e.lastEventId, null));
    this.#types.forEach((t) => source.addEventListener(t, (e) => this.#relay(e)));
  }

  #close() {
    clearTimeout(this.#timer);
    this.#probe?.abort();
    this.#probe = null;
    this.#source?.close();
    this.#source = null;
  }

  #relay(event) {
    const channel = this.#channels.length === 1 ? this.#channels[0] : this.#current;
    this.#current = null;
    this.#remember(event.lastEventId, channel);
    const missed = event.type === "sse-missed" ? parseMissed(event.data) : null;
    for (const sub of this.#subs) {
      const mine = missed ? missed.some((c) => sub.channels.includes(c)) || sub.channels.length === 0
        : channel === null || sub.channels.length === 0 || sub.channels.includes(channel);
      if (mine && (event.type === "message" || event.type === "sse-missed" || sub.types.includes(event.type))) {
        sub.event(event.type, event.data, channel === null ? event.lastEventId : this.#positions.get(channel) ?? "", channel);
      }
    }
  }

  // A stream of one channel: the id is the channel's; of several: one escaped id per channel, in request order.
  #remember(id, channel) {
    if (!id) {
      return;
    }
    if (this.solo) {
      this.#last = id;
      return;
    }
    if (this.#channels.length === 1) {
      this.#positions.set(this.#channels[0], id);
      return;
    }
    const parts = id.split(",");
    if (parts.length === this.#channels.length) {
      parts.forEach((part, i) => this.#positions.set(this.#channels[i], part === "0-0" ? "" : decodeURIComponent(part)));
    } else if (channel !== null) {
      this.#positions.set(channel, id);
    }
  }

  // EventSource does not say why it closed: one GET of the same URL does, aborted once its status is in.
  async #gaveUp() {
    const url = this.#url();
    this.#close();
    const probe = new AbortController();
    this.#probe = probe;
    let status = 0;
    let reason = "The stream could not be reached.";
    try {
      const response = await fetch(url, {
        headers: { Accept: "text/event-stream" },
        credentials: this.credentials ? "include" : "same-origin",
        signal: probe.signal,
      });
      status = response.status;
      reason = response.ok ? "The stream closed." : await problemDetail(response);
    } catch {
      // No answer at all: retried below, unless the connection moved on meanwhile.
    } finally {
      probe.abort();
    }
    if (this.#probe !== probe) {
      return;
    }
    this.#probe = null;

    if (refusals.has(status)) {
      // Elements whose channels opened before stay; those that joined since get a connection each, so a refused
      // channel costs only its own element, which then says why.
      const joined = [...this.#subs].filter((s) => s.channels.some((c) => !this.#opened.includes(c)));
      if (!this.solo && joined.length > 0 && joined.length < this.#subs.size) {
        joined.forEach((s) => this.#subs.delete(s));
        this.#channels = this.#channels.filter((c) => this.#opened.includes(c));
        this.hub.split(joined);
        this.#open();
        return;
      }
      if (!this.solo && this.#subs.size > 1) {
        const subs = [...this.#subs];
        this.#subs.clear();
        this.hub.drop(this);
        this.hub.split(subs);
        return;
      }
      this.#setState("refused", { status, reason, state: "refused", retryIn: null });
      return;
    }
    const delay = Math.min(retryCap, retryBase * 2 ** this.#attempt);
    const retryIn = Math.round(delay / 2 + Math.random() * delay / 2);
    this.#attempt++;
    this.#setState("reconnecting", { status, reason, state: "reconnecting", retryIn });
    this.#timer = setTimeout(() => this.#open(), retryIn);
  }

  // Subscribers hear each state change, and each new error once (null otherwise).
  #setState(state, error) {
    const fresh = error !== this.#error ? error : null;
    if (state !== this.#state || fresh) {
      this.#state = state;
      this.#error = error;
      this.#subs.forEach((sub) => sub.state(state, fresh));
    }
  }
}

// As .NET's Uri.EscapeDataString: a part "*" means "live only", so an id's own "*" is escaped.
function escape(id) {
  return encodeURIComponent(id).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function parseMissed(text) {
  try {
    return JSON.parse(text).channels ?? [];
  } catch {
    return [];
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
