// Small DOM helpers. Text only ever enters the page as text nodes: nothing here parses HTML.

/**
 * Creates an element. Strings among the children become text nodes, never markup.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{className?: string, attrs?: Record<string, string>}} [options]
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, { className, attrs } = {}, ...children) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, v);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/**
 * Makes `parent`'s children exactly `wanted`, in order, moving only what is out of place:
 * unchanged elements keep their identity, focus and selection.
 * @param {Element} parent
 * @param {Element[]} wanted
 */
export function reconcile(parent, wanted) {
  let cursor = parent.firstElementChild;
  for (const el of wanted) {
    if (el === cursor) cursor = cursor.nextElementSibling;
    else parent.insertBefore(el, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}

/**
 * @param {string} id
 * @returns {HTMLElement} the element, which index.html guarantees exists
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el;
}
