import { Emitter } from './emitter.js';
import { Negotiation } from './negotiation.js';
import { newClientId } from './outbox.js';
import { PICTURE_TYPES, makePreview } from './preview.js';
import { Sha256, sha256OfBlob } from './sha256.js';

/** @typedef {import('./connection.js').Connection} Connection */
/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('./protocol.js').FileInfo} FileInfo */
/** @typedef {import('./protocol.js').ServerMessage} ServerMessage */

// Data channel messages: 64 KiB is what every browser accepts, and on loopback Chromium moves
// them as fast as larger ones.
const CHUNK = 64 * 1024;
// Read from disk a mebibyte at a time, and keep at most HIGH bytes queued in the channel: Chromium
// closes a data channel whose buffer passes 16 MiB.
const READ = 1024 * 1024;
const HIGH = 8 * 1024 * 1024;
const LOW = 2 * 1024 * 1024;
// The receiver writes to disk in batches of this size.
const WRITE = 1024 * 1024;
// A cut transfer is asked for again after these waits (ms); then it is given up.
const RESUME_WAITS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];
// A connection that has not opened its channel after this long is treated as cut.
const OPEN_TIMEOUT_MS = 15_000;
// How many reasons for interruptions a transfer remembers.
const KEPT_INTERRUPTIONS = 8;
// Speed is measured over this window; progress is shown this often.
const SPEED_WINDOW_MS = 500;
const SHOW_EVERY_MS = 100;
// Server uploads that fail on the network are tried again this many times.
const UPLOAD_TRIES = 5;

/**
 * @typedef {'connecting'|'active'|'interrupted'|'done'|'cancelled'|'failed'} TransferState
 *
 * One direction of one file with one other session: we send (`send`) or receive (`receive`).
 * `bytes` is how far it got: for a sender, bytes the channel has delivered; for a receiver, bytes
 * received, hashed and queued for disk (the point a resume starts from). `startedFrom` is the byte each
 * connection's sending (sender) or asking (receiver) began at, in order; `interruptions` says why each
 * connection before the last one ended (the last few), for the console and for tests.
 * @typedef {{
 *   fileId: string, roomId: string, role: 'send'|'receive', peer: {sessionId: string, name: string},
 *   state: TransferState, bytes: number, size: number, speed: number, why: string,
 *   startedFrom: number[], interruptions: string[], pc: RTCPeerConnection|null, channel: RTCDataChannel|null,
 *   negotiation: Negotiation|null, early: ServerMessage[], generation: number,
 *   speedAt: number, speedBytes: number, shownAt: number, openTimer?: ReturnType<typeof setTimeout>,
 *   resumeTimer?: ReturnType<typeof setTimeout>, attempt: number,
 *   hash?: Sha256, sink?: Sink, result?: Blob, verifying?: boolean,
 * }} Transfer
 *
 * A file this tab shares: the bytes (the File the person picked) and the upload to the server.
 * @typedef {{fileId: string, roomId: string, blob: Blob, info: FileInfo, cancelled: boolean,
 *   upload: {state: 'active'|'done'|'failed'|'cancelled', bytes: number, speed: number, why: string,
 *            xhr: XMLHttpRequest|null, speedAt: number, speedBytes: number}}} Share
 */

/**
 * File sharing in rooms, without any DOM. Sharing a file hashes it (SHA-256, streamed), sends the
 * file message, uploads the bytes to the server (kept in the room for whoever comes later) and, at
 * the same time, sends them peer to peer to every other session in the room, each over an
 * RTCPeerConnection of its own (so a call's connection is never renegotiated or slowed by a file).
 * A receiver writes to disk as it goes, checks the SHA-256, and only then offers the file; a
 * transfer that is cut is asked for again from the last byte received.
 *
 * Events: "changed" (a fileId: its transfers, upload or stored state moved), "preparing" (the
 * file being hashed, or null).
 */
export class Files extends Emitter {
  /** @type {Map<string, Transfer>} by transferKey() */
  transfers = new Map();
  /** @type {Map<string, Share>} by fileId */
  shares = new Map();
  /** @type {{name: string, size: number, done: number}|null} the file being hashed before it is shared */
  preparing = null;

  #conn;
  #chat;
  /** @type {Map<string, ServerMessage[]>} file signals for files whose message has not arrived yet */
  #waiting = new Map();
  /** @type {{at: number, config: RTCConfiguration}|null} */
  #ice = null;

  /**
   * @param {Connection} conn
   * @param {Chat} chat
   */
  constructor(conn, chat) {
    super();
    this.#conn = conn;
    this.#chat = chat;
    conn.on('file_signal', (m) => this.#onSignal(m));
    conn.on('file_stored', (m) => this.#onStored(m.room, m.file));
    chat.on('messages', () => this.#retryWaiting());
    chat.on('members', (/** @type {string} */ roomId) => this.#onMembers(roomId));
    removeLeftovers();
  }

  /**
   * @param {string} fileId
   * @returns {Transfer[]} this tab's transfers of that file, both directions
   */
  transfersOf(fileId) {
    return [...this.transfers.values()].filter((t) => t.fileId === fileId);
  }

  /**
   * Shares `blob` in a room: hash, file message, upload, and peer-to-peer sends to the others there.
   * @param {string} roomId
   * @param {File} file
   * @returns {Promise<string>} the file's id
   */
  async share(roomId, file) {
    this.preparing = { name: file.name, size: file.size, done: 0 };
    this.emit('preparing', this.preparing);
    const previewing = makePreview(file); // a thumbnail, for pictures: made while the hash is computed
    let sha256;
    try {
      sha256 = await sha256OfBlob(file, (done) => {
        if (this.preparing) this.preparing.done = done;
        this.emit('preparing', this.preparing);
      });
    } finally {
      this.preparing = null;
      this.emit('preparing', null);
    }
    const preview = await previewing.catch(() => null); // a file is shared without a preview rather than not at all
    const ack = await this.#conn.request(
      {
        type: 'send',
        room: roomId,
        clientId: newClientId(),
        file: { name: file.name, size: file.size, type: file.type, sha256, ...(preview ? { preview } : {}) },
      },
      { timeoutMs: 0 },
    );
    const info = /** @type {FileInfo} */ (ack.file);
    /** @type {Share} */
    const share = {
      fileId: info.id,
      roomId,
      blob: file,
      info,
      cancelled: false,
      upload: { state: 'active', bytes: 0, speed: 0, why: '', xhr: null, speedAt: performance.now(), speedBytes: 0 },
    };
    this.shares.set(info.id, share);
    this.#upload(share, 1);
    const me = this.#chat.me.sessionId;
    for (const member of this.#chat.room(roomId)?.members.values() ?? []) {
      if (member.sessionId !== me) this.#offer(share, { sessionId: member.sessionId, name: member.name });
    }
    this.emit('changed', info.id);
    return info.id;
  }

  /**
   * Stops what this tab does with a file: as its sender, every peer-to-peer send and the upload;
   * as a receiver, its transfer. The other side is told.
   * @param {string} fileId
   */
  cancel(fileId) {
    const share = this.shares.get(fileId);
    if (share) {
      share.cancelled = true;
      if (share.upload.state === 'active') {
        share.upload.xhr?.abort();
        share.upload.state = 'cancelled';
      }
    }
    for (const t of this.transfersOf(fileId)) {
      if (t.state === 'done' || t.state === 'failed' || t.state === 'cancelled') continue;
      this.#signal(t, { cancel: true });
      this.#finish(t, 'cancelled', 'you cancelled');
    }
    this.emit('changed', fileId);
  }

  /**
   * Hands the received, checked file to the browser's downloads.
   * @param {string} fileId
   */
  save(fileId) {
    const t = this.transfersOf(fileId).find((x) => x.role === 'receive' && x.result);
    const info = findFile(this.#chat, fileId)?.file;
    if (!t?.result || !info) return;
    const url = URL.createObjectURL(t.result);
    clickDownload(url, info.name);
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /**
   * The bytes of a picture to show full size, typed as its file message says (only picture types are
   * shown): from this tab if it shared or received the file, else from the room.
   * @param {string} roomId
   * @param {string} fileId
   * @returns {Promise<Blob>}
   */
  async picture(roomId, fileId) {
    const info = findFile(this.#chat, fileId)?.file;
    if (!info || !PICTURE_TYPES.has(info.type)) throw new Error('not a picture');
    const local = this.shares.get(fileId)?.blob ?? this.transfersOf(fileId).find((t) => t.result)?.result;
    if (local) return new Blob([local], { type: info.type });
    const reply = await this.#conn.request({ type: 'file_link', room: roomId, file: fileId });
    const res = await fetch(reply.url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    return new Blob([await res.blob()], { type: info.type });
  }

  /**
   * Downloads a file kept in the room, with a signed link from the server.
   * @param {string} roomId
   * @param {string} fileId
   */
  async download(roomId, fileId) {
    const reply = await this.#conn.request({ type: 'file_link', room: roomId, file: fileId });
    const info = findFile(this.#chat, fileId)?.file;
    clickDownload(reply.url, info?.name ?? 'file');
  }

  /**
   * Cuts every connection carrying this file, as a network failure would: for tests of resuming,
   * and for anyone who wants to see it from the console.
   * @param {string} fileId
   */
  dropConnections(fileId) {
    for (const t of this.transfersOf(fileId)) if (t.pc) this.#interrupted(t, 'the connection was cut');
  }

  // ---- sending -----------------------------------------------------------------------------

  /**
   * Opens a connection to `peer` for the file and offers it; the receiver says from which byte.
   * @param {Share} share
   * @param {{sessionId: string, name: string}} peer
   */
  async #offer(share, peer) {
    const t = this.#transfer(share.fileId, share.roomId, 'send', peer, share.info.size);
    if (share.cancelled || t.state === 'done' || t.state === 'cancelled' || t.state === 'failed') return;
    t.state = 'connecting';
    const generation = ++t.generation;
    const config = await this.#iceConfig();
    if (generation !== t.generation) return;
    const pc = this.#connect(t, config, false);
    const channel = pc.createDataChannel('file', { ordered: true });
    this.#useChannel(t, channel);
    channel.addEventListener('message', ({ data }) => {
      if (typeof data !== 'string' || generation !== t.generation || final(t)) return;
      const control = parseControl(data);
      if (typeof control.want === 'number') this.#pump(t, share, channel, control.want);
      else if (control.done) {
        t.bytes = t.size;
        this.#finish(t, control.ok ? 'done' : 'failed', control.ok ? '' : `${peer.name} got other bytes (SHA-256)`);
      }
    });
    this.emit('changed', t.fileId);
  }

  /**
   * Sends the file from `from` on, never queueing more than HIGH bytes in the channel.
   * @param {Transfer} t
   * @param {Share} share
   * @param {RTCDataChannel} channel
   * @param {number} from
   */
  async #pump(t, share, channel, from) {
    if (!Number.isSafeInteger(from) || from < 0 || from > t.size || final(t)) return;
    t.startedFrom.push(from);
    t.state = 'active';
    t.bytes = from;
    t.speedAt = performance.now();
    t.speedBytes = from;
    const generation = t.generation;
    const live = () => t.generation === generation && channel.readyState === 'open' && t.state === 'active';
    channel.bufferedAmountLowThreshold = LOW;
    let at = from;
    try {
      while (at < t.size && live()) {
        const piece = new Uint8Array(await share.blob.slice(at, Math.min(at + READ, t.size)).arrayBuffer());
        for (let i = 0; i < piece.length && live(); i += CHUNK) {
          if (channel.bufferedAmount > HIGH - CHUNK) await drained(channel);
          if (!live()) return;
          const part = piece.subarray(i, i + CHUNK);
          channel.send(part);
          at += part.length;
          this.#progress(t, at - channel.bufferedAmount);
        }
      }
      // What is still queued leaves on its own; show it leaving until the receiver says done.
      while (live() && channel.bufferedAmount > 0) {
        await drained(channel, 0);
        this.#progress(t, at - channel.bufferedAmount);
      }
    } catch (e) {
      // The file cannot be read any more (changed or removed on disk): asking again will not help.
      if (!live()) return;
      this.#signal(t, { cancel: true });
      this.#finish(t, 'failed', `the file could not be read: ${/** @type {Error} */ (e).message}`);
    }
  }

  /**
   * @param {Share} share
   * @param {number} attempt
   */
  #upload(share, attempt) {
    const up = share.upload;
    const xhr = new XMLHttpRequest();
    up.xhr = xhr;
    up.state = 'active';
    up.bytes = 0;
    up.speedAt = performance.now();
    up.speedBytes = 0;
    xhr.open('PUT', `/files/${encodeURIComponent(share.fileId)}`);
    // The session cookie says who uploads (same origin: the browser sends it).
    xhr.upload.addEventListener('progress', (e) => {
      const now = performance.now();
      if (now - up.speedAt >= SPEED_WINDOW_MS) {
        up.speed = ((e.loaded - up.speedBytes) * 1000) / (now - up.speedAt);
        up.speedAt = now;
        up.speedBytes = e.loaded;
      }
      up.bytes = e.loaded;
      this.emit('changed', share.fileId);
    });
    xhr.addEventListener('load', () => {
      up.xhr = null;
      if (xhr.status === 201 || xhr.status === 409) {
        up.state = 'done';
        up.bytes = share.info.size;
      } else if (xhr.status === 503 && attempt < UPLOAD_TRIES) {
        setTimeout(() => !share.cancelled && this.#upload(share, attempt + 1), 2_000 * attempt);
      } else {
        up.state = 'failed';
        up.why = xhr.responseText.trim() || `the server answered ${xhr.status}`;
      }
      this.emit('changed', share.fileId);
    });
    xhr.addEventListener('error', () => {
      up.xhr = null;
      if (share.cancelled) return;
      if (attempt < UPLOAD_TRIES) {
        setTimeout(() => !share.cancelled && this.#upload(share, attempt + 1), 2_000 * attempt);
      } else {
        up.state = 'failed';
        up.why = 'the server could not be reached';
      }
      this.emit('changed', share.fileId);
    });
    xhr.send(share.blob);
    this.emit('changed', share.fileId);
  }

  // ---- receiving ---------------------------------------------------------------------------

  /**
   * An offer for a file we know (its message is in a room we are in), from the session that shared it.
   * @param {Transfer} t
   * @param {ServerMessage} m
   */
  async #answer(t, m) {
    const generation = ++t.generation;
    t.state = 'connecting';
    t.early = [m];
    const config = await this.#iceConfig();
    if (generation !== t.generation) return;
    const pc = this.#connect(t, config, true);
    pc.addEventListener('datachannel', ({ channel }) => {
      if (generation !== t.generation) return;
      this.#useChannel(t, channel);
      channel.addEventListener('open', () => this.#want(t, channel));
      channel.addEventListener('message', ({ data }) => generation === t.generation && this.#receive(t, channel, data));
    });
    for (const s of t.early.splice(0)) t.negotiation?.receive(s);
    this.emit('changed', t.fileId);
  }

  /**
   * Asks for the rest of the file, from what we already hold.
   * @param {Transfer} t
   * @param {RTCDataChannel} channel
   */
  async #want(t, channel) {
    const generation = t.generation;
    try {
      t.sink ??= await Sink.open(t.fileId);
      t.hash ??= new Sha256();
      // Everything received before a cut must be on its way to disk before we name the resume point.
      await t.sink.flushed();
    } catch (e) {
      this.#signal(t, { cancel: true });
      this.#finish(t, 'failed', `the file could not be written: ${/** @type {Error} */ (e).message}`);
      return;
    }
    if (generation !== t.generation || final(t)) return;
    t.startedFrom.push(t.bytes);
    t.state = 'active';
    t.speedAt = performance.now();
    t.speedBytes = t.bytes;
    if (channel.readyState === 'open') channel.send(JSON.stringify({ want: t.bytes }));
    this.emit('changed', t.fileId);
    if (t.bytes === t.size) await this.#complete(t, channel); // an empty file, or all in before a cut
  }

  /**
   * @param {Transfer} t
   * @param {RTCDataChannel} channel
   * @param {string|ArrayBuffer} data
   */
  async #receive(t, channel, data) {
    if (typeof data === 'string') return;
    if (t.state !== 'active' || !t.sink || !t.hash) return;
    const bytes = new Uint8Array(data);
    if (t.bytes + bytes.length > t.size) {
      this.#signal(t, { cancel: true });
      this.#finish(t, 'failed', `${t.peer.name} sent more bytes than the file has`);
      return;
    }
    t.hash.update(bytes);
    t.sink.write(bytes);
    this.#progress(t, t.bytes + bytes.length);
    if (t.bytes === t.size) await this.#complete(t, channel);
  }

  /**
   * All the bytes are in: check the SHA-256, close the file, and tell the sender.
   * @param {Transfer} t
   * @param {RTCDataChannel} channel
   */
  async #complete(t, channel) {
    if (!t.sink || !t.hash || t.verifying) return;
    t.verifying = true;
    const info = findFile(this.#chat, t.fileId)?.file;
    const ok = t.hash.hex() === info?.sha256;
    try {
      const result = await t.sink.close();
      if (ok) t.result = result;
      else await t.sink.discard();
    } catch (e) {
      this.#finish(t, 'failed', `the file could not be written: ${/** @type {Error} */ (e).message}`);
      return;
    }
    if (channel.readyState === 'open') channel.send(JSON.stringify({ done: true, ok }));
    this.#finish(t, ok ? 'done' : 'failed', ok ? '' : 'the bytes received do not have the SHA-256 of the file');
  }

  // ---- both sides ------------------------------------------------------------------------

  /**
   * @param {string} fileId
   * @param {string} roomId
   * @param {'send'|'receive'} role
   * @param {{sessionId: string, name: string}} peer
   * @param {number} size
   * @returns {Transfer}
   */
  #transfer(fileId, roomId, role, peer, size) {
    const key = transferKey(fileId, peer.sessionId, role);
    let t = this.transfers.get(key);
    if (!t) {
      t = {
        fileId, roomId, role, peer, size, state: 'connecting', bytes: 0, speed: 0, why: '', startedFrom: [], interruptions: [],
        pc: null, channel: null, negotiation: null, early: [], generation: 0, speedAt: 0, speedBytes: 0, shownAt: 0, attempt: 0,
      };
      this.transfers.set(key, t);
    }
    return t;
  }

  /**
   * A fresh connection for a transfer (the last one, if any, is closed).
   * @param {Transfer} t
   * @param {RTCConfiguration} config
   * @param {boolean} polite the receiver; the sender makes the offer
   */
  #connect(t, config, polite) {
    this.#close(t);
    const pc = new RTCPeerConnection(config);
    t.pc = pc;
    t.negotiation = new Negotiation(
      pc,
      polite,
      (payload) => this.#signal(t, payload),
      () => {},
    );
    const generation = t.generation;
    pc.addEventListener('connectionstatechange', () => {
      if (generation !== t.generation) return;
      if (pc.connectionState === 'failed') this.#interrupted(t, 'the connection failed');
    });
    clearTimeout(t.openTimer);
    t.openTimer = setTimeout(() => {
      if (generation === t.generation && t.state === 'connecting') this.#interrupted(t, 'no connection could be made');
    }, OPEN_TIMEOUT_MS);
    return pc;
  }

  /**
   * @param {Transfer} t
   * @param {RTCDataChannel} channel
   */
  #useChannel(t, channel) {
    const generation = t.generation;
    channel.binaryType = 'arraybuffer';
    t.channel = channel;
    channel.addEventListener('close', () => {
      if (generation === t.generation) this.#interrupted(t, 'the connection closed');
    });
  }

  /**
   * The connection went away before the end. The receiver asks again, from where it got to; the
   * sender waits to be asked.
   * @param {Transfer} t
   * @param {string} why
   */
  #interrupted(t, why) {
    if (t.state === 'done' || t.state === 'failed' || t.state === 'cancelled') return;
    t.interruptions = [...t.interruptions.slice(-(KEPT_INTERRUPTIONS - 1)), `${why} (${t.state}, at byte ${t.bytes})`];
    t.generation++;
    this.#close(t);
    t.state = 'interrupted';
    t.why = why;
    t.speed = 0;
    if (t.role === 'receive') this.#askAgain(t);
    this.emit('changed', t.fileId);
  }

  /** @param {Transfer} t */
  #askAgain(t) {
    clearTimeout(t.resumeTimer);
    const wait = RESUME_WAITS[t.attempt];
    if (wait === undefined) {
      this.#finish(t, 'failed', `${t.peer.name} could not be reached again`);
      return;
    }
    t.attempt++;
    t.resumeTimer = setTimeout(async () => {
      if (t.state !== 'interrupted') return;
      await t.sink?.flushed();
      this.#signal(t, { want: t.bytes });
      // If no new offer comes, ask again later.
      t.resumeTimer = setTimeout(() => t.state === 'interrupted' && this.#askAgain(t), OPEN_TIMEOUT_MS);
    }, wait);
  }

  /**
   * @param {Transfer} t
   * @param {'done'|'cancelled'|'failed'} state
   * @param {string} why
   */
  #finish(t, state, why) {
    if (t.state === 'done' || t.state === 'failed' || t.state === 'cancelled') return;
    t.generation++;
    t.state = state;
    t.why = why;
    t.speed = 0;
    clearTimeout(t.resumeTimer);
    // The last control message must get out before the connection closes.
    const channel = t.channel;
    if (channel?.readyState === 'open' && channel.bufferedAmount > 0 && state !== 'cancelled') {
      drained(channel, 0).then(() => this.#close(t));
    } else {
      setTimeout(() => this.#close(t), 100);
    }
    if (t.role === 'receive' && state !== 'done') t.sink?.discard();
    this.emit('changed', t.fileId);
  }

  /** @param {Transfer} t */
  #close(t) {
    clearTimeout(t.openTimer);
    t.channel = null;
    t.negotiation = null;
    t.pc?.close();
    t.pc = null;
  }

  /**
   * Sends a file_signal about this transfer to the other side, through the server: a cancel must not
   * wait behind megabytes queued in the channel.
   * @param {Transfer} t
   * @param {object} payload
   */
  #signal(t, payload) {
    this.#conn.send({ type: 'file_signal', room: t.roomId, to: t.peer.sessionId, file: t.fileId, ...payload });
  }

  /**
   * @param {Transfer} t
   * @param {number} bytes
   */
  #progress(t, bytes) {
    t.bytes = bytes;
    t.attempt = 0;
    const now = performance.now();
    if (now - t.speedAt >= SPEED_WINDOW_MS) {
      t.speed = ((bytes - t.speedBytes) * 1000) / (now - t.speedAt);
      t.speedAt = now;
      t.speedBytes = bytes;
    }
    if (now - t.shownAt >= SHOW_EVERY_MS) {
      t.shownAt = now;
      this.emit('changed', t.fileId);
    }
  }

  /** @param {ServerMessage} m */
  #onSignal(m) {
    const from = m.from;
    if (!from?.sessionId || !m.file) return;
    if (m.cancel === true) {
      const sending = this.transfers.get(transferKey(m.file, from.sessionId, 'send'));
      if (sending) this.#finish(sending, 'cancelled', `${from.name} cancelled`);
      const receiving = this.transfers.get(transferKey(m.file, from.sessionId, 'receive'));
      if (receiving) this.#finish(receiving, 'cancelled', `${from.name} stopped sending`);
      return;
    }
    if (typeof m.want === 'number') {
      // A receiver asks (again) for a file we share: a new connection, from the byte it names.
      const share = this.shares.get(m.file);
      if (share?.cancelled) {
        this.#conn.send({ type: 'file_signal', room: m.room, to: from.sessionId, file: m.file, cancel: true });
      } else if (share && share.roomId === m.room) {
        // Even if our side has not noticed the cut yet: the receiver asking over the server means its
        // channel is gone.
        this.#offer(share, from);
      }
      return;
    }
    const sending = this.transfers.get(transferKey(m.file, from.sessionId, 'send'));
    if (sending) {
      sending.negotiation?.receive(m);
      return;
    }
    const found = findFile(this.#chat, m.file);
    if (!found) {
      // Its message has not reached us yet: keep the signal a little while.
      const list = this.#waiting.get(m.file) ?? [];
      if (list.length < 64 && (list.length > 0 || this.#waiting.size < 16)) list.push(m);
      if (list.length > 0) this.#waiting.set(m.file, list);
      setTimeout(() => this.#waiting.delete(m.file), 10_000);
      return;
    }
    // Only the person who shared the file sends it.
    if (found.from.userId !== from.userId || found.room !== m.room) return;
    const t = this.#transfer(m.file, m.room, 'receive', from, found.file.size);
    if (t.state === 'done' || t.state === 'cancelled' || t.state === 'failed') return;
    if (m.description?.type === 'offer') {
      // The sender never renegotiates a file connection: an offer always starts a new one.
      this.#answer(t, m);
    } else if (t.negotiation) {
      t.negotiation.receive(m);
    } else {
      t.early.push(m);
    }
  }

  /**
   * Someone left the room (their tab closed, or they left): transfers with that session end, so that
   * neither side waits for the other for ever; a receiver can still download from the room.
   * While our own connection is down we know nobody's presence, so we wait for it to come back.
   * @param {string} roomId
   */
  #onMembers(roomId) {
    const room = this.#chat.room(roomId);
    if (!room?.joined) return;
    for (const t of this.transfers.values()) {
      if (t.roomId !== roomId || final(t) || room.members.has(t.peer.sessionId)) continue;
      this.#finish(t, 'failed', `${t.peer.name} left`);
    }
  }

  #retryWaiting() {
    for (const [fileId, list] of this.#waiting) {
      if (!findFile(this.#chat, fileId)) continue;
      this.#waiting.delete(fileId);
      for (const m of list) this.#onSignal(m);
    }
  }

  /**
   * @param {string} roomId
   * @param {string} fileId
   */
  #onStored(roomId, fileId) {
    const found = findFile(this.#chat, fileId);
    if (found && found.room === roomId) found.file.stored = true;
    const share = this.shares.get(fileId);
    if (share && share.upload.state === 'active' && !share.upload.xhr) share.upload.state = 'done';
    this.emit('changed', fileId);
  }

  /** @returns {Promise<RTCConfiguration>} ICE servers with fresh TURN credentials, asked for once a minute at most */
  async #iceConfig() {
    if (this.#ice && performance.now() - this.#ice.at < 60_000) return this.#ice.config;
    try {
      const reply = await this.#conn.request({ type: 'ice_servers' });
      /** @type {RTCConfiguration} */
      const config = {
        iceServers: reply.iceServers ?? [],
        iceTransportPolicy: reply.iceTransportPolicy === 'relay' ? 'relay' : 'all',
      };
      this.#ice = { at: performance.now(), config };
      return config;
    } catch {
      return this.#ice?.config ?? {};
    }
  }
}

/**
 * Where a receiver writes: a file in the origin's private file system, so that a file larger than
 * memory is never held whole; a Blob (which the browser may page to disk) where that is missing.
 * Writes are queued in order; `flushed()` settles when everything written so far is handed over.
 */
class Sink {
  /** @type {FileSystemFileHandle|null} */
  #handle;
  /** @type {FileSystemWritableFileStream|null} */
  #out;
  /** @type {BlobPart[]} */
  #parts = [];
  /** @type {Uint8Array[]} */
  #batch = [];
  #batched = 0;
  #position = 0;
  /** @type {Promise<void>} */
  #queue = Promise.resolve();
  /** @type {Error|null} */
  #error = null;
  #name;

  /**
   * @param {string} name
   * @param {FileSystemFileHandle|null} handle
   * @param {FileSystemWritableFileStream|null} out
   */
  constructor(name, handle, out) {
    this.#name = name;
    this.#handle = handle;
    this.#out = out;
  }

  /** @param {string} fileId */
  static async open(fileId) {
    const name = `parley-${TAB}-${fileId}`;
    try {
      const root = await navigator.storage.getDirectory();
      const handle = await root.getFileHandle(name, { create: true });
      const out = await handle.createWritable({ keepExistingData: false });
      return new Sink(name, handle, out);
    } catch {
      return new Sink(name, null, null);
    }
  }

  /** Whether the bytes go to disk (the origin's private file system) rather than to memory. */
  get onDisk() {
    return this.#handle !== null;
  }

  /** @param {Uint8Array} bytes (copied: the caller's buffer may be reused) */
  write(bytes) {
    this.#batch.push(bytes);
    this.#batched += bytes.length;
    if (this.#batched >= WRITE) this.#push();
  }

  #push() {
    if (this.#batched === 0) return;
    const data = new Uint8Array(this.#batched);
    let at = 0;
    for (const b of this.#batch) {
      data.set(b, at);
      at += b.length;
    }
    this.#batch = [];
    this.#batched = 0;
    const position = this.#position;
    this.#position += data.length;
    const out = this.#out;
    if (!out) {
      this.#parts.push(data);
      return;
    }
    this.#queue = this.#queue.then(() => out.write({ type: 'write', position, data })).catch((e) => {
      this.#error ??= e;
    });
  }

  async flushed() {
    this.#push();
    await this.#queue;
    if (this.#error) throw this.#error;
  }

  /** @returns {Promise<Blob>} the bytes written, as a file on disk where possible */
  async close() {
    await this.flushed();
    if (!this.#out || !this.#handle) return new Blob(this.#parts);
    await this.#out.close();
    this.#out = null;
    return this.#handle.getFile();
  }

  async discard() {
    this.#parts = [];
    this.#batch = [];
    try {
      await this.#out?.abort();
    } catch {
      // already closed
    }
    this.#out = null;
    if (this.#handle) {
      try {
        const root = await navigator.storage.getDirectory();
        await root.removeEntry(this.#name);
      } catch {
        // gone already
      }
    }
  }
}

/**
 * This tab, for the names of the files it receives. The private file system is shared by every tab of
 * the origin, so each tab holds a lock under its name for as long as it lives: files of tabs whose lock
 * is gone (closed, reloaded) can never be resumed, and are removed.
 */
const TAB = newClientId().slice(0, 8);

async function removeLeftovers() {
  try {
    navigator.locks.request(`parley-tab-${TAB}`, () => new Promise(() => {}));
    const held = new Set(((await navigator.locks.query()).held ?? []).map((l) => l.name));
    const root = await navigator.storage.getDirectory();
    // @ts-ignore: keys() is in Chromium and Firefox, not yet in TypeScript's DOM types
    for await (const name of root.keys()) {
      const tab = /^parley-([0-9a-f]{8})-/.exec(String(name))?.[1];
      if (tab && !held.has(`parley-tab-${tab}`)) await root.removeEntry(name).catch(() => {});
    }
  } catch {
    // no private file system or locks here: nothing was kept either
  }
}

/**
 * @param {Chat} chat
 * @param {string} fileId
 * @returns {{room: string, file: FileInfo, from: {userId: string, name: string}}|null} the file's message
 */
function findFile(chat, fileId) {
  for (const room of chat.rooms.values()) {
    for (const msg of room.messages.values()) {
      if (msg.file?.id === fileId) return { room: room.id, file: msg.file, from: msg.from };
    }
  }
  return null;
}

/**
 * @param {string} fileId
 * @param {string} sessionId the other side's
 * @param {'send'|'receive'} role
 */
function transferKey(fileId, sessionId, role) {
  return `${fileId}|${sessionId}|${role}`;
}

/**
 * @param {Transfer} t
 * @returns {boolean} whether the transfer has ended for good
 */
function final(t) {
  return t.state === 'done' || t.state === 'cancelled' || t.state === 'failed';
}

/**
 * Waits until the channel's queue is at or under its low threshold (or `level`), or the channel closes.
 * @param {RTCDataChannel} channel
 * @param {number} [level]
 */
function drained(channel, level) {
  return new Promise((resolve) => {
    if (level !== undefined) channel.bufferedAmountLowThreshold = level;
    const done = () => {
      channel.removeEventListener('bufferedamountlow', done);
      channel.removeEventListener('close', done);
      if (level !== undefined) channel.bufferedAmountLowThreshold = LOW;
      resolve(undefined);
    };
    if (channel.bufferedAmount <= channel.bufferedAmountLowThreshold || channel.readyState !== 'open') {
      done();
      return;
    }
    channel.addEventListener('bufferedamountlow', done);
    channel.addEventListener('close', done);
  });
}

/**
 * @param {string} text
 * @returns {{want?: number, done?: boolean, ok?: boolean}}
 */
function parseControl(text) {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

/**
 * @param {string} url
 * @param {string} name
 */
function clickDownload(url, name) {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}
