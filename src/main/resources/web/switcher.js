import { byId, h, reconcile } from './dom.js';
import { roomHash } from './sidebar.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('./room.js').RoomState} RoomState */

/** How many rooms the switcher lists at most. */
const SHOWN = 12;

/**
 * Ctrl+K (Cmd+K on a Mac) opens a box that switches rooms by typing part of a name: rooms whose name
 * starts with what was typed come first, then those that contain it; among equals, rooms with unread
 * messages, then by name. Up and Down move the choice, Enter opens it, Escape closes the box.
 */
export class Switcher {
  #chat;
  #screen = byId('switch-screen');
  #input = /** @type {HTMLInputElement} */ (byId('switch-search'));
  #list = byId('switch-results');
  /** @type {RoomState[]} */
  #found = [];
  #chosen = 0;
  /** @type {Element|null} where the focus was before the box opened */
  #before = null;

  /** @param {Chat} chat */
  constructor(chat) {
    this.#chat = chat;
    document.addEventListener('keydown', (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey && ev.key.toLowerCase() === 'k') {
        ev.preventDefault();
        if (this.#screen.hidden) this.open();
        else this.close();
      }
    });
    this.#input.addEventListener('input', () => {
      this.#chosen = 0;
      this.#render();
    });
    this.#input.addEventListener('keydown', (ev) => {
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        const n = this.#found.length;
        if (n > 0) this.#chosen = (this.#chosen + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.#render();
      } else if (ev.key === 'Enter') {
        ev.preventDefault();
        const room = this.#found[this.#chosen];
        if (room) this.#go(room);
      }
    });
    this.#screen.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.close();
    });
    // A click on the dimmed chat around the box closes it.
    this.#screen.addEventListener('click', (ev) => {
      if (ev.target === this.#screen) this.close();
    });
  }

  open() {
    this.#before = document.activeElement;
    this.#input.value = '';
    this.#chosen = 0;
    this.#render();
    this.#screen.hidden = false;
    byId('app').inert = true;
    this.#input.focus();
  }

  close() {
    if (this.#screen.hidden) return;
    this.#screen.hidden = true;
    byId('app').inert = false;
    if (this.#before instanceof HTMLElement && this.#before.isConnected) this.#before.focus();
  }

  /** @param {RoomState} room */
  #go(room) {
    this.#before = null;
    this.close();
    location.hash = roomHash(room.id);
    /** @type {HTMLElement|null} */ (document.getElementById('message-input'))?.focus();
  }

  #render() {
    this.#found = rank([...this.#chat.rooms.values()], this.#input.value, (id) => this.#chat.unread(id)).slice(0, SHOWN);
    this.#chosen = Math.min(this.#chosen, Math.max(0, this.#found.length - 1));
    const items = this.#found.map((room, i) => {
      const unread = this.#chat.unread(room.id);
      const li = h(
        'li',
        { className: 'switch-pick', attrs: { id: `switch-${i}`, role: 'option', 'aria-selected': String(i === this.#chosen) } },
        h('span', { className: 'switch-mark', attrs: { 'aria-hidden': 'true' } }, room.kind === 'direct' ? '@' : room.kind === 'private' ? '🔒' : '#'),
        h('span', { className: 'switch-name' }, room.info.name),
        unread > 0 ? h('span', { className: 'unread', attrs: { 'aria-label': `${unread} unread` } }, String(unread)) : null,
      );
      li.dataset.roomId = room.id;
      li.addEventListener('click', () => this.#go(room));
      return li;
    });
    reconcile(this.#list, items.length > 0 ? items : [h('li', { className: 'switch-none' }, 'No room by that name')]);
    this.#list.querySelector('[aria-selected=true]')?.scrollIntoView({ block: 'nearest' });
    if (items.length > 0) this.#input.setAttribute('aria-activedescendant', `switch-${this.#chosen}`);
    else this.#input.removeAttribute('aria-activedescendant');
  }
}

/**
 * The rooms whose name holds `query` (ignoring case and accents), best first.
 * @param {RoomState[]} rooms
 * @param {string} query
 * @param {(roomId: string) => number} unread
 * @returns {RoomState[]}
 */
export function rank(rooms, query, unread) {
  const q = fold(query.trim());
  return rooms
    .filter((r) => r.info.name)
    .map((room) => ({ room, at: fold(room.info.name).indexOf(q) }))
    .filter((x) => x.at >= 0)
    .sort((a, b) =>
      Number(a.at !== 0) - Number(b.at !== 0)
      || Number(unread(b.room.id) > 0) - Number(unread(a.room.id) > 0)
      || a.room.info.name.localeCompare(b.room.info.name, undefined, { sensitivity: 'base' }))
    .map((x) => x.room);
}

/** @param {string} s */
function fold(s) {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
