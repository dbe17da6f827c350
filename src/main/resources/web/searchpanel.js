import { roomError, roomLabel } from './chat.js';
import { byId, h } from './dom.js';
import { formatTime } from './format.js';

/** @typedef {import('./chat.js').Chat} Chat */
/**
 * @typedef {{room: string, seq: number, from: {userId: string, name: string}, ts: number, edited?: number,
 *            text: string, matches: [number, number][]}} SearchHit
 */

/** What the index can look up: a word of three characters (docs/protocol.md, `search`). */
const MIN_WORD_CHARS = 3;
/** Text shown before the first match of a long message, and in all at most, in characters. */
const LEAD_CHARS = 40;
const SHOWN_CHARS = 240;
/** The style's narrow layout (style.css), where the sidebar sits above the room. */
const NARROW = window.matchMedia('(max-width: 699px)');

/**
 * The search field above the rooms and its results: the room, who wrote it and when, and the message's
 * text with the words found marked. Server text only ever enters the page as text nodes: a result is
 * cut at its `matches` offsets into plain strings, and the found parts go into `<mark>` elements.
 * Choosing a result opens its room at that message.
 */
export class SearchPanel {
  #chat;
  #form = /** @type {HTMLFormElement} */ (byId('search-form'));
  #input = /** @type {HTMLInputElement} */ (byId('search-input'));
  #panel = byId('search-results');
  #title = byId('search-title');
  #list = byId('search-list');
  #more = /** @type {HTMLButtonElement} */ (byId('search-more'));
  #status = byId('search-status');
  /** The query the results are for, and the last result's place, to go on from. */
  #query = '';
  /** @type {{room: string, seq: number}|null} */
  #last = null;
  /** Each search has a number; a reply to an older one is dropped. */
  #generation = 0;

  /** @param {Chat} chat */
  constructor(chat) {
    this.#chat = chat;
    this.#form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#search(this.#input.value.trim());
    });
    this.#input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.close();
    });
    byId('search-close').addEventListener('click', () => this.close());
    this.#more.addEventListener('click', () => this.#page());
  }

  close() {
    this.#generation++;
    this.#panel.hidden = true;
    this.#input.value = '';
    this.#list.replaceChildren();
  }

  /** @param {string} query */
  #search(query) {
    if (!query) return this.close();
    this.#panel.hidden = false;
    this.#query = query;
    this.#last = null;
    this.#list.replaceChildren();
    this.#title.textContent = `Results for “${query}”`;
    if (!query.split(/\s+/).some((w) => [...w].length >= MIN_WORD_CHARS)) {
      this.#more.hidden = true;
      this.#status.textContent = `Type a word of at least ${MIN_WORD_CHARS} characters.`;
      return;
    }
    this.#page();
  }

  async #page() {
    const generation = ++this.#generation;
    this.#more.hidden = true;
    this.#status.textContent = 'Searching…';
    /** @type {import('./protocol.js').ClientMessage} */
    const msg = { type: 'search', query: this.#query, limit: 20 };
    if (this.#last) msg.before = this.#last;
    try {
      const reply = await this.#chat.search(msg);
      if (generation !== this.#generation) return;
      /** @type {SearchHit[]} */
      const results = reply.results ?? [];
      this.#list.append(...results.map((r) => this.#item(r)));
      const lastHit = results.at(-1);
      if (lastHit) this.#last = { room: lastHit.room, seq: lastHit.seq };
      this.#more.hidden = !reply.hasMore;
      const count = this.#list.childElementCount;
      this.#status.textContent = count === 0 ? 'No messages found.' : reply.hasMore ? '' : `${count} found.`;
    } catch (e) {
      if (generation !== this.#generation) return;
      this.#status.textContent = roomError(e, 'Could not search');
      this.#more.hidden = this.#last === null;
    }
  }

  /** @param {SearchHit} r */
  #item(r) {
    const room = this.#chat.room(r.room);
    const when = formatTime(r.ts);
    const time = h('time', { attrs: { datetime: when.iso, title: when.full } }, when.short);
    const button = h(
      'button',
      { className: 'search-hit', attrs: { type: 'button' } },
      h('span', { className: 'search-hit-head' },
        h('span', { className: 'search-hit-room' }, room ? roomLabel(room) : 'a room'),
        h('span', { className: 'search-hit-author' }, r.from.name),
        time),
      h('span', { className: 'search-hit-text' }, ...highlighted(r.text, r.matches ?? [])),
    );
    button.dataset.room = r.room;
    button.dataset.seq = String(r.seq);
    button.addEventListener('click', () => {
      // On a phone the results would leave the message little room: they go, the query stays (Enter shows them again).
      if (NARROW.matches) this.#panel.hidden = true;
      this.#chat.reveal(r.room, r.seq);
    });
    return h('li', {}, button);
  }
}

/**
 * The text as plain strings and `<mark>`s, cut at the matches (UTF-16 offsets, sorted, not overlapping):
 * a long text from a little before its first match, at most SHOWN_CHARS of it.
 * @param {string} text @param {[number, number][]} matches
 * @returns {(string|HTMLElement)[]}
 */
export function highlighted(text, matches) {
  const first = matches[0]?.[0] ?? 0;
  let from = first > LEAD_CHARS ? first - LEAD_CHARS : 0;
  if (from > 0 && /[\uDC00-\uDFFF]/.test(text[from] ?? '')) from--; // not in the middle of a surrogate pair
  let to = Math.min(text.length, from + SHOWN_CHARS);
  if (to < text.length && /[\uDC00-\uDFFF]/.test(text[to] ?? '')) to++;
  /** @type {(string|HTMLElement)[]} */
  const parts = from > 0 ? ['…'] : [];
  let at = from;
  for (const [start, end] of matches) {
    if (end <= at || start >= to) continue;
    const s = Math.max(start, at);
    const e = Math.min(end, to);
    if (s > at) parts.push(text.slice(at, s));
    parts.push(h('mark', {}, text.slice(s, e)));
    at = e;
  }
  if (at < to) parts.push(text.slice(at, to));
  if (to < text.length) parts.push('…');
  return parts;
}
