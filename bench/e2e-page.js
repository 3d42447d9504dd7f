// Runs in headless Chromium, served by the simulator on its own origin. The simulator bursts Events
// Hub frames (`stats` and `system_logs`, each carrying its send time) to one socket; the page takes
// them through the SDK to a callback and, in alternating rounds of the same run, through a bare
// WebSocket + JSON.parse loop. Results go to window.__e2e for bench/e2e.mjs.
import { subscribeEventsHub } from "/pkg/index.js";

const params = new URLSearchParams(location.search);
const THROUGHPUT_RATE = Number(params.get("rate") ?? 1_000_000);
const THROUGHPUT_SECS = Number(params.get("secs") ?? 2);
const ROUNDS = Number(params.get("rounds") ?? 5);
// A fixed latency rate saturated both paths on small machines, so the figure measured queueing,
// not the SDK. By default the rate is half what the bare loop took in this run's throughput
// phase: both paths then keep up and the difference is the SDK's own delay. `latencyRate=N`
// overrides it, for comparing runs at one rate.
const LATENCY_RATE_PARAM = params.get("latencyRate");
const LATENCY_SECS = Number(params.get("latencySecs") ?? 3);
const LATENCY_ROUNDS = Number(params.get("latencyRounds") ?? ROUNDS);
const HEAP_EVENTS = Number(params.get("heapEvents") ?? 1_000_000);
const RECONNECTS = Number(params.get("reconnects") ?? 1_000);
const MIX = "stats,system_logs";
const PHASES = (params.get("phases") ?? "throughput,latency,heap").split(",");

const status = (text) => (document.getElementById("status").textContent = text);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Wall-clock milliseconds with a sub-millisecond fraction, comparable with the simulator's
// `sent_at_ms` (same machine clock).
const wallMs = () => performance.timeOrigin + performance.now();

async function control(pathAndQuery) {
  const response = await fetch(`/_sim/${pathAndQuery}`, { method: "POST" });
  if (!response.ok) throw new Error(`/_sim/${pathAndQuery}: ${response.status}`);
  return response.json();
}

async function login() {
  const response = await fetch("/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "admin" }),
  });
  return (await response.json()).token;
}

const wsBase = `ws://${location.host}`;

/** A sink that counts burst events and times the first and last. */
function sink(latencies) {
  const s = { count: 0, first: 0, last: 0, seen: new Set() };
  s.take = (event) => {
    const body = event.body;
    if (body === undefined || body.burst_seq === undefined) return; // the trickle, the welcome
    const now = wallMs();
    if (s.count === 0) s.first = now;
    s.last = now;
    s.count++;
    if (latencies) latencies.push(now - body.sent_at_ms);
  };
  return s;
}

/** Opens an SDK subscription feeding `s`; resolves once it is open. */
async function sdkSubscription(token, s, session = {}) {
  const sub = subscribeEventsHub({
    url: `http://${location.host}`,
    channels: ["stats", "system_logs"],
    token,
    // The stats channel's own 5 s frames and the trickle are not part of the measure.
    session: { pingIntervalMs: 0, ...session },
  });
  sub.onEvent((e) => s.take(e));
  await new Promise((resolve) => {
    const off = sub.onState((st) => {
      if (st.type === "open") {
        off();
        resolve();
      }
    });
  });
  return sub;
}

/** The same stream through a bare WebSocket and JSON.parse. */
async function bareSocket(token, s) {
  const ws = new WebSocket(`${wsBase}/api/v1/ws/subscribe?event_types=stats,system_logs&access_token=${encodeURIComponent(token)}`);
  ws.onmessage = (e) => s.take(JSON.parse(e.data));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("bare socket failed"));
  });
  return { close: () => ws.close() };
}

/** Bursts at `rate` for `secs` and waits until the stream has been quiet for 500 ms. */
async function burst(s, rate, secs) {
  await control(`burst?source=hub&rate=${rate}&secs=${secs}&mix=${MIX}`);
  await sleep(secs * 1000);
  let seen = -1;
  while (seen !== s.count) {
    seen = s.count;
    await sleep(500);
  }
}

async function throughputRound(kind, token) {
  const s = sink(null);
  const link = kind === "sdk" ? await sdkSubscription(token, s) : await bareSocket(token, s);
  await sleep(200);
  await burst(s, THROUGHPUT_RATE, THROUGHPUT_SECS);
  link.close();
  await sleep(200);
  const seconds = (s.last - s.first) / 1000;
  return { events: s.count, perSecond: s.count / seconds };
}

// The upper median, as bench/e2e.mjs takes it, so the rate is exactly half the printed bare figure.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function latencyRate(bareRounds) {
  if (LATENCY_RATE_PARAM !== null) return Number(LATENCY_RATE_PARAM);
  return Math.max(1, Math.round(median(bareRounds.map((r) => r.perSecond)) / 2));
}

/** One send→callback latency round at `rate`; `perSecond` shows whether the path kept up. */
async function latencyRound(kind, token, rate) {
  const latencies = [];
  const s = sink(latencies);
  const link = kind === "sdk" ? await sdkSubscription(token, s) : await bareSocket(token, s);
  await sleep(200);
  await burst(s, rate, LATENCY_SECS);
  link.close();
  await sleep(200);
  latencies.sort((a, b) => a - b);
  return {
    events: latencies.length,
    perSecond: s.count / ((s.last - s.first) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

function jsHeap() {
  globalThis.gc();
  globalThis.gc();
  return performance.memory.usedJSHeapSize;
}

async function main() {
  await control("reset");
  const token = await login();
  const result = { rounds: { sdk: [], bare: [] } };

  if (PHASES.includes("sdk-only")) {
    // For profiling the SDK alone.
    for (let r = 0; r < ROUNDS; r++) result.rounds.sdk.push(await throughputRound("sdk", token));
    return result;
  }
  status("throughput");
  await throughputRound("sdk", token); // warm-up: JIT and wasm tiering
  await throughputRound("bare", token);
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of ["sdk", "bare"]) result.rounds[kind].push(await throughputRound(kind, token));
  }

  const rate = latencyRate(result.rounds.bare);
  result.latency = { rate, rounds: { sdk: [], bare: [] } };
  for (let r = 0; r < LATENCY_ROUNDS; r++) {
    for (const kind of ["sdk", "bare"]) {
      status(`latency at ${rate} events/s, round ${r + 1}/${LATENCY_ROUNDS}, ${kind}`);
      result.latency.rounds[kind].push(await latencyRound(kind, token, rate));
    }
  }

  status("heap, events");
  {
    const s = sink(null);
    const sub = await sdkSubscription(token, s);
    await burst(s, 200_000, Math.ceil(100_000 / 200_000)); // warm-up
    const before = jsHeap();
    const target = s.count + HEAP_EVENTS;
    while (s.count < target) await burst(s, 200_000, Math.max(1, Math.ceil((target - s.count) / 200_000)));
    const after = jsHeap();
    result.heap_events = { events: s.count, before, after, stats: sub.stats() };
    sub.close();
  }

  status("heap, reconnects");
  {
    const s = sink(null);
    let opens = 0;
    const sub = await sdkSubscription(token, s, { backoff: { baseMs: 1, maxMs: 5 } });
    sub.onState((st) => {
      if (st.type === "open") opens++;
    });
    const reconnectOnce = async () => {
      const goal = opens + 1;
      // Right after `open` the simulator may not have counted the socket yet (or may still count
      // the one it just dropped): drop again until the subscription has reconnected.
      while (opens < goal) {
        await control("drop?source=hub");
        for (let waited = 0; opens < goal && waited < 500; waited += 2) await sleep(2);
      }
    };
    for (let i = 0; i < 50; i++) await reconnectOnce(); // warm-up
    const before = jsHeap();
    for (let i = 0; i < RECONNECTS; i++) await reconnectOnce();
    const after = jsHeap();
    result.heap_reconnects = { reconnects: sub.stats().reconnects, before, after };
    sub.close();
  }
  return result;
}

main().then(
  (result) => {
    window.__e2e = { ok: true, ...result };
    status("done");
  },
  (error) => {
    window.__e2e = { ok: false, error: String(error?.stack ?? error) };
    status("failed");
  },
);
