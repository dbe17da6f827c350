import { Emitter } from './emitter.js';
import { Negotiation } from './negotiation.js';
import { prefs } from './prefs.js';

/** @typedef {import('./connection.js').Connection} Connection */
/** @typedef {import('./connection.js').RequestError} RequestError */
/** @typedef {import('./protocol.js').Participant} Participant */
/** @typedef {import('./protocol.js').ServerMessage} ServerMessage */

/**
 * One connection to another participant: its RTCPeerConnection, the negotiation state and
 * the stream its tracks arrive in.
 * @typedef {{info: Participant, pc: RTCPeerConnection, negotiation: Negotiation, stream: MediaStream,
 *            restartTimer?: ReturnType<typeof setTimeout>, retryMs?: number}} Peer
 */

// A connection that is "disconnected" often recovers by itself; after this long, restart ICE.
const DISCONNECTED_RESTART_MS = 4_000;
// A restart that has not connected after this long is tried again, each wait twice the last, up to the cap.
const RETRY_FIRST_MS = 3_000;
const RETRY_CAP_MS = 30_000;

/**
 * The call this tab is in (at most one, in one room), without any DOM: local media, one
 * RTCPeerConnection per other participant (perfect negotiation, polite = joined later),
 * mute, camera, screen share and device choice.
 *
 * Events: "state" (joined or left), "tiles" (participants, their media or streams changed),
 * "local" (our own stream or flags changed), "notice" (a sentence for the person, or ""), "peer" (a
 * connection to another participant was made: its Peer, before any negotiation), "leaving" (the call is
 * about to end for us: its connections are still there).
 */
export class Call extends Emitter {
  /** @type {string|null} the room whose call we are in */
  room = null;
  /** @type {Participant|null} ourselves, as the server sees us */
  self = null;
  /** @type {Map<string, Peer>} by sessionId */
  peers = new Map();
  /** What we show ourselves: the camera, or the screen while sharing. */
  localStream = new MediaStream();
  muted = false;
  cameraOn = false;
  sharing = false;
  /** @type {{mic: boolean, camera: boolean}} which devices we could open */
  have = { mic: false, camera: false };
  /** @type {string[]} why a device could not be opened (errors' names: NotAllowedError, ...) */
  deviceErrors = [];
  /** ICE restarts since we joined */
  iceRestarts = 0;
  /** @type {string|null} the call's id, where the server gives one (call_joined's `call`) */
  callId = null;

  #conn;
  /** @type {MediaStreamTrack|null} */
  #mic = null;
  /** @type {MediaStreamTrack|null} */
  #camera = null;
  /** @type {MediaStreamTrack|null} */
  #screen = null;
  /** @type {RTCIceServer[]} */
  #iceServers = [];
  /** @type {RTCIceTransportPolicy} */
  #icePolicy = 'all';
  /** @type {Map<string, ServerMessage[]>} signals from participants we have not heard of yet */
  #early = new Map();
  #joining = false;
  /** @returns {RTCIceServer[]} the ICE servers of our call (with TURN credentials) */
  get iceServers() {
    return this.#iceServers;
  }
  /** @returns {RTCIceTransportPolicy} */
  get icePolicy() {
    return this.#icePolicy;
  }
  /** Back on a new socket, waiting to be in the call's room again before rejoining the call. */
  #rejoining = false;

  /**
   * @param {Connection} conn
   * @param {import('./chat.js').Chat} chat whose room joins tell us when we may rejoin the call
   */
  constructor(conn, chat) {
    super();
    this.#conn = conn;
    conn.on('signal', (m) => this.#onSignal(m));
    conn.on('call', (m) => m.room === this.room && !this.#rejoining && this.#onParticipants(m.participants ?? []));
    conn.on('call_left', (m) => m.room === this.room && this.#teardown());
    // Removed from the room (or it was deleted): the server took us out of its call too.
    conn.on('removed', (m) => m.room === this.room && this.#teardown());
    conn.on('ready', () => {
      this.#rejoining = this.inCall;
    });
    // The chat re-joins its rooms after a reconnect; once ours is joined, so is the call.
    chat.on('call', (/** @type {string} */ roomId) => {
      if (this.#rejoining && roomId === this.room && chat.room(roomId)?.joined) this.#rejoin();
    });
    window.addEventListener('pagehide', () => this.leave());
  }

  get inCall() {
    return this.room !== null;
  }

  /** @returns {[string, RTCPeerConnection][]} each other participant's session id and connection */
  connections() {
    return [...this.peers].map(([sessionId, peer]) => [sessionId, peer.pc]);
  }

  /**
   * Joins the call of `roomId` (starting it if there is none), leaving any other call first.
   * Opens the microphone and camera; without them one joins to watch and listen.
   * @param {string} roomId
   */
  async join(roomId) {
    if (this.#joining || this.room === roomId) return;
    this.#joining = true;
    try {
      if (this.room) this.leave();
      this.#notice('');
      await this.#openDevices();
      const reply = await this.#conn.request({ type: 'call_join', room: roomId });
      this.room = roomId;
      this.self = reply.you;
      this.callId = typeof reply.call === 'string' ? reply.call : null;
      this.iceRestarts = 0;
      this.#iceServers = reply.iceServers ?? [];
      this.#icePolicy = reply.iceTransportPolicy === 'relay' ? 'relay' : 'all';
      this.emit('state');
      this.#sendMedia();
      this.#onParticipants(reply.participants ?? []);
    } catch (e) {
      this.#stopDevices();
      const err = /** @type {RequestError} */ (e);
      this.#notice(
        err.code === 'call_full'
          ? 'This call is full. Larger calls are not supported yet.'
          : `Could not join the call: ${err.message || err.code}.`,
      );
    } finally {
      this.#joining = false;
    }
  }

  /** Leaves the call: the others' tiles for us disappear. */
  leave() {
    if (!this.room) return;
    this.#conn.send({ type: 'call_leave', room: this.room });
    this.#teardown();
  }

  toggleMute() {
    if (!this.#mic) return;
    this.muted = !this.muted;
    this.#mic.enabled = !this.muted;
    this.#changed();
  }

  async toggleCamera() {
    if (this.cameraOn) {
      this.#camera?.stop();
      this.#camera = null;
      this.cameraOn = false;
    } else {
      try {
        this.#camera = await this.#openTrack('video', prefs.device('camera'));
        this.cameraOn = true;
        this.have.camera = true;
      } catch (e) {
        this.#notice(deviceProblem(e, 'camera'));
      }
    }
    if (!this.sharing) await this.#replace('video', this.#camera);
    this.#changed();
  }

  async toggleScreen() {
    if (this.sharing) {
      this.#stopSharing();
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      const track = stream.getVideoTracks()[0];
      // The browser's own "Stop sharing" button ends the track.
      track.addEventListener('ended', () => this.#screen === track && this.#stopSharing());
      this.#screen = track;
      this.sharing = true;
      await this.#replace('video', track);
      this.#changed();
    } catch (e) {
      if (/** @type {Error} */ (e).name !== 'NotAllowedError') this.#notice('Your screen cannot be shared from this browser.');
    }
  }

  /**
   * Switches the microphone or camera to another device, remembered for next time.
   * @param {'mic'|'camera'} kind
   * @param {string} deviceId
   */
  async useDevice(kind, deviceId) {
    prefs.setDevice(kind, deviceId);
    if (!this.room) return;
    try {
      if (kind === 'mic' && this.#mic) {
        const track = await this.#openTrack('audio', deviceId);
        track.enabled = !this.muted;
        this.#mic.stop();
        this.#mic = track;
        await this.#replace('audio', track);
      } else if (kind === 'camera' && this.#camera) {
        const track = await this.#openTrack('video', deviceId);
        this.#camera.stop();
        this.#camera = track;
        if (!this.sharing) await this.#replace('video', track);
      }
      this.#changed();
    } catch (e) {
      this.#notice(deviceProblem(e, kind === 'mic' ? 'microphone' : 'camera'));
    }
  }

  /** @returns {Promise<MediaDeviceInfo[]>} the microphones and cameras the browser lists */
  async devices() {
    try {
      return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput' || d.kind === 'videoinput');
    } catch {
      return [];
    }
  }

  // ---- media ---------------------------------------------------------------------------

  async #openDevices() {
    this.have = { mic: false, camera: false };
    this.deviceErrors = [];
    const missing = [];
    try {
      this.#mic = await this.#openTrack('audio', prefs.device('mic'));
      this.have.mic = true;
    } catch (e) {
      this.deviceErrors.push(/** @type {Error} */ (e)?.name);
      missing.push(deviceProblem(e, 'microphone'));
    }
    try {
      this.#camera = await this.#openTrack('video', prefs.device('camera'));
      this.have.camera = true;
    } catch (e) {
      this.deviceErrors.push(/** @type {Error} */ (e)?.name);
      missing.push(deviceProblem(e, 'camera'));
    }
    this.muted = false;
    this.cameraOn = this.have.camera;
    this.sharing = false;
    if (missing.length) this.#notice(`${missing.join(' ')} You can still watch and listen.`);
    this.#showLocal();
  }

  /**
   * @param {'audio'|'video'} kind
   * @param {string|null} deviceId the preferred device; any other will do if it is gone
   * @returns {Promise<MediaStreamTrack>}
   */
  async #openTrack(kind, deviceId) {
    /** @type {MediaTrackConstraints|boolean} */
    const constraints = deviceId ? { deviceId: { ideal: deviceId } } : true;
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
    return stream.getTracks()[0];
  }

  #stopDevices() {
    for (const t of [this.#mic, this.#camera, this.#screen]) t?.stop();
    this.#mic = this.#camera = this.#screen = null;
    this.muted = this.cameraOn = this.sharing = false;
    this.#showLocal();
  }

  #stopSharing() {
    this.#screen?.stop();
    this.#screen = null;
    this.sharing = false;
    this.#replace('video', this.#camera).then(() => this.#changed());
  }

  /** Our own tile shows the screen while sharing, else the camera. */
  #showLocal() {
    const video = this.sharing ? this.#screen : this.#camera;
    const stream = new MediaStream();
    if (video) stream.addTrack(video);
    this.localStream = stream;
  }

  /** Local state changed: show it, and tell the server so the others' tiles show it. */
  #changed() {
    this.#showLocal();
    this.#sendMedia();
    this.emit('local');
  }

  #sendMedia() {
    if (!this.room) return;
    this.#conn.send({
      type: 'call_media',
      room: this.room,
      audio: Boolean(this.#mic) && !this.muted,
      video: this.cameraOn || this.sharing,
      screen: this.sharing,
    });
  }

  /**
   * Puts `track` on every connection's transceiver of that kind (see `put`).
   * @param {'audio'|'video'} kind
   * @param {MediaStreamTrack|null} track
   */
  async #replace(kind, track) {
    await Promise.all([...this.peers.values()].map(({ pc }) => put(pc, kind, track)));
  }

  /**
   * Puts what we send now (microphone, and screen or camera) on a connection.
   * @param {RTCPeerConnection} pc
   */
  #attach(pc) {
    put(pc, 'audio', this.#mic);
    put(pc, 'video', this.sharing ? this.#screen : this.#camera);
  }

  // ---- participants and connections ----------------------------------------------------

  /** @param {Participant[]} participants the call as the server says it is now */
  #onParticipants(participants) {
    const me = this.self?.sessionId;
    if (!participants.some((p) => p.sessionId === me)) {
      // The server no longer counts us in (we left from another path, or were dropped).
      this.#teardown();
      return;
    }
    const current = new Set();
    for (const p of participants) {
      if (p.sessionId === me) {
        this.self = p;
        continue;
      }
      current.add(p.sessionId);
      const peer = this.peers.get(p.sessionId);
      if (peer) peer.info = p;
      else this.#connect(p);
    }
    for (const [sessionId, peer] of this.peers) {
      if (!current.has(sessionId)) this.#disconnect(sessionId, peer);
    }
    this.emit('tiles');
  }

  /** @param {Participant} info */
  #connect(info) {
    const pc = new RTCPeerConnection({ iceServers: this.#iceServers, iceTransportPolicy: this.#icePolicy });
    const polite = (this.self?.order ?? 0) > info.order;
    const negotiation = new Negotiation(
      pc,
      polite,
      (payload) => this.#conn.send({ type: 'signal', room: this.room, to: info.sessionId, ...payload }),
      () => this.#attach(pc),
    );
    /** @type {Peer} */
    const peer = { info, pc, negotiation, stream: new MediaStream() };
    this.peers.set(info.sessionId, peer);
    this.emit('peer', peer);

    pc.addEventListener('track', ({ track }) => {
      peer.stream.addTrack(track);
      track.addEventListener('ended', () => peer.stream.removeTrack(track));
      this.emit('tiles');
    });
    pc.addEventListener('connectionstatechange', () => this.#watch(peer));

    // The one who was in the call first makes the first offer, with an audio and a video section
    // even when it has nothing to send; we, if later, put our tracks on that offer's sections when
    // we answer. Both offering at once would work too (perfect negotiation), but Chromium's implicit
    // rollback then sometimes leaves the polite side gathering no ICE candidates at all.
    if (!polite) this.#attach(pc);

    for (const m of this.#early.get(info.sessionId) ?? []) negotiation.receive(m);
    this.#early.delete(info.sessionId);
  }

  /**
   * Restarts ICE when a connection fails, or stays disconnected for a while (the network
   * changed, the TURN server restarted). The impolite side restarts first; the polite side waits
   * a little longer, so that normally one offer carries the restart and the two do not collide.
   * A restart that does not connect (the relay is still down) is tried again, less and less
   * often, until the connection is back or closed.
   * @param {Peer} peer
   */
  #watch(peer) {
    const state = peer.pc.connectionState;
    if (state === 'connected' || state === 'closed') {
      clearTimeout(peer.restartTimer);
      peer.restartTimer = undefined;
      peer.retryMs = undefined;
      return;
    }
    // Already waiting means a restart is in progress or due: let that timer decide.
    if (peer.restartTimer !== undefined || (state !== 'failed' && state !== 'disconnected')) return;
    const yieldMs = peer.negotiation.polite ? RETRY_FIRST_MS : 0;
    const delay = (state === 'disconnected' ? DISCONNECTED_RESTART_MS : 0) + yieldMs;
    peer.restartTimer = setTimeout(() => this.#restart(peer), delay);
  }

  /** @param {Peer} peer */
  #restart(peer) {
    peer.restartTimer = undefined;
    const state = peer.pc.connectionState;
    if (state === 'connected' || state === 'closed') return;
    peer.pc.restartIce();
    this.iceRestarts++;
    const wait = peer.retryMs ?? RETRY_FIRST_MS;
    peer.retryMs = Math.min(wait * 2, RETRY_CAP_MS);
    peer.restartTimer = setTimeout(() => this.#restart(peer), wait);
  }

  /**
   * @param {string} sessionId
   * @param {Peer} peer
   */
  #disconnect(sessionId, peer) {
    clearTimeout(peer.restartTimer);
    peer.pc.close();
    this.peers.delete(sessionId);
  }

  /** @param {ServerMessage} m */
  #onSignal(m) {
    if (m.room !== this.room || !m.from) return;
    const peer = this.peers.get(m.from.sessionId);
    if (peer) {
      peer.negotiation.receive(m);
      return;
    }
    // A signal from someone we have not connected to yet (we are still joining): keep it until then.
    const early = this.#early.get(m.from.sessionId) ?? [];
    if (early.length < 64) early.push(m);
    this.#early.set(m.from.sessionId, early);
  }

  /**
   * Back in the call's room after a drop. If the server kept our session (we came back within its
   * grace period) the others never saw us leave and every connection goes on; otherwise we join
   * again as a new participant and connect afresh.
   */
  async #rejoin() {
    this.#rejoining = false;
    const roomId = this.room;
    if (!roomId) return;
    try {
      // Joining again answers again; if the grace period ran out this joins afresh.
      const reply = await this.#conn.request({ type: 'call_join', room: roomId });
      if (this.room !== roomId) return;
      if (reply.you?.sessionId !== this.self?.sessionId) {
        // A new session: the others know us by a new id, so every connection starts over.
        for (const [sessionId, peer] of this.peers) this.#disconnect(sessionId, peer);
      }
      this.self = reply.you;
      this.#iceServers = reply.iceServers ?? this.#iceServers;
      this.#sendMedia();
      this.#onParticipants(reply.participants ?? []);
    } catch (e) {
      this.#teardown();
      this.#notice('You were disconnected from the call.');
    }
  }

  #teardown() {
    if (this.room) this.emit('leaving');
    for (const [sessionId, peer] of this.peers) this.#disconnect(sessionId, peer);
    this.#early.clear();
    this.#stopDevices();
    const was = this.room;
    this.room = null;
    this.self = null;
    if (was) {
      this.emit('state');
      this.emit('tiles');
    }
  }

  /** @param {string} text */
  #notice(text) {
    this.emit('notice', text);
  }
}

/**
 * Puts `track` (null: nothing) on the connection's transceiver of that kind. A connection without
 * one gets one, receive-only when there is nothing to send, so that an offer always asks for the
 * other side's audio and video; a receive-only one that now sends becomes send-and-receive. Either
 * change renegotiates; a different track on a sending transceiver does not.
 * @param {RTCPeerConnection} pc
 * @param {'audio'|'video'} kind
 * @param {MediaStreamTrack|null} track
 * @returns {Promise<void>}
 */
function put(pc, kind, track) {
  const t = pc.getTransceivers().find((t) => !t.stopped && t.receiver.track.kind === kind);
  if (!t) {
    if (track) pc.addTrack(track, new MediaStream([track]));
    else pc.addTransceiver(kind, { direction: 'recvonly' });
    return Promise.resolve();
  }
  if (track && t.direction === 'recvonly') t.direction = 'sendrecv';
  if (track && t.direction === 'inactive') t.direction = 'sendonly';
  return t.sender.track === track ? Promise.resolve() : t.sender.replaceTrack(track);
}

/**
 * @param {unknown} e what getUserMedia threw
 * @param {string} device "microphone" or "camera"
 * @returns {string} a plain sentence for the person
 */
function deviceProblem(e, device) {
  const name = /** @type {Error} */ (e)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return `Parley may not use your ${device}.`;
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${device} was found.`;
  if (name === 'NotReadableError') return `Your ${device} is in use by another program.`;
  return `Your ${device} could not be opened.`;
}
