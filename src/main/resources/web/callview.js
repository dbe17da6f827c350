import { byId, h, reconcile } from './dom.js';
import { avatar } from './format.js';
import { prefs } from './prefs.js';

/** @typedef {import('./chat.js').Chat} Chat */
/** @typedef {import('./call.js').Call} Call */
/** @typedef {import('./quality.js').CallQuality} CallQuality */
/** @typedef {import('./protocol.js').Participant} Participant */

/**
 * The call on screen: the "call in progress" banner and join button of the open room, and
 * the call panel (a tile per participant, the controls). It reads the Call and the Chat and
 * calls them; the media and protocol work stays there.
 */
export class CallView {
  #chat;
  #call;
  #join = /** @type {HTMLButtonElement} */ (byId('call-join'));
  #banner = byId('call-banner');
  #panel = byId('call');
  #where = byId('call-room');
  #notice = byId('call-notice');
  #tiles = byId('call-tiles');
  #mute = /** @type {HTMLButtonElement} */ (byId('call-mute'));
  #camera = /** @type {HTMLButtonElement} */ (byId('call-camera'));
  #screen = /** @type {HTMLButtonElement} */ (byId('call-screen'));
  #micSelect = /** @type {HTMLSelectElement} */ (byId('call-mic-select'));
  #camSelect = /** @type {HTMLSelectElement} */ (byId('call-cam-select'));
  #quality;
  /** @type {Map<string, {el: HTMLElement, video: HTMLVideoElement, name: HTMLElement, quality: HTMLElement}>} by sessionId */
  #tileOf = new Map();

  /**
   * @param {Chat} chat
   * @param {Call} call
   * @param {CallQuality} quality whose grades the tiles' quality marks show
   */
  constructor(chat, call, quality) {
    this.#chat = chat;
    this.#call = call;
    this.#quality = quality;
    quality.on('sample', () => this.#renderMarks());
    chat.on('current', () => this.#renderBanner());
    chat.on('call', (id) => id === chat.current && this.#renderBanner());
    chat.on('members', (id) => id === chat.current && this.#renderBanner());
    chat.on('info', (id) => id === call.room && this.#renderPanel());
    call.on('state', () => {
      this.#renderBanner();
      this.#renderPanel();
      if (call.inCall) this.#fillDevices();
    });
    call.on('tiles', () => this.#renderTiles());
    call.on('local', () => this.#renderPanel());
    call.on('notice', (/** @type {string} */ text) => {
      this.#notice.textContent = text;
      this.#notice.hidden = !text;
    });

    this.#join.addEventListener('click', () => chat.current && call.join(chat.current));
    byId('call-leave').addEventListener('click', () => call.leave());
    this.#mute.addEventListener('click', () => call.toggleMute());
    this.#camera.addEventListener('click', () => call.toggleCamera());
    this.#screen.addEventListener('click', () => call.toggleScreen());
    this.#micSelect.addEventListener('change', () => call.useDevice('mic', this.#micSelect.value));
    this.#camSelect.addEventListener('change', () => call.useDevice('camera', this.#camSelect.value));
    navigator.mediaDevices?.addEventListener('devicechange', () => call.inCall && this.#fillDevices());
    this.#renderBanner();
    this.#renderPanel();
  }

  /** The open room's call: who is in it, and the button to start or join it. */
  #renderBanner() {
    const id = this.#chat.current;
    const room = id ? this.#chat.room(id) : undefined;
    const here = this.#call.room !== null && this.#call.room === id;
    const people = room?.call ?? [];
    this.#join.hidden = !room || here;
    this.#join.disabled = !room?.joined;
    this.#join.textContent = people.length ? 'Join call' : 'Start call';
    this.#banner.hidden = here || people.length === 0;
    this.#banner.textContent = people.length ? `Call in progress: ${names(people)}` : '';
  }

  #renderPanel() {
    const call = this.#call;
    this.#panel.hidden = !call.inCall;
    if (!call.inCall) {
      this.#renderTiles();
      return;
    }
    const room = call.room ? this.#chat.room(call.room) : undefined;
    this.#where.textContent = room?.info.name ? `Call in #${room.info.name}` : 'Call';
    setToggle(this.#mute, call.muted, call.muted ? 'Unmute' : 'Mute', !call.have.mic);
    setToggle(this.#camera, !call.cameraOn, call.cameraOn ? 'Stop camera' : 'Start camera', false);
    setToggle(this.#screen, call.sharing, call.sharing ? 'Stop sharing' : 'Share screen', !navigator.mediaDevices?.getDisplayMedia);
    this.#renderTiles();
  }

  #renderTiles() {
    const call = this.#call;
    /** @type {{p: Participant, self: boolean, stream: MediaStream, audio: boolean, video: boolean, screen: boolean}[]} */
    const wanted = [];
    if (call.inCall && call.self) {
      wanted.push({
        p: call.self,
        self: true,
        stream: call.localStream,
        audio: call.have.mic && !call.muted,
        video: call.cameraOn || call.sharing,
        screen: call.sharing,
      });
      const others = [...call.peers.values()].sort((a, b) => a.info.order - b.info.order);
      for (const peer of others) {
        const { audio, video, screen } = peer.info;
        wanted.push({ p: peer.info, self: false, stream: peer.stream, audio, video, screen });
      }
    }
    const keep = new Set(wanted.map((w) => w.p.sessionId));
    for (const sessionId of this.#tileOf.keys()) {
      if (!keep.has(sessionId)) this.#tileOf.delete(sessionId);
    }
    const elements = wanted.map((w) => {
      const tile = this.#tile(w.p, w.self);
      if (tile.video.srcObject !== w.stream) tile.video.srcObject = w.stream;
      tile.el.classList.toggle('muted', !w.audio);
      tile.el.classList.toggle('camera-off', !w.video);
      tile.el.classList.toggle('screen', w.screen);
      tile.name.textContent = w.self ? `${w.p.name} (you)` : w.p.name;
      return tile.el;
    });
    reconcile(this.#tiles, elements);
    this.#tiles.dataset.count = String(elements.length);
    this.#renderMarks();
  }

  /** Each other participant's tile says how the connection to them goes: good, fair or poor, and why. */
  #renderMarks() {
    for (const [sessionId, tile] of this.#tileOf) {
      if (tile.el.classList.contains('self')) continue;
      const g = this.#quality.grade(sessionId);
      tile.quality.textContent = g.reason ? `${g.level}: ${g.reason}` : g.level;
      tile.quality.dataset.level = g.level;
      tile.quality.title = `Connection quality: ${tile.quality.textContent}`;
    }
  }

  /**
   * @param {Participant} p
   * @param {boolean} self
   */
  #tile(p, self) {
    let tile = this.#tileOf.get(p.sessionId);
    if (tile) return tile;
    const video = h('video', { attrs: { autoplay: '', playsinline: '' } });
    // Our own tile must not play our microphone back to us.
    video.muted = self;
    const name = h('span', { className: 'tile-name' });
    const quality = h('span', { className: 'tile-quality' });
    quality.hidden = self;
    const el = h(
      'div',
      { className: self ? 'tile self' : 'tile' },
      video,
      h('div', { className: 'tile-avatar' }, avatar(p.userId, p.name)),
      h(
        'div',
        { className: 'tile-label' },
        name,
        h('span', { className: 'mark mark-muted', attrs: { title: 'Microphone off' } }, 'muted'),
        h('span', { className: 'mark mark-camera', attrs: { title: 'Camera off' } }, 'camera off'),
        h('span', { className: 'mark mark-screen' }, 'screen'),
      ),
    );
    el.dataset.sessionId = p.sessionId;
    el.append(quality);
    tile = { el, video, name, quality };
    this.#tileOf.set(p.sessionId, tile);
    return tile;
  }

  async #fillDevices() {
    const devices = await this.#call.devices();
    fillSelect(this.#micSelect, devices.filter((d) => d.kind === 'audioinput'), 'Microphone', prefs.device('mic'));
    fillSelect(this.#camSelect, devices.filter((d) => d.kind === 'videoinput'), 'Camera', prefs.device('camera'));
  }
}

/**
 * @param {HTMLButtonElement} button
 * @param {boolean} pressed
 * @param {string} label
 * @param {boolean} disabled
 */
function setToggle(button, pressed, label, disabled) {
  button.textContent = label;
  button.setAttribute('aria-pressed', String(pressed));
  button.disabled = disabled;
}

/**
 * @param {HTMLSelectElement} select
 * @param {MediaDeviceInfo[]} devices
 * @param {string} what
 * @param {string|null} preferred the device chosen last time
 */
function fillSelect(select, devices, what, preferred) {
  const chosen = select.value || preferred;
  select.replaceChildren(
    ...devices.map((d, i) => h('option', { attrs: { value: d.deviceId } }, d.label || `${what} ${i + 1}`)),
  );
  if (devices.some((d) => d.deviceId === chosen)) select.value = chosen;
  select.hidden = devices.length < 2;
}

/** @param {Participant[]} people @returns {string} e.g. "Ada, Grace and Linus" */
function names(people) {
  const list = people.map((p) => p.name);
  if (list.length <= 1) return list.join('');
  return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}
