import { byId, h, reconcile } from './dom.js';
import { testConnection } from './quality.js';

/** @typedef {import('./call.js').Call} Call */
/** @typedef {import('./quality.js').CallQuality} CallQuality */
/** @typedef {import('./stats.js').Sample} Sample */
/** @typedef {import('./stats.js').Flow} Flow */

/** uPlot, served from the jar (the WebJar org.webjars.npm:uplot), loaded the first time the panel opens. */
const UPLOT = '/vendor/uplot/uPlot.esm.js';

/**
 * @typedef {{el: HTMLElement, title: HTMLElement, figures: HTMLElement, level: HTMLElement,
 *            charts: HTMLElement, plots: any[]}} Card
 */

/**
 * The call's quality on screen: the diagnosis line, the "Test my connection" button and its results,
 * and the panel (a card per participant and one for ourselves: figures, an audio meter, charts of the
 * last minutes). With the panel closed nothing is drawn; the tile marks are CallView's.
 */
export class QualityView {
  #call;
  #quality;
  #panel = byId('call-quality');
  #toggle = /** @type {HTMLButtonElement} */ (byId('call-quality-toggle'));
  #cards = byId('call-quality-cards');
  #diagnosis = byId('call-diagnosis');
  #testButton = /** @type {HTMLButtonElement} */ (byId('call-test'));
  #testResult = byId('call-test-result');
  /** @type {Map<string, Card>} by sessionId, "self" for ourselves */
  #cardOf = new Map();
  /** @type {Promise<any>|null} */
  #uplot = null;

  /**
   * @param {Call} call
   * @param {CallQuality} quality
   */
  constructor(call, quality) {
    this.#call = call;
    this.#quality = quality;
    this.#toggle.addEventListener('click', () => this.#setOpen(!quality.open));
    this.#testButton.addEventListener('click', () => this.#test());
    quality.on('sample', () => quality.open && this.#render());
    quality.on('diagnosis', (/** @type {import('./quality.js').Diagnosis|null} */ d) => {
      this.#diagnosis.textContent = d ? d.text : '';
      this.#diagnosis.hidden = !d;
    });
    call.on('state', () => {
      if (!call.inCall) {
        this.#setOpen(false);
        this.#testResult.replaceChildren();
      }
    });
  }

  /** @param {boolean} open */
  #setOpen(open) {
    this.#quality.open = open;
    this.#panel.hidden = !open;
    this.#toggle.setAttribute('aria-pressed', String(open));
    if (open) {
      this.#uplot ??= import(UPLOT).then((m) => m.default);
      this.#render();
    } else {
      for (const card of this.#cardOf.values()) card.plots.forEach((p) => p.destroy());
      this.#cardOf.clear();
      this.#cards.replaceChildren();
    }
  }

  #render() {
    const call = this.#call;
    const q = this.#quality;
    /** @type {HTMLElement[]} */
    const wanted = [];
    const selfLast = q.selfHistory[q.selfHistory.length - 1];
    if (call.self) {
      const card = this.#card('self', `${call.self.name} (you): what you send`);
      card.figures.replaceChildren(...sendFigures(selfLast?.out));
      card.level.replaceChildren(meter(selfLast?.out.audio.level ?? null));
      this.#plot(card, q.selfHistory.map((x) => [x.at, x.out.audio.bitrate, x.out.video.bitrate]), null);
      wanted.push(card.el);
    }
    const others = [...call.peers.values()].sort((a, b) => a.info.order - b.info.order);
    for (const peer of others) {
      const id = peer.info.sessionId;
      const last = q.last(id);
      const g = q.grade(id);
      const card = this.#card(id, peer.info.name);
      card.title.textContent = `${peer.info.name}: ${g.level}${g.reason ? `, ${g.reason}` : ''}`;
      card.el.dataset.level = g.level;
      // The raw figures, for tests and for anyone reading the page's DOM.
      card.el.dataset.receiveKbps = String(Math.round(((last?.in.audio.bitrate ?? 0) + (last?.in.video.bitrate ?? 0)) / 1000));
      card.el.dataset.fps = String(Math.round(last?.in.video.fps ?? 0));
      card.el.dataset.rttMs = last?.rtt == null ? '' : String(Math.round(last.rtt * 1000));
      card.el.dataset.path = last?.path.local ?? '';
      card.figures.replaceChildren(...receiveFigures(last));
      card.level.replaceChildren(meter(last?.in.audio.level ?? null));
      const history = q.history(id);
      this.#plot(
        card,
        history.map((s) => [s.at, s.in.audio.bitrate, s.in.video.bitrate]),
        history.map((s) => [s.at, s.rtt === null ? null : s.rtt * 1000, Math.max(s.in.audio.lossPct ?? 0, s.in.video.lossPct ?? 0)]),
      );
      wanted.push(card.el);
    }
    const keep = new Set([...others.map((p) => p.info.sessionId), 'self']);
    for (const [id, card] of this.#cardOf) {
      if (keep.has(id)) continue;
      card.plots.forEach((p) => p.destroy());
      this.#cardOf.delete(id);
    }
    reconcile(this.#cards, wanted);
  }

  /**
   * @param {string} id
   * @param {string} title
   * @returns {Card}
   */
  #card(id, title) {
    let card = this.#cardOf.get(id);
    if (card) return card;
    const titleEl = h('h3', { className: 'quality-title' }, title);
    const figures = h('dl', { className: 'quality-figures' });
    const level = h('div', { className: 'quality-level' });
    const charts = h('div', { className: 'quality-charts' });
    const el = h('section', { className: 'quality-card' }, titleEl, level, figures, charts);
    el.dataset.sessionId = id;
    card = { el, title: titleEl, figures, level, charts, plots: [] };
    this.#cardOf.set(id, card);
    return card;
  }

  /**
   * Draws (or updates) the card's charts: bitrates, and for another participant round trip and loss.
   * @param {Card} card
   * @param {(number|null)[][]} bitrates rows of [ms, audio bps, video bps]
   * @param {(number|null)[][]|null} network rows of [ms, rtt ms, loss %]
   */
  async #plot(card, bitrates, network) {
    const uPlot = await this.#uplot;
    if (!uPlot || !this.#quality.open) return;
    const series = [bitrates, network].filter((x) => x !== null);
    const width = Math.max(200, Math.min(360, card.charts.clientWidth || 320));
    series.forEach((rows, i) => {
      const data = [0, 1, 2].map((col) => rows.map((r) => (col === 0 ? /** @type {number} */ (r[0]) / 1000 : r[col])));
      if (card.plots[i]) {
        card.plots[i].setData(data);
        return;
      }
      const labels = i === 0 ? ['audio kbit/s', 'video kbit/s'] : ['round trip ms', 'loss %'];
      const scale = i === 0 ? 1 / 1000 : 1;
      card.plots[i] = new uPlot(
        {
          width,
          height: 110,
          legend: { live: false }, // labels only: the figures above give the values
          cursor: { show: false },
          series: [
            {},
            { label: labels[0], stroke: '#2f6fde', value: (/** @type {any} */ _u, /** @type {number|null} */ v) => fmt(v, scale) },
            { label: labels[1], stroke: i === 0 ? '#19a463' : '#d64545', value: (/** @type {any} */ _u, /** @type {number|null} */ v) => fmt(v, scale) },
          ],
          axes: [{ show: false }, { size: 40, values: (/** @type {any} */ _u, /** @type {number[]} */ ticks) => ticks.map((t) => fmt(t, scale)) }],
        },
        data,
        card.charts,
      );
    });
  }

  /** "Test my connection": each configured STUN and TURN server, what it gave. */
  async #test() {
    this.#testButton.disabled = true;
    this.#testResult.replaceChildren(h('li', {}, 'Testing…'));
    try {
      const results = await testConnection(this.#call.iceServers);
      this.#testResult.replaceChildren(
        ...results.map((r) => {
          const li = h('li', { className: r.ok ? 'ok' : 'bad' }, `${r.url}: ${r.ok ? 'works' : r.error}${r.found.length ? ` (found ${r.found.join(', ')})` : ''}`);
          li.dataset.ok = String(r.ok);
          return li;
        }),
      );
    } finally {
      this.#testButton.disabled = false;
    }
  }
}

/** @param {number|null} v @param {number} scale @returns {string} */
function fmt(v, scale) {
  return v === null || v === undefined ? '–' : String(Math.round(v * scale));
}

/**
 * @param {string} term
 * @param {string} value
 * @returns {HTMLElement[]}
 */
function figure(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}

/** @param {number|null} bps @returns {string} */
function kbit(bps) {
  return bps === null ? '–' : `${Math.round(bps / 1000)} kbit/s`;
}

/** @param {Flow} f @returns {string} */
function video(f) {
  const size = f.width && f.height ? `${f.width}×${f.height}` : '';
  const fps = f.fps === null ? '' : `${Math.round(f.fps)} fps`;
  return [size, fps, f.codec ?? ''].filter(Boolean).join(', ') || '–';
}

/** @param {Sample['out']|undefined} out @returns {HTMLElement[]} */
function sendFigures(out) {
  if (!out) return figure('Sending', '–');
  return [
    ...figure('Audio', `${kbit(out.audio.bitrate)}${out.audio.codec ? `, ${out.audio.codec}` : ''}`),
    ...figure('Video or screen', `${kbit(out.video.bitrate)}, ${video(out.video)}`),
    ...figure('Limited by', out.video.limitation ?? 'nothing'),
  ];
}

/** @param {Sample|undefined} s @returns {HTMLElement[]} */
function receiveFigures(s) {
  if (!s) return figure('Connection', 'connecting');
  const loss = Math.max(s.in.audio.lossPct ?? 0, s.in.video.lossPct ?? 0);
  const p = s.path;
  const via = p.local
    ? `${p.local === 'relay' || p.remote === 'relay' ? 'relay' : p.local}, ${(p.relayProtocol ?? p.protocol ?? '').toUpperCase()}${p.server ? ` via ${p.server}` : ''}`
    : '–';
  return [
    ...figure('Audio', `${kbit(s.in.audio.bitrate)}${s.in.audio.codec ? `, ${s.in.audio.codec}` : ''}`),
    ...figure('Video', `${kbit(s.in.video.bitrate)}, ${video(s.in.video)}`),
    ...figure('Sending them', `${kbit((s.out.audio.bitrate ?? 0) + (s.out.video.bitrate ?? 0))}`),
    ...figure('Round trip', s.rtt === null ? '–' : `${Math.round(s.rtt * 1000)} ms`),
    ...figure('Lost', `${loss.toFixed(1)} %${s.in.video.lost !== null ? ` (${Math.max(0, (s.in.audio.lost ?? 0) + s.in.video.lost)} packets)` : ''}`),
    ...figure('Jitter', s.in.audio.jitter === null ? '–' : `${Math.round(s.in.audio.jitter * 1000)} ms`),
    ...figure('Path', via),
  ];
}

/** @param {number|null} level 0 to 1 @returns {HTMLElement} */
function meter(level) {
  const m = /** @type {HTMLMeterElement} */ (h('meter', { attrs: { min: '0', max: '1', 'aria-label': 'Audio level' } }));
  m.value = level ?? 0;
  return h('label', { className: 'quality-meter' }, 'Audio level ', m);
}
