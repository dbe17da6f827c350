import { Emitter } from './emitter.js';
import { prefs } from './prefs.js';
import { RoomState } from './room.js';
import { Outbox } from './outbox.js';

/** @typedef {import('./connection.js').Connection} Connection */
/** @typedef {import('./connection.js').RequestError} RequestError */
/** @typedef {import('./protocol.js').RoomInfo} RoomInfo */
/** @typedef {import('./protocol.js').ChatMessage} ChatMessage */
/** @typedef {import('./protocol.js').ServerMessage} ServerMessage */

const PAGE = 50;
const TYPING_EVERY_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
const TYPING_EXPIRES_MS = 6_000;
// After a failed page of older history, wait before the view may ask again, so an
// auto-fill loop cannot hammer a failing server.
const OLDER_RETRY_MS = 2_000;
const JOIN_RETRY_MS = 3_000;

/**
 * The chat's state and protocol logic, without any DOM: rooms, membership, messages,
 * sends, typing and unread counts. The views listen to its events:
 * "rooms" (room list or unread counts changed), "current" (another room is open),
 * "messages" (roomId), "members" (roomId), "typing" (roomId), "info" (roomId),
 * "call" (roomId: who is in its call changed), "left" (roomId), "problem" (a string the person should read).
 */
export class Chat extends Emitter {
  /** @type {Map<string, RoomState>} */
  rooms = new Map();
  /** @type {string|null} */
  current = null;
  outbox = new Outbox();

  #conn;
  /** @type {Map<string, number>} */
  #seen = new Map();
  /** @type {string|null} the lower-cased name of a room we asked to create, to open it when it appears */
  #creating = null;
  #typingSentAt = 0;
  /** @type {string|null} */
  #typingRoom = null;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #typingIdle;
  /** @type {Map<string, number>} */
  #olderFailedAt = new Map();

  /** @param {Connection} conn */
  constructor(conn) {
    super();
    this.#conn = conn;
    conn.on('ready', () => this.#onReady());
    conn.on('close', () => this.#onClose());
    conn.on('message', (m) => this.#onMessage(m));
    conn.on('room_added', (m) => this.#upsertRoom(m.room));
    conn.on('presence', (m) => this.#onPresence(m));
    conn.on('typing', (m) => this.#onTyping(m));
    conn.on('call', (m) => this.#onCall(m));
    conn.on('reset', (m) => this.#onReset(m));
    conn.on('error', (m) => console.warn('server error', m.code, m.message));
  }

  /**
   * Who we are. Before the first welcome (offline from the start) only the name is known;
   * the empty ids then match no one.
   * @returns {{userId: string, name: string, sessionId: string}}
   */
  get me() {
    return this.#conn.session ?? { userId: '', sessionId: '', name: '' };
  }

  /** @param {string} roomId */
  room(roomId) {
    return this.rooms.get(roomId);
  }

  /**
   * Unread messages: those with a seq above the last one seen. For joined rooms lastSeq
   * follows live messages; for the others it is what `rooms`/`room_added` said.
   * @param {string} roomId
   */
  unread(roomId) {
    const room = this.rooms.get(roomId);
    if (!room || roomId === this.current) return 0;
    return Math.max(0, room.lastSeq - this.#seenOf(roomId));
  }

  /**
   * Opens a room (null: none), joining it if needed. Safe to call before the connection
   * is open: the room is remembered as joined and joined on "ready".
   * @param {string|null} roomId
   */
  open(roomId) {
    if (roomId === this.current) return;
    this.stopTyping();
    this.current = roomId;
    if (roomId) {
      prefs.addJoined(roomId);
      const room = this.#ensureRoom(roomId);
      this.#markSeen(room);
      if (this.#conn.state === 'open' && !room.joined) this.#join(room);
    }
    this.emit('current', roomId);
    this.emit('rooms');
  }

  /** @param {string} roomId */
  async leave(roomId) {
    prefs.removeJoined(roomId);
    const room = this.rooms.get(roomId);
    if (roomId === this.current) this.open(null);
    if (!room) return;
    try {
      await this.#conn.request({ type: 'leave', room: roomId });
    } catch (e) {
      // not_joined or offline: either way we are not a member any more.
    }
    room.detach();
    this.emit('left', roomId);
    this.emit('rooms');
  }

  /**
   * @param {string} name
   * @param {string} topic
   * @returns {Promise<void>} rejects with the server's error (e.g. name_taken)
   */
  async createRoom(name, topic) {
    /** @type {import('./protocol.js').ClientMessage} */
    const msg = { type: 'create_room', name: name.trim() };
    if (topic.trim()) msg.topic = topic.trim();
    this.#creating = msg.name.toLowerCase();
    try {
      const reply = await this.#conn.request(msg);
      this.#upsertRoom(reply.room);
    } finally {
      this.#creating = null;
    }
  }

  /**
   * Queues a message for the open room and sends it if we can; it shows as pending until
   * its ack, and is re-sent with the same clientId after a reconnect.
   * @param {string} text
   */
  sendText(text) {
    const roomId = this.current;
    // The server trims trailing whitespace; doing it here keeps the pending copy identical.
    const body = text.replace(/\s+$/u, '');
    if (!roomId || !body) return;
    this.stopTyping();
    const entry = this.outbox.add(roomId, body);
    this.emit('messages', roomId);
    const room = this.rooms.get(roomId);
    if (room?.joined) this.#transmit(entry.clientId);
  }

  /** @param {string} clientId a failed send, to try again with the same clientId */
  retry(clientId) {
    const entry = this.outbox.get(clientId);
    if (!entry) return;
    this.outbox.markPending(clientId);
    this.emit('messages', entry.room);
    if (this.rooms.get(entry.room)?.joined) this.#transmit(clientId);
  }

  /**
   * Loads the page of history before the lowest message held in the room.
   * @param {string} roomId
   */
  async loadOlder(roomId) {
    const room = this.rooms.get(roomId);
    if (!room || !room.joined || room.loadingOlder || room.loadingLatest) return;
    if (room.hasMore === false || room.messages.size === 0) return;
    if (Date.now() - (this.#olderFailedAt.get(roomId) ?? 0) < OLDER_RETRY_MS) return;
    room.loadingOlder = true;
    this.emit('messages', roomId);
    try {
      const page = await this.#conn.request({ type: 'history', room: roomId, before: room.lowest, limit: PAGE });
      this.#store(room, page.messages ?? []);
      room.hasMore = Boolean(page.hasMore) && room.lowest !== 1;
    } catch (e) {
      this.#olderFailedAt.set(roomId, Date.now());
    } finally {
      room.loadingOlder = false;
      this.emit('messages', roomId);
    }
  }

  /** The person typed in the composer of the open room. */
  userTyping() {
    const roomId = this.current;
    if (!roomId || !this.rooms.get(roomId)?.joined) return;
    const now = Date.now();
    if (this.#typingRoom !== roomId || now - this.#typingSentAt >= TYPING_EVERY_MS) {
      if (this.#conn.send({ type: 'typing', room: roomId, active: true })) {
        this.#typingSentAt = now;
        this.#typingRoom = roomId;
      }
    }
    clearTimeout(this.#typingIdle);
    this.#typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  /** Tells the room we stopped typing, if we said we were. */
  stopTyping() {
    clearTimeout(this.#typingIdle);
    if (this.#typingRoom && this.rooms.get(this.#typingRoom)?.joined) {
      this.#conn.send({ type: 'typing', room: this.#typingRoom, active: false });
    }
    this.#typingRoom = null;
    this.#typingSentAt = 0;
  }

  /** @param {string} roomId @returns {string[]} names of the others typing there */
  typingNames(roomId) {
    const room = this.rooms.get(roomId);
    if (!room) return [];
    return [...new Set([...room.typing.values()].map((t) => t.name))];
  }

  async #onReady() {
    for (const room of this.rooms.values()) room.detach();
    this.#typingRoom = null;
    try {
      const reply = await this.#conn.request({ type: 'list_rooms' });
      for (const info of reply.rooms ?? []) this.#upsertRoom(info);
    } catch (e) {
      return; // The socket closed again; the next "ready" starts over.
    }
    const ids = prefs.joined();
    if (this.current && !ids.includes(this.current)) ids.push(this.current);
    await Promise.all(ids.map((id) => this.#join(this.#ensureRoom(id))));
  }

  #onClose() {
    for (const room of this.rooms.values()) {
      room.detach();
      this.emit('members', room.id);
      this.emit('typing', room.id);
      this.emit('call', room.id);
    }
  }

  /**
   * Joins (or re-joins) a room and brings its messages up to date: with `since` the server
   * replays what we missed; with nothing held we load the latest page instead.
   * @param {RoomState} room
   */
  #join(room) {
    room.joining ??= (async () => {
      const since = room.top;
      /** @type {import('./protocol.js').ClientMessage} */
      const msg = { type: 'join', room: room.id };
      if (since > 0) msg.since = since;
      try {
        const reply = await this.#conn.request(msg);
        room.updateInfo(reply.room);
        room.joined = true;
        room.members = new Map((reply.members ?? []).map((/** @type {import('./protocol.js').MemberInfo} */ m) => [m.sessionId, m]));
        room.call = reply.call ?? [];
        if (room.id === this.current) this.#markSeen(room);
        this.emit('info', room.id);
        this.emit('members', room.id);
        this.emit('call', room.id);
        this.emit('rooms');
        if (since === 0) await this.#loadLatest(room);
        for (const entry of this.outbox.pendingIn(room.id)) this.#transmit(entry.clientId);
      } catch (e) {
        const code = /** @type {RequestError} */ (e).code;
        if (code === 'no_such_room') this.#forget(room.id);
        else if (code !== 'closed' && code !== 'offline') {
          // A slow or failing store (timeout, unavailable): try again while the room is
          // still wanted; a closed socket needs nothing, "ready" will re-join.
          console.warn('join failed', room.id, e);
          setTimeout(() => {
            if (this.#conn.state === 'open' && !room.joined && prefs.joined().includes(room.id)) this.#join(room);
          }, JOIN_RETRY_MS);
        }
      } finally {
        room.joining = null;
      }
    })();
    return room.joining;
  }

  /** @param {RoomState} room */
  async #loadLatest(room) {
    room.loadingLatest = true;
    this.emit('messages', room.id);
    try {
      const page = await this.#conn.request({ type: 'history', room: room.id, limit: PAGE });
      this.#store(room, page.messages ?? []);
      // Only a page that reached further back than what we hold says anything about older ones.
      if (room.hasMore === null || (page.messages?.[0]?.seq ?? Infinity) <= room.lowest) {
        room.hasMore = Boolean(page.hasMore) && room.lowest !== 1;
      }
    } catch (e) {
      console.warn('history failed', room.id, e);
    } finally {
      room.loadingLatest = false;
      this.emit('messages', room.id);
    }
  }

  /** @param {string} clientId */
  async #transmit(clientId) {
    const entry = this.outbox.get(clientId);
    if (!entry || entry.inFlight) return;
    entry.inFlight = true;
    try {
      // No timeout: an ack only comes once the store has committed, and the heartbeat
      // already tells a slow store from a dead socket.
      const ack = await this.#conn.request(
        { type: 'send', room: entry.room, clientId, text: entry.text },
        { timeoutMs: 0 },
      );
      this.outbox.remove(clientId);
      const me = this.me;
      const room = this.#ensureRoom(entry.room);
      this.#store(room, [
        { seq: ack.seq, clientId, from: { userId: me?.userId ?? '', name: me?.name ?? '' }, text: entry.text, ts: ack.ts },
      ]);
    } catch (e) {
      const err = /** @type {RequestError} */ (e);
      // Without a reply we do not know whether it was stored: keep it pending and send
      // it again, with the same clientId, once we are back in the room.
      if (err.code !== 'closed' && err.code !== 'offline') this.outbox.markFailed(clientId, err.message);
    } finally {
      const still = this.outbox.get(clientId);
      if (still) still.inFlight = false;
      this.emit('messages', entry.room);
    }
  }

  /**
   * @param {RoomState} room
   * @param {ChatMessage[]} messages
   */
  #store(room, messages) {
    const me = this.me;
    for (const m of messages) {
      // Our own message, delivered before its ack or replayed after a reconnect: the
      // pending copy is now the stored one.
      if (m.clientId && me && m.from?.userId === me.userId) this.outbox.remove(m.clientId);
    }
    const grew = room.add(messages);
    if (room.id === this.current) this.#markSeen(room);
    if (grew) this.emit('rooms');
    this.emit('messages', room.id);
  }

  /** @param {ServerMessage} m */
  #onMessage(m) {
    const room = this.rooms.get(m.room);
    if (!room) return;
    const { type, room: _room, ...message } = m;
    this.#store(room, [/** @type {ChatMessage} */ (message)]);
    this.#dropTyping(room, (t) => t.userId === m.from?.userId);
  }

  /** @param {ServerMessage} m */
  #onReset(m) {
    const room = this.rooms.get(m.room);
    if (!room) return;
    room.clearMessages();
    room.updateInfo({ ...room.info, lastSeq: m.lastSeq ?? 0 });
    this.emit('messages', room.id);
    this.emit('rooms');
    this.#loadLatest(room);
  }

  /** @param {ServerMessage} m */
  #onPresence(m) {
    const room = this.rooms.get(m.room);
    if (!room || !m.member) return;
    if (m.event === 'join') room.members.set(m.member.sessionId, m.member);
    else {
      room.members.delete(m.member.sessionId);
      this.#dropTyping(room, (t, sessionId) => sessionId === m.member.sessionId);
    }
    room.info = { ...room.info, online: room.members.size };
    this.emit('members', room.id);
  }

  /** @param {ServerMessage} m */
  #onCall(m) {
    const room = this.rooms.get(m.room);
    if (!room) return;
    room.call = m.participants ?? [];
    this.emit('call', room.id);
  }

  /** @param {ServerMessage} m */
  #onTyping(m) {
    const room = this.rooms.get(m.room);
    const from = m.from;
    if (!room || !from || from.sessionId === this.me?.sessionId) return;
    clearTimeout(room.typing.get(from.sessionId)?.timer);
    if (m.active) {
      const timer = setTimeout(() => {
        room.typing.delete(from.sessionId);
        this.emit('typing', room.id);
      }, TYPING_EXPIRES_MS);
      room.typing.set(from.sessionId, { name: from.name, userId: from.userId, timer });
    } else {
      room.typing.delete(from.sessionId);
    }
    this.emit('typing', room.id);
  }

  /**
   * @param {RoomState} room
   * @param {(t: {name: string, userId: string}, sessionId: string) => boolean} match
   */
  #dropTyping(room, match) {
    let changed = false;
    for (const [sessionId, t] of room.typing) {
      if (!match(t, sessionId)) continue;
      clearTimeout(t.timer);
      room.typing.delete(sessionId);
      changed = true;
    }
    if (changed) this.emit('typing', room.id);
  }

  /** @param {RoomInfo} info */
  #upsertRoom(info) {
    if (!info?.id) return;
    const room = this.rooms.get(info.id);
    if (room) room.updateInfo(info);
    else this.rooms.set(info.id, new RoomState(info));
    if (info.id === this.current) this.#markSeen(/** @type {RoomState} */ (this.rooms.get(info.id)));
    this.emit('rooms');
    this.emit('info', info.id);
    if (this.#creating && info.name.toLowerCase() === this.#creating) {
      this.#creating = null;
      this.emit('created', info.id);
    }
  }

  /**
   * A room known only by id (from the URL or storage) until the server describes it.
   * @param {string} roomId
   */
  #ensureRoom(roomId) {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new RoomState({ id: roomId, name: '', topic: '', lastSeq: 0, online: 0 });
      this.rooms.set(roomId, room);
    }
    return room;
  }

  /** @param {string} roomId */
  #forget(roomId) {
    prefs.removeJoined(roomId);
    const room = this.rooms.get(roomId);
    if (room && !room.info.name) this.rooms.delete(roomId);
    if (this.current === roomId) this.open(null);
    this.emit('left', roomId);
    this.emit('rooms');
  }

  /** @param {RoomState} room */
  #markSeen(room) {
    const seq = room.lastSeq;
    if (seq > this.#seenOf(room.id)) {
      this.#seen.set(room.id, seq);
      prefs.setSeen(room.id, seq);
    }
  }

  /** @param {string} roomId */
  #seenOf(roomId) {
    let seen = this.#seen.get(roomId);
    if (seen === undefined) this.#seen.set(roomId, (seen = prefs.seen(roomId)));
    return seen;
  }
}
