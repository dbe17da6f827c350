import { mentionsOf } from './mentions.js';
import { roomHash } from './sidebar.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('./protocol.js').ChatMessage} ChatMessage */

/**
 * Desktop notifications and a short sound for new messages, as each room's level says (`all`, `mentions`,
 * `none`; the server keeps it per account). Nothing for one's own messages, for what the person has read,
 * or for the room in view while the window has the focus. Permission is asked only when the person
 * clicks the bell (`#notify-button`), never on load. Clicking a notification focuses the tab and opens
 * its room; a room's newer notification replaces its older one (`tag`).
 */
export class Notifier {
  #chat;
  #button;
  /** @type {AudioContext|null} made on first use: browsers allow sound only after a gesture */
  #audio = null;

  /**
   * @param {Chat} chat
   * @param {HTMLButtonElement} button the bell
   */
  constructor(chat, button) {
    this.#chat = chat;
    this.#button = button;
    chat.on('arrived', (/** @type {{roomId: string, message: ChatMessage}} */ a) => this.#arrived(a.roomId, a.message));
    button.addEventListener('click', async () => {
      if (typeof Notification === 'undefined') return;
      await Notification.requestPermission();
      this.#showButton();
      this.#chime();
    });
    this.#showButton();
  }

  #showButton() {
    const supported = typeof Notification !== 'undefined';
    this.#button.hidden = !supported || Notification.permission !== 'default';
  }

  /**
   * @param {string} roomId
   * @param {ChatMessage} msg a message that has just come, live or in a catch-up
   */
  #arrived(roomId, msg) {
    const chat = this.#chat;
    const room = chat.room(roomId);
    const me = chat.me.userId;
    if (!room || !me || msg.from?.userId === me || msg.deleted || msg.seq <= room.read) return;
    const level = chat.notifyLevel(roomId);
    const mentioned = mentionsOf(msg, me);
    if (level === 'none' || (level === 'mentions' && !mentioned)) return;
    if (roomId === chat.current && document.visibilityState === 'visible' && document.hasFocus()) return;
    this.#chime();
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const where = room.kind === 'direct' ? msg.from.name : `${msg.from.name} in #${room.info.name}`;
    const body = msg.file ? `${msg.text ? `${msg.text} ` : ''}(${msg.file.name})` : msg.text;
    const note = new Notification(mentioned ? `${where} mentioned you` : where, { body: body.slice(0, 200), tag: roomId });
    note.addEventListener('click', () => {
      window.focus();
      location.hash = roomHash(roomId);
      note.close();
    });
  }

  /** Two short soft tones, made with WebAudio: no file to load, nothing when sound is not allowed yet. */
  #chime() {
    try {
      this.#audio ??= new AudioContext();
      const ctx = this.#audio;
      if (ctx.state === 'suspended') ctx.resume().catch(() => {});
      const start = ctx.currentTime;
      for (const [i, freq] of [880, 1320].entries()) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = freq;
        const at = start + i * 0.12;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.15, at + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
        osc.connect(gain).connect(ctx.destination);
        osc.start(at);
        osc.stop(at + 0.2);
      }
    } catch {
      // No sound here: the notification, if any, still shows.
    }
  }
}
