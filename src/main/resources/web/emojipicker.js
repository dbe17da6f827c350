import { h } from './dom.js';

/**
 * @typedef {[emoji: string, name: string, group: number, keywords: string, tones?: string[]]} EmojiRow
 *     one emoji of `GET /emoji.json`: its skin-tone variants (light to dark) when it has them
 * @typedef {{groups: string[], emoji: EmojiRow[]}} EmojiData
 */

/** The skin tones offered, each shown as a hand of that tone (the select is narrow) and named in its title. */
const TONES = [['✋', 'No skin tone'], ['✋🏻', 'Light'], ['✋🏼', 'Medium-light'], ['✋🏽', 'Medium'], ['✋🏾', 'Medium-dark'], ['✋🏿', 'Dark']];
const TONE_KEY = 'parley.emojiTone';

/** @type {Promise<EmojiData>|null} fetched once, when the picker first opens */
let data = null;

/**
 * The picker of any emoji (a dialog over the page), opened from a message's "More…": every emoji the
 * server offers (`GET /emoji.json`, from the jar), by group, searched by name and keywords, with a skin
 * tone for those that have one (remembered in this browser).
 *
 * Keyboard: the search field has focus when it opens; typing filters, Enter picks the first match, Down
 * goes to the grid. In the grid the arrow keys move, Enter or Space picks, Home and End go to the first
 * and last. Escape (anywhere in it), a click outside or picking closes it, and focus goes back to the
 * button that opened it.
 */
export class EmojiPicker {
  /** @type {EmojiPicker|null} */
  static #shared = null;

  /** The page's one picker, made on first use. */
  static shared() {
    return (EmojiPicker.#shared ??= new EmojiPicker());
  }

  #dialog;
  #search;
  #tone;
  #groups;
  #grid;
  #status;
  /** @type {HTMLElement|null} */
  #opener = null;
  /** @type {((emoji: string) => void)|null} */
  #onPick = null;
  /** @type {EmojiData|null} */
  #data = null;

  constructor() {
    this.#search = /** @type {HTMLInputElement} */ (h('input', {
      className: 'emoji-search', attrs: { type: 'search', placeholder: 'Search emoji', 'aria-label': 'Search emoji by name', autocomplete: 'off' },
    }));
    this.#tone = /** @type {HTMLSelectElement} */ (h('select', { className: 'emoji-tone', attrs: { 'aria-label': 'Skin tone' } },
      ...TONES.map(([hand, name], i) => h('option', { attrs: { value: String(i), title: name, 'aria-label': `${name} skin tone` } }, hand))));
    this.#tone.value = localStorage.getItem(TONE_KEY) ?? '0';
    this.#groups = h('nav', { className: 'emoji-groups', attrs: { 'aria-label': 'Emoji groups' } });
    this.#grid = h('div', { className: 'emoji-grid', attrs: { role: 'group', 'aria-label': 'Emoji' } });
    this.#status = h('p', { className: 'emoji-status', attrs: { 'aria-live': 'polite' } });
    this.#dialog = h('div', { className: 'emoji-dialog', attrs: { role: 'dialog', 'aria-label': 'Pick an emoji', hidden: '' } },
      h('div', { className: 'emoji-head' }, this.#search, this.#tone), this.#groups, this.#status, this.#grid);
    document.body.append(this.#dialog);

    this.#search.addEventListener('input', () => this.#render());
    this.#search.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        /** @type {HTMLElement|null} */ (this.#grid.querySelector('button'))?.click();
      } else if (ev.key === 'ArrowDown') {
        ev.preventDefault();
        /** @type {HTMLElement|null} */ (this.#grid.querySelector('button'))?.focus();
      }
    });
    this.#tone.addEventListener('change', () => {
      localStorage.setItem(TONE_KEY, this.#tone.value);
      this.#render();
    });
    this.#grid.addEventListener('click', (ev) => {
      const emoji = /** @type {HTMLElement} */ (ev.target).closest('button')?.dataset.emoji;
      if (emoji) this.#pick(emoji);
    });
    this.#grid.addEventListener('keydown', (ev) => this.#move(ev));
    this.#groups.addEventListener('click', (ev) => {
      const group = /** @type {HTMLElement} */ (ev.target).closest('button')?.dataset.group;
      if (group === undefined) return;
      this.#search.value = '';
      this.#render();
      const heading = this.#grid.querySelector(`[data-group-heading="${group}"]`);
      if (heading) this.#grid.scrollTop = /** @type {HTMLElement} */ (heading).offsetTop - this.#grid.offsetTop;
    });
    this.#dialog.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Escape') return;
      ev.preventDefault();
      ev.stopPropagation();
      this.close();
    });
    document.addEventListener('pointerdown', (ev) => {
      if (!this.#dialog.hidden && !this.#dialog.contains(/** @type {Node} */ (ev.target))) this.close(false);
    });
  }

  /**
   * Opens the picker beside `opener`; `onPick` gets the emoji chosen.
   * @param {HTMLElement} opener
   * @param {(emoji: string) => void} onPick
   */
  open(opener, onPick) {
    this.#opener = opener;
    this.#onPick = onPick;
    this.#search.value = '';
    this.#dialog.hidden = false;
    this.#place(opener);
    this.#search.focus();
    if (this.#data) {
      this.#render();
      return;
    }
    this.#status.textContent = 'Loading…';
    data ??= fetch('/emoji.json').then((r) => {
      if (!r.ok) throw new Error(`${r.status}`);
      return r.json();
    });
    data.then((d) => {
      this.#data = d;
      this.#groups.replaceChildren(...d.groups.map((name, i) => {
        const first = d.emoji.find((e) => e[2] === i)?.[0] ?? '?';
        return h('button', { attrs: { type: 'button', title: name, 'aria-label': name, 'data-group': String(i) } }, first);
      }));
      this.#render();
    }).catch(() => {
      data = null;
      this.#status.textContent = 'The emoji could not be loaded.';
    });
  }

  /** @param {boolean} [refocus] give focus back to the button that opened it */
  close(refocus = true) {
    if (this.#dialog.hidden) return;
    this.#dialog.hidden = true;
    if (refocus) this.#opener?.focus();
    this.#opener = null;
    this.#onPick = null;
  }

  /** @param {string} emoji */
  #pick(emoji) {
    const onPick = this.#onPick;
    this.close();
    onPick?.(emoji);
  }

  /**
   * Beside the opener where it fits; on a narrow screen, across the bottom.
   * @param {HTMLElement} opener
   */
  #place(opener) {
    const box = this.#dialog.getBoundingClientRect();
    const at = opener.getBoundingClientRect();
    const margin = 8;
    const left = Math.min(Math.max(margin, at.right - box.width), innerWidth - box.width - margin);
    const below = at.bottom + 4;
    const top = below + box.height <= innerHeight - margin ? below : Math.max(margin, at.top - 4 - box.height);
    this.#dialog.style.left = `${left}px`;
    this.#dialog.style.top = `${top}px`;
  }

  /**
   * The grid: every emoji by group; or, searched, those whose name or keywords hold every word typed,
   * best first: the name itself, a name that starts so, a name that holds the words, then keywords.
   */
  #render() {
    const d = this.#data;
    if (!d) return;
    const query = this.#search.value.trim().toLowerCase();
    const words = query.split(/\s+/u).filter(Boolean);
    const tone = Number(this.#tone.value);
    /** @type {(row: EmojiRow) => number} */
    const rank = ([, name]) => (name === query ? 0 : name.startsWith(query) ? 1 : words.every((w) => name.includes(w)) ? 2 : 3);
    const rows = !words.length ? d.emoji
      : d.emoji.filter(([, name, , keywords]) => words.every((w) => name.includes(w) || keywords.includes(w)))
        .map((row, i) => ({ row, i, r: rank(row) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.row);
    /** @type {HTMLElement[]} */
    const children = [];
    let group = -1;
    let found = 0;
    for (const [emoji, name, g, , tones] of rows) {
      if (!words.length && g !== group) {
        group = g;
        children.push(h('h3', { className: 'emoji-group', attrs: { 'data-group-heading': String(g) } }, d.groups[g]));
      }
      const shown = tone > 0 && tones ? tones[tone - 1] : emoji;
      children.push(h('button', { className: 'emoji', attrs: { type: 'button', 'data-emoji': shown, title: name, 'aria-label': name, tabindex: '-1' } }, shown));
      found++;
    }
    const first = /** @type {HTMLElement|undefined} */ (children.find((c) => c.tagName === 'BUTTON'));
    first?.setAttribute('tabindex', '0');
    this.#grid.replaceChildren(...children);
    this.#grid.scrollTop = 0;
    this.#status.textContent = found ? '' : 'No emoji found.';
    this.#status.hidden = !!found;
  }

  /**
   * Arrow keys, Home and End among the grid's buttons (one tab stop: the grid keeps the last one focused).
   * @param {KeyboardEvent} ev
   */
  #move(ev) {
    const buttons = /** @type {HTMLElement[]} */ ([...this.#grid.querySelectorAll('button')]);
    const i = buttons.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    if (i < 0) return;
    const perRow = Math.max(1, Math.round(this.#grid.clientWidth / buttons[i].offsetWidth) - 1);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, ArrowDown: i + perRow, ArrowUp: i - perRow, Home: 0, End: buttons.length - 1 }[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    if (to < 0 && ev.key === 'ArrowUp') {
      this.#search.focus();
      return;
    }
    const next = buttons[Math.min(Math.max(0, to), buttons.length - 1)];
    buttons[i].setAttribute('tabindex', '-1');
    next.setAttribute('tabindex', '0');
    next.focus();
  }
}
