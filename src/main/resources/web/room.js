/** @typedef {import('./protocol.js').RoomInfo} RoomInfo */
/** @typedef {import('./protocol.js').MemberInfo} MemberInfo */
/** @typedef {import('./protocol.js').ChatMessage} ChatMessage */
/** @typedef {import('./protocol.js').RoomMember} RoomMember */
/** @typedef {import('./protocol.js').Sender} Sender */
/** @typedef {import('./protocol.js').Reaction} Reaction */
/** @typedef {'all'|'mentions'|'none'} NotifyLevel */
import { mentionsOf } from './mentions.js';
/** @typedef {{id: number, afterSeq: number, text: string}} Notice a line about the room itself ("Ada added Grace"), not stored */

/**
 * What the client holds for one room. Plain data and bookkeeping, no DOM and no I/O.
 *
 * Messages are keyed by seq, so a message that arrives twice (catch-up after a reconnect,
 * an ack racing its own `message` event, overlapping history pages) is stored once.
 */
export class RoomState {
  /** @type {Map<number, ChatMessage>} */
  messages = new Map();
  /**
   * The highest seq up to which we hold every message from the lowest we hold: what we
   * pass as `since` when re-joining, so the server fills any hole above it. 0 when empty.
   */
  top = 0;
  /** Whether older messages exist before the lowest we hold; null until a history page says. */
  /** @type {boolean|null} */
  hasMore = null;
  loadingLatest = false;
  loadingOlder = false;
  /** Joined on the current connection (not just remembered as joined). */
  joined = false;
  /** @type {Promise<void>|null} */
  joining = null;
  /** @type {Map<string, MemberInfo>} by sessionId */
  members = new Map();
  /** @type {Map<string, {name: string, userId: string, timer: ReturnType<typeof setTimeout>}>} by sessionId */
  typing = new Map();
  /** @type {import('./protocol.js').Participant[]} who is in the room's call; empty when there is none */
  call = [];
  /**
   * Who belongs to the room, with their roles (the `members` answer, kept up to date by `member`
   * events); null until loaded. In a public room only those with a role are listed.
   * @type {Map<string, RoomMember>|null} by userId
   */
  roster = null;
  /** @type {Map<string, Sender>} by userId; only owners and moderators are told */
  banned = new Map();
  /** @type {Notice[]} in the order they happened */
  notices = [];
  /**
   * Why this public room stopped sending to us ("kicked", "banned"), until we join it again: it
   * stays in the list, but is no longer joined. Null otherwise.
   * @type {string|null}
   */
  removed = null;
  /**
   * The read marker (docs/protocol.md, "Read state"): the seq up to which the person has read the room,
   * as the server last said or further, where this page has read on since.
   */
  read = 0;
  /** What the server counted after the marker, up to `lastSeq`; messages held beyond it are counted here. */
  counted = { lastSeq: 0, unread: 0, mentions: 0 };
  /** Whether the server has told us the marker yet (a room known only from the URL has not). */
  readKnown = false;
  /** @type {NotifyLevel|null} the level the person chose, null for the default */
  notify = null;

  /** @type {ChatMessage[]|null} */
  #sorted = null;

  /** @param {RoomInfo} info */
  constructor(info) {
    /** @type {RoomInfo} */
    this.info = info;
  }

  get id() {
    return this.info.id;
  }

  /** The highest seq the room is known to have, from the server's lastSeq or what we hold. */
  get lastSeq() {
    return this.info.lastSeq;
  }

  /** @returns {number} the lowest seq held, 0 when none */
  get lowest() {
    return this.sorted()[0]?.seq ?? 0;
  }

  /** @returns {import('./protocol.js').RoomKind} */
  get kind() {
    return this.info.kind ?? 'public';
  }

  /**
   * Takes what the server says of the room. Fields it leaves out are kept (`joined` has no `kind`
   * nor `role`); a description that knows the person's role (`rooms`, `room_added`) says `role: null`
   * for none.
   * @param {RoomInfo} info
   */
  updateInfo(info) {
    this.info = { ...this.info, ...info, lastSeq: Math.max(info.lastSeq ?? 0, this.info.lastSeq ?? 0) };
  }

  /**
   * Notes something that happened to the room, shown among its messages after the latest one held.
   * @param {string} text
   */
  addNotice(text) {
    this.notices.push({ id: (this.notices.at(-1)?.id ?? 0) + 1, afterSeq: this.lastSeq, text });
  }

  /**
   * Stores entries, ignoring seqs already held, and applies each new change entry (edit, delete,
   * reaction) to the message it targets. A message that came in the same list (a `history` page)
   * already carries its state of now, which includes that change and any later one we may have seen
   * before this page: it is left as it came. Since entries are stored once per seq, one seen twice
   * changes nothing.
   * @param {ChatMessage[]} list
   * @returns {boolean} whether anything new was stored
   */
  add(list) {
    let added = false;
    /** @type {Set<number>} */
    const fresh = new Set();
    for (const msg of list) {
      // Our own message as its ack made it is replaced by the room's copy, which says whom it mentions.
      const held = this.messages.get(msg.seq);
      if (held?.fromAck && !msg.fromAck) {
        this.messages.set(msg.seq, msg);
        added = true;
        continue;
      }
      if (!Number.isInteger(msg.seq) || msg.seq < 1 || held) continue;
      this.messages.set(msg.seq, msg);
      added = true;
      if (isShown(msg)) fresh.add(msg.seq);
      else if (msg.target !== undefined && !fresh.has(msg.target)) this.#apply(msg);
      if (this.top === 0 || msg.seq === this.top + 1) this.top = msg.seq;
      if (msg.seq > this.info.lastSeq) this.info = { ...this.info, lastSeq: msg.seq };
    }
    if (!added) return false;
    while (this.messages.has(this.top + 1)) this.top++;
    this.#sorted = null;
    if (this.lowest === 1) this.hasMore = false;
    return true;
  }

  /**
   * Takes the read state the server gives (`rooms`, `read`): the marker only moves forward; the counts are
   * the server's when they are of a marker at least as far as ours.
   * @param {{seq: number, unread: number, mentions: number, lastSeq: number}} state
   */
  applyRead({ seq, unread, mentions, lastSeq }) {
    this.readKnown = true;
    if (seq < this.read) return;
    this.read = seq;
    this.counted = { lastSeq, unread, mentions };
  }

  /**
   * Messages (kind `message`) from others after the marker, not deleted: what the person has not read, and
   * how many of them mention them. The server's counts up to the seq it counted to, plus what we hold beyond.
   * @param {string} myId
   * @returns {{unread: number, mentions: number}}
   */
  unreadCounts(myId) {
    const stale = this.read >= this.counted.lastSeq;
    let unread = stale ? 0 : this.counted.unread;
    let mentions = stale ? 0 : this.counted.mentions;
    const after = Math.max(this.read, this.counted.lastSeq);
    for (const msg of this.messages.values()) {
      if (msg.seq <= after || !isShown(msg) || msg.deleted || msg.from?.userId === myId) continue;
      unread++;
      if (mentionsOf(msg, myId)) mentions++;
    }
    return { unread, mentions };
  }

  /**
   * Applies one change entry to the message it targets, if held: a new message object, so that views
   * can tell it changed.
   * @param {ChatMessage} change
   */
  #apply(change) {
    const target = this.messages.get(/** @type {number} */ (change.target));
    if (!target || !isShown(target)) return;
    /** @type {ChatMessage} */
    let next = target;
    if (change.kind === 'edit' && !target.deleted) {
      next = { ...target, text: change.text ?? '', edited: change.ts };
    } else if (change.kind === 'delete') {
      const { file: _file, reactions: _reactions, ...rest } = target;
      next = { ...rest, text: '', deleted: { by: change.from, ts: change.ts } };
    } else if (change.kind === 'reaction' && change.emoji && !target.deleted) {
      next = { ...target, reactions: toggled(target.reactions ?? [], change.emoji, change.from, change.added !== false) };
    }
    if (next === target) return;
    this.messages.set(target.seq, next);
    if (change.kind === 'edit' || change.kind === 'delete') this.#requote(next);
  }

  /**
   * The replies we hold that quote `target` quote it as it reads now (the server sends no new copy of a
   * reply when what it answers changes): never a text it no longer reads.
   * @param {ChatMessage} target
   */
  #requote(target) {
    for (const msg of this.messages.values()) {
      if (msg.reply?.seq === target.seq) this.messages.set(msg.seq, { ...msg, reply: quoteOf(target) });
    }
  }

  /** Forgets every message: the server told us our copy cannot be caught up. */
  clearMessages() {
    this.messages.clear();
    this.#sorted = null;
    this.top = 0;
    this.hasMore = null;
  }

  /** @returns {ChatMessage[]} the messages held, in seq order */
  sorted() {
    this.#sorted ??= [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    return this.#sorted;
  }

  /** Called when the connection drops: membership and presence are per connection. */
  detach() {
    this.joined = false;
    this.members.clear();
    for (const t of this.typing.values()) clearTimeout(t.timer);
    this.typing.clear();
    this.call = [];
  }
}

/**
 * @param {ChatMessage} msg
 * @returns {boolean} whether the entry is a message (shown as one), not a change to one
 */
export function isShown(msg) {
  return (msg.kind ?? 'message') === 'message';
}

/**
 * A message's reactions with `who` added under `emoji` (or taken away): idempotent, so a reaction
 * already there is not counted twice.
 * @param {Reaction[]} reactions
 * @param {string} emoji
 * @param {Sender} who
 * @param {boolean} added
 * @returns {Reaction[]}
 */
function toggled(reactions, emoji, who, added) {
  const found = reactions.find((r) => r.emoji === emoji);
  const by = (found?.by ?? []).filter((p) => p.userId !== who.userId);
  if (added) by.push(who);
  const next = reactions.map((r) => (r.emoji === emoji ? { emoji, count: by.length, by } : r));
  if (!found && added) next.push({ emoji, count: 1, by });
  return next.filter((r) => r.count > 0);
}

/** The longest quote of a message a reply carries, in UTF-16 units with its "…": as the server cuts it. */
const QUOTE_CHARS = 100;

/**
 * How a reply quotes `target` as it reads now: its author, the start of its text (cut between two
 * characters as people see them), its file's name, or that it was deleted.
 * @param {ChatMessage} target
 * @returns {import('./protocol.js').ReplyQuote}
 */
export function quoteOf(target) {
  if (target.deleted) return { seq: target.seq, from: target.from, text: '', deleted: true };
  let text = target.text;
  if (text.length > QUOTE_CHARS) {
    let cut = '';
    for (const { segment } of new Intl.Segmenter().segment(text)) {
      if (cut.length + segment.length > QUOTE_CHARS - 1) break;
      cut += segment;
    }
    text = `${cut.trimEnd()}…`;
  }
  return { seq: target.seq, from: target.from, text, ...(target.file ? { file: target.file.name } : {}) };
}
