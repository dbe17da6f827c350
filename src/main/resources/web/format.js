import { h } from './dom.js';

// Stops at whitespace and at characters that commonly wrap a link in prose.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/giu;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/u;
const AVATAR_COLOURS = 8;

/**
 * Renders message text: plain text, with http(s) URLs turned into links. Nothing is
 * interpreted as HTML; a link's href is only ever an http: or https: URL.
 * @param {string} text
 * @returns {DocumentFragment}
 */
export function renderText(text) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    let raw = match[0];
    // "see https://x.org/a)." should not swallow the ")." unless the URL opened a "(".
    const trail = raw.match(TRAILING_PUNCTUATION)?.[0] ?? '';
    if (trail && !(trail.startsWith(')') && raw.includes('('))) raw = raw.slice(0, raw.length - trail.length);
    const href = safeHref(raw);
    if (!href) continue;
    if (start > last) out.append(text.slice(last, start));
    const a = h('a', { attrs: { href, rel: 'noopener noreferrer', target: '_blank' } });
    a.textContent = raw;
    out.append(a);
    last = start + raw.length;
  }
  if (last < text.length) out.append(text.slice(last));
  return out;
}

/**
 * @param {string} raw
 * @returns {string|null} the normalised URL if it is http: or https:, else null
 */
function safeHref(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * @param {number} ts milliseconds since the epoch
 * @returns {{short: string, full: string, iso: string}} short is the time today, date and time otherwise
 */
export function formatTime(ts) {
  const d = new Date(ts);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const today = new Date().toDateString() === d.toDateString();
  const short = today ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
  return { short, full: d.toLocaleString(), iso: d.toISOString() };
}

/**
 * @param {string} name
 * @returns {string} one or two letters for an avatar
 */
export function initials(name) {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => [...w][0] ?? '').join('').toUpperCase() || '?';
}

/**
 * A coloured circle with initials. The colour comes from the userId so a person keeps it
 * across renames; it is a class (not a style attribute) to stay within the CSP.
 * @param {string} userId
 * @param {string} name
 * @returns {HTMLElement}
 */
export function avatar(userId, name) {
  let hash = 0;
  for (const ch of userId) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return h('span', { className: `avatar avatar-c${hash % AVATAR_COLOURS}`, attrs: { 'aria-hidden': 'true' } }, initials(name));
}
