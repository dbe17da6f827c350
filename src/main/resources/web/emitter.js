/**
 * A minimal event emitter: listeners run synchronously in registration order, and one
 * that throws does not stop the others (a bug in the view must not break the protocol).
 */
export class Emitter {
  /** @type {Map<string, Set<(value: any) => void>>} */
  #listeners = new Map();

  /**
   * @param {string} type
   * @param {(value: any) => void} fn
   * @returns {() => void} a function that removes the listener
   */
  on(type, fn) {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /**
   * @param {string} type
   * @param {any} [value]
   */
  emit(type, value) {
    for (const fn of [...(this.#listeners.get(type) ?? [])]) {
      try {
        fn(value);
      } catch (e) {
        console.error(`listener for "${type}" failed`, e);
      }
    }
  }
}
