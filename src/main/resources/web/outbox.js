/**
 * @typedef {object} OutgoingMessage
 * @property {string} clientId chosen once; every retry reuses it so the server stores it once
 * @property {string} room
 * @property {string} text
 * @property {number} createdAt
 * @property {'pending'|'failed'} status
 * @property {string} [error] why it failed, for the person
 * @property {boolean} inFlight a send is on the wire and has not been answered
 * @property {import('./protocol.js').ReplyQuote} [reply] the message it answers, as it read when written
 */

/**
 * Messages the person wrote that the server has not acknowledged yet, in the order
 * written. An entry leaves only when its ack (or its own `message`) arrives.
 */
export class Outbox {
  /** @type {Map<string, OutgoingMessage>} insertion order is writing order */
  #entries = new Map();

  /**
   * @param {string} room
   * @param {string} text
   * @param {import('./protocol.js').ReplyQuote} [reply] the message it answers
   * @returns {OutgoingMessage}
   */
  add(room, text, reply) {
    /** @type {OutgoingMessage} */
    const entry = { clientId: newClientId(), room, text, createdAt: Date.now(), status: 'pending', inFlight: false, ...(reply ? { reply } : {}) };
    this.#entries.set(entry.clientId, entry);
    return entry;
  }

  /** @param {string} clientId */
  get(clientId) {
    return this.#entries.get(clientId);
  }

  /** @param {string} clientId */
  remove(clientId) {
    this.#entries.delete(clientId);
  }

  /** @param {string} clientId @param {string} [error] */
  markFailed(clientId, error) {
    const entry = this.#entries.get(clientId);
    if (entry) Object.assign(entry, { status: 'failed', error });
  }

  /** @param {string} clientId */
  markPending(clientId) {
    const entry = this.#entries.get(clientId);
    if (entry) Object.assign(entry, { status: 'pending', error: undefined });
  }

  /** @param {string} room @returns {OutgoingMessage[]} pending and failed, in writing order */
  in(room) {
    return [...this.#entries.values()].filter((e) => e.room === room);
  }

  /** @param {string} room @returns {OutgoingMessage[]} those to (re)send, in writing order */
  pendingIn(room) {
    return this.in(room).filter((e) => e.status === 'pending');
  }
}

/**
 * crypto.randomUUID exists only in secure contexts (https, localhost); Parley is often
 * opened as plain http://host:8080, where getRandomValues still works.
 * @returns {string} a random (version 4) UUID
 */
export function newClientId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
