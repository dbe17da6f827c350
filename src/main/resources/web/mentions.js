import { h } from './dom.js';

/** @typedef {import('./protocol.js').ChatMessage} ChatMessage */

/**
 * Whether a message mentions `userId`, as the server decided (docs/protocol.md, "Mentions"): by name,
 * or with @room. The text is never read again here, so every client agrees with the counts.
 * @param {ChatMessage} msg
 * @param {string} userId
 */
export function mentionsOf(msg, userId) {
  return !!userId && !msg.deleted && (msg.mentionsRoom === true || (msg.mentions ?? []).some((m) => m.userId === userId));
}

/**
 * Wraps, in rendered message text, each `@name` the server counted as a mention in `span.mention`
 * (`.mention.me` when it names `userId`, or is @room). Only text nodes outside links are touched;
 * nothing is parsed as HTML.
 * @param {DocumentFragment} fragment what format.renderText made of the text
 * @param {ChatMessage} msg
 * @param {string} userId
 * @returns {DocumentFragment}
 */
export function highlightMentions(fragment, msg, userId) {
  /** @type {Map<string, boolean>} lower-cased name → whether it is us */
  const names = new Map((msg.mentions ?? []).map((m) => [m.username.toLowerCase(), m.userId === userId]));
  if (msg.mentionsRoom) names.set('room', true);
  if (names.size === 0) return fragment;
  const pattern = /(^|[^\p{L}\p{N}_.@-])@([A-Za-z0-9][A-Za-z0-9._-]{1,31})/gu;
  for (const node of [...fragment.childNodes]) {
    if (node.nodeType !== Node.TEXT_NODE) continue;
    const text = node.textContent ?? '';
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      let name = match[2];
      // "thanks @ada." names ada, as the server reads it.
      if (!names.has(name.toLowerCase())) name = name.replace(/[._-]+$/u, '');
      const mine = names.get(name.toLowerCase());
      if (mine === undefined) continue;
      const start = (match.index ?? 0) + match[1].length;
      parts.push(text.slice(last, start), h('span', { className: mine ? 'mention me' : 'mention' }, `@${name}`));
      last = start + name.length + 1;
    }
    if (parts.length === 0) continue;
    parts.push(text.slice(last));
    node.replaceWith(...parts.filter((p) => p !== ''));
  }
  return fragment;
}
