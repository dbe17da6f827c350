import { Emitter } from './emitter.js';

/** @typedef {import('./protocol.js').ServerMessage} ServerMessage */
/** @typedef {import('./protocol.js').ClientMessage} ClientMessage */
/** @typedef {import('./protocol.js').Welcome} Welcome */
/** @typedef {'connecting' | 'open' | 'reconnecting'} ConnectionState */

const PING_EVERY_MS = 15_000;
const PONG_WITHIN_MS = 10_000;
// A SYN to a vanished host, or a server that accepts but never welcomes, would otherwise
// leave us waiting for the browser's own timeout (minutes).
const WELCOME_WITHIN_MS = 10_000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const REQUEST_TIMEOUT_MS = 20_000;
/** The close code of a socket whose account session ended (signed out, password changed, disabled). */
const SESSION_ENDED = 4401;
/**
 * The share of the server's rate limit (welcome's limits) that the page uses: the rest is headroom
 * for heartbeats and for timers that do not tick exactly.
 */
const RATE_SHARE = 0.8;

/** An error reply, or a request that could not complete; `code` is the protocol's error code or one of ours. */
export class RequestError extends Error {
  /** @param {string} code @param {string} [message] */
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

/**
 * One WebSocket to the server, kept alive for as long as the page lives.
 *
 * Lifecycle: `start()` connects and says hello; the state is "open" only once `welcome`
 * has arrived, so `send` and `request` work exactly when the server will accept them.
 * After any close (server gone, network lost, heartbeat missed) the state becomes
 * "reconnecting" and a new socket is tried with exponential backoff and jitter; each
 * successful welcome emits "ready", after which the owner must re-join its rooms: a new
 * socket is a new session that is a member of nothing.
 *
 * Who we are comes from the session cookie the browser sends with the upgrade, never from a
 * message. When the session has ended (the server closes with 4401, or refuses the upgrade and
 * /api/session confirms that no one is signed in), the connection stops and emits "signedout".
 *
 * Events: every server message is emitted under its `type` (replies to `request` too,
 * except errors that a request consumed); plus "state" (ConnectionState), "ready" (Welcome),
 * "signedout" (the session ended; we stopped).
 */
export class Connection extends Emitter {
  /** @type {ConnectionState} */
  state = 'connecting';
  /** @type {Welcome|null} the latest welcome: who we are on the server */
  session = null;

  #url;
  /** @type {WebSocket|null} */
  #ws = null;
  #stopped = true;
  #checking = false;
  #attempt = 0;
  #nextRef = 0;
  /** @type {string|null} */
  #helloRef = null;
  /** Frames waiting for the rate limit: after a long offline spell the outbox resends everything at once. */
  /** @type {string[]} */
  #paced = [];
  #tokens = 0;
  #tokensAt = 0;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #paceTimer;
  /** @type {Map<string, {resolve: (m: ServerMessage) => void, reject: (e: RequestError) => void, timer?: ReturnType<typeof setTimeout>}>} */
  #pending = new Map();
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #reconnectTimer;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #deadline;
  /** @type {ReturnType<typeof setInterval>|undefined} */
  #pinger;

  /** @param {string} [url] defaults to ws(s)://<this host>/ws */
  constructor(url) {
    super();
    this.#url = url ?? `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
    // The browser knows at once when the network is gone: a dead socket would otherwise take up to
    // PING_EVERY_MS + PONG_WITHIN_MS to notice. And waiting out a 10 s backoff after it is back would look broken.
    window.addEventListener('offline', () => {
      if (!this.#stopped) this.#drop('offline');
    });
    window.addEventListener('online', () => {
      if (!this.#stopped) this.#connectNow();
    });
  }

  start() {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  /** Closes the socket and stops reconnecting, until the next `start()`. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    this.#drop('stopped', 1000);
  }

  /**
   * Sends a message if the connection is open.
   * @param {ClientMessage} msg
   * @returns {boolean} false when not open: nothing was sent
   */
  send(msg) {
    if (this.state !== 'open' || !this.#ws) return false;
    this.#write(JSON.stringify(msg));
    return true;
  }

  /**
   * Sends a frame now if the server's rate limit allows it, else after the frames already waiting:
   * a token bucket at RATE_SHARE of the server's `messagesPerSecond` and `messageBurst`, so that the
   * server never refuses a message as `rate_limited` (that refusal carries no `ref`, so the request
   * it refused would wait for a reply until the socket closed).
   * @param {string} frame
   */
  #write(frame) {
    this.#refill();
    if (this.#paced.length === 0 && this.#tokens >= 1) {
      this.#tokens--;
      this.#ws?.send(frame);
      return;
    }
    this.#paced.push(frame);
    this.#schedulePacing();
  }

  #refill() {
    const limits = this.session?.limits;
    const rate = (limits?.messagesPerSecond ?? 50) * RATE_SHARE;
    const burst = Math.max(1, Math.floor((limits?.messageBurst ?? 200) * RATE_SHARE));
    const now = performance.now();
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#tokensAt) / 1000) * rate);
    this.#tokensAt = now;
  }

  #schedulePacing() {
    if (this.#paceTimer !== undefined) return;
    const rate = (this.session?.limits?.messagesPerSecond ?? 50) * RATE_SHARE;
    this.#paceTimer = setTimeout(() => {
      this.#paceTimer = undefined;
      this.#refill();
      while (this.#paced.length > 0 && this.#tokens >= 1) {
        this.#tokens--;
        this.#ws?.send(/** @type {string} */ (this.#paced.shift()));
      }
      if (this.#paced.length > 0) this.#schedulePacing();
    }, Math.max(1, Math.ceil(1000 / rate)));
  }

  /**
   * Sends a message with a fresh `ref` and settles with the reply that repeats it.
   * Rejects with a RequestError: the server's code for an `error` reply; "offline" if the
   * connection is not open; "closed" if it closed before the reply; "timeout" after
   * `timeoutMs` (0: wait as long as the socket lives).
   * @param {ClientMessage} msg
   * @param {{timeoutMs?: number}} [options]
   * @returns {Promise<ServerMessage>}
   */
  request(msg, { timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    if (this.state !== 'open' || !this.#ws) return Promise.reject(new RequestError('offline'));
    const ref = String(++this.#nextRef);
    return new Promise((resolve, reject) => {
      /** @type {{resolve: (m: ServerMessage) => void, reject: (e: RequestError) => void, timer?: ReturnType<typeof setTimeout>}} */
      const entry = { resolve, reject };
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.#pending.delete(ref);
          reject(new RequestError('timeout', `no reply to ${msg.type}`));
        }, timeoutMs);
      }
      this.#pending.set(ref, entry);
      this.#write(JSON.stringify({ ...msg, ref }));
    });
  }

  /** @param {ConnectionState} state */
  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  #connect() {
    clearTimeout(this.#reconnectTimer);
    /** @type {WebSocket} */
    let ws;
    try {
      ws = new WebSocket(this.#url);
    } catch (e) {
      console.error('cannot open WebSocket', e);
      this.#closed();
      return;
    }
    this.#ws = ws;
    let opened = false;
    this.#armDeadline(WELCOME_WITHIN_MS, 'no welcome');
    ws.onopen = () => {
      opened = true;
      this.#helloRef = String(++this.#nextRef);
      /** @type {ClientMessage} */
      const hello = { type: 'hello', ref: this.#helloRef };
      // After a drop, ask for our session back: the server keeps a call participant's place for a while.
      if (this.session) hello.resume = this.session.sessionId;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (ev) => this.#onFrame(ev.data);
    ws.onclose = (ev) => {
      if (this.#ws === ws) {
        this.#ws = null;
        this.#closed();
        // A browser does not tell why an upgrade failed: a refused one (401) looks like a server that is away.
        if (ev.code === SESSION_ENDED || !opened) this.#checkSession();
      }
    };
  }

  #connectNow() {
    this.#attempt = 0;
    // A socket still trying to open may be stuck on the network that went away: start afresh.
    if (this.#ws && this.state !== 'open') this.#drop('network back');
    if (this.state !== 'open') this.#connect();
  }

  /**
   * Forgets the current socket at once and closes it. A dead TCP connection may take
   * minutes to report its close; we do not wait for it. Code 4000 tells the server we are
   * coming back (it keeps our place in a call); 1000 that we are not.
   * @param {string} reason
   * @param {number} [code]
   */
  #drop(reason, code = 4000) {
    const ws = this.#ws;
    if (!ws) return;
    this.#ws = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close(code, reason);
    } catch {
      // Already closing: nothing more to do.
    }
    this.#closed();
  }

  #closed() {
    clearTimeout(this.#deadline);
    clearInterval(this.#pinger);
    clearTimeout(this.#paceTimer);
    this.#paceTimer = undefined;
    this.#paced = []; // their requests are rejected just below: the owner sends them again

    for (const { reject, timer } of this.#pending.values()) {
      clearTimeout(timer);
      reject(new RequestError('closed', 'the connection closed'));
    }
    this.#pending.clear();
    if (this.#stopped) return;
    this.#setState('reconnecting');
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.#attempt);
    this.#attempt++;
    // "Equal jitter": never less than half the cap, so a crowd of tabs spreads out
    // after a server restart without any of them retrying at once in a tight loop.
    const delay = cap / 2 + Math.random() * (cap / 2);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
    this.emit('close');
  }

  /** Asks the server whether we are still signed in; stops for good when we are not. One question at a time. */
  async #checkSession() {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const res = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store' });
      const state = res.ok ? await res.json() : null;
      if (state && state.user === null && !this.#stopped) {
        this.stop();
        this.emit('signedout');
      }
    } catch {
      // The server is away: the reconnect loop goes on and asks again after the next failure.
    } finally {
      this.#checking = false;
    }
  }

  /** @param {number} ms @param {string} reason */
  #armDeadline(ms, reason) {
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(() => {
      console.warn(`dropping the connection: ${reason}`);
      this.#drop(reason);
    }, ms);
  }

  #startHeartbeat() {
    clearInterval(this.#pinger);
    this.#pinger = setInterval(() => {
      if (!this.#ws || this.state !== 'open') return;
      this.#ws.send(JSON.stringify({ type: 'ping', ref: String(++this.#nextRef) }));
      this.#armDeadline(PONG_WITHIN_MS, 'no pong');
    }, PING_EVERY_MS);
  }

  /** @param {unknown} data */
  #onFrame(data) {
    /** @type {ServerMessage} */
    let msg;
    try {
      msg = JSON.parse(String(data));
    } catch {
      console.warn('ignoring a frame that is not JSON');
      return;
    }
    if (!msg || typeof msg.type !== 'string') return;
    const ref = typeof msg.ref === 'string' ? msg.ref : null;

    if (msg.type === 'pong') {
      // Any pong proves the socket is alive; matching refs would add nothing.
      clearTimeout(this.#deadline);
      return;
    }
    if (msg.type === 'welcome') {
      this.#onWelcome(/** @type {Welcome} */ (msg));
      return;
    }
    if (ref !== null && ref === this.#helloRef && msg.type === 'error') {
      this.#onHelloRefused(msg);
      return;
    }
    const entry = ref !== null ? this.#pending.get(ref) : undefined;
    if (entry && ref !== null) {
      this.#pending.delete(ref);
      clearTimeout(entry.timer);
      if (msg.type === 'error') {
        entry.reject(new RequestError(msg.code, msg.message));
        return;
      }
      entry.resolve(msg);
    }
    this.emit(msg.type, msg);
  }

  /** @param {Welcome} welcome */
  #onWelcome(welcome) {
    clearTimeout(this.#deadline);
    this.#attempt = 0;
    this.session = welcome;
    // A new socket starts with the server's full burst; the hello spent one of it.
    this.#tokens = Math.floor((welcome.limits?.messageBurst ?? 200) * RATE_SHARE) - 1;
    this.#tokensAt = performance.now();
    this.#startHeartbeat();
    this.#setState('open');
    this.emit('welcome', welcome);
    this.emit('ready', welcome);
  }

  /** @param {ServerMessage} error */
  #onHelloRefused(error) {
    this.#drop(`hello refused: ${error.code}`);
  }
}
