import { roomError, roomLabel } from './chat.js';
import { byId, h } from './dom.js';
import { avatar } from './format.js';
import { PeoplePicker } from './peoplepicker.js';
import { roomHash } from './sidebar.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('./room.js').RoomState} RoomState */
/** @typedef {import('./protocol.js').Role} Role */
/** @typedef {{userId: string, name: string, role: Role|null}} Person */

const ROLES = /** @type {const} */ (['member', 'moderator', 'owner']);
const RANK = { owner: 0, moderator: 1, member: 2 };

/**
 * The open room's members panel (`#people-panel`), opened by the header's "Members" button: who belongs
 * to the room and their roles (`li.person[data-user-id]` with `.role`), and what one's own role allows:
 * Message, Kick, Ban and (owners) a role menu per person; the banned with Unban; Invite (private rooms);
 * Leave room (private rooms) and Delete room (owners), those two after a confirmation (`#confirm-screen`).
 * In a public room, where only those with a role are members, the people here now are listed too, so
 * that they can be given a role or removed.
 */
export class MembersPanel {
  #chat;
  #panel = byId('people-panel');
  #button = /** @type {HTMLButtonElement} */ (byId('members-button'));
  #list = byId('people');
  #bannedBox = byId('banned-box');
  #banned = byId('banned');
  #inviteBox = byId('invite-box');
  #error = byId('people-error');
  #quit = /** @type {HTMLButtonElement} */ (byId('quit-room'));
  #delete = /** @type {HTMLButtonElement} */ (byId('delete-room'));
  #invitePicker;
  #open = false;

  /** @param {Chat} chat */
  constructor(chat) {
    this.#chat = chat;
    this.#invitePicker = new PeoplePicker(/** @type {HTMLInputElement} */ (byId('invite-search')), byId('invite-results'), {
      search: (query) => chat.findUsers(query),
      exclude: () => new Set(this.#room()?.roster?.keys() ?? []),
      pick: (user) => {
        const room = this.#room();
        if (!room) return;
        if (room.banned.has(user.userId)) {
          this.#say(`${user.name} is banned from this room: unban them first.`);
          return;
        }
        this.#invitePicker.clear();
        this.#act(chat.invite(room.id, user.userId), `Could not invite ${user.name}`);
      },
      onError: (err) => this.#say(err ? roomError(err, 'Could not search') : ''),
    });
    this.#button.addEventListener('click', () => this.toggle(!this.#open));
    byId('people-close').addEventListener('click', () => this.toggle(false));
    this.#quit.addEventListener('click', () => this.#confirmQuit());
    this.#delete.addEventListener('click', () => this.#confirmDelete());

    chat.on('current', () => {
      this.#say('');
      this.#invitePicker.clear();
      this.#load();
      this.#render();
    });
    for (const event of ['roster', 'members', 'info']) {
      chat.on(event, (/** @type {string} */ id) => id === chat.current && this.#render());
    }
    this.#render();
  }

  /** @param {boolean} open */
  toggle(open) {
    this.#open = open;
    this.#say('');
    if (open) this.#load();
    this.#render();
  }

  #room() {
    const id = this.#chat.current;
    return id ? this.#chat.room(id) : undefined;
  }

  /** Asks for the roster afresh: the panel shows what the server says now. */
  #load() {
    const room = this.#room();
    if (!this.#open || !room?.info.name) return;
    this.#chat.loadMembers(room.id).catch((err) => this.#say(roomError(err, 'Could not list the members')));
  }

  #render() {
    const room = this.#room();
    this.#button.hidden = !room;
    this.#button.setAttribute('aria-expanded', String(this.#open && !!room));
    this.#panel.hidden = !this.#open || !room;
    if (!room || !this.#open) return;

    const chat = this.#chat;
    const me = chat.me.userId;
    const myRole = chat.roleIn(room.id);
    const direct = room.kind === 'direct';
    const owner = !direct && myRole === 'owner';
    const moderator = !direct && (owner || myRole === 'moderator');

    byId('people-heading').textContent = direct ? 'Conversation' : `Members of ${roomLabel(room)}`;
    this.#inviteBox.hidden = !(room.kind === 'private' && moderator);
    this.#quit.hidden = room.kind !== 'private';
    this.#delete.hidden = !(owner && !direct);

    const people = this.#people(room);
    this.#list.replaceChildren(...people.map((p) => this.#person(room, p, { me, owner, moderator, direct })));
    if (room.roster === null) this.#list.append(h('li', { className: 'person-none' }, 'Loading…'));

    this.#bannedBox.hidden = !moderator || room.banned.size === 0;
    this.#banned.replaceChildren(...[...room.banned.values()]
      .sort((a, b) => byName(a, b))
      .map((b) => {
        const unban = h('button', { className: 'secondary small', attrs: { type: 'button' } }, 'Unban');
        unban.addEventListener('click', () => this.#act(chat.moderate('unban', room.id, b.userId), `Could not unban ${b.name}`));
        const li = h('li', { className: 'person' }, avatar(b.userId, b.name), h('span', { className: 'person-name' }, b.name), unban);
        li.dataset.userId = b.userId;
        return li;
      }));
  }

  /**
   * The roster, and in a public room the people here now without a role; owners first.
   * @param {RoomState} room
   * @returns {Person[]}
   */
  #people(room) {
    /** @type {Map<string, Person>} */
    const people = new Map();
    for (const m of room.roster?.values() ?? []) people.set(m.userId, { userId: m.userId, name: m.name, role: m.role });
    if (room.kind === 'public') {
      for (const m of room.members.values()) {
        if (!people.has(m.userId)) people.set(m.userId, { userId: m.userId, name: m.name, role: null });
      }
    }
    return [...people.values()].sort((a, b) => RANK[a.role ?? 'member'] - RANK[b.role ?? 'member'] || byName(a, b));
  }

  /**
   * @param {RoomState} room
   * @param {Person} person
   * @param {{me: string, owner: boolean, moderator: boolean, direct: boolean}} rights
   */
  #person(room, person, { me, owner, moderator, direct }) {
    const chat = this.#chat;
    const self = person.userId === me;
    const plain = !person.role || person.role === 'member';
    /** @type {HTMLElement[]} */
    const actions = [];
    if (!self && !direct) {
      actions.push(this.#action('Message', () => this.#message(person)));
    }
    if (!self && owner) {
      const select = h('select', { className: 'role-select', attrs: { 'aria-label': `Role of ${person.name}` } },
        ...ROLES.map((r) => h('option', { attrs: { value: r } }, r)));
      select.value = person.role ?? 'member';
      select.addEventListener('change', () => {
        const role = /** @type {Role} */ (select.value);
        this.#act(chat.setRole(room.id, person.userId, role), `Could not change the role of ${person.name}`)
          .then((ok) => ok || this.#render());
      });
      actions.push(select);
    }
    if (!self && moderator && (owner || plain)) {
      actions.push(this.#action('Kick', () => this.#act(chat.moderate('kick', room.id, person.userId), `Could not remove ${person.name}`)));
      actions.push(this.#action('Ban', () => this.#confirmBan(room, person)));
    }
    const li = h(
      'li',
      { className: 'person' },
      avatar(person.userId, person.name),
      h('span', { className: 'person-name' }, person.name),
      self ? h('span', { className: 'you' }, '(you)') : null,
      person.role && person.role !== 'member' ? h('span', { className: `role role-${person.role}` }, person.role) : null,
      actions.length ? h('span', { className: 'person-actions' }, ...actions) : null,
    );
    li.dataset.userId = person.userId;
    if (person.role) li.dataset.role = person.role;
    return li;
  }

  /** @param {string} label @param {() => void} run */
  #action(label, run) {
    const button = h('button', { className: 'link-button', attrs: { type: 'button' } }, label);
    button.addEventListener('click', run);
    return button;
  }

  /** @param {Person} person */
  async #message(person) {
    try {
      location.hash = roomHash(await this.#chat.openDirect(person.userId));
    } catch (err) {
      this.#say(roomError(err, `Could not write to ${person.name}`));
    }
  }

  /**
   * Runs a request, showing why it was refused.
   * @param {Promise<unknown>} request
   * @param {string} what
   * @returns {Promise<boolean>} whether it was done
   */
  async #act(request, what) {
    this.#say('');
    try {
      await request;
      return true;
    } catch (err) {
      this.#say(roomError(err, what));
      return false;
    }
  }

  /** @param {RoomState} room @param {Person} person */
  #confirmBan(room, person) {
    confirmAction({
      title: `Ban ${person.name}?`,
      text: room.kind === 'private'
        ? `${person.name} leaves ${roomLabel(room)} and cannot be invited again until unbanned.`
        : `${person.name} leaves ${roomLabel(room)} and cannot join it again until unbanned.`,
      action: 'Ban',
      run: () => this.#chat.moderate('ban', room.id, person.userId),
    });
  }

  #confirmQuit() {
    const room = this.#room();
    if (!room) return;
    confirmAction({
      title: `Leave ${roomLabel(room)}?`,
      text: 'It is private: you will need an invitation to come back.',
      action: 'Leave room',
      run: () => this.#chat.quit(room.id),
      explainBadState: 'You are its last owner: make someone else owner first, or delete the room.',
    });
  }

  #confirmDelete() {
    const room = this.#room();
    if (!room) return;
    confirmAction({
      title: `Delete ${roomLabel(room)}?`,
      text: 'Its messages and files are deleted for everyone. This cannot be undone.',
      action: 'Delete room',
      run: () => this.#chat.deleteRoom(room.id),
    });
  }

  /** @param {string} text */
  #say(text) {
    this.#error.textContent = text;
    this.#error.hidden = !text;
  }
}

/** @param {{name: string, userId: string}} a @param {{name: string, userId: string}} b */
function byName(a, b) {
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.userId.localeCompare(b.userId);
}

/**
 * Asks before something that cannot be undone, in `#confirm-screen`; runs it on "yes" and stays open
 * with the reason when it is refused.
 * @param {{title: string, text: string, action: string, run: () => Promise<unknown>, explainBadState?: string}} what
 */
export function confirmAction({ title, text, action, run, explainBadState }) {
  const screen = byId('confirm-screen');
  const ok = /** @type {HTMLButtonElement} */ (byId('confirm-ok'));
  const cancel = /** @type {HTMLButtonElement} */ (byId('confirm-cancel'));
  const error = byId('confirm-error');
  const app = byId('app');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  ok.textContent = action;
  error.hidden = true;
  screen.hidden = false;
  app.inert = true;
  cancel.focus();

  const close = () => {
    screen.hidden = true;
    app.inert = false;
    ok.onclick = cancel.onclick = screen.onkeydown = null;
  };
  // Properties, not addEventListener: each confirmation replaces the previous one's handlers.
  cancel.onclick = close;
  screen.onkeydown = (ev) => {
    if (ev.key === 'Escape') close();
  };
  ok.onclick = async () => {
    ok.disabled = true;
    try {
      await run();
      close();
    } catch (err) {
      const code = /** @type {{code?: string}} */ (err).code;
      error.textContent = code === 'bad_state' && explainBadState ? explainBadState : roomError(err, `Could not ${action.toLowerCase()}`);
      error.hidden = false;
    } finally {
      ok.disabled = false;
    }
  };
}
