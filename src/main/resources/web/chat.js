import { Emitter } from './emitter.js';
import { prefs } from './prefs.js';
import { RoomState, isShown, quoteOf } from './room.js';
import { Outbox, newClientId } from './outbox.js';

/** @typedef {import('./connection.js').Connection} Connection */
/** @typedef {import('./connection.js').RequestError} RequestError */
/** @typedef {import('./protocol.js').RoomInfo} RoomInfo */
/** @typedef {import('./protocol.js').ChatMessage} ChatMessage */
/** @typedef {import('./protocol.js').ServerMessage} ServerMessage */
/** @typedef {import('./protocol.js').Role} Role */
/** @typedef {import('./protocol.js').Sender} Sender */
/** @typedef {import('./protocol.js').FoundUser} FoundUser */

const PAGE = 50;
// Opening a search result loads older history until its message is held: at most this many pages of
// REVEAL_PAGE (the server clamps a page to its history-page-max).
const REVEAL_PAGES_MAX = 50;
const REVEAL_PAGE = 200;
const TYPING_EVERY_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
const TYPING_EXPIRES_MS = 6_000;
// After a failed page of older history, wait before the view may ask again, so an
// auto-fill loop cannot hammer a failing server.
const OLDER_RETRY_MS = 2_000;
const JOIN_RETRY_MS = 3_000;
// The same `member` event twice this close together (an actor's reply and the room's copy) is one event.
const SAME_EVENT_MS = 2_000;
// A marker moved while reading is sent at most this often per room (the last position wins).
const READ_EVERY_MS = 500;

/**
 * The chat's state and protocol logic, without any DOM: rooms, membership, messages,
 * sends, typing and unread counts. The views listen to its events:
 * "rooms" (room list or unread counts changed), "current" (another room is open),
 * "messages" (roomId), "members" (roomId), "typing" (roomId), "info" (roomId),
 * "call" (roomId: who is in its call changed), "left" (roomId), "roster" (roomId: who belongs to it, their
 * roles or the banned changed), "problem" (a string the person should read: a room was taken away),
 * "arrived" ({roomId, message}: a message from the server, live or caught up), "read" (roomId: its marker moved).
 *
 * Read state is the server's (docs/protocol.md, "Read state"): each room's marker and unread counts come
 * with the room list and follow the `read` events every tab of the account gets; the view calls
 * `markRead` as the person actually reads.
 *
 * Rooms are public, private or direct (docs/protocol.md, "Kinds of room, roles"). A private or direct
 * room we are removed from, and any deleted room, is forgotten at once, as if it had never existed.
 */
export class Chat extends Emitter {
  /** @type {Map<string, RoomState>} */
  rooms = new Map();
  /** @type {string|null} */
  current = null;
  outbox = new Outbox();

  #conn;
  #admin;
  /** The most unread messages the server counts in a room (welcome's unreadCountMax). */
  unreadMax = Infinity;
  /** @type {Map<string, number>} markers to send, by room, waiting for READ_EVERY_MS */
  #readWaiting = new Map();
  /** @type {Map<string, ReturnType<typeof setTimeout>>} */
  #readTimers = new Map();
  /** @type {{key: string, at: number}|null} the latest `member` event, to tell a repeat */
  #lastMember = null;
  #typingSentAt = 0;
  /** @type {string|null} */
  #typingRoom = null;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #typingIdle;
  /** @type {Map<string, number>} */
  #olderFailedAt = new Map();

  /**
   * @param {Connection} conn
   * @param {{admin?: boolean}} [options] admin: the account is a server admin, an owner of every public room
   */
  constructor(conn, { admin = false } = {}) {
    super();
    this.#conn = conn;
    this.#admin = admin;
    conn.on('ready', () => this.#onReady());
    conn.on('close', () => this.#onClose());
    conn.on('message', (m) => this.#onMessage(m));
    conn.on('room_added', (m) => this.#upsertRoom(m.room));
    conn.on('presence', (m) => this.#onPresence(m));
    conn.on('typing', (m) => this.#onTyping(m));
    conn.on('call', (m) => this.#onCall(m));
    conn.on('reset', (m) => this.#onReset(m));
    conn.on('member', (m) => this.#onMember(m));
    conn.on('removed', (m) => this.#onRemoved(m));
    conn.on('read', (m) => this.#onRead(m));
    conn.on('notify', (m) => this.#onNotify(m));
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
   * Unread messages after the room's read marker, and how many of them mention us (edits, deletions,
   * reactions and our own messages are not news).
   * @param {string} roomId
   * @returns {{unread: number, mentions: number}}
   */
  unread(roomId) {
    const room = this.rooms.get(roomId);
    if (!room) return { unread: 0, mentions: 0 };
    return room.unreadCounts(this.me.userId);
  }

  /**
   * The person has read the room up to `seq`: the marker moves there (forward only) here at once, and on
   * the server within READ_EVERY_MS, which tells the account's other tabs.
   * @param {string} roomId
   * @param {number} seq
   */
  markRead(roomId, seq) {
    const room = this.rooms.get(roomId);
    if (!room || !room.joined || seq <= room.read) return;
    room.read = seq;
    this.#readWaiting.set(roomId, seq);
    if (!this.#readTimers.has(roomId)) this.#sendRead(roomId);
    this.emit('rooms');
  }

  /** @param {string} roomId */
  #sendRead(roomId) {
    const seq = this.#readWaiting.get(roomId);
    this.#readTimers.delete(roomId);
    if (seq === undefined) return;
    this.#readWaiting.delete(roomId);
    this.#conn.request({ type: 'read', room: roomId, seq }).then((reply) => this.#onRead(reply), () => {
      // Offline or refused: the marker is sent again when the person next reads.
    });
    this.#readTimers.set(roomId, setTimeout(() => this.#sendRead(roomId), READ_EVERY_MS));
  }

  /**
   * How the person is notified of the room's messages: their choice, or the default of its kind.
   * @param {string} roomId
   * @returns {import('./room.js').NotifyLevel}
   */
  notifyLevel(roomId) {
    const room = this.rooms.get(roomId);
    return room?.notify ?? (room?.kind === 'direct' ? 'all' : 'mentions');
  }

  /**
   * @param {string} roomId
   * @param {import('./room.js').NotifyLevel} level
   */
  async setNotifyLevel(roomId, level) {
    this.#onNotify(await this.#conn.request({ type: 'notify', room: roomId, level }));
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
   * @param {boolean} [isPrivate] seen only by the people its owners and moderators invite
   * @returns {Promise<string>} the new room's id; rejects with the server's error (e.g. name_taken)
   */
  async createRoom(name, topic, isPrivate = false) {
    /** @type {import('./protocol.js').ClientMessage} */
    const msg = { type: 'create_room', name: name.trim() };
    if (topic.trim()) msg.topic = topic.trim();
    if (isPrivate) msg.private = true;
    const reply = await this.#conn.request(msg);
    this.#upsertRoom(reply.room);
    this.emit('created', reply.room.id);
    return reply.room.id;
  }

  /**
   * The direct room with another person, made if there is none yet.
   * @param {string} userId
   * @returns {Promise<string>} its id
   */
  async openDirect(userId) {
    const reply = await this.#conn.request({ type: 'direct', user: userId });
    this.#upsertRoom(reply.room);
    return reply.room.id;
  }

  /**
   * @param {string} query the start of a username or of a word of a display name
   * @returns {Promise<FoundUser[]>}
   */
  async findUsers(query) {
    const reply = await this.#conn.request({ type: 'find_users', query: query.slice(0, 64) });
    return reply.users ?? [];
  }

  /**
   * Asks who belongs to the room and with what role (and, for its owners and moderators, who is banned).
   * @param {string} roomId
   */
  async loadMembers(roomId) {
    const reply = await this.#conn.request({ type: 'members', room: roomId });
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.roster = new Map((reply.members ?? []).map((/** @type {import('./protocol.js').RoomMember} */ m) => [m.userId, m]));
    room.banned = new Map((reply.banned ?? []).map((/** @type {Sender} */ b) => [b.userId, b]));
    const mine = room.roster.get(this.me.userId);
    if (mine && mine.role !== room.info.role) {
      room.updateInfo({ ...room.info, role: mine.role });
      this.emit('info', roomId);
    }
    this.emit('roster', roomId);
  }

  /**
   * Our role in a room: owner, moderator, member, or null (a public room where we have none).
   * @param {string} roomId
   * @returns {Role|null}
   */
  roleIn(roomId) {
    const room = this.rooms.get(roomId);
    if (!room) return null;
    const role = room.roster?.get(this.me.userId)?.role ?? room.info.role ?? null;
    if (room.kind === 'public' && this.#admin && role !== 'owner') return 'owner';
    return role;
  }

  /** @param {string} roomId @param {string} userId */
  invite(roomId, userId) {
    return this.#conn.request({ type: 'invite', room: roomId, user: userId });
  }

  /** @param {string} roomId @param {string} userId @param {Role} role */
  setRole(roomId, userId, role) {
    return this.#conn.request({ type: 'set_role', room: roomId, user: userId, role });
  }

  /**
   * @param {'kick'|'ban'|'unban'} action
   * @param {string} roomId
   * @param {string} userId
   */
  moderate(action, roomId, userId) {
    return this.#conn.request({ type: action, room: roomId, user: userId });
  }

  /**
   * Gives up our membership of a private room; the `removed` that answers forgets it.
   * @param {string} roomId
   */
  quit(roomId) {
    return this.#conn.request({ type: 'quit', room: roomId });
  }

  /**
   * Deletes a room for everyone; the `removed` that answers forgets it.
   * @param {string} roomId
   */
  deleteRoom(roomId) {
    return this.#conn.request({ type: 'delete_room', room: roomId });
  }

  /**
   * Joins again a public room we were kicked from.
   * @param {string} roomId
   */
  rejoin(roomId) {
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.removed = null;
    prefs.addJoined(roomId);
    this.emit('info', roomId);
    if (this.#conn.state === 'open') this.#join(room);
  }

  /**
   * Queues a message for the open room and sends it if we can; it shows as pending until
   * its ack, and is re-sent with the same clientId after a reconnect.
   * @param {string} text
   * @param {number} [replyTo] the seq of the message of the room it answers
   */
  sendText(text, replyTo) {
    const roomId = this.current;
    // The server trims trailing whitespace; doing it here keeps the pending copy identical.
    const body = text.replace(/\s+$/u, '');
    if (!roomId || !body) return;
    this.stopTyping();
    const target = replyTo === undefined ? undefined : this.rooms.get(roomId)?.messages.get(replyTo);
    const entry = this.outbox.add(roomId, body, target && quoteOf(target));
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
   * Replaces the text of one of our messages; the `edit` entry every member gets applies it.
   * @param {string} roomId
   * @param {number} seq the message's
   * @param {string} text
   */
  editMessage(roomId, seq, text) {
    return this.#change(roomId, { type: 'edit', target: seq, text: text.replace(/\s+$/u, '') });
  }

  /**
   * Deletes a message (ours, or anyone's with the role to); the `delete` entry applies it.
   * @param {string} roomId
   * @param {number} seq
   */
  deleteMessage(roomId, seq) {
    return this.#change(roomId, { type: 'delete', target: seq });
  }

  /**
   * Adds our reaction `emoji` to a message, or takes it away if it is there.
   * @param {string} roomId
   * @param {number} seq
   * @param {string} emoji
   */
  react(roomId, seq, emoji) {
    return this.#change(roomId, { type: 'react', target: seq, emoji });
  }

  /**
   * Sends a change to a message. Its ack only says it is stored: the entry the room then delivers to
   * every member (this connection included) is what changes the message here.
   * @param {string} roomId
   * @param {{type: 'edit'|'delete'|'react', target: number, text?: string, emoji?: string}} change
   * @returns {Promise<unknown>} rejects with the server's error
   */
  #change(roomId, change) {
    return this.#conn.request({ ...change, room: roomId, clientId: newClientId() });
  }

  /**
   * Loads the page of history before the lowest message held in the room.
   * @param {string} roomId
   */
  async loadOlder(roomId, limit = PAGE) {
    const room = this.rooms.get(roomId);
    if (!room || !room.joined || room.loadingOlder || room.loadingLatest) return;
    if (room.hasMore === false || room.messages.size === 0) return;
    if (Date.now() - (this.#olderFailedAt.get(roomId) ?? 0) < OLDER_RETRY_MS) return;
    room.loadingOlder = true;
    this.emit('messages', roomId);
    try {
      const page = await this.#conn.request({ type: 'history', room: roomId, before: room.lowest, limit });
      this.#store(room, page.messages ?? []);
      room.hasMore = Boolean(page.hasMore) && room.lowest !== 1;
    } catch (e) {
      this.#olderFailedAt.set(roomId, Date.now());
    } finally {
      room.loadingOlder = false;
      this.emit('messages', roomId);
    }
  }

  /**
   * A page of search results (docs/protocol.md, `search`).
   * @param {import('./protocol.js').ClientMessage} msg
   */
  search(msg) {
    return this.#conn.request(msg);
  }

  /**
   * Opens a room at message `seq` (a search result, a reply's quote): joins it, loads older history until
   * the message is held (or the room's start, or REVEAL_PAGES_MAX pages), then emits "reveal" with the
   * room and seq.
   * @param {string} roomId @param {number} seq
   * @returns {Promise<boolean>} whether the message is held now
   */
  async reveal(roomId, seq) {
    this.open(roomId);
    const room = this.rooms.get(roomId);
    if (!room) return false;
    for (let pages = 0; pages < REVEAL_PAGES_MAX; pages++) {
      if (room.joining) await room.joining;
      if (!room.joined || room.messages.has(seq) || room.hasMore === false) break;
      if (room.lowest !== 0 && room.lowest <= seq) break;
      const lowest = room.lowest;
      await this.loadOlder(roomId, REVEAL_PAGE);
      if (room.lowest === lowest) break;
    }
    if (this.current === roomId) this.emit('reveal', { room: roomId, seq });
    return room.messages.has(seq);
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
      const listed = new Set();
      for (const info of reply.rooms ?? []) {
        this.#upsertRoom(info);
        const room = /** @type {RoomState} */ (this.rooms.get(info.id));
        if (typeof info.read === 'number') {
          room.applyRead({ seq: info.read, unread: info.unread ?? 0, mentions: info.mentions ?? 0, lastSeq: info.lastSeq });
        }
        room.notify = info.notify ?? null;
        listed.add(info.id);
      }
      this.emit('rooms');
      // Taken away while we were offline (removed from it, or deleted).
      for (const [id, room] of this.rooms) if (room.info.name && !listed.has(id)) this.#forget(id);
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
        room.removed = null;
        room.members = new Map((reply.members ?? []).map((/** @type {import('./protocol.js').MemberInfo} */ m) => [m.sessionId, m]));
        room.call = reply.call ?? [];
        this.emit('info', room.id);
        this.emit('members', room.id);
        this.emit('call', room.id);
        this.emit('rooms');
        // Roles, for the members panel and for telling "Ada added Grace" from "Ada made Grace a moderator".
        this.loadMembers(room.id).catch((err) => console.warn('members failed', room.id, err));
        if (since === 0) await this.#loadLatest(room);
        for (const entry of this.outbox.pendingIn(room.id)) this.#transmit(entry.clientId);
      } catch (e) {
        const code = /** @type {RequestError} */ (e).code;
        if (code === 'no_such_room') this.#forget(room.id);
        else if (code === 'forbidden') {
          // Banned from this public room.
          prefs.removeJoined(room.id);
          room.removed = 'banned';
          this.emit('info', room.id);
          this.emit('rooms');
          this.emit('problem', `You are banned from ${roomLabel(room)}.`);
        } else if (code !== 'closed' && code !== 'offline') {
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
        { type: 'send', room: entry.room, clientId, text: entry.text, ...(entry.reply ? { replyTo: entry.reply.seq } : {}) },
        { timeoutMs: 0 },
      );
      this.outbox.remove(clientId);
      const me = this.me;
      const room = this.#ensureRoom(entry.room);
      // The quote as the room holds its target now (an edit may have come meanwhile).
      const target = entry.reply && room.messages.get(entry.reply.seq);
      const reply = target ? quoteOf(target) : entry.reply;
      this.#store(room, [
        { seq: ack.seq, clientId, from: { userId: me?.userId ?? '', name: me?.name ?? '' }, text: entry.text, ts: ack.ts, fromAck: true, ...(reply ? { reply } : {}) },
      ]);
      // Who writes in a room has read what came before.
      this.markRead(entry.room, ack.seq);
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
    if (grew) this.emit('rooms');
    this.emit('messages', room.id);
  }

  /** @param {ServerMessage} m */
  #onMessage(m) {
    const room = this.rooms.get(m.room);
    if (!room) return;
    const { type, room: _room, ...message } = m;
    const fresh = !room.messages.has(m.seq);
    this.#store(room, [/** @type {ChatMessage} */ (message)]);
    // A message ends its writer's typing; a reaction or a deletion says nothing of it.
    if (isShown(/** @type {ChatMessage} */ (message))) {
      this.#dropTyping(room, (t) => t.userId === m.from?.userId);
      if (fresh) this.emit('arrived', { roomId: room.id, message });
    }
  }

  /** The marker moved (our reply, or another tab of the account read on). @param {ServerMessage} m */
  #onRead(m) {
    const room = this.rooms.get(m.room);
    if (!room || typeof m.seq !== 'number') return;
    room.applyRead({ seq: m.seq, unread: m.unread ?? 0, mentions: m.mentions ?? 0, lastSeq: m.lastSeq ?? m.seq });
    this.emit('read', room.id);
    this.emit('rooms');
  }

  /** @param {ServerMessage} m */
  #onNotify(m) {
    const room = this.rooms.get(m.room);
    if (!room) return;
    room.notify = m.level ?? null;
    this.emit('info', room.id);
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
    // These descriptions know our role: none is none, not "as before".
    const full = { ...info, role: info.role ?? null };
    if (room) room.updateInfo(full);
    else this.rooms.set(info.id, new RoomState(full));
    this.emit('rooms');
    this.emit('info', info.id);
  }

  /**
   * Someone was added to the room, given a role, or taken out of it: the roster follows, and the room
   * gets a line saying so.
   * @param {ServerMessage} m
   */
  #onMember(m) {
    const room = this.rooms.get(m.room);
    const user = m.user;
    if (!room || !user?.userId) return;
    const key = JSON.stringify([m.room, user.userId, m.role ?? null, m.reason ?? null, m.by?.userId ?? null]);
    const now = Date.now();
    if (this.#lastMember && this.#lastMember.key === key && now - this.#lastMember.at < SAME_EVENT_MS) return;
    this.#lastMember = { key, at: now };

    const before = room.roster?.get(user.userId);
    const text = memberSentence(m, room, before, this.me.userId);
    if (room.roster) {
      if (m.role && !(room.kind === 'public' && m.role === 'member')) {
        room.roster.set(user.userId, { userId: user.userId, name: user.name, role: m.role });
      } else if (m.reason !== 'unbanned') {
        // Kicked, banned or quit: any role goes with it.
        room.roster.delete(user.userId);
      }
    }
    if (m.reason === 'banned') room.banned.set(user.userId, { userId: user.userId, name: user.name });
    else if (m.role || m.reason === 'unbanned') room.banned.delete(user.userId);
    if (user.userId === this.me.userId && m.reason !== 'unbanned') {
      room.updateInfo({ ...room.info, role: m.role ?? null });
      this.emit('info', room.id);
    }
    if (text) {
      room.addNotice(text);
      this.emit('messages', room.id);
    }
    this.emit('roster', room.id);
  }

  /**
   * The room is gone for us: a private or direct one we were removed from, or a deleted one, is
   * forgotten (another room opens if it was open); a public one we were kicked from stays listed.
   * @param {ServerMessage} m
   */
  #onRemoved(m) {
    const room = this.rooms.get(m.room);
    if (!room) return;
    const by = m.by?.name && m.by.userId !== this.me.userId ? ` by ${m.by.name}` : '';
    const label = roomLabel(room);
    const text =
      m.reason === 'deleted' ? `${capitalise(label)} was deleted${by}.`
      : m.reason === 'banned' ? `You were banned from ${label}${by}.`
      : m.reason === 'quit' ? `You left ${label}.`
      : `You were removed from ${label}${by}.`;
    if (m.reason === 'deleted' || room.kind !== 'public') {
      this.#forget(room.id);
    } else {
      prefs.removeJoined(room.id);
      room.detach();
      room.removed = m.reason ?? 'kicked';
      this.emit('members', room.id);
      this.emit('typing', room.id);
      this.emit('call', room.id);
      this.emit('info', room.id);
      this.emit('rooms');
    }
    this.emit('problem', text);
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

  /**
   * Drops a room that does not exist for us (any more), with what we held of it; when it was open,
   * opens the first other room we had joined, if any.
   * @param {string} roomId
   */
  #forget(roomId) {
    prefs.removeJoined(roomId);
    this.rooms.get(roomId)?.detach();
    this.rooms.delete(roomId);
    for (const entry of this.outbox.in(roomId)) this.outbox.remove(entry.clientId);
    if (this.current === roomId) {
      const next = prefs.joined().find((id) => this.rooms.get(id)?.info.name) ?? null;
      this.open(next);
    }
    this.emit('left', roomId);
    this.emit('rooms');
  }

}

/**
 * @param {RoomState} room
 * @returns {string} how a sentence names the room: "#design", or "the conversation with Grace"
 */
export function roomLabel(room) {
  if (room.kind === 'direct') return `the conversation with ${room.info.with?.name ?? room.info.name}`;
  return `#${room.info.name}`;
}

/** @param {string} text */
function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const ROLE_NOUN = { owner: 'an owner', moderator: 'a moderator', member: 'a member' };

/**
 * The line a `member` event puts in the room, or '' when nothing changed for the reader.
 * @param {ServerMessage} m the event
 * @param {RoomState} room
 * @param {import('./protocol.js').RoomMember|undefined} before the person's entry before the event, if known
 * @param {string} myId
 * @returns {string}
 */
export function memberSentence(m, room, before, myId) {
  const user = m.user.userId === myId ? 'you' : m.user.name;
  const by = m.by ? (m.by.userId === myId ? 'you' : m.by.name) : '';
  const role = /** @type {keyof typeof ROLE_NOUN|null} */ (m.role ?? null);
  let text = '';
  if (role) {
    if (before?.role === role) return '';
    const added = room.kind === 'private' && room.roster !== null && !before;
    if (added) text = by ? `${by} added ${user}` : `${user} joined`;
    else text = by ? `${by} made ${user} ${ROLE_NOUN[role]}` : `${user} became ${ROLE_NOUN[role]}`;
  } else if (m.reason === 'kicked') text = by ? `${user} was removed by ${by}` : `${user} was removed`;
  else if (m.reason === 'banned') text = by ? `${user} was banned by ${by}` : `${user} was banned`;
  else if (m.reason === 'unbanned') text = by ? `${by} unbanned ${user}` : `${user} was unbanned`;
  else if (m.reason === 'quit') text = `${user} left the room`;
  return text ? `${capitalise(text)}.` : '';
}

/**
 * What to tell the person about a refused room request.
 * @param {unknown} err a RequestError
 * @param {string} [what] what was refused, for the generic case: "Could not invite Grace"
 * @returns {string}
 */
export function roomError(err, what = 'That did not work') {
  const e = /** @type {{code?: string, message?: string}} */ (err);
  switch (e?.code) {
    case 'forbidden': return 'Your role in this room does not allow that.';
    case 'no_such_user': return 'That person has no account here any more, or is not in this room.';
    case 'no_such_room': return 'This room no longer exists, or you are no longer in it.';
    case 'limit_reached': return 'You already own as many rooms as this server allows. Delete one to create another.';
    case 'name_taken': return 'A public room with that name already exists.';
    case 'unavailable': return 'The server could not save that just now. Try again.';
    case 'rate_limited': return 'Too fast: wait a moment and try again.';
    case 'offline':
    case 'closed': return 'Not connected; try again in a moment.';
    case 'timeout': return 'The server did not answer. Try again.';
    default: return `${what}: ${e?.message || e?.code || 'unknown error'}.`;
  }
}
