import { h } from './dom.js';
import { avatar } from './format.js';

/** @typedef {import('./protocol.js').FoundUser} FoundUser */

// Asking on every keystroke would send a burst of queries for one name typed.
const DEBOUNCE_MS = 200;

/**
 * A search for people as one types (`find_users`): the input, and a list of `li.person-result`
 * (`data-user-id`), each a button that picks that person. Used to write to someone and to invite them.
 * Answers that come back out of order are dropped: only the latest query's is shown.
 */
export class PeoplePicker {
  #input;
  #list;
  #search;
  #pick;
  #exclude;
  #onError;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #timer;
  #asked = 0;

  /**
   * @param {HTMLInputElement} input
   * @param {HTMLElement} list
   * @param {{search: (query: string) => Promise<FoundUser[]>, pick: (user: FoundUser) => void,
   *          exclude?: () => Set<string>, onError?: (err: unknown) => void}} options
   *     exclude: the userIds not to offer (oneself, those already in the room)
   */
  constructor(input, list, { search, pick, exclude = () => new Set(), onError = () => {} }) {
    this.#input = input;
    this.#list = list;
    this.#search = search;
    this.#pick = pick;
    this.#exclude = exclude;
    this.#onError = onError;
    input.addEventListener('input', () => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#ask(), DEBOUNCE_MS);
    });
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        /** @type {HTMLButtonElement|null} */ (list.querySelector('button'))?.click();
      } else if (ev.key === 'ArrowDown') {
        ev.preventDefault();
        /** @type {HTMLButtonElement|null} */ (list.querySelector('button'))?.focus();
      }
    });
    list.addEventListener('keydown', (ev) => {
      if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
      const buttons = [...list.querySelectorAll('button')];
      const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
      if (at < 0) return;
      ev.preventDefault();
      const next = at + (ev.key === 'ArrowDown' ? 1 : -1);
      if (next < 0) input.focus();
      else buttons[Math.min(next, buttons.length - 1)].focus();
    });
  }

  /** Empties the input and the results. */
  clear() {
    clearTimeout(this.#timer);
    this.#asked++;
    this.#input.value = '';
    this.#list.replaceChildren();
  }

  async #ask() {
    const query = this.#input.value.trim();
    const asked = ++this.#asked;
    if (!query) {
      this.#list.replaceChildren();
      return;
    }
    /** @type {FoundUser[]} */
    let users;
    try {
      users = await this.#search(query);
    } catch (err) {
      if (asked === this.#asked) this.#onError(err);
      return;
    }
    if (asked !== this.#asked) return;
    this.#onError(null);
    const exclude = this.#exclude();
    const items = users.filter((u) => !exclude.has(u.userId)).map((u) => this.#item(u));
    if (items.length === 0) items.push(h('li', { className: 'person-none' }, 'No one found.'));
    this.#list.replaceChildren(...items);
  }

  /** @param {FoundUser} user */
  #item(user) {
    const button = h(
      'button',
      { className: 'person-pick', attrs: { type: 'button' } },
      avatar(user.userId, user.name),
      h('span', { className: 'person-name' }, user.name),
      h('span', { className: 'person-username' }, `@${user.username}`),
    );
    button.addEventListener('click', () => this.#pick(user));
    const li = h('li', { className: 'person-result' }, button);
    li.dataset.userId = user.userId;
    return li;
  }
}
