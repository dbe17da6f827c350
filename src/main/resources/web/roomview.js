import { byId, h } from './dom.js';
import { avatar } from './format.js';
import { MessageList, showQuote } from './messagelist.js';
import { quoteOf } from './room.js';
import { roomError } from './chat.js';
import { confirmAction } from './memberspanel.js';
import { MentionPicker } from './mentionpicker.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('./files.js').Files} Files */
/** @typedef {import('./fileview.js').FileView} FileView */

/**
 * The open room: header, messages, who is typing, the composer and the members panel.
 * It only reads the Chat and calls it; all protocol work stays there.
 */
export class RoomView {
  #chat;
  #view = byId('room-view');
  #empty = byId('no-room');
  #title = byId('room-title');
  #topic = byId('room-topic');
  #typing = byId('typing');
  #members = byId('members');
  #memberCount = byId('member-count');
  #membersPanel = byId('members-panel');
  #composer = /** @type {HTMLFormElement} */ (byId('composer'));
  #input = /** @type {HTMLTextAreaElement} */ (byId('message-input'));
  #send = /** @type {HTMLButtonElement} */ (byId('send-button'));
  #attach = /** @type {HTMLButtonElement} */ (byId('attach-button'));
  #fileInput = /** @type {HTMLInputElement} */ (byId('file-input'));
  #fileStatus = byId('file-status');
  #notice = byId('room-notice');
  #noticeText = byId('room-notice-text');
  #rejoin = /** @type {HTMLButtonElement} */ (byId('rejoin-room'));
  #leave = /** @type {HTMLButtonElement} */ (byId('leave-room'));
  #replyBar = byId('reply-bar');
  #replyTarget = byId('reply-target');
  /** @type {number|null} the seq of the message the composer answers */
  #replyTo = null;
  #notify = /** @type {HTMLSelectElement} */ (byId('notify-level'));
  /** The read marker the "New messages" line follows: taken when the room opens, null until the server said it. */
  /** @type {number|null} */
  #newAfter = null;
  #messages;
  #files;
  /** @type {Promise<unknown>} the shares in progress, one after the other */
  #sharing = Promise.resolve();

  /**
   * @param {Chat} chat
   * @param {Files} files
   * @param {FileView} fileView
   */
  constructor(chat, files, fileView) {
    this.#chat = chat;
    this.#files = files;
    this.#messages = new MessageList(byId('messages'), {
      onNearTop: () => chat.current && chat.loadOlder(chat.current),
      onRetry: (clientId) => chat.retry(clientId),
      onRead: (seq) => {
        if (chat.current && reading()) chat.markRead(chat.current, seq);
      },
      fileCard: (roomId, file) => fileView.card(roomId, file),
      onEdit: (seq, text) => this.#inRoom((id) => chat.editMessage(id, seq, text)).catch((err) => {
        throw new Error(roomError(err, 'Could not save the edit'));
      }),
      onReact: (seq, emoji) => this.#inRoom((id) => chat.react(id, seq, emoji)).catch((err) => this.#say(roomError(err, 'Could not react'))),
      onReply: (seq) => this.#startReply(seq),
      onJump: (seq) => this.#jump(seq),
      onDelete: (seq) => chat.current && confirmAction({
        title: 'Delete this message?',
        text: 'It is deleted for everyone, with its file and reactions. This cannot be undone.',
        action: 'Delete',
        run: () => this.#inRoom((id) => chat.deleteMessage(id, seq)),
      }),
    });

    // The person reads when they come back to the window: what is on screen then counts as read.
    window.addEventListener('focus', () => this.#messages.reportRead());
    document.addEventListener('visibilitychange', () => this.#messages.reportRead());
    // Read in another tab (or device) while this one is not read: the line follows the marker there.
    chat.on('read', (id) => {
      const room = chat.room(id);
      if (id !== chat.current || !room || reading()) return;
      this.#newAfter = room.read;
      this.#renderMessages();
    });
    this.#notify.addEventListener('change', () => {
      const id = chat.current;
      if (!id) return;
      chat.setNotifyLevel(id, /** @type {import('./room.js').NotifyLevel} */ (this.#notify.value))
        .catch((err) => this.#say(roomError(err, 'Could not change the notifications')));
    });
    this.#attach.addEventListener('click', () => this.#fileInput.click());
    this.#fileInput.addEventListener('change', () => {
      for (const file of this.#fileInput.files ?? []) this.#share(file);
      this.#fileInput.value = '';
    });
    this.#view.addEventListener('dragover', (ev) => {
      if (!ev.dataTransfer?.types.includes('Files')) return;
      ev.preventDefault();
      this.#view.classList.add('dropping');
    });
    this.#view.addEventListener('dragleave', (ev) => {
      if (ev.target === this.#view) this.#view.classList.remove('dropping');
    });
    this.#view.addEventListener('drop', (ev) => {
      ev.preventDefault();
      this.#view.classList.remove('dropping');
      for (const file of ev.dataTransfer?.files ?? []) this.#share(file);
    });
    files.on('preparing', (/** @type {{name: string, size: number, done: number}|null} */ p) => {
      this.#fileStatus.hidden = !p;
      if (p) this.#fileStatus.textContent = `Preparing ${p.name}: ${Math.floor((p.done / Math.max(1, p.size)) * 100)}%`;
    });

    chat.on('current', () => {
      this.#say('');
      this.#showRoom();
    });
    chat.on('info', (id) => id === chat.current && (this.#renderHeader(), this.#renderMessages()));
    // Who may delete others' messages follows our role.
    chat.on('roster', (id) => id === chat.current && this.#renderMessages());
    // Said after any switch to another room that it caused, so that it stays on screen.
    chat.on('problem', (/** @type {string} */ text) => this.#say(text));
    byId('room-notice-close').addEventListener('click', () => this.#say(''));
    this.#rejoin.addEventListener('click', () => chat.current && chat.rejoin(chat.current));
    chat.on('messages', (id) => id === chat.current && this.#renderMessages());
    chat.on('reveal', (/** @type {{room: string, seq: number}} */ at) => {
      if (at.room !== chat.current) return;
      this.#renderMessages();
      this.#messages.reveal(at.seq);
    });
    chat.on('members', (id) => id === chat.current && this.#renderMembers());
    chat.on('typing', (id) => id === chat.current && this.#renderTyping());

    byId('leave-room').addEventListener('click', () => chat.current && chat.leave(chat.current));
    this.#composer.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#submit();
    });
    // Before the composer's Enter: with the list open, Enter picks a name rather than sending.
    new MentionPicker(this.#input, (prefix) => this.#mentionable(prefix));
    this.#input.addEventListener('keydown', (ev) => {
      // isComposing: Enter also confirms an IME composition (Japanese, Chinese...).
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.#submit();
      } else if (ev.key === 'Escape' && this.#replyTo !== null) {
        ev.preventDefault();
        this.#cancelReply();
      }
    });
    byId('reply-cancel').addEventListener('click', () => {
      this.#cancelReply();
      this.#input.focus();
    });
    this.#replyTarget.addEventListener('click', () => this.#replyTo !== null && this.#jump(this.#replyTo));
    this.#input.addEventListener('input', () => {
      if (this.#input.value.trim()) chat.userTyping();
      else chat.stopTyping();
    });
    this.#showRoom();
  }

  /**
   * People the open room may mention whose username or name starts with `prefix`: anyone for a public room,
   * the members of a private or direct one (once known).
   * @param {string} prefix
   */
  async #mentionable(prefix) {
    const room = this.#chat.current ? this.#chat.room(this.#chat.current) : undefined;
    const found = await this.#chat.findUsers(prefix);
    const roster = room && room.kind !== 'public' ? room.roster : null;
    return found.filter((u) => u.userId !== this.#chat.me.userId && (!roster || roster.has(u.userId)));
  }

  /** @param {number} maxChars the server's maxTextChars */
  setMaxChars(maxChars) {
    if (maxChars > 0) this.#input.maxLength = maxChars;
  }

  /**
   * @param {(roomId: string) => Promise<unknown>} act something to do in the open room
   * @returns {Promise<unknown>}
   */
  #inRoom(act) {
    const id = this.#chat.current;
    return id ? act(id) : Promise.reject(new Error('No room is open'));
  }

  #submit() {
    const text = this.#input.value;
    if (!text.trim() || !this.#chat.current) return;
    this.#chat.sendText(text, this.#replyTo ?? undefined);
    this.#cancelReply();
    this.#input.value = '';
    // One's own message is always worth seeing, wherever one had scrolled.
    this.#messages.scrollToBottom();
    this.#input.focus();
  }

  /**
   * Shares files one after the other: each is hashed in turn, so the "Preparing" line speaks of one.
   * @param {File} file
   */
  #share(file) {
    const roomId = this.#chat.current;
    if (!roomId) return;
    this.#sharing = this.#sharing.then(() => this.#files.share(roomId, file)).catch(
      (/** @type {{message?: string, code?: string}} */ e) => {
        this.#fileStatus.hidden = false;
        this.#fileStatus.textContent = `${file.name} was not shared: ${e.message || e.code}.`;
      },
    );
  }

  /**
   * The composer answers message `seq`: the bar above it says which, until sent or cancelled.
   * @param {number} seq
   */
  #startReply(seq) {
    const msg = this.#chat.current ? this.#chat.room(this.#chat.current)?.messages.get(seq) : undefined;
    if (!msg || msg.deleted) return;
    this.#replyTo = seq;
    showQuote(this.#replyTarget, quoteOf(msg));
    this.#replyBar.hidden = false;
    this.#input.focus();
  }

  #cancelReply() {
    this.#replyTo = null;
    this.#replyBar.hidden = true;
  }

  /**
   * Shows the message a reply answers: scrolled to and highlighted, after loading older pages if needed.
   * @param {number} seq
   */
  async #jump(seq) {
    const id = this.#chat.current;
    if (!id) return;
    if (this.#messages.reveal(seq)) return;
    // The chat loads it if need be, and says "reveal" when it holds it: the list shows it then.
    const held = await this.#chat.reveal(id, seq);
    if (this.#chat.current === id && !held) this.#say('That message is no longer in this room.');
  }

  #showRoom() {
    const id = this.#chat.current;
    this.#cancelReply();
    this.#newAfter = null;
    this.#view.hidden = !id;
    this.#empty.hidden = !!id;
    this.#membersPanel.hidden = !id;
    this.#messages.reset();
    this.#input.disabled = this.#send.disabled = this.#attach.disabled = !id;
    if (!id) {
      this.#members.replaceChildren();
      this.#memberCount.textContent = '';
      return;
    }
    this.#renderHeader();
    this.#renderMessages();
    this.#renderMembers();
    this.#renderTyping();
    this.#input.focus();
  }

  #renderHeader() {
    const room = this.#chat.current ? this.#chat.room(this.#chat.current) : undefined;
    if (!room) return;
    this.#view.dataset.kind = room.kind;
    this.#title.textContent = room.info.name || '…';
    this.#topic.textContent = room.info.topic ?? '';
    this.#topic.hidden = !room.info.topic;
    this.#input.placeholder = !room.info.name ? 'Write a message…'
      : room.kind === 'direct' ? `Message ${room.info.name}` : `Message #${room.info.name}`;
    // Kicked from this public room (or banned): it stays open, to be joined again when allowed. Nothing
    // tells the banned when they are unbanned, so they may always try.
    const out = room.removed !== null;
    this.#rejoin.hidden = !out;
    this.#leave.hidden = out;
    // Leaving a private room for good is "Leave room" in the members panel; this only stops following it here.
    this.#leave.textContent = room.kind === 'public' ? 'Leave' : 'Close';
    this.#leave.title = room.kind === 'public' ? '' : 'Close it here: you stay a member';
    this.#notify.value = this.#chat.notifyLevel(room.id);
    this.#input.disabled = this.#send.disabled = this.#attach.disabled = out;
  }

  /** @param {string} text a notice about the rooms ("You were removed from #design"), or '' */
  #say(text) {
    this.#noticeText.textContent = text;
    this.#notice.hidden = !text;
  }

  #renderMessages() {
    const id = this.#chat.current;
    const room = id ? this.#chat.room(id) : undefined;
    if (!id || !room) return;
    const role = room.kind === 'direct' ? null : this.#chat.roleIn(id);
    if (this.#newAfter === null && room.readKnown) this.#newAfter = room.read;
    this.#messages.render(room, this.#chat.outbox.in(id), this.#chat.me, {
      canDeleteAny: role === 'owner' || role === 'moderator',
      newAfter: this.#newAfter,
    });
  }

  /**
   * One `li[data-session-id]` per connection. A person with several tabs is listed once
   * per tab; the tabs after the first are marked so the style can play them down.
   */
  #renderMembers() {
    const room = this.#chat.current ? this.#chat.room(this.#chat.current) : undefined;
    if (!room) return;
    const me = this.#chat.me;
    const members = [...room.members.values()].sort(
      (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.userId.localeCompare(b.userId),
    );
    /** @type {Map<string, number>} */
    const tabs = new Map();
    for (const m of members) tabs.set(m.userId, (tabs.get(m.userId) ?? 0) + 1);
    const seen = new Set();
    const items = members.map((m) => {
      const extra = seen.has(m.userId);
      seen.add(m.userId);
      const count = tabs.get(m.userId) ?? 1;
      const li = h(
        'li',
        { className: extra ? 'member extra-tab' : 'member' },
        avatar(m.userId, m.name),
        h('span', { className: 'member-name' }, m.name),
        me && m.userId === me.userId ? h('span', { className: 'you' }, '(you)') : null,
        !extra && count > 1 ? h('span', { className: 'tab-count', attrs: { title: `${count} tabs` } }, `×${count}`) : null,
      );
      li.dataset.sessionId = m.sessionId;
      li.dataset.userId = m.userId;
      return li;
    });
    this.#members.replaceChildren(...items);
    const people = tabs.size;
    this.#memberCount.textContent = room.joined ? `${people} online` : '';
  }

  #renderTyping() {
    const id = this.#chat.current;
    this.#typing.textContent = id ? typingSentence(this.#chat.typingNames(id)) : '';
  }
}

/** Whether the person can be reading the page now: it is shown and its window has the focus. */
function reading() {
  return document.visibilityState === 'visible' && document.hasFocus();
}

/**
 * @param {string[]} names
 * @returns {string} e.g. "Ada is typing…", "Ada and Grace are typing…"
 */
export function typingSentence(names) {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return 'Several people are typing…';
}
