// The demo page: wires the four sources' forms, the SDK subscriptions, the state cards, the
// event table, the chart, the detail view and the simulator's fault buttons together.
// Event data only ever reaches the page as text (see js/dom.js).

import { version } from "/pkg/index.js";
import { RateChart } from "./js/chart.js";
import { DetailView } from "./js/detail.js";
import { byId, clock, duration, h, replaceChildren } from "./js/dom.js";
import { buildForm, SOURCES } from "./js/sources.js";
import { EventTable } from "./js/table.js";

/** A source's colour, from the stylesheet (`--hub`, `--lxd`, …), so the chart matches the badges. */
const sourceColor = (id) => getComputedStyle(document.documentElement).getPropertyValue(`--${id}`).trim();
const ROWS_KEPT = 500;
const LOG_LINES = 150;

const sdkStatus = byId("sdk-status");
sdkStatus.textContent = `infra-events ${version()}`;
sdkStatus.classList.add("ok");

// ---- state of each source ------------------------------------------------------------------------

/** Per source: the live subscription and what its card shows. */
const live = new Map(SOURCES.map((s) => [s.id, { handle: null, state: "idle", retryAt: 0 }]));

const detail = new DetailView(byId("detail"));
byId("detail").querySelector(".close").addEventListener("click", () => byId("detail").close());

const table = new EventTable({
  body: byId("event-rows"),
  cap: ROWS_KEPT,
  open: (record, row) => detail.show(record, row),
  counted: ({ kept, shown, waiting, total }) => {
    byId("empty").hidden = kept > 0;
    byId("event-count").textContent =
      `${shown.toLocaleString()} shown of ${kept.toLocaleString()} kept · ${total.toLocaleString()} received` +
      (waiting ? ` · ${waiting.toLocaleString()} waiting (paused)` : "");
  },
});

const chart = new RateChart(byId("rate-chart"), SOURCES.map((s) => ({ id: s.id, color: sourceColor(s.id) })), (now, peak) => {
  byId("rate-figures").textContent = `now ${now.toLocaleString()}/s · peak ${peak.toLocaleString()}/s`;
});
replaceChildren(byId("legend"), SOURCES.map((s) => h("li", {}, h("span", { class: `swatch src-${s.id}` }), s.label)));

// ---- connection log --------------------------------------------------------------------------------

function log(source, text, tone = "") {
  const list = byId("log");
  list.prepend(h("li", { class: tone },
    h("time", { text: clock(Date.now()) }), " ",
    h("span", { class: `badge src-${source.id}`, text: source.label }), " ",
    h("span", { class: "log-text", text })));
  while (list.children.length > LOG_LINES) list.lastElementChild.remove();
}

function causeText(cause) {
  if (!cause) return "";
  switch (cause.kind) {
    case "lost": return `connection lost (code ${cause.code}${cause.reason ? `, ${cause.reason}` : ""}) after ${duration(cause.openForMs)}`;
    case "neverOpened": return `could not open (code ${cause.code}; ${cause.consecutive} in a row)`;
    case "pingTimeout": return `no answer to the ping for ${duration(cause.waitedMs)}`;
    case "idleTimeout": return `silent for ${duration(cause.idleMs)}`;
    case "connectTimeout": return `no connection after ${duration(cause.waitedMs)}`;
    case "tokenFailed": return `token: ${cause.reason}`;
    case "tokenTimeout": return `no token after ${duration(cause.waitedMs)}`;
    case "pollFailed": return `poll failed: ${cause.reason}`;
    default: return cause.kind;
  }
}

function frameErrorText(error) {
  switch (error.kind) {
    case "decode": {
      const d = error.error;
      const where = [d.path && `at ${d.path}`, d.line && `line ${d.line}, column ${d.column}`].filter(Boolean).join(", ");
      return `frame rejected (${d.kind}): ${d.reason}${where ? ` ${where}` : ""}`;
    }
    case "binary": return `binary frame of ${error.len} bytes rejected`;
    case "tooLarge": return `frame of ${error.len.toLocaleString()} bytes rejected (limit ${error.limit.toLocaleString()})`;
    default: return `frame rejected (${error.kind})`;
  }
}

// ---- resync banner ---------------------------------------------------------------------------------

const gaps = new Map();
function showResync(source, e) {
  gaps.set(source.id, { label: source.label, ...e });
  const parts = [...gaps.values()].map((g) =>
    `${g.label}: ${duration(g.gapEndedAt - g.gapStartedAt)} gap, ${clock(g.gapStartedAt)} → ${clock(g.gapEndedAt)}.`);
  byId("resync-text").textContent =
    `${parts.join(" ")} Events sent in between may be missing: none of these servers replays them, so an application reloads its state over REST here.`;
  byId("resync-banner").hidden = false;
}
byId("resync-dismiss").addEventListener("click", () => {
  gaps.clear();
  byId("resync-banner").hidden = true;
});

// ---- state cards -----------------------------------------------------------------------------------

const cards = new Map();
// stats() of the WebSocket subscriptions and of subscribeMws: what each card shows.
const COUNTERS = {
  socket: [["received", "received"], ["delivered", "delivered"], ["duplicates", "duplicates"], ["decodeErrors", "rejected"],
    ["dropped", "dropped"], ["reconnects", "reconnects"], ["connectAttempts", "attempts"], ["lastPingRttMs", "ping RTT"]],
  mws: [["received", "received"], ["delivered", "delivered"], ["duplicates", "duplicates"], ["buffered", "buffered"],
    ["polls", "polls"], ["requests", "requests"], ["failures", "failures"], ["skippedAtStart", "before start"]],
};

function counter(name, label) {
  return h("div", {}, h("dt", { text: label }), h("dd", { dataset: { stat: name }, text: "–" }));
}

for (const source of SOURCES) {
  const toggle = h("button", { type: "button", class: "small", text: "Connect", on: { click: () => (live.get(source.id).handle ? disconnect(source) : connect(source)) } });
  const card = h("article", { class: `card src-${source.id}`, id: `card-${source.id}`, attrs: { "aria-labelledby": `card-${source.id}-title` } },
    h("div", { class: "card-head" },
      h("h3", { id: `card-${source.id}-title`, text: source.label, attrs: { title: source.long } }),
      h("span", { class: "pill", dataset: { state: "idle" }, text: "not connected" }),
      toggle),
    h("p", { class: "card-detail", attrs: { "aria-live": "polite" } }),
    h("dl", { class: "counters" }, COUNTERS[source.id === "mws" ? "mws" : "socket"].map(([name, label]) =>
      name === "lastPingRttMs" && source.id !== "hub" ? null : counter(name, label))));
  card.toggle = toggle;
  cards.set(source.id, card);
  byId("cards").append(card);
}

function setState(source, state, text, detailText) {
  const s = live.get(source.id);
  s.state = state;
  const card = cards.get(source.id);
  const pill = card.querySelector(".pill");
  pill.dataset.state = state;
  pill.textContent = text;
  if (detailText !== undefined) card.querySelector(".card-detail").textContent = detailText;
  card.toggle.textContent = s.handle ? "Disconnect" : "Connect";
  tabs.get(source.id).dataset.state = state;
}

/** Refreshes the counters and the reconnect countdown (twice a second). */
function refreshCards() {
  for (const source of SOURCES) {
    const s = live.get(source.id);
    const card = cards.get(source.id);
    if (s.handle) {
      let stats = null;
      try { stats = s.handle.stats(); } catch { /* closed between two refreshes */ }
      if (stats) {
        for (const dd of card.querySelectorAll("[data-stat]")) {
          const v = stats[dd.dataset.stat];
          dd.textContent = v === null || v === undefined ? "–" : dd.dataset.stat.endsWith("Ms") ? `${v} ms` : Number(v).toLocaleString();
        }
      }
    }
    if (s.state === "reconnecting") {
      const left = Math.max(0, s.retryAt - Date.now());
      card.querySelector(".pill").textContent = left > 0 ? `reconnecting in ${(left / 1000).toFixed(1)} s` : "reconnecting…";
    }
  }
}
setInterval(refreshCards, 250);

// ---- connecting ------------------------------------------------------------------------------------

function sinkFor(source) {
  return {
    event: (event) => {
      if (event === null || event === undefined) return;
      let facts;
      try {
        facts = source.describe(event);
      } catch {
        // A shape the summary code did not expect still gets its row, with the raw type.
        facts = { time: Date.now(), type: String(event.message ?? event.type ?? event.eventType ?? "event"), ids: [], summary: "" };
      }
      if (!Number.isFinite(facts.time)) facts.time = Date.now();
      table.add({ source: source.id, label: source.label, event, ...facts });
      chart.count(source.id);
    },
    state: (e) => {
      const s = live.get(source.id);
      switch (e.type) {
        case "connecting":
          setState(source, "connecting", e.attempt ? `connecting (retry ${e.attempt})` : "connecting…");
          break;
        case "open":
          setState(source, "open", source.id === "mws" ? "polling" : "connected", e.note ?? (e.protocol ? `subprotocol ${e.protocol}` : ""));
          log(source, e.attempt ? `connected again (after ${e.attempt} ${e.attempt === 1 ? "retry" : "retries"})` : "connected", "good");
          break;
        case "reconnecting":
          s.retryAt = Date.now() + e.delayMs;
          setState(source, "reconnecting", `reconnecting in ${(e.delayMs / 1000).toFixed(1)} s`, `attempt ${e.attempt} · ${causeText(e.cause)}`);
          log(source, `reconnecting in ${duration(e.delayMs)} (attempt ${e.attempt}): ${causeText(e.cause)}`, "warn");
          break;
        case "resync":
          showResync(source, e);
          log(source, `resync: gap of ${duration(e.gapEndedAt - e.gapStartedAt)}, events in between may be missing`, "warn");
          break;
        case "overflow":
          log(source, `buffer full: ${e.dropped.toLocaleString()} oldest events dropped (${e.totalDropped.toLocaleString()} in all)`, "bad");
          break;
        case "frameError":
          log(source, frameErrorText(e.error), "bad");
          break;
        case "channelsNotGranted":
          log(source, `channels not granted by the server: ${e.channels.join(", ")}`, "warn");
          break;
        case "closed": {
          const why = e.why.kind === "attemptsExhausted" ? `gave up after ${e.why.attempts} attempts: ${causeText(e.why.last)}`
            : e.why.kind === "failed" ? `failed: ${e.why.reason}` : e.why.kind;
          s.handle = null;
          setState(source, "closed", "closed", why);
          log(source, `closed (${why})`, e.why.kind === "aborted" || e.why.kind === "closed" ? "" : "bad");
          break;
        }
        default:
          log(source, e.type);
      }
    },
  };
}

function connect(source) {
  disconnect(source, { quiet: true });
  const s = live.get(source.id);
  try {
    s.handle = source.connect(forms.get(source.id), sinkFor(source));
    setState(source, "connecting", "connecting…", "");
  } catch (error) {
    s.handle = null;
    // EndpointError / TypeError from the SDK: a configuration no retry can fix.
    setState(source, "closed", "not connected", `${error.name ?? "Error"}: ${error.message ?? error}`);
    log(source, `cannot connect: ${error.message ?? error}`, "bad");
  }
}

function disconnect(source, { quiet = false } = {}) {
  const s = live.get(source.id);
  if (!s.handle) return;
  const handle = s.handle;
  s.handle = null;
  // close() is final and silent: no callback of this subscription fires after it.
  handle.close();
  setState(source, "closed", "disconnected", "");
  if (!quiet) log(source, "disconnected by you");
}

// ---- the source picker (tabs) ----------------------------------------------------------------------

const forms = new Map();
const tabs = new Map();
const tabList = byId("source-tabs");
const panels = byId("source-panels");

function selectTab(id, focus = false) {
  for (const [key, tab] of tabs) {
    const selected = key === id;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    byId(`panel-${key}`).hidden = !selected;
    if (selected && focus) tab.focus();
  }
}

for (const source of SOURCES) {
  const tab = h("button", {
    type: "button", id: `tab-${source.id}`, class: `tab src-${source.id}`,
    attrs: { role: "tab", "aria-controls": `panel-${source.id}` },
    on: { click: () => selectTab(source.id) },
  }, h("span", { class: "dot", attrs: { "aria-hidden": "true" } }), source.label);
  tabs.set(source.id, tab);
  tabList.append(tab);

  const form = buildForm(source);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    connect(source);
  });
  form.append(h("div", { class: "form-actions" },
    h("button", { type: "submit", class: "primary", text: `Connect ${source.label}` }),
    h("button", { type: "button", class: "quiet", text: "Disconnect", on: { click: () => disconnect(source) } })));
  forms.set(source.id, form);
  panels.append(h("div", { role: "tabpanel", id: `panel-${source.id}`, attrs: { "aria-labelledby": `tab-${source.id}` } },
    h("p", { class: "hint", text: source.long }), form));
}
tabList.addEventListener("keydown", (e) => {
  const ids = SOURCES.map((s) => s.id);
  const current = ids.indexOf(document.activeElement?.id?.replace("tab-", ""));
  if (current < 0) return;
  const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
  if (step) {
    e.preventDefault();
    selectTab(ids[(current + step + ids.length) % ids.length], true);
  } else if (e.key === "Home" || e.key === "End") {
    e.preventDefault();
    selectTab(e.key === "Home" ? ids[0] : ids[ids.length - 1], true);
  }
});
selectTab("hub");

// ---- filters, pause ----------------------------------------------------------------------------------

const shownSources = new Set(SOURCES.map((s) => s.id));
for (const source of SOURCES) {
  byId("source-filter").append(h("label", { class: `chip src-${source.id}` },
    h("input", {
      type: "checkbox", checked: true, value: source.id, on: {
        change: (e) => {
          if (e.target.checked) shownSources.add(source.id);
          else shownSources.delete(source.id);
          table.setFilter({ sources: new Set(shownSources) });
        },
      },
    }), source.label));
}
byId("type-filter").addEventListener("input", (e) => table.setFilter({ type: e.target.value }));
setInterval(() => {
  // The suggestions follow the types seen so far (a bounded list: the type names, not the events).
  const list = byId("seen-types");
  if (list.children.length === table.types.size) return;
  replaceChildren(list, [...table.types].sort().slice(0, 300).map((t) => h("option", { value: t })));
}, 2000);

const pause = byId("pause");
pause.addEventListener("click", () => {
  const paused = pause.getAttribute("aria-pressed") !== "true";
  pause.setAttribute("aria-pressed", String(paused));
  pause.textContent = paused ? "Resume" : "Pause";
  table.setPaused(paused);
});
byId("clear").addEventListener("click", () => table.clear());

// ---- simulator controls ------------------------------------------------------------------------------

const SIM_ACTIONS = {
  drop: (t) => [`/_sim/drop?source=${t}`, (r) => `dropped ${r.dropped} connection(s)`],
  silence: (t) => [`/_sim/silence?source=${t}&secs=15`, (r) => `${r.silenced} connection(s) silent for 15 s`],
  garbage: (t) => [`/_sim/fault?source=${t}&kind=malformed,truncated,binary`, (r) => `sent a malformed, a truncated and a binary frame to ${r.sockets} connection(s)`],
  burst: (t) => [`/_sim/burst?source=${t}&rate=1500&secs=4`, (r) => `burst started on ${r.sockets} connection(s)`],
};
for (const button of document.querySelectorAll("[data-sim]")) {
  button.addEventListener("click", async () => {
    const [url, describe] = SIM_ACTIONS[button.dataset.sim](byId("sim-target").value);
    const result = byId("sim-result");
    try {
      const response = await fetch(url, { method: "POST" });
      const body = await response.json();
      result.textContent = response.ok ? `${clock(Date.now())} ${describe(body)}` : `simulator refused: ${body.error}`;
      result.className = `sim-result ${response.ok ? "ok" : "bad"}`;
    } catch (error) {
      result.textContent = `the simulator did not answer (${error.message}): is this page served by sim?`;
      result.className = "sim-result bad";
    }
  });
}

// ---- start ---------------------------------------------------------------------------------------------

// Against the simulator every default works, so the page comes alive at once; `?connect=none`
// leaves every source for the visitor to connect.
const wanted = new URLSearchParams(location.search).get("connect") ?? "all";
for (const source of SOURCES) {
  if (wanted === "all" || wanted.split(",").includes(source.id)) connect(source);
}
