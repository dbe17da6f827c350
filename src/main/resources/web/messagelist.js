import { h, reconcile } from './dom.js';
import { avatar, formatTime, renderText } from './format.js';

/** @typedef {import('./protocol.js').ChatMessage} ChatMessage */
/** @typedef {import('./outbox.js').OutgoingMessage} OutgoingMessage */
/** @typedef {import('./room.js').RoomState} RoomState */

// Messages from one person less than this apart read as one block.
const GROUP_WITHIN_MS = 5 * 60_000;
// "At the bottom" tolerates a few pixels of rounding and of a half-scrolled last line.
const BOTTOM_SLACK_PX = 48;
const LOAD_OLDER_WITHIN_PX = 120;

/**
 * The scrolling list of a room's messages (`#messages`): one `li.message` per stored
 * message (`data-seq`) and per unacknowledged one (`.pending` or `.failed`, with
 * `data-client-id` and no `data-seq`), in seq order with the unacknowledged last; and one
 * `li.system-line` per notice of the room ("Ada added Grace"), after the message it followed.
 *
 * Elements are cached by seq and by clientId so a re-render moves nothing that did not
 * change: the reader's selection and scroll position survive new messages.
 */
export class MessageList {
  #list;
  #onNearTop;
  #onRetry;
  #fileCard;
  /** @type {Map<number, HTMLElement>} */
  #bySeq = new Map();
  /** @type {Map<string, HTMLElement>} */
  #byClientId = new Map();
  /** @type {Map<number, HTMLElement>} */
  #byNotice = new Map();
  #status = h('li', { className: 'history-status', attrs: { 'aria-live': 'polite' } });
  /** @type {string|null} */
  #roomId = null;

  /**
   * @param {HTMLElement} list the `#messages` element, which scrolls
   * @param {{onNearTop: () => void, onRetry: (clientId: string) => void,
   *          fileCard: (roomId: string, file: import('./protocol.js').FileInfo) => HTMLElement}} callbacks
   *     fileCard: the element a file message shows, kept by its owner across renders
   */
  constructor(list, { onNearTop, onRetry, fileCard }) {
    this.#list = list;
    this.#onNearTop = onNearTop;
    this.#onRetry = onRetry;
    this.#fileCard = fileCard;
    list.addEventListener('scroll', () => {
      if (list.scrollTop < LOAD_OLDER_WITHIN_PX) onNearTop();
    }, { passive: true });
  }

  /** Empties the list for another room; the next render scrolls to the bottom. */
  reset() {
    this.#bySeq.clear();
    this.#byClientId.clear();
    this.#byNotice.clear();
    this.#roomId = null;
    this.#list.replaceChildren();
  }

  scrollToBottom() {
    this.#list.scrollTop = this.#list.scrollHeight;
  }

  /**
   * @param {RoomState} room
   * @param {OutgoingMessage[]} outgoing the room's unacknowledged messages, in writing order
   * @param {{userId: string, name: string}|null} me
   */
  render(room, outgoing, me) {
    const list = this.#list;
    const firstRender = this.#roomId !== room.id;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < BOTTOM_SLACK_PX;
    // What the reader is looking at must not move when things change above it (an older
    // page, the "Loading…" line). The browser's own scroll anchoring does not work at
    // scrollTop 0, which is exactly where older pages are asked for.
    const anchor = firstRender || atBottom ? null : this.#firstVisible();
    const anchorTop = anchor?.getBoundingClientRect().top ?? 0;
    if (firstRender) this.reset();
    this.#roomId = room.id;

    const messages = room.sorted();
    this.#renderStatus(room);
    /** @type {HTMLElement[]} */
    const wanted = [this.#status];
    /** @type {{userId: string, ts: number}|null} */
    let prev = null;
    const seqs = new Set();
    const notices = room.notices;
    let n = 0;
    const noticesUpTo = (/** @type {number} */ seq) => {
      for (; n < notices.length && notices[n].afterSeq < seq; n++) {
        const notice = notices[n];
        let el = this.#byNotice.get(notice.id);
        if (!el) this.#byNotice.set(notice.id, (el = h('li', { className: 'system-line' }, notice.text)));
        wanted.push(el);
        prev = null;
      }
    };
    for (const msg of messages) {
      // Edits, deletions and reactions are entries too (kept, so that `top` has no holes), but not shown yet.
      if (msg.kind && msg.kind !== 'message') continue;
      noticesUpTo(msg.seq);
      seqs.add(msg.seq);
      let el = this.#bySeq.get(msg.seq);
      if (!el) this.#bySeq.set(msg.seq, (el = this.#messageElement(room.id, msg)));
      el.classList.toggle('grouped', continues(prev, msg.from.userId, msg.ts));
      el.classList.toggle('own', !!me && msg.from.userId === me.userId);
      wanted.push(el);
      prev = { userId: msg.from.userId, ts: msg.ts };
    }
    noticesUpTo(Infinity);
    for (const seq of this.#bySeq.keys()) if (!seqs.has(seq)) this.#bySeq.delete(seq);

    const ids = new Set();
    for (const out of outgoing) {
      ids.add(out.clientId);
      let el = this.#byClientId.get(out.clientId);
      if (!el) this.#byClientId.set(out.clientId, (el = this.#outgoingElement(out, me)));
      this.#updateOutgoing(el, out);
      const userId = me?.userId ?? '';
      el.classList.toggle('grouped', continues(prev, userId, out.createdAt));
      wanted.push(el);
      prev = { userId, ts: out.createdAt };
    }
    for (const id of this.#byClientId.keys()) if (!ids.has(id)) this.#byClientId.delete(id);

    reconcile(list, wanted);

    if (firstRender || atBottom) this.scrollToBottom();
    else if (anchor?.isConnected) list.scrollTop += anchor.getBoundingClientRect().top - anchorTop;

    // A short page may not fill the list, so no scroll event would ever ask for more.
    if (room.hasMore !== false && list.scrollHeight <= list.clientHeight + LOAD_OLDER_WITHIN_PX) {
      queueMicrotask(this.#onNearTop);
    }
  }

  /**
   * Binary search, since the list may hold thousands of messages.
   * @returns {HTMLElement|null} the first element at least partly inside the visible area
   */
  #firstVisible() {
    const items = this.#list.children;
    const top = this.#list.getBoundingClientRect().top;
    let lo = 0;
    let hi = items.length - 1;
    let found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const el = /** @type {HTMLElement} */ (items[mid]);
      if (el.getBoundingClientRect().bottom > top) {
        found = el;
        hi = mid - 1;
      } else {
        lo = mid + 1;
      }
    }
    // The status line changes size itself; anchor on a message whenever there is one.
    if (found === this.#status && items.length > 1) return /** @type {HTMLElement} */ (items[1]);
    return found;
  }

  /** @param {RoomState} room */
  #renderStatus(room) {
    let text = '';
    if (room.loadingLatest || room.loadingOlder) text = 'Loading…';
    else if (room.hasMore === false) {
      text = !room.info.name ? 'This is the beginning of the room.'
        : room.kind === 'direct' ? `This is the beginning of your conversation with ${room.info.name}.`
        : `This is the beginning of #${room.info.name}.`;
    }
    this.#status.textContent = text;
    this.#status.classList.toggle('beginning', room.hasMore === false && !room.loadingLatest);
    this.#status.hidden = text === '';
  }

  /**
   * @param {string} roomId
   * @param {ChatMessage} msg
   * @returns {HTMLElement}
   */
  #messageElement(roomId, msg) {
    const el = messageSkeleton(msg.from.userId, msg.from.name, msg.ts, msg.text);
    el.dataset.seq = String(msg.seq);
    if (msg.clientId) el.dataset.clientId = msg.clientId;
    if (msg.file) {
      el.classList.add('has-file');
      el.querySelector('.body')?.append(this.#fileCard(roomId, msg.file));
    }
    return el;
  }

  /**
   * @param {OutgoingMessage} out
   * @param {{userId: string, name: string}|null} me
   * @returns {HTMLElement}
   */
  #outgoingElement(out, me) {
    const el = messageSkeleton(me?.userId ?? '', me?.name ?? '', out.createdAt, out.text);
    el.dataset.clientId = out.clientId;
    const retry = h('button', { className: 'retry', attrs: { type: 'button' } }, 'Retry');
    retry.addEventListener('click', () => this.#onRetry(out.clientId));
    el.querySelector('.body')?.append(h('div', { className: 'status' }, h('span', { className: 'status-text' }), retry));
    return el;
  }

  /**
   * @param {HTMLElement} el
   * @param {OutgoingMessage} out
   */
  #updateOutgoing(el, out) {
    const failed = out.status === 'failed';
    el.classList.toggle('pending', !failed);
    el.classList.toggle('failed', failed);
    const text = el.querySelector('.status-text');
    if (text) text.textContent = failed ? `Not sent${out.error ? `: ${out.error}` : ''}.` : 'Sending…';
    const retry = /** @type {HTMLButtonElement|null} */ (el.querySelector('.retry'));
    if (retry) retry.hidden = !failed;
  }
}

/**
 * @param {{userId: string, ts: number}|null} prev
 * @param {string} userId
 * @param {number} ts
 */
function continues(prev, userId, ts) {
  return !!prev && prev.userId === userId && ts - prev.ts < GROUP_WITHIN_MS;
}

/**
 * @param {string} userId
 * @param {string} name
 * @param {number} ts
 * @param {string} text
 * @returns {HTMLElement}
 */
function messageSkeleton(userId, name, ts, text) {
  const when = formatTime(ts);
  const time = h('time', { className: 'time', attrs: { datetime: when.iso, title: when.full } }, when.short);
  return h(
    'li',
    { className: 'message' },
    avatar(userId, name),
    h(
      'div',
      { className: 'body' },
      h('div', { className: 'meta' }, h('span', { className: 'from' }, name), ' ', time),
      h('div', { className: 'text' }, renderText(text)),
    ),
  );
}
