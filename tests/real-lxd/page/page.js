// Test page for tests/real-lxd/run.mjs: opens subscriptions through the SDK's `subscribeLxd` on the
// runner's request and keeps everything each one reports, for the runner to read back. Event data
// only ever reaches the DOM as text.
import { subscribeLxd, version } from "/pkg/index.js";

/** name -> { sub, events, states, thrown, closedByTest, row } */
const subscriptions = new Map();

function row(name) {
  const tr = document.createElement("tr");
  const cells = ["name", "state", "events", "unknown", "frameErrors"].map(() => document.createElement("td"));
  cells[0].textContent = name;
  tr.append(...cells);
  document.getElementById("subscriptions").append(tr);
  return cells;
}

function render(name) {
  const s = subscriptions.get(name);
  const [, state, events, unknown, frameErrors] = s.row;
  state.textContent = s.thrown
    ? `threw ${s.thrown.name}`
    : s.closedByTest
      ? "closed by the test"
      : (s.states.at(-1)?.type ?? "new");
  events.textContent = String(s.events.length);
  unknown.textContent = String(s.events.filter((e) => "unknown" in e).length);
  frameErrors.textContent = String(s.states.filter((e) => e.type === "frameError").length);
}

window.realLxd = {
  version: () => version(),

  /** Subscribes under `name`; a synchronous throw (an option refused before connecting) is kept. */
  open(name, options) {
    const s = { sub: null, events: [], states: [], thrown: null, closedByTest: false, row: row(name) };
    subscriptions.set(name, s);
    try {
      s.sub = subscribeLxd(options);
      s.sub.onEvent((event) => {
        s.events.push({ at: Date.now(), event });
        render(name);
      });
      s.sub.onState((state) => {
        s.states.push({ at: Date.now(), ...state });
        render(name);
      });
    } catch (error) {
      s.thrown = { name: error?.name, message: String(error?.message ?? error), isError: error instanceof Error };
    }
    render(name);
  },

  /** What `name` has received so far, as plain data. */
  read(name) {
    const s = subscriptions.get(name);
    return {
      events: s.events.map((e) => ({ at: e.at, unknown: "unknown" in e.event, event: e.event })),
      states: s.states,
      thrown: s.thrown,
      stats: s.sub ? s.sub.stats() : null,
      closed: s.sub ? s.sub.closed : null,
    };
  },

  close(name) {
    const s = subscriptions.get(name);
    if (!s?.sub) return;
    s.sub.close();
    s.closedByTest = true;
    render(name);
  },
};

document.getElementById("status").textContent = `infra-events ${version()} ready`;
