// The detail view of one event: its facts, the MetalSoft monitoring agent's HTML shown as text,
// and the whole event as pretty-printed JSON. The JSON is laid out here, token by token, into
// text nodes inside <span>s (for colour), so no part of the event is ever parsed as markup.

import { clock, h, replaceChildren } from "./dom.js";

const INDENT = "  ";

/** Appends `value` pretty-printed as JSON (same layout as JSON.stringify(v, null, 2)) to `out`. */
function layout(value, depth, out) {
  if (value === null) return out.push(h("span", { class: "j-null", text: "null" }));
  switch (typeof value) {
    case "string": return out.push(h("span", { class: "j-str", text: JSON.stringify(value) }));
    case "number": return out.push(h("span", { class: "j-num", text: String(value) }));
    case "boolean": return out.push(h("span", { class: "j-bool", text: String(value) }));
    case "object": break;
    default: return out.push(String(value));
  }
  const array = Array.isArray(value);
  const entries = array ? value.map((v, i) => [i, v]) : Object.entries(value).filter(([, v]) => v !== undefined);
  const [open, close] = array ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) return out.push(open + close);
  const pad = INDENT.repeat(depth + 1);
  out.push(`${open}\n`);
  entries.forEach(([key, v], i) => {
    out.push(pad);
    if (!array) out.push(h("span", { class: "j-key", text: JSON.stringify(key) }), ": ");
    layout(v, depth + 1, out);
    out.push(i < entries.length - 1 ? ",\n" : "\n");
  });
  out.push(INDENT.repeat(depth) + close);
}

export function prettyJson(value) {
  const out = [];
  layout(value, 0, out);
  return out;
}

export class DetailView {
  constructor(dialog) {
    this.dialog = dialog;
    this.returnFocus = null;
    dialog.addEventListener("close", () => this.returnFocus?.focus());
    dialog.addEventListener("click", (e) => {
      // A click on the backdrop (outside the dialog's box) closes it.
      if (e.target === dialog) dialog.close();
    });
  }

  show(record, from) {
    this.returnFocus = from ?? null;
    const e = record.event;
    const agent = record.source === "cloudevents" && typeof e?.data?.monitoringAgentResult === "string"
      ? e.data.monitoringAgentResult : null;
    const body = this.dialog.querySelector(".detail-body");
    replaceChildren(this.dialog.querySelector("#detail-title"), record.type);
    replaceChildren(body,
      h("dl", { class: "facts" },
        h("dt", { text: "Source" }), h("dd", {}, h("span", { class: `badge src-${record.source}`, text: record.label })),
        h("dt", { text: "Time" }), h("dd", { text: `${clock(record.time)} (${new Date(record.time).toISOString()})` }),
        record.ids.map((id) => [h("dt", { text: id.label }), h("dd", { class: "mono", text: id.value })]),
        h("dt", { text: "Summary" }), h("dd", { text: record.summary }),
        "unknown" in Object(e) ? [h("dt", { text: "Kind" }), h("dd", { text: "not known to this SDK version: kept whole, body untyped" })] : null,
      ),
      agent !== null ? h("section", { class: "agent", attrs: { "aria-labelledby": "agent-title" } },
        h("h3", { id: "agent-title", text: "Monitoring agent result" }),
        h("p", { class: "hint", text: "HTML from the server, shown as text: it is never rendered." }),
        h("pre", { class: "agent-result", text: agent })) : null,
      h("h3", { text: "Full event" }),
      h("pre", { class: "json", tabIndex: 0, attrs: { "aria-label": "the event as JSON" } }, prettyJson(e)),
    );
    if (!this.dialog.open) this.dialog.showModal();
    this.dialog.querySelector(".close").focus();
  }
}
