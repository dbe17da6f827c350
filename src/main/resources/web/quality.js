import { Emitter } from './emitter.js';
import { Minutes, grade, sample } from './stats.js';

/** @typedef {import('./call.js').Call} Call */
/** @typedef {import('./stats.js').Sample} Sample */
/** @typedef {import('./stats.js').Grade} Grade */
/** @typedef {import('./stats.js').FailureReason} FailureReason */

/** Seconds of figures kept for the charts. */
export const HISTORY_SECONDS = 300;
/** How often the statistics are read: each second with the panel open, less often for the tile marks alone. */
const OPEN_MS = 1_000;
const CLOSED_MS = 3_000;
/** A connection not connected after this long is diagnosed (a relay that refuses us never "fails"). */
const CONNECT_WITHIN_MS = 12_000;
/** ICE error codes of a TURN server that refused our credential (RFC 8656: Unauthorized, Forbidden, Stale Nonce). */
const REFUSED = new Set([401, 403, 438]);

/**
 * What we learn of one connection beside its statistics: what its ICE gathering found and which
 * servers failed, to say why it does not connect.
 * @typedef {{types: Set<string>, relayProtocols: Set<string>, errors: {url: string, code: number, text: string}[],
 *            since: number, last?: Sample, history: Sample[], totals: Map<string, any>, diagnosed?: boolean}} Watch
 */

/**
 * @typedef {{reason: FailureReason, text: string}} Diagnosis a cause, and what to do, in plain words
 */

/**
 * The quality of the call we are in, without any DOM: reads every connection's statistics on a timer,
 * grades each (the tile marks), keeps the last minutes for the panel's charts and a per-minute account for
 * the report at the end, and says in words why a connection does not connect.
 *
 * Events: "sample" (new figures), "diagnosis" (a Diagnosis, or null when all is well again).
 */
export class CallQuality extends Emitter {
  #call;
  #conn;
  /** @type {Map<string, Watch>} by sessionId */
  #watch = new Map();
  /** @type {Minutes|null} */
  #minutes = null;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #timer;
  #open = false;
  /** @type {{at: number, out: Sample['out']}[]} what we send, summed over the connections, for our own card */
  selfHistory = [];
  /** @type {Diagnosis|null} */
  diagnosis = null;

  /**
   * @param {Call} call
   * @param {import('./connection.js').Connection} conn where the report goes at the end of a call
   */
  constructor(call, conn) {
    super();
    this.#call = call;
    this.#conn = conn;
    call.on('peer', (/** @type {import('./call.js').Peer} */ peer) => this.#track(peer));
    call.on('state', () => (call.inCall ? this.#start() : this.#stop()));
    call.on('leaving', () => this.#report());
  }

  /** Whether the panel is open: the statistics are read more often. */
  set open(open) {
    this.#open = open;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#tick(), 0);
    }
  }

  get open() {
    return this.#open;
  }

  /** @param {string} sessionId @returns {Sample|undefined} */
  last(sessionId) {
    return this.#watch.get(sessionId)?.last;
  }

  /** @param {string} sessionId @returns {Sample[]} */
  history(sessionId) {
    return this.#watch.get(sessionId)?.history ?? [];
  }

  /** @param {string} sessionId @returns {Grade} */
  grade(sessionId) {
    if (this.#watch.get(sessionId)?.diagnosed) return { level: 'poor', reason: 'cannot connect' };
    return grade(this.last(sessionId));
  }

  /** @param {import('./call.js').Peer} peer */
  #track(peer) {
    /** @type {Watch} */
    const w = { types: new Set(), relayProtocols: new Set(), errors: [], since: Date.now(), history: [], totals: new Map() };
    this.#watch.set(peer.info.sessionId, w);
    peer.pc.addEventListener('icecandidate', ({ candidate }) => {
      if (!candidate?.type) return;
      w.types.add(candidate.type);
      if (candidate.type === 'relay' && candidate.relayProtocol) w.relayProtocols.add(candidate.relayProtocol);
    });
    peer.pc.addEventListener('icecandidateerror', (e) => {
      const err = /** @type {RTCPeerConnectionIceErrorEvent} */ (e);
      if (w.errors.length < 32) w.errors.push({ url: err.url ?? '', code: err.errorCode, text: err.errorText ?? '' });
    });
  }

  #start() {
    this.#minutes = new Minutes(Date.now());
    this.selfHistory = [];
    this.#setDiagnosis(null);
    const blocked = this.#call.deviceErrors.some((n) => n === 'NotAllowedError' || n === 'SecurityError');
    if (blocked) {
      this.#setDiagnosis({
        reason: 'media_blocked',
        text: 'Your camera or microphone is blocked for this site. Allow them in the browser (the icon at the left of the address bar), then leave the call and join again.',
      });
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), 0);
  }

  #stop() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watch.clear();
    this.#minutes = null;
    this.#setDiagnosis(null);
    this.emit('sample');
  }

  async #tick() {
    const peers = [...this.#call.peers];
    const now = Date.now();
    for (const sessionId of this.#watch.keys()) {
      if (!this.#call.peers.has(sessionId)) this.#watch.delete(sessionId);
    }
    /** @type {Sample['out']|null} */
    let out = null;
    for (const [sessionId, peer] of peers) {
      const w = this.#watch.get(sessionId);
      if (!w) continue;
      try {
        const s = await sample(peer.pc, w.totals, now);
        w.last = s;
        w.history.push(s);
        while (w.history.length && w.history[0].at < now - HISTORY_SECONDS * 1000) w.history.shift();
        this.#minutes?.add(s);
        out = addOut(out, s.out);
        this.#diagnose(w, s, now);
      } catch {
        // The connection closed while we read it: it is gone at the next tick.
      }
    }
    if (out) {
      this.selfHistory.push({ at: now, out });
      while (this.selfHistory.length && this.selfHistory[0].at < now - HISTORY_SECONDS * 1000) this.selfHistory.shift();
    }
    this.emit('sample');
    if (this.#timer !== undefined) this.#timer = setTimeout(() => this.#tick(), this.#open ? OPEN_MS : CLOSED_MS);
  }

  /**
   * A connection that failed, or has not connected in time, is explained: from what its ICE gathering
   * found, which servers answered with an error, and which servers are configured.
   * @param {Watch} w
   * @param {Sample} s
   * @param {number} now
   */
  #diagnose(w, s, now) {
    if (s.state === 'connected') {
      if (w.diagnosed && this.diagnosis?.reason !== 'media_blocked') this.#setDiagnosis(null);
      w.diagnosed = false;
      return;
    }
    if (w.diagnosed || (s.state !== 'failed' && now - w.since < CONNECT_WITHIN_MS)) return;
    w.diagnosed = true;
    const d = diagnose(w, this.#call.iceServers);
    this.#minutes?.fail(d.reason, now, d.text);
    this.#setDiagnosis(d);
  }

  /** @param {Diagnosis|null} d */
  #setDiagnosis(d) {
    this.diagnosis = d;
    this.emit('diagnosis', d);
  }

  /** The summary of our part in the call, to the server, when it gives the call an id. */
  #report() {
    const call = this.#call;
    if (!this.#minutes || !call.callId || !call.room) return;
    this.#minutes.iceRestarts = call.iceRestarts;
    const report = this.#minutes.report(Date.now());
    this.#conn.send({ type: 'call_report', room: call.room, call: call.callId, final: true, report });
  }

  /** @returns {Record<string, unknown>|null} the report so far (for tests and the console) */
  reportSoFar() {
    if (!this.#minutes) return null;
    this.#minutes.iceRestarts = this.#call.iceRestarts;
    return this.#minutes.report(Date.now());
  }
}

/**
 * @param {Sample['out']|null} sum
 * @param {Sample['out']} out
 * @returns {Sample['out']}
 */
function addOut(sum, out) {
  if (!sum) return structuredClone(out);
  for (const kind of /** @type {const} */ (['audio', 'video'])) {
    sum[kind].bitrate = (sum[kind].bitrate ?? 0) + (out[kind].bitrate ?? 0);
    sum[kind].limitation = sum[kind].limitation ?? out[kind].limitation;
  }
  return sum;
}

/**
 * Why a connection did not connect, in plain words.
 * @param {{types: Set<string>, relayProtocols: Set<string>, errors: {url: string, code: number, text: string}[]}} w
 * @param {RTCIceServer[]} iceServers
 * @returns {Diagnosis}
 */
export function diagnose(w, iceServers) {
  const urls = iceServers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  const turn = urls.filter((u) => /^turns?:/i.test(u));
  if (turn.length === 0) {
    return {
      reason: 'no_relay',
      text: 'Your browser and theirs cannot reach each other directly (a NAT or firewall is in between), and this server has no TURN relay configured. Ask the administrator to set up TURN (--turn-urls and --turn-secret).',
    };
  }
  if (!w.types.has('relay')) {
    const refused = w.errors.find((e) => REFUSED.has(e.code));
    if (refused) {
      return {
        reason: 'relay_failed',
        text: `The relay server refused the credential (${refused.code}). Ask the administrator to check that the TURN server and Parley share the same secret (--turn-secret).`,
      };
    }
    const udpOnly = turn.every((u) => !/transport=tcp/i.test(u) && !/^turns:/i.test(u));
    if (udpOnly && !w.types.has('srflx')) {
      return {
        reason: 'udp_blocked',
        text: 'Your network seems to block UDP, and the relay is offered over UDP only. Try another network, or ask the administrator to offer TURN over TCP or TLS (turn:…?transport=tcp or turns:).',
      };
    }
    return {
      reason: 'relay_failed',
      text: 'The relay server could not be reached. Ask the administrator to check that the TURN server runs and is reachable from your network.',
    };
  }
  return {
    reason: 'ice_failed',
    text: 'The connection could not be made although the relay answered: the other side may be the one whose network blocks it. Ask them to use "Test my connection".',
  };
}

/**
 * @typedef {{url: string, ok: boolean, found: string[], error: string}} ServerCheck what one STUN or TURN
 *   server gave: the candidate types gathered through it, or what went wrong
 */

/**
 * "Test my connection": gathers candidates against each configured STUN and TURN server on its own
 * (TURN with the relay policy, so that only the relay counts) and says what each gave.
 * @param {RTCIceServer[]} iceServers
 * @param {number} [timeoutMs] how long one server may take
 * @returns {Promise<ServerCheck[]>}
 */
export async function testConnection(iceServers, timeoutMs = 8_000) {
  /** @type {Promise<ServerCheck>[]} */
  const checks = [];
  for (const server of iceServers) {
    for (const url of Array.isArray(server.urls) ? server.urls : [server.urls]) {
      checks.push(gather({ ...server, urls: [url] }, url, timeoutMs));
    }
  }
  if (checks.length === 0) checks.push(gather(null, 'direct (no server)', timeoutMs));
  return Promise.all(checks);
}

/**
 * @param {RTCIceServer|null} server
 * @param {string} url
 * @param {number} timeoutMs
 * @returns {Promise<ServerCheck>}
 */
async function gather(server, url, timeoutMs) {
  const relay = /^turns?:/i.test(url);
  const pc = new RTCPeerConnection({ iceServers: server ? [server] : [], iceTransportPolicy: relay ? 'relay' : 'all' });
  /** @type {Set<string>} */
  const found = new Set();
  /** @type {string[]} */
  const errors = [];
  try {
    const done = new Promise((resolve) => {
      pc.addEventListener('icecandidate', ({ candidate }) => {
        if (!candidate) resolve(undefined);
        else if (candidate.type) found.add(candidate.type === 'relay' && candidate.relayProtocol ? `relay over ${candidate.relayProtocol}` : candidate.type);
      });
      pc.addEventListener('icecandidateerror', (e) => {
        const err = /** @type {RTCPeerConnectionIceErrorEvent} */ (e);
        errors.push(REFUSED.has(err.errorCode) ? `refused the credential (${err.errorCode})` : `no answer (${err.errorCode} ${err.errorText})`);
      });
      setTimeout(resolve, timeoutMs);
    });
    pc.createDataChannel('probe');
    await pc.setLocalDescription();
    await done;
  } finally {
    pc.close();
  }
  const wanted = relay ? [...found].some((t) => t.startsWith('relay')) : found.has('srflx') || !server;
  return { url, ok: wanted, found: [...found], error: wanted ? '' : errors[0] ?? 'no answer' };
}
