// Element building for the whole page. Everything that may carry event data goes through
// `textContent` (via the string children of `h`): this module has no way to parse HTML, so no
// caller can put server text into the DOM as markup by accident.

/**
 * Creates an element. `props`: `class`, `text`, `attrs` (set with setAttribute), `on` (event
 * listeners), `dataset`, and any other key assigned as a property (`type`, `value`, `checked`…).
 * Children: nodes, or strings/numbers appended as text nodes; null/false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "attrs") for (const [k, v] of Object.entries(value)) { if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? "" : String(v)); }
    else if (key === "on") for (const [k, v] of Object.entries(value)) el.addEventListener(k, v);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el[key] = value;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces every child of `el` with `children` (same rules as `h`). */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export const byId = (id) => document.getElementById(id);

/** `08:09:41.682` in the visitor's time zone. */
export function clock(ms) {
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `1.2 s`, `340 ms`, `2 min 5 s`. */
export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Cuts `text` to `max` characters with an ellipsis. */
export function cut(text, max) {
  const s = String(text ?? "");
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
