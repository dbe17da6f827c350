import { byId, h, reconcile } from './dom.js';
import { prefs } from './prefs.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('./room.js').RoomState} RoomState */

/**
 * The room list (`#room-list`, one `li[data-room-id]` per room with `.room-name` and an
 * `.unread` badge) and the form that creates a room. Opening a room goes through the URL
 * (`#room=<id>`) so that a reload, or the back button, reopens it.
 */
export class Sidebar {
  #chat;
  #list = byId('room-list');
  #form = /** @type {HTMLFormElement} */ (byId('create-room-form'));
  #name = /** @type {HTMLInputElement} */ (byId('new-room-name'));
  #topic = /** @type {HTMLInputElement} */ (byId('new-room-topic'));
  #error = byId('create-room-error');
  /** @type {Map<string, HTMLLIElement>} */
  #items = new Map();

  /** @param {Chat} chat */
  constructor(chat) {
    this.#chat = chat;
    chat.on('rooms', () => this.render());
    chat.on('current', () => this.render());
    this.#form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#create();
    });
    this.render();
  }

  render() {
    const chat = this.#chat;
    const joined = new Set(prefs.joined());
    const rooms = [...chat.rooms.values()]
      .filter((r) => r.info.name)
      .sort((a, b) => a.info.name.localeCompare(b.info.name, undefined, { sensitivity: 'base' }));
    let total = 0;
    const items = rooms.map((room) => {
      const li = this.#items.get(room.id) ?? this.#item(room.id);
      this.#items.set(room.id, li);
      const unread = chat.unread(room.id);
      total += unread;
      const name = /** @type {HTMLElement} */ (li.querySelector('.room-name'));
      name.textContent = room.info.name;
      const badge = /** @type {HTMLElement} */ (li.querySelector('.unread'));
      badge.textContent = String(unread);
      badge.hidden = unread === 0;
      badge.title = `${unread} unread`;
      const link = /** @type {HTMLAnchorElement} */ (li.querySelector('a'));
      link.title = room.info.topic ?? '';
      const current = room.id === chat.current;
      li.classList.toggle('active', current);
      li.classList.toggle('joined', joined.has(room.id));
      li.classList.toggle('has-unread', unread > 0);
      if (current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
      return li;
    });
    for (const id of this.#items.keys()) if (!chat.rooms.get(id)?.info.name) this.#items.delete(id);
    reconcile(this.#list, items);
    const openName = chat.current ? chat.room(chat.current)?.info.name : '';
    const base = openName ? `#${openName} · Parley` : 'Parley';
    document.title = total > 0 ? `(${total}) ${base}` : base;
  }

  /**
   * @param {string} roomId
   * @returns {HTMLLIElement}
   */
  #item(roomId) {
    // A real link: middle-click, copy link and keyboard focus work as people expect.
    const link = h(
      'a',
      { className: 'room-link', attrs: { href: roomHash(roomId) } },
      h('span', { className: 'room-name' }),
      h('span', { className: 'unread', attrs: { 'aria-label': 'unread messages' } }),
    );
    const li = h('li', {}, link);
    li.dataset.roomId = roomId;
    // Clicking anywhere in the row, not just on the text, opens the room.
    li.addEventListener('click', (ev) => {
      if (ev.target instanceof Element && ev.target.closest('a')) return;
      location.hash = roomHash(roomId);
    });
    return li;
  }

  async #create() {
    const name = this.#name.value.trim();
    if (!name) return;
    this.#error.textContent = '';
    this.#error.hidden = true;
    const button = this.#form.querySelector('button');
    if (button) button.disabled = true;
    try {
      await this.#chat.createRoom(name, this.#topic.value);
      this.#name.value = '';
      this.#topic.value = '';
    } catch (e) {
      const code = /** @type {{code?: string, message?: string}} */ (e).code;
      this.#error.textContent =
        code === 'name_taken' ? `A room named “${name}” already exists.`
        : code === 'offline' || code === 'closed' ? 'Not connected; try again in a moment.'
        : `Could not create the room: ${/** @type {Error} */ (e).message}`;
      this.#error.hidden = false;
    } finally {
      if (button) button.disabled = false;
    }
  }
}

/**
 * @param {string} roomId
 * @returns {string} the URL fragment that opens the room
 */
export function roomHash(roomId) {
  return `#room=${encodeURIComponent(roomId)}`;
}

/**
 * @param {string} hash location.hash
 * @returns {string|null} the room id in it, if any
 */
export function roomFromHash(hash) {
  const match = /^#room=(.+)$/u.exec(hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}
