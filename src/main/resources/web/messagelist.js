import { h, reconcile } from './dom.js';
import { avatar, formatTime, renderText } from './format.js';
import { isShown } from './room.js';
import { EmojiPicker } from './emojipicker.js';
import { highlightMentions, mentionsOf } from './mentions.js';

/** @typedef {import('./protocol.js').ChatMessage} ChatMessage */
/** @typedef {import('./outbox.js').OutgoingMessage} OutgoingMessage */
/** @typedef {import('./room.js').RoomState} RoomState */
/**
 * @typedef {object} MessageActions what the person asked of a stored message, by its seq
 * @property {(seq: number, text: string) => Promise<unknown>} onEdit rejects with why it was refused
 * @property {(seq: number) => void} onDelete asks, then deletes
 * @property {(seq: number, emoji: string) => void} onReact toggles our reaction
 * @property {(seq: number) => void} onReply starts a reply to it in the composer
 * @property {(seq: number) => void} onJump shows the message a reply quotes (it may need loading first)
 */

// Messages from one person less than this apart read as one block.
const GROUP_WITHIN_MS = 5 * 60_000;
// "At the bottom" tolerates a few pixels of rounding and of a half-scrolled last line.
const BOTTOM_SLACK_PX = 48;
const LOAD_OLDER_WITHIN_PX = 120;
/** The reactions the picker offers. */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'];

/**
 * The scrolling list of a room's messages (`#messages`): one `li.message` per stored
 * message (`data-seq`) and per unacknowledged one (`.pending` or `.failed`, with
 * `data-client-id` and no `data-seq`), in seq order with the unacknowledged last; and one
 * `li.system-line` per notice of the room ("Ada added Grace"), after the message it followed.
 *
 * Elements are cached by seq and by clientId so a re-render moves nothing that did not
 * change: the reader's selection and scroll position survive new messages. A message that changed
 * (edited, deleted, reacted to: a new object in the room) has its parts updated in place.
 *
 * Each stored message has its actions (`.actions`), shown on hover, on keyboard focus, and on a
 * touch screen when tapped: React (a picker of `QUICK_EMOJI`, and "More…" for any emoji), Reply, and
 * Edit and Delete where allowed. Edit turns the text into a field: Enter saves, Escape cancels.
 * A reply shows the message it answers as a quote (`.reply-quote`) above its text; clicking the quote
 * asks to show that message (`onJump`), which `reveal` scrolls to and highlights.
 *
 * Read state: `li.new-line` ("New messages") goes before the first message from others after the marker
 * the view gives (`newAfter`); a message that mentions us is `.mentions-me`, its mentions `span.mention`.
 * `onRead(seq)` reports the last message the person can see, after each render and scroll; the view
 * decides whether they are reading (the room in view, the window focused).
 */
/** How long a message opened from a search result stays marked (the style's animation lasts as long). */
const REVEALED_MS = 2500;

export class MessageList {
  #list;
  #onNearTop;
  #onRetry;
  #fileCard;
  #actions;
  /** @type {Map<number, HTMLElement>} */
  #bySeq = new Map();
  /** @type {WeakMap<HTMLElement, ChatMessage>} the state each element shows */
  #shown = new WeakMap();
  /** @type {WeakMap<HTMLElement, HTMLElement>} each file message's card */
  #cards = new WeakMap();
  /** @type {Map<string, HTMLElement>} */
  #byClientId = new Map();
  /** @type {Map<number, HTMLElement>} */
  #byNotice = new Map();
  #status = h('li', { className: 'history-status', attrs: { 'aria-live': 'polite' } });
  #newLine = h('li', { className: 'new-line', attrs: { role: 'separator' } }, h('span', {}, 'New messages'));
  /** @type {(seq: number) => void} */
  #onRead;
  /** Whose mentions are ours. */
  #myId = '';
  /** The highest seq held in the room shown, change entries included. */
  #lastEntry = 0;
  /** @type {string|null} */
  #roomId = null;

  /**
   * @param {HTMLElement} list the `#messages` element, which scrolls
   * @param {{onNearTop: () => void, onRetry: (clientId: string) => void, onRead: (seq: number) => void,
   *          fileCard: (roomId: string, file: import('./protocol.js').FileInfo) => HTMLElement} & MessageActions} callbacks
   *     fileCard: the element a file message shows, kept by its owner across renders
   */
  constructor(list, { onNearTop, onRetry, onRead, fileCard, onEdit, onDelete, onReact, onReply, onJump }) {
    this.#list = list;
    this.#onRead = onRead;
    this.#onNearTop = onNearTop;
    this.#onRetry = onRetry;
    this.#fileCard = fileCard;
    this.#actions = { onEdit, onDelete, onReact, onReply, onJump };
    list.addEventListener('scroll', () => {
      if (list.scrollTop < LOAD_OLDER_WITHIN_PX) onNearTop();
      this.reportRead();
    }, { passive: true });
    list.addEventListener('click', (ev) => {
      const target = /** @type {Element} */ (ev.target);
      if (!target.closest('.emoji-picker, .react-button')) this.#closePickers();
      // Without hover (a phone), tapping a message shows its actions.
      if (!matchMedia('(hover: none)').matches || target.closest('button, a, textarea')) return;
      const li = target.closest('li.message[data-seq]:not(.deleted)');
      for (const other of list.querySelectorAll('li.show-actions')) if (other !== li) other.classList.remove('show-actions');
      li?.classList.toggle('show-actions');
    });
  }

  /** Empties the list for another room; the next render scrolls to the bottom. */
  reset() {
    this.#bySeq.clear();
    this.#byClientId.clear();
    this.#byNotice.clear();
    this.#roomId = null;
    this.#list.replaceChildren();
  }

  /**
   * Scrolls message `seq` to the middle of the list, focuses it and marks it for a moment (the style's
   * `.revealed`). Nothing happens for a message not shown.
   * @param {number} seq
   * @returns {boolean} false when the list does not show it
   */
  reveal(seq) {
    const el = this.#bySeq.get(seq);
    if (!el?.isConnected) return false;
    el.scrollIntoView({ block: 'center' });
    if (el.tabIndex >= 0) el.focus({ preventScroll: true });
    el.classList.remove('revealed');
    void el.offsetWidth; // restarts the animation when the same message is revealed again
    el.classList.add('revealed');
    setTimeout(() => el.classList.remove('revealed'), REVEALED_MS);
    return true;
  }

  scrollToBottom() {
    this.#list.scrollTop = this.#list.scrollHeight;
  }

  /**
   * Tells `onRead` the seq of the last message the person can see: at the bottom, the last entry held
   * (edits and reactions included); else the last message at least half in view.
   */
  reportRead() {
    const list = this.#list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < BOTTOM_SLACK_PX;
    let seq = 0;
    if (atBottom) {
      seq = Math.max(0, ...this.#bySeq.keys(), this.#lastEntry);
    } else {
      const bottom = list.getBoundingClientRect().bottom;
      for (const [s, el] of this.#bySeq) {
        const box = el.getBoundingClientRect();
        if (box.top + box.height / 2 <= bottom && s > seq) seq = s;
      }
    }
    if (seq > 0) this.#onRead(seq);
  }

  /**
   * @param {RoomState} room
   * @param {OutgoingMessage[]} outgoing the room's unacknowledged messages, in writing order
   * @param {{userId: string, name: string}|null} me
   * @param {{canDeleteAny?: boolean, newAfter?: number|null}} [may] canDeleteAny: our role lets us delete
   *     others' messages; newAfter: the read marker the "New messages" line follows (null: no line)
   */
  render(room, outgoing, me, { canDeleteAny = false, newAfter = null } = {}) {
    this.#myId = me?.userId ?? '';
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
    this.#lastEntry = messages.at(-1)?.seq ?? 0;
    let lineDone = newAfter === null;
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
      // Edits, deletions and reactions are entries too (kept, so that `top` has no holes): the room has
      // applied them to their messages.
      if (!isShown(msg)) continue;
      noticesUpTo(msg.seq);
      if (!lineDone && msg.seq > /** @type {number} */ (newAfter) && msg.from.userId !== me?.userId) {
        wanted.push(this.#newLine);
        lineDone = true;
        prev = null;
      }
      seqs.add(msg.seq);
      let el = this.#bySeq.get(msg.seq);
      if (!el) this.#bySeq.set(msg.seq, (el = this.#messageElement(room.id, msg)));
      if (this.#shown.get(el) !== msg) this.#update(el, msg, me);
      const own = !!me && msg.from.userId === me.userId;
      el.classList.toggle('grouped', continues(prev, msg.from.userId, msg.ts));
      el.classList.toggle('own', own);
      const live = !msg.deleted;
      /** @type {HTMLElement} */ (el.querySelector('.edit-button')).hidden = !(own && live);
      /** @type {HTMLElement} */ (el.querySelector('.delete-button')).hidden = !((own || canDeleteAny) && live);
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

    this.reportRead();
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
    const el = messageSkeleton(msg.from.userId, msg.from.name, msg.ts, msg.text, msg.reply, this.#actions.onJump);
    el.dataset.seq = String(msg.seq);
    if (msg.clientId) el.dataset.clientId = msg.clientId;
    const body = /** @type {HTMLElement} */ (el.querySelector('.body'));
    if (msg.file) {
      el.classList.add('has-file');
      const card = this.#fileCard(roomId, msg.file);
      this.#cards.set(el, card);
      body.append(card);
    }
    body.append(
      h('div', { className: 'tombstone', attrs: { hidden: '' } }, 'This message was deleted'),
      h('div', { className: 'reactions', attrs: { hidden: '' } }),
    );
    el.append(this.#actionBar(el, msg.seq));
    return el;
  }

  /**
   * @param {HTMLElement} el
   * @param {number} seq
   * @returns {HTMLElement} the message's actions: React (with its picker), Reply, Edit, Delete
   */
  #actionBar(el, seq) {
    const { onDelete, onReact, onReply } = this.#actions;
    const react = h('button', { className: 'react-button', attrs: { type: 'button', title: 'Add a reaction', 'aria-label': 'React', 'aria-expanded': 'false' } }, '☺+');
    const reply = h('button', { className: 'reply-button', attrs: { type: 'button', title: 'Reply to this message' } }, 'Reply');
    const edit = h('button', { className: 'edit-button', attrs: { type: 'button' } }, 'Edit');
    const del = h('button', { className: 'delete-button', attrs: { type: 'button' } }, 'Delete');
    const picker = h('div', { className: 'emoji-picker', attrs: { role: 'group', 'aria-label': 'Reactions', hidden: '' } },
      ...QUICK_EMOJI.map((emoji) => h('button', { className: 'emoji', attrs: { type: 'button', 'data-emoji': emoji, title: `React with ${emoji}` } }, emoji)),
      h('button', { className: 'more-emoji', attrs: { type: 'button', title: 'Any emoji, by name', 'aria-haspopup': 'dialog' } }, 'More…'));
    react.addEventListener('click', () => {
      const open = picker.hidden;
      this.#closePickers();
      picker.hidden = !open;
      react.setAttribute('aria-expanded', String(open));
      // Opens where the list has room for it, rather than under the last message, out of sight.
      const room = this.#list.getBoundingClientRect();
      const at = react.getBoundingClientRect();
      picker.classList.toggle('upward', open && room.bottom - at.bottom < picker.offsetHeight + 8 && at.top - room.top > room.bottom - at.bottom);
      if (open) /** @type {HTMLElement} */ (picker.firstElementChild).focus();
    });
    picker.addEventListener('click', (ev) => {
      const button = /** @type {HTMLElement} */ (ev.target).closest('button');
      if (button?.classList.contains('more-emoji')) {
        this.#closePickers();
        EmojiPicker.shared().open(react, (emoji) => onReact(seq, emoji));
        return;
      }
      const emoji = button?.dataset.emoji;
      if (!emoji) return;
      this.#closePickers();
      react.focus();
      onReact(seq, emoji);
    });
    picker.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Escape') return;
      this.#closePickers();
      react.focus();
    });
    reply.addEventListener('click', () => onReply(seq));
    edit.addEventListener('click', () => this.#startEditing(el, seq));
    del.addEventListener('click', () => onDelete(seq));
    return h('div', { className: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Message actions' } }, react, reply, edit, del, picker);
  }

  #closePickers() {
    for (const picker of this.#list.querySelectorAll('.emoji-picker:not([hidden])')) {
      /** @type {HTMLElement} */ (picker).hidden = true;
      picker.parentElement?.querySelector('.react-button')?.setAttribute('aria-expanded', 'false');
    }
  }

  /**
   * Shows a message's state of now: its text and "(edited)", or that it was deleted; its reactions.
   * @param {HTMLElement} el
   * @param {ChatMessage} msg
   * @param {{userId: string, name: string}|null} me
   */
  #update(el, msg, me) {
    this.#shown.set(el, msg);
    const deleted = !!msg.deleted;
    el.classList.toggle('deleted', deleted);
    el.classList.toggle('mentions-me', mentionsOf(msg, me?.userId ?? ''));
    /** @type {HTMLElement} */ (el.querySelector('.tombstone')).hidden = !deleted;
    if (deleted) {
      this.#stopEditing(el);
      this.#cards.get(el)?.remove();
      el.classList.remove('has-file', 'show-actions');
    }
    if (!el.classList.contains('editing')) showText(el, msg, me?.userId ?? '');
    if (msg.reply) showQuote(/** @type {HTMLElement} */ (el.querySelector('.reply-quote')), msg.reply);
    const row = /** @type {HTMLElement} */ (el.querySelector('.reactions'));
    const reactions = deleted ? [] : msg.reactions ?? [];
    row.hidden = reactions.length === 0;
    /** @type {Map<string, HTMLElement>} */
    const chips = new Map([...row.children].map((c) => [/** @type {HTMLElement} */ (c).dataset.emoji ?? '', /** @type {HTMLElement} */ (c)]));
    reconcile(row, reactions.map((r) => {
      let chip = chips.get(r.emoji);
      if (!chip) {
        chip = h('button', { className: 'reaction', attrs: { type: 'button', 'data-emoji': r.emoji } });
        chip.addEventListener('click', () => this.#actions.onReact(msg.seq, r.emoji));
      }
      const mine = !!me && r.by.some((p) => p.userId === me.userId);
      chip.classList.toggle('mine', mine);
      chip.setAttribute('aria-pressed', String(mine));
      chip.replaceChildren(h('span', { className: 'emoji-glyph' }, r.emoji), ` ${r.count}`);
      const names = r.by.map((p) => (me && p.userId === me.userId ? 'You' : p.name));
      chip.title = `${listNames(names)} reacted with ${r.emoji}`;
      return chip;
    }));
  }

  /**
   * Turns the text of one of our messages into a field holding it.
   * @param {HTMLElement} el
   * @param {number} seq
   */
  #startEditing(el, seq) {
    const msg = this.#shown.get(el);
    if (!msg || msg.deleted || el.classList.contains('editing')) return;
    const input = h('textarea', { className: 'edit-input', attrs: { 'aria-label': 'Edit message', rows: '1' } });
    input.value = msg.text;
    const hint = h('div', { className: 'edit-hint' }, 'Enter to save, Escape to cancel');
    const text = /** @type {HTMLElement} */ (el.querySelector('.text'));
    el.classList.add('editing');
    text.replaceChildren(input, hint);
    const fit = () => {
      input.style.height = 'auto';
      input.style.height = `${input.scrollHeight + 2}px`;
    };
    input.addEventListener('input', fit);
    input.addEventListener('keydown', async (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        this.#stopEditing(el);
        /** @type {HTMLElement|null} */ (el.querySelector('.edit-button'))?.focus();
      } else if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        const value = input.value.replace(/\s+$/u, '');
        if (!value || value === this.#shown.get(el)?.text) {
          if (value) this.#stopEditing(el);
          return;
        }
        input.disabled = true;
        try {
          await this.#actions.onEdit(seq, value);
          this.#stopEditing(el, value);
        } catch (err) {
          input.disabled = false;
          hint.textContent = /** @type {{message?: string}} */ (err)?.message || 'Could not save the edit.';
          hint.classList.add('form-error');
        }
      }
    });
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    fit();
  }

  /**
   * @param {HTMLElement} el
   * @param {string} [saved] the text just saved, shown until the edit comes back from the room
   */
  #stopEditing(el, saved) {
    if (!el.classList.contains('editing')) return;
    el.classList.remove('editing');
    const msg = this.#shown.get(el);
    if (msg) showText(el, saved === undefined ? msg : { ...msg, text: saved, edited: msg.edited ?? Date.now() }, this.#myId);
  }

  /**
   * @param {OutgoingMessage} out
   * @param {{userId: string, name: string}|null} me
   * @returns {HTMLElement}
   */
  #outgoingElement(out, me) {
    const el = messageSkeleton(me?.userId ?? '', me?.name ?? '', out.createdAt, out.text, out.reply, this.#actions.onJump);
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
 * @param {HTMLElement} el a message's element
 * @param {ChatMessage} msg
 * @param {string} myId whose mentions are highlighted as ours
 */
function showText(el, msg, myId) {
  const text = /** @type {HTMLElement} */ (el.querySelector('.text'));
  text.hidden = !!msg.deleted;
  text.replaceChildren(highlightMentions(renderText(msg.text), msg, myId));
  if (msg.edited && !msg.deleted) {
    const when = formatTime(msg.edited);
    text.append(' ', h('span', { className: 'edited', attrs: { title: `Edited ${when.full}` } }, '(edited)'));
  }
}

/** @param {string[]} names @returns {string} "Ada", "Ada and Grace", "Ada, Eve and Grace" */
function listNames(names) {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
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
 * @param {import('./protocol.js').ReplyQuote|undefined} reply the message it answers
 * @param {(seq: number) => void} onJump
 * @returns {HTMLElement}
 */
function messageSkeleton(userId, name, ts, text, reply, onJump) {
  const when = formatTime(ts);
  const time = h('time', { className: 'time', attrs: { datetime: when.iso, title: when.full } }, when.short);
  let quote = null;
  if (reply) {
    quote = h('button', { className: 'reply-quote', attrs: { type: 'button' } });
    quote.addEventListener('click', () => onJump(reply.seq));
    showQuote(quote, reply);
  }
  return h(
    'li',
    { className: 'message' },
    avatar(userId, name),
    h(
      'div',
      { className: 'body' },
      h('div', { className: 'meta' }, h('span', { className: 'from' }, name), ' ', time),
      ...(quote ? [quote] : []),
      h('div', { className: 'text' }, renderText(text)),
    ),
  );
}

/**
 * Fills a quote (of a reply, or of the composer's reply bar) with the message it answers, as plain text.
 * @param {HTMLElement} el
 * @param {import('./protocol.js').ReplyQuote} reply
 */
export function showQuote(el, reply) {
  const what = reply.deleted ? 'This message was deleted'
    : reply.text || (reply.file ? `📎 ${reply.file}` : '');
  el.classList.toggle('quotes-deleted', !!reply.deleted);
  el.title = reply.deleted ? 'The message this answers was deleted' : `Show the message from ${reply.from.name} this answers`;
  el.dataset.replyTo = String(reply.seq);
  el.replaceChildren(h('span', { className: 'reply-from' }, reply.from.name), h('span', { className: 'reply-text' }, what));
}
