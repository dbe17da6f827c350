import { h } from './dom.js';

/** @typedef {import('./files.js').Files} Files */
/** @typedef {import('./files.js').Transfer} Transfer */
/** @typedef {import('./files.js').Share} Share */
/** @typedef {import('./protocol.js').FileInfo} FileInfo */

/**
 * The card a file message shows (`.file-card[data-file-id]`): name, size, and what this tab is doing
 * with the file: hashing, sending to each person and uploading (as its sender), receiving with a
 * progress bar and speed, then Save (checked against its SHA-256); or Download from the room.
 * Cards are kept per file, so the message list can re-render without losing them.
 */
export class FileView {
  #files;
  /** @type {Map<string, {el: HTMLElement, roomId: string, info: FileInfo}>} */
  #cards = new Map();

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
        h('div', { className: 'file-head' }, h('span', { className: 'file-name' }, info.name), ' ',
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
