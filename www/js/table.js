// The live event table. Events arrive far faster than a person reads (a burst is thousands a
// second), so they are queued and drawn once per animation frame, newest on top, and only the
// newest `cap` rows are kept: the page's cost stays flat however fast the stream.

import { clock, h } from "./dom.js";

export class EventTable {
  /**
   * @param {object} o
   * @param {HTMLTableSectionElement} o.body  the <tbody>
   * @param {number} o.cap                    rows kept
   * @param {(record: object, row: HTMLElement) => void} o.open  opens a row's detail
   * @param {(counts: object) => void} o.counted  told how many rows are kept, shown and waiting
   */
  constructor({ body, cap = 500, open, counted }) {
    this.body = body;
    this.cap = cap;
    this.open = open;
    this.counted = counted;
    this.pending = [];
    this.paused = false;
    this.waitingWhilePaused = 0;
    this.total = 0;
    this.filter = { sources: null, type: "" };
    this.frame = 0;
    this.types = new Set();
    body.addEventListener("click", (e) => this.activate(e.target.closest("tr")));
    body.addEventListener("keydown", (e) => this.key(e));
  }

  /** Queues one event for display. `record`: { source, label, time, type, ids, summary, event }. */
  add(record) {
    this.total += 1;
    this.pending.push(record);
    // Whatever exceeds the cap would be pushed out by the newer ones in the same frame anyway.
    if (this.pending.length > this.cap * 2) this.pending.splice(0, this.pending.length - this.cap);
    if (this.paused) this.waitingWhilePaused += 1;
    // While paused the frame only updates the counts.
    this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = 0;
    if (this.paused || this.pending.length === 0) return this.report();
    const batch = this.pending.length > this.cap ? this.pending.slice(-this.cap) : this.pending;
    this.pending = [];
    const fragment = document.createDocumentFragment();
    for (let i = batch.length - 1; i >= 0; i -= 1) fragment.appendChild(this.row(batch[i]));
    this.body.prepend(fragment);
    let extra = this.body.rows.length - this.cap;
    while (extra-- > 0) this.body.lastElementChild.remove();
    this.report();
  }

  row(record) {
    this.types.add(record.type);
    const ids = h("td", { class: "ids" }, record.ids.map((id) =>
      h("span", { class: "id", attrs: { title: `${id.label} ${id.value}` } }, h("span", { class: "id-label", text: id.label }), " ", id.short)));
    const tr = h("tr", { tabIndex: 0, class: `src-${record.source}`, attrs: { "aria-haspopup": "dialog" } },
      h("td", { class: "time" }, h("time", { dateTime: new Date(record.time).toISOString(), text: clock(record.time) })),
      h("td", { class: "source" }, h("span", { class: `badge src-${record.source}`, text: record.label })),
      h("td", { class: "type" }, h("span", { class: "type-name", text: record.type }), record.group ? h("span", { class: "group", text: record.group }) : null),
      ids,
      h("td", { class: "summary", text: record.summary }),
    );
    tr.record = record;
    tr.hidden = !this.matches(record);
    return tr;
  }

  matches(record) {
    const { sources, type } = this.filter;
    if (sources && !sources.has(record.source)) return false;
    if (type && !record.type.toLowerCase().includes(type) && !(record.group ?? "").toLowerCase().includes(type)) return false;
    return true;
  }

  setFilter(filter) {
    this.filter = { ...this.filter, ...filter, type: (filter.type ?? this.filter.type).trim().toLowerCase() };
    for (const tr of this.body.rows) tr.hidden = !this.matches(tr.record);
    this.report();
  }

  setPaused(paused) {
    this.paused = paused;
    if (!paused) {
      this.waitingWhilePaused = 0;
      this.schedule();
    }
    this.report();
  }

  clear() {
    this.pending = [];
    this.waitingWhilePaused = 0;
    this.body.replaceChildren();
    this.report();
  }

  report() {
    let shown = 0;
    for (const tr of this.body.rows) if (!tr.hidden) shown += 1;
    this.counted({ kept: this.body.rows.length, shown, waiting: this.waitingWhilePaused, total: this.total });
  }

  activate(tr) {
    if (tr?.record) this.open(tr.record, tr);
  }

  key(e) {
    const tr = e.target.closest("tr");
    if (!tr) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      this.activate(tr);
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      let next = e.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling;
      while (next && next.hidden) next = e.key === "ArrowDown" ? next.nextElementSibling : next.previousElementSibling;
      next?.focus();
    }
  }
}
