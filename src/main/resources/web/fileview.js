import { byId, h } from './dom.js';
import { PICTURE_TYPES } from './preview.js';

/** @typedef {import('./files.js').Files} Files */
/** @typedef {import('./files.js').Transfer} Transfer */
/** @typedef {import('./files.js').Share} Share */
/** @typedef {import('./protocol.js').FileInfo} FileInfo */

/**
 * The card a file message shows (`.file-card[data-file-id]`): name, size, and what this tab is doing
 * with the file: hashing, sending to each person and uploading (as its sender), receiving with a
 * progress bar and speed, then Save (checked against its SHA-256); or Download from the room.
 * A picture sent with a preview shows it (`.file-preview`), which opens the picture full size in a
 * viewer; other files say what kind they are (`.file-kind`).
 * Cards are kept per file, so the message list can re-render without losing them.
 */
export class FileView {
  #files;
  /** @type {Map<string, {el: HTMLElement, roomId: string, info: FileInfo}>} */
  #cards = new Map();
  #viewer = new Viewer();

  /** @param {Files} files */
  constructor(files) {
    this.#files = files;
    files.on('changed', (/** @type {string} */ fileId) => this.#update(fileId));
  }

  /**
   * @param {string} roomId
   * @param {FileInfo} info
   * @returns {HTMLElement}
   */
  card(roomId, info) {
    let card = this.#cards.get(info.id);
    if (!card) {
      // The buttons are made once and shown or hidden: an update (ten a second during a transfer) must
      // not replace a button between the press and the release of a click.
      const button = (/** @type {string} */ action, /** @type {() => void} */ fn) => {
        const b = h('button', { className: 'secondary small', attrs: { type: 'button', 'data-action': action } });
        b.addEventListener('click', fn);
        return b;
      };
      const status = h('div', { className: 'file-status' });
      const el = h(
        'div',
        { className: 'file-card' },
        this.#thumbnail(roomId, info),
        h('div', { className: 'file-head' }, h('span', { className: 'file-name' }, info.name), ' ',
          h('span', { className: 'file-kind' }, kindOf(info)), ' ',
          h('span', { className: 'file-size' }, formatBytes(info.size))),
        h('progress', { className: 'file-progress', attrs: { max: '1', value: '0' } }),
        status,
        h(
          'div',
          { className: 'file-actions' },
          button('cancel', () => this.#files.cancel(info.id)),
          button('save', () => this.#files.save(info.id)),
          button('download', () => this.#files.download(roomId, info.id).catch((e) => {
            status.textContent = `Could not download: ${e.message || e.code}.`;
          })),
        ),
      );
      el.dataset.fileId = info.id;
      el.title = `SHA-256 ${info.sha256}`;
      card = { el, roomId, info };
      this.#cards.set(info.id, card);
    }
    card.info = info;
    this.#update(info.id);
    return card.el;
  }

  /**
   * The preview its sender made, as a button that opens the picture full size; nothing for a file without.
   * @param {string} roomId
   * @param {FileInfo} info
   * @returns {HTMLElement|null}
   */
  #thumbnail(roomId, info) {
    const preview = info.preview;
    if (!preview) return null;
    const img = h('img', { attrs: { src: preview.image, alt: `Preview of ${info.name}` } });
    // Laid out at its final size before it decodes: the message list does not jump.
    const scale = Math.min(1, 320 / preview.width, 240 / preview.height);
    img.width = Math.max(1, Math.round(preview.width * scale));
    img.height = Math.max(1, Math.round(preview.height * scale));
    if (!PICTURE_TYPES.has(info.type)) return h('div', { className: 'file-preview' }, img);
    const button = h('button', { className: 'file-preview', attrs: { type: 'button', title: `Open ${info.name}` } }, img);
    button.addEventListener('click', () => this.#viewer.show(info.name, preview, () => this.#files.picture(roomId, info.id)));
    return button;
  }

  /** @param {string} fileId */
  #update(fileId) {
    const card = this.#cards.get(fileId);
    if (!card) return;
    const { el, info } = card;
    const files = this.#files;
    const share = files.shares.get(fileId);
    const transfers = files.transfersOf(fileId);
    const incoming = transfers.find((t) => t.role === 'receive');
    const outgoing = transfers.filter((t) => t.role === 'send');
    const progress = /** @type {HTMLProgressElement} */ (el.querySelector('.file-progress'));
    const status = /** @type {HTMLElement} */ (el.querySelector('.file-status'));
    /** @type {Record<string, string>} the buttons to show, with their labels */
    const show = {};
    /** @type {string[]} */
    const lines = [];
    let fraction = null;

    if (share) {
      el.dataset.state = 'sharing';
      const up = share.upload;
      if (up.state === 'active') {
        fraction = up.bytes / Math.max(1, info.size);
        lines.push(`Uploading to the room ${percent(fraction)}${speed(up.speed)}`);
      } else if (up.state === 'done' || info.stored) {
        lines.push('Kept in the room.');
      } else if (up.state === 'failed') {
        lines.push(`Not kept in the room: ${up.why}.`);
      } else {
        lines.push('Upload stopped.');
      }
      for (const t of outgoing) lines.push(`${t.peer.name}: ${transferLine(t)}`);
      const busy = up.state === 'active' || outgoing.some((t) => live(t));
      if (busy) show.cancel = 'Stop sending';
    } else if (incoming) {
      el.dataset.state = incoming.state;
      if (live(incoming)) {
        fraction = incoming.bytes / Math.max(1, info.size);
        lines.push(`From ${incoming.peer.name}: ${transferLine(incoming)}`);
        show.cancel = 'Cancel';
      } else if (incoming.state === 'done') {
        lines.push('Received; its SHA-256 matches.');
        show.save = 'Save';
      } else {
        lines.push(`${incoming.state === 'cancelled' ? 'Stopped' : 'Failed'}: ${incoming.why}.`);
      }
    } else {
      el.dataset.state = info.stored ? 'stored' : 'waiting';
      if (!info.stored) lines.push('Not on the server yet.');
    }
    if (info.stored && !incoming?.result) show.download = 'Download';

    progress.hidden = fraction === null;
    if (fraction !== null) progress.value = Math.min(1, fraction);
    status.textContent = lines.join('\n');
    for (const b of /** @type {NodeListOf<HTMLButtonElement>} */ (el.querySelectorAll('.file-actions button'))) {
      const label = show[b.dataset.action ?? ''];
      b.hidden = !label;
      if (label && b.textContent !== label) b.textContent = label;
    }
  }
}

/**
 * The viewer of a picture at full size (`#viewer-screen`): the preview at once, scaled up, then the
 * picture itself once its bytes are here. Escape, Close or a click beside the picture closes it.
 */
class Viewer {
  #screen = byId('viewer-screen');
  #img = /** @type {HTMLImageElement} */ (byId('viewer-image'));
  #caption = byId('viewer-name');
  #note = byId('viewer-note');
  /** @type {string|null} the object URL shown, revoked when the viewer closes */
  #url = null;
  #opened = 0;
  /** @type {Element|null} */
  #before = null;

  constructor() {
    byId('viewer-close').addEventListener('click', () => this.close());
    this.#screen.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.close();
    });
    this.#screen.addEventListener('click', (ev) => {
      if (ev.target === this.#screen) this.close();
    });
  }

  /**
   * @param {string} name
   * @param {{image: string, width: number, height: number}} preview
   * @param {() => Promise<Blob>} fetchPicture
   */
  async show(name, preview, fetchPicture) {
    const opened = ++this.#opened;
    this.#before = document.activeElement;
    this.#release();
    this.#img.src = preview.image;
    this.#img.alt = name;
    this.#img.width = preview.width;
    this.#img.height = preview.height;
    this.#caption.textContent = name;
    this.#note.textContent = 'Loading the full picture…';
    this.#screen.hidden = false;
    byId('app').inert = true;
    byId('viewer-close').focus();
    try {
      const blob = await fetchPicture();
      if (opened !== this.#opened || this.#screen.hidden) return;
      this.#url = URL.createObjectURL(blob);
      this.#img.src = this.#url;
      this.#note.textContent = '';
    } catch (e) {
      if (opened === this.#opened) this.#note.textContent = `Only the preview: ${/** @type {Error} */ (e).message}.`;
    }
  }

  close() {
    if (this.#screen.hidden) return;
    this.#opened++;
    this.#screen.hidden = true;
    byId('app').inert = false;
    this.#release();
    this.#img.removeAttribute('src');
    if (this.#before instanceof HTMLElement && this.#before.isConnected) this.#before.focus();
  }

  #release() {
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = null;
  }
}

/**
 * What kind of file it is, in a word, from its type or else its name's extension.
 * @param {FileInfo} info
 * @returns {string}
 */
function kindOf(info) {
  const [major, minor = ''] = info.type.split('/');
  const named = KINDS[info.type] ?? KINDS[major];
  if (named) return named;
  if (/zip|tar|compressed|7z|rar|gzip|bzip/.test(minor)) return 'Archive';
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(info.name)?.[1];
  return ext ? ext.toUpperCase() : 'File';
}

/** @type {Record<string, string>} */
const KINDS = {
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  text: 'Text',
  font: 'Font',
  'application/pdf': 'PDF',
  'application/json': 'JSON',
  'application/msword': 'Word document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word document',
  'application/vnd.ms-excel': 'Spreadsheet',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Spreadsheet',
  'application/vnd.oasis.opendocument.text': 'Document',
  'application/vnd.oasis.opendocument.spreadsheet': 'Spreadsheet',
  'application/vnd.ms-powerpoint': 'Presentation',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'Presentation',
};

/** @param {Transfer} t */
function live(t) {
  return t.state === 'connecting' || t.state === 'active' || t.state === 'interrupted';
}

/**
 * @param {Transfer} t
 * @returns {string}
 */
function transferLine(t) {
  const done = percent(t.bytes / Math.max(1, t.size));
  switch (t.state) {
    case 'connecting':
      return t.bytes > 0 ? `reconnecting at ${done}` : 'connecting…';
    case 'active':
      return `${done}${speed(t.speed)}`;
    case 'interrupted':
      return `cut at ${done} (${t.why}); resuming…`;
    case 'done':
      return 'received, SHA-256 checked';
    case 'cancelled':
      return `stopped (${t.why})`;
    default:
      return `failed (${t.why})`;
  }
}

/** @param {number} f */
function percent(f) {
  return `${Math.floor(Math.min(1, f) * 100)}%`;
}

/** @param {number} bytesPerSecond */
function speed(bytesPerSecond) {
  return bytesPerSecond > 0 ? ` · ${formatBytes(bytesPerSecond)}/s` : '';
}

/**
 * @param {number} n bytes
 * @returns {string} e.g. "512 B", "3.2 MB", "1.4 GB" (decimal units, as file managers show)
 */
function formatBytes(n) {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
