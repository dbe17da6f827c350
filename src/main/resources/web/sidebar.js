import { roomError } from './chat.js';
import { byId, h, reconcile } from './dom.js';
import { avatar } from './format.js';
import { PeoplePicker } from './peoplepicker.js';
import { prefs } from './prefs.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('./room.js').RoomState} RoomState */

/**
 * The room lists and the form that creates a room. `#room-list` holds the public and private rooms,
 * `#dm-list` the direct ones: one `li[data-room-id][data-kind]` per room with `.room-name`, an
 * `.unread` badge (messages after the read marker) and a `.mention-count` badge ("@2": how many of them
 * mention us), both for rooms not opened too. "New message" (`#new-dm`) finds a person and opens the direct room with them.
 * Opening a room goes through the URL (`#room=<id>`) so that a reload, or the back button, reopens it.
 */
export class Sidebar {
  #chat;
  #list = byId('room-list');
  #dmList = byId('dm-list');
  #form = /** @type {HTMLFormElement} */ (byId('create-room-form'));
  #name = /** @type {HTMLInputElement} */ (byId('new-room-name'));
  #topic = /** @type {HTMLInputElement} */ (byId('new-room-topic'));
  #private = /** @type {HTMLInputElement} */ (byId('new-room-private'));
  #error = byId('create-room-error');
  #dmScreen = byId('dm-screen');
  #dmError = byId('dm-error');
  #dmPicker;
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
    this.#dmPicker = new PeoplePicker(/** @type {HTMLInputElement} */ (byId('dm-search')), byId('dm-results'), {
      search: (query) => chat.findUsers(query),
      exclude: () => new Set([chat.me.userId]),
      pick: (user) => this.#openDirect(user.userId),
      onError: (err) => say(this.#dmError, err ? roomError(err, 'Could not search') : ''),
    });
    byId('new-dm').addEventListener('click', () => this.#showDmScreen(true));
    byId('dm-close').addEventListener('click', () => this.#showDmScreen(false));
    this.#dmScreen.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.#showDmScreen(false);
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
    /** @type {HTMLLIElement[]} */
    const direct = [];
    const items = rooms.map((room) => {
      const li = this.#items.get(room.id) ?? this.#item(room);
      this.#items.set(room.id, li);
      li.dataset.kind = room.kind;
      const { unread, mentions } = chat.unread(room.id);
      total += unread;
      const name = /** @type {HTMLElement} */ (li.querySelector('.room-name'));
      name.textContent = room.info.name;
      const badge = /** @type {HTMLElement} */ (li.querySelector('.unread'));
      const many = unread >= chat.unreadMax ? `${chat.unreadMax}+` : String(unread);
      badge.textContent = many;
      badge.hidden = unread === 0;
      badge.title = `${many} unread`;
      const mention = /** @type {HTMLElement} */ (li.querySelector('.mention-count'));
      mention.textContent = `@${mentions}`;
      mention.hidden = mentions === 0;
      mention.title = mentions === 1 ? '1 message mentions you' : `${mentions} messages mention you`;
      const link = /** @type {HTMLAnchorElement} */ (li.querySelector('a'));
      link.title = room.info.topic ?? '';
      const current = room.id === chat.current;
      li.classList.toggle('active', current);
      li.classList.toggle('joined', joined.has(room.id));
      li.classList.toggle('has-unread', unread > 0);
      li.classList.toggle('has-mention', mentions > 0);
      const mark = /** @type {HTMLElement|null} */ (li.querySelector('.room-mark'));
      if (mark) mark.title = room.kind === 'private' ? 'Private room' : '';
      if (current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
      if (room.kind === 'direct') direct.push(li);
      return li;
    });
    for (const id of this.#items.keys()) if (!chat.rooms.get(id)?.info.name) this.#items.delete(id);
    reconcile(this.#list, items.filter((li) => li.dataset.kind !== 'direct'));
    reconcile(this.#dmList, direct);
    const open = chat.current ? chat.room(chat.current) : undefined;
    const openName = open?.info.name ? (open.kind === 'direct' ? open.info.name : `#${open.info.name}`) : '';
    const base = openName ? `${openName} · Parley` : 'Parley';
    document.title = total > 0 ? `(${total}) ${base}` : base;
  }

  /**
   * @param {import('./room.js').RoomState} room
   * @returns {HTMLLIElement}
   */
  #item(room) {
    const roomId = room.id;
    // A real link: middle-click, copy link and keyboard focus work as people expect.
    const link = h(
      'a',
      { className: 'room-link', attrs: { href: roomHash(roomId) } },
      // "#", a lock, or the other person's initials: the kind is fixed for a room's life.
      room.kind === 'direct'
        ? avatar(room.info.with?.userId ?? roomId, room.info.with?.name ?? room.info.name)
        : h('span', { className: 'room-mark', attrs: { 'aria-hidden': 'true' } }),
      room.kind === 'private' ? h('span', { className: 'visually-hidden' }, 'Private: ') : null,
      h('span', { className: 'room-name' }),
      h('span', { className: 'mention-count', attrs: { 'aria-label': 'mentions of you' } }),
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
    say(this.#error, '');
    const button = this.#form.querySelector('button');
    if (button) button.disabled = true;
    try {
      await this.#chat.createRoom(name, this.#topic.value, this.#private.checked);
      this.#name.value = '';
      this.#topic.value = '';
      this.#private.checked = false;
    } catch (e) {
      const code = /** @type {{code?: string}} */ (e).code;
      say(this.#error, code === 'name_taken' ? `A public room named “${name}” already exists.` : roomError(e, 'Could not create the room'));
    } finally {
      if (button) button.disabled = false;
    }
  }

  /** @param {boolean} show */
  #showDmScreen(show) {
    this.#dmPicker.clear();
    say(this.#dmError, '');
    this.#dmScreen.hidden = !show;
    byId('app').inert = show;
    if (show) /** @type {HTMLInputElement} */ (byId('dm-search')).focus();
    else byId('new-dm').focus();
  }

  /** @param {string} userId */
  async #openDirect(userId) {
    try {
      const roomId = await this.#chat.openDirect(userId);
      this.#showDmScreen(false);
      location.hash = roomHash(roomId);
    } catch (e) {
      say(this.#dmError, roomError(e, 'Could not open the conversation'));
    }
  }
}

/**
 * @param {HTMLElement} el
 * @param {string} text
 */
function say(el, text) {
  el.textContent = text;
  el.hidden = !text;
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
