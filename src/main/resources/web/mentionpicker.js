import { h } from './dom.js';

/** @typedef {{username: string, name: string}} Candidate */

// The "@name" being typed just before the caret: at the start, or after a character that cannot end a word.
const TYPING = /(?:^|[^\p{L}\p{N}_.@-])@([A-Za-z0-9._-]{0,32})$/u;
const SHOWN_MAX = 8;

/**
 * Completes `@username` as one types in a textarea: a small list of the people the room may mention
 * (and @room) under the word being typed. Arrow keys move, Enter or Tab picks, Escape closes; a click
 * picks too. Who is listed is `find(prefix)`'s answer; the server decides what mentions anyone.
 */
export class MentionPicker {
  #input;
  #find;
  #list = h('ul', { className: 'mention-picker', attrs: { role: 'listbox', 'aria-label': 'People to mention', hidden: '' } });
  /** @type {Candidate[]} */
  #shown = [];
  #active = 0;
  /** The query whose answer is awaited: an older answer is dropped. */
  #query = '';

  /**
   * @param {HTMLTextAreaElement} input
   * @param {(prefix: string) => Promise<Candidate[]>} find the room's people whose username or name starts so
   */
  constructor(input, find) {
    this.#input = input;
    this.#find = find;
    input.after(this.#list);
    input.setAttribute('aria-autocomplete', 'list');
    input.addEventListener('input', () => this.#update());
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    // Before the composer's own Enter (which sends): listeners on the target run in the order added.
    input.addEventListener('keydown', (ev) => this.#key(ev));
    this.#list.addEventListener('mousedown', (ev) => ev.preventDefault()); // keeps the focus in the field
    this.#list.addEventListener('click', (ev) => {
      const li = /** @type {Element} */ (ev.target).closest('li');
      if (li) this.#pick(Number(/** @type {HTMLElement} */ (li).dataset.index));
    });
  }

  get open() {
    return !this.#list.hidden;
  }

  close() {
    this.#list.hidden = true;
    this.#shown = [];
    this.#query = '';
  }

  async #update() {
    const typed = this.#typed();
    if (typed === null) {
      this.close();
      return;
    }
    this.#query = typed;
    const prefix = typed.toLowerCase();
    /** @type {Candidate[]} */
    let found = [];
    if (typed !== '') {
      try {
        found = await this.#find(typed);
      } catch {
        found = [];
      }
      if (this.#query !== typed) return;
    }
    const room = 'room'.startsWith(prefix) ? [{ username: 'room', name: 'Everyone in this room' }] : [];
    this.#show([...found.slice(0, SHOWN_MAX - room.length), ...room]);
  }

  /** @returns {string|null} the name typed after "@" up to the caret, or null when no mention is being typed */
  #typed() {
    const input = this.#input;
    if (input.selectionStart !== input.selectionEnd) return null;
    const match = TYPING.exec(input.value.slice(0, input.selectionStart ?? 0));
    return match ? match[1] : null;
  }

  /** @param {Candidate[]} candidates */
  #show(candidates) {
    this.#shown = candidates;
    this.#active = 0;
    this.#list.hidden = candidates.length === 0;
    // Over the field, not over the buttons beside it.
    this.#list.style.left = `${this.#input.offsetLeft}px`;
    this.#list.replaceChildren(...candidates.map((c, i) => {
      const li = h('li', { attrs: { role: 'option', 'data-index': String(i) } },
        h('span', { className: 'mention-username' }, `@${c.username}`), ' ', h('span', { className: 'mention-name' }, c.name));
      return li;
    }));
    this.#highlight();
  }

  #highlight() {
    [...this.#list.children].forEach((li, i) => {
      li.classList.toggle('active', i === this.#active);
      li.setAttribute('aria-selected', String(i === this.#active));
    });
  }

  /** @param {KeyboardEvent} ev */
  #key(ev) {
    if (!this.open || ev.isComposing) return;
    const n = this.#shown.length;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      this.#active = (this.#active + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.#highlight();
    } else if (ev.key === 'Enter' || ev.key === 'Tab') {
      this.#pick(this.#active);
    } else if (ev.key === 'Escape') {
      this.close();
    } else {
      return;
    }
    ev.preventDefault();
    ev.stopImmediatePropagation();
  }

  /** Puts `@username ` in place of what was typed. @param {number} index */
  #pick(index) {
    const chosen = this.#shown[index];
    const typed = this.#typed();
    if (!chosen || typed === null) return;
    const input = this.#input;
    const caret = input.selectionStart ?? 0;
    const start = caret - typed.length;
    const insert = `${chosen.username} `;
    input.value = input.value.slice(0, start) + insert + input.value.slice(caret);
    input.setSelectionRange(start + insert.length, start + insert.length);
    this.close();
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.focus();
  }
}
