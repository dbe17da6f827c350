/**
 * Call quality from RTCPeerConnection.getStats, without any DOM: one sample per connection and
 * second (`sample`), a grade with its main reason in words (`grade`), and per-minute aggregates
 * from which a call's summary is made (`Minutes`, `summary`).
 *
 * Chromium and Firefox report differently: Firefox has no `transport` report with a selected pair
 * on older versions (it marks the pair `selected`), no candidate `url`, no `qualityLimitationReason`
 * and no `media-source` audio level. Every field is read as optional; a missing figure is null.
 */

/**
 * @typedef {{bitrate: number|null, packets: number|null, lost: number|null, lossPct: number|null,
 *            jitter: number|null, fps: number|null, width: number|null, height: number|null,
 *            codec: string|null, level: number|null, limitation: string|null}} Flow
 *   one direction of one kind: bits per second, packets and lost packets in the last interval,
 *   jitter in seconds, frames per second, the audio level (0 to 1)
 * @typedef {{local: string|null, remote: string|null, protocol: string|null, relayProtocol: string|null,
 *            server: string|null}} Path
 *   the selected candidate pair: candidate types (host, srflx, prflx, relay), UDP or TCP, and the
 *   TURN server our relay candidate came from
 * @typedef {{at: number, state: RTCPeerConnectionState, rtt: number|null, path: Path,
 *            in: {audio: Flow, video: Flow}, out: {audio: Flow, video: Flow}}} Sample
 * @typedef {{level: 'good'|'fair'|'poor', reason: string}} Grade
 */

/** @typedef {Map<string, any>} Totals counters of the previous report, by report id */

/**
 * Reads one connection's statistics, turning counters into rates against the previous call.
 * @param {RTCPeerConnection} pc
 * @param {Totals} previous the counters of the last call for this connection (updated here)
 * @param {number} now milliseconds
 * @returns {Promise<Sample>}
 */
export async function sample(pc, previous, now) {
  const report = await pc.getStats();
  /** @type {Sample} */
  const s = {
    at: now,
    state: pc.connectionState,
    rtt: null,
    path: { local: null, remote: null, protocol: null, relayProtocol: null, server: null },
    in: { audio: emptyFlow(), video: emptyFlow() },
    out: { audio: emptyFlow(), video: emptyFlow() },
  };
  /** @type {any} */
  let pair = null;
  report.forEach((/** @type {any} */ r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) pair = report.get(r.selectedCandidatePairId) ?? pair;
  });
  if (!pair) {
    report.forEach((/** @type {any} */ r) => {
      if (r.type === 'candidate-pair' && (r.selected || (r.nominated && r.state === 'succeeded'))) pair = pair ?? r;
    });
  }
  if (pair) {
    s.rtt = num(pair.currentRoundTripTime);
    const local = report.get(pair.localCandidateId);
    const remote = report.get(pair.remoteCandidateId);
    s.path = {
      local: local?.candidateType ?? null,
      remote: remote?.candidateType ?? null,
      protocol: local?.protocol ?? null,
      relayProtocol: local?.relayProtocol ?? null,
      server: local?.url ?? null,
    };
  }
  report.forEach((/** @type {any} */ r) => {
    const kind = r.kind ?? r.mediaType;
    if (kind !== 'audio' && kind !== 'video') return;
    const before = previous.get(r.id);
    const seconds = before ? (r.timestamp - before.timestamp) / 1000 : 0;
    if (r.type === 'inbound-rtp') {
      const f = s.in[kind];
      f.bitrate = rate(r.bytesReceived, before?.bytesReceived, seconds, 8);
      f.packets = delta(r.packetsReceived, before?.packetsReceived);
      f.lost = delta(r.packetsLost, before?.packetsLost);
      if (f.packets !== null && f.lost !== null && f.packets + f.lost > 0) f.lossPct = (100 * Math.max(0, f.lost)) / (f.packets + f.lost);
      f.jitter = num(r.jitter);
      f.fps = num(r.framesPerSecond) ?? rate(r.framesDecoded, before?.framesDecoded, seconds, 1);
      f.width = num(r.frameWidth);
      f.height = num(r.frameHeight);
      f.codec = codecOf(report, r.codecId);
      f.level = num(r.audioLevel);
    } else if (r.type === 'outbound-rtp') {
      const f = s.out[kind];
      f.bitrate = (f.bitrate ?? 0) + (rate(r.bytesSent, before?.bytesSent, seconds, 8) ?? 0);
      f.packets = delta(r.packetsSent, before?.packetsSent);
      f.fps = num(r.framesPerSecond) ?? f.fps;
      f.width = num(r.frameWidth) ?? f.width;
      f.height = num(r.frameHeight) ?? f.height;
      f.codec = codecOf(report, r.codecId) ?? f.codec;
      if (r.qualityLimitationReason && r.qualityLimitationReason !== 'none') f.limitation = r.qualityLimitationReason;
    } else if (r.type === 'remote-inbound-rtp') {
      // What the other side lost of what we send, and (Firefox's only RTT) the round trip it measured.
      const f = s.out[kind];
      f.lossPct = typeof r.fractionLost === 'number' ? 100 * r.fractionLost : f.lossPct;
      f.jitter = num(r.jitter) ?? f.jitter;
      s.rtt = s.rtt ?? num(r.roundTripTime);
    } else if (r.type === 'media-source' && kind === 'audio') {
      s.out.audio.level = num(r.audioLevel);
    }
  });
  previous.clear();
  report.forEach((/** @type {any} */ r) => {
    if (r.type === 'inbound-rtp' || r.type === 'outbound-rtp') previous.set(r.id, r);
  });
  return s;
}

/** @returns {Flow} */
function emptyFlow() {
  return { bitrate: null, packets: null, lost: null, lossPct: null, jitter: null, fps: null, width: null, height: null, codec: null, level: null, limitation: null };
}

/** @param {unknown} v @returns {number|null} */
function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** @param {unknown} now @param {unknown} before @returns {number|null} */
function delta(now, before) {
  return typeof now === 'number' && typeof before === 'number' ? now - before : null;
}

/** @param {unknown} now @param {unknown} before @param {number} seconds @param {number} scale @returns {number|null} */
function rate(now, before, seconds, scale) {
  const d = delta(now, before);
  return d === null || seconds <= 0 ? null : Math.max(0, (d * scale) / seconds);
}

/** @param {RTCStatsReport} report @param {string|undefined} id @returns {string|null} */
function codecOf(report, id) {
  const c = id ? report.get(id) : null;
  return c?.mimeType ? String(c.mimeType).replace(/^(audio|video)\//, '') : null;
}

// Limits between good, fair and poor. Loss in percent of packets, round trip and jitter in seconds.
const LOSS_FAIR = 2;
const LOSS_POOR = 8;
const RTT_FAIR = 0.25;
const RTT_POOR = 0.6;
const JITTER_FAIR = 0.05;
const FPS_FAIR = 12;

/**
 * How a connection to another participant is going, in one word and the main reason.
 * @param {Sample|undefined} s
 * @returns {Grade}
 */
export function grade(s) {
  if (!s) return { level: 'fair', reason: 'connecting' };
  if (s.state === 'failed') return { level: 'poor', reason: 'connection failed' };
  if (s.state === 'disconnected') return { level: 'poor', reason: 'connection lost' };
  if (s.state !== 'connected') return { level: 'fair', reason: 'connecting' };
  const loss = Math.max(s.in.audio.lossPct ?? 0, s.in.video.lossPct ?? 0);
  if (loss >= LOSS_POOR) return { level: 'poor', reason: 'high packet loss' };
  if (s.rtt !== null && s.rtt >= RTT_POOR) return { level: 'poor', reason: 'long delay' };
  if (loss >= LOSS_FAIR) return { level: 'fair', reason: 'some packet loss' };
  if (s.rtt !== null && s.rtt >= RTT_FAIR) return { level: 'fair', reason: 'long delay' };
  if ((s.in.audio.jitter ?? 0) >= JITTER_FAIR) return { level: 'fair', reason: 'unsteady network' };
  const fps = s.in.video.fps;
  if (fps !== null && fps > 0 && fps < FPS_FAIR && loss < LOSS_FAIR) return { level: 'fair', reason: 'their upload is limited' };
  if (s.out.video.limitation === 'bandwidth') return { level: 'fair', reason: 'your upload is limited' };
  if (s.out.video.limitation === 'cpu') return { level: 'fair', reason: 'your computer is busy' };
  if (s.path.local === 'relay' || s.path.remote === 'relay') return { level: 'good', reason: 'connected through a relay' };
  return { level: 'good', reason: '' };
}

/** The figures a report keeps of each sample (the names and units of `call_report`), and how to read them. */
const FIGURES = {
  sendBitrate: (/** @type {Sample} */ s) => (s.out.audio.bitrate ?? 0) + (s.out.video.bitrate ?? 0),
  receiveBitrate: (/** @type {Sample} */ s) => (s.in.audio.bitrate ?? 0) + (s.in.video.bitrate ?? 0),
  loss: (/** @type {Sample} */ s) => Math.max(s.in.audio.lossPct ?? 0, s.in.video.lossPct ?? 0),
  jitter: (/** @type {Sample} */ s) => (s.in.audio.jitter === null ? null : s.in.audio.jitter * 1000),
  rtt: (/** @type {Sample} */ s) => (s.rtt === null ? null : s.rtt * 1000),
  fps: (/** @type {Sample} */ s) => s.in.video.fps,
};

/** For each figure, whether its worst minute is its highest (loss, jitter, RTT) or its lowest. */
const WORSE_IS_HIGHER = { sendBitrate: false, receiveBitrate: false, loss: true, jitter: true, rtt: true, fps: false };

/** What a report may hold: `call_report`'s limits. */
const MAX_MINUTES = 240;
const MAX_CANDIDATES = 32;
const MAX_FAILURES = 16;

/**
 * @typedef {'no_relay'|'udp_blocked'|'relay_failed'|'media_blocked'|'ice_failed'|'other'} FailureReason
 * @typedef {{reason: FailureReason, at: number, detail?: string}} Failure
 */

/**
 * A call's figures kept per minute, for the report of one's part in it: sums and counts, never the
 * samples themselves, so that a long call costs a few numbers a minute.
 */
export class Minutes {
  /** @type {Map<number, Record<string, {sum: number, n: number}>>} by minute since the start */
  #minutes = new Map();
  /** @type {Map<string, {local: string, remote: string, protocol: string, relayProtocol?: string}>} */
  #candidates = new Map();
  iceRestarts = 0;
  /** @type {Failure[]} */
  #failures = [];
  started;

  /** @param {number} started milliseconds */
  constructor(started) {
    this.started = started;
  }

  /** @param {Sample} s one connection's sample (all connections of a second add to the same minute) */
  add(s) {
    const minute = Math.floor((s.at - this.started) / 60_000);
    const m = this.#minutes.get(minute) ?? {};
    for (const [name, read] of Object.entries(FIGURES)) {
      const v = read(s);
      if (v === null || !Number.isFinite(v)) continue;
      const f = (m[name] ??= { sum: 0, n: 0 });
      f.sum += v;
      f.n += 1;
    }
    this.#minutes.set(minute, m);
    const { local, remote, protocol, relayProtocol } = s.path;
    if (local && remote && protocol && this.#candidates.size < MAX_CANDIDATES) {
      /** @type {{local: string, remote: string, protocol: string, relayProtocol?: string}} */
      const c = { local, remote, protocol: protocol.toLowerCase() };
      if (local === 'relay' && relayProtocol) c.relayProtocol = relayProtocol.toLowerCase();
      this.#candidates.set(JSON.stringify(c), c);
    }
  }

  /**
   * Something went wrong: kept for the report, once per reason.
   * @param {FailureReason} reason
   * @param {number} now milliseconds
   * @param {string} [detail] a sentence for people
   */
  fail(reason, now, detail) {
    if (this.#failures.length >= MAX_FAILURES || this.#failures.some((f) => f.reason === reason)) return;
    /** @type {Failure} */
    const f = { reason, at: Math.max(0, Math.round((now - this.started) / 1000)) };
    if (detail) f.detail = detail.replace(/\s+/g, ' ').slice(0, 200);
    this.#failures.push(f);
  }

  /**
   * The `report` of `call_report`: seconds in the call, each figure's average and worst minute, the
   * figures minute by minute (the last 240), the candidate pairs used, ICE restarts and failures. A
   * figure never measured is left out.
   * @param {number} now milliseconds
   */
  report(now) {
    /** @type {Record<string, {avg: number, worst: number}>} */
    const figures = {};
    /** @type {Record<string, number>[]} */
    const minutes = [];
    const last = Math.floor((now - this.started) / 60_000);
    for (let minute = Math.max(0, last - MAX_MINUTES + 1); minute <= last; minute++) {
      /** @type {Record<string, number>} */
      const row = {};
      for (const [name, f] of Object.entries(this.#minutes.get(minute) ?? {})) if (f.n > 0) row[name] = round(f.sum / f.n);
      minutes.push(row);
    }
    for (const name of Object.keys(FIGURES)) {
      let sum = 0;
      let n = 0;
      /** @type {number|null} */
      let worst = null;
      const higher = WORSE_IS_HIGHER[/** @type {keyof typeof WORSE_IS_HIGHER} */ (name)];
      for (const m of this.#minutes.values()) {
        const f = m[name];
        if (!f || f.n === 0) continue;
        sum += f.sum;
        n += f.n;
        const value = f.sum / f.n;
        if (worst === null || (higher ? value > worst : value < worst)) worst = value;
      }
      if (n > 0 && worst !== null) figures[name] = { avg: round(sum / n), worst: round(worst) };
    }
    return {
      seconds: Math.max(0, Math.round((now - this.started) / 1000)),
      iceRestarts: this.iceRestarts,
      figures,
      minutes,
      candidates: [...this.#candidates.values()],
      failures: [...this.#failures],
    };
  }
}

/** @param {number} v @returns {number} */
function round(v) {
  return Math.round(v * 10) / 10;
}
