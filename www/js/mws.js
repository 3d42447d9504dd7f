// MWS events are polled over REST by the SDK's `subscribeMws` (gap-free: a watermark on
// `eventDate`, the boundary second reread and deduplicated by id). This module turns the form's
// query-builder rows into its `filter`, and its state events into the ones the page shows for
// every source (`connecting`, `open`, `reconnecting`, `closed`).

import { subscribeMws } from "/pkg/index.js";

export const MWS_FIELDS = ["severity", "eventType", "origin", "code", "message", "eventDate", "associatedObjects.type", "associatedObjects.id"];
export const MWS_OPERATORS = [
  ["$eq", "="], ["$ne", "≠"], ["$in", "is one of"],
  ["$gt", ">"], ["$gte", "≥"], ["$lt", "<"], ["$lte", "≤"],
];

function typed(field, raw) {
  const v = raw.trim();
  if (field === "code") {
    if (!/^-?\d+$/.test(v)) throw new Error(`code: "${v}" is not an integer`);
    return Number(v);
  }
  return v;
}

/**
 * The `filter` for the builder's rows (all must hold), or `undefined` when there are none.
 * Rows on the same field merge into one condition (`{ $gte: a, $lt: b }` is a range).
 */
export function mwsFilter(rows) {
  const filter = {};
  for (const { field, op, value } of rows) {
    if (!MWS_FIELDS.includes(field)) throw new Error(`unknown field ${field}`);
    if (!MWS_OPERATORS.some(([o]) => o === op)) throw new Error(`unknown operator ${op}`);
    if (!value.trim()) continue; // a row still being typed
    const operand = op === "$in"
      ? value.split(",").map((x) => x.trim()).filter(Boolean).map((x) => typed(field, x))
      : typed(field, value);
    const previous = filter[field];
    if (previous === undefined && op === "$eq") {
      filter[field] = operand;
    } else {
      const conditions = previous === undefined ? {} : (typeof previous === "object" && !Array.isArray(previous) ? previous : { $eq: previous });
      if (op in conditions) throw new Error(`${field}: ${op} given twice`);
      filter[field] = { ...conditions, [op]: operand };
    }
  }
  return Object.keys(filter).length ? filter : undefined;
}

/**
 * Subscribes through the SDK and reports like the WebSocket sources. Returns the subscription
 * (it has `stats()` and `close()`).
 */
export function connectMws({ url, username, password, filter, everyMs, startMinutesAgo }, sink) {
  const sub = subscribeMws({
    url,
    user: username,
    password,
    filter,
    start: new Date(Date.now() - startMinutesAgo * 60_000),
    pollIntervalMs: everyMs,
  });
  // `polling` is told once, when the first poll has read everything; after a failure the page
  // learns that polls succeed again from the counters.
  let recovering = null;
  const stopRecovering = () => {
    clearInterval(recovering);
    recovering = null;
  };
  sub.onState((e) => {
    switch (e.type) {
      case "connecting":
        sink.state({ type: "connecting", attempt: 0 });
        break;
      case "polling":
        sink.state({ type: "open", attempt: 0, protocol: "", note: e.watermark ? `polling · newest event ${e.watermark}` : "polling · nothing matched yet" });
        break;
      case "backingOff": {
        sink.state({ type: "reconnecting", attempt: e.attempt, delayMs: e.delayMs, cause: { kind: "pollFailed", reason: e.error.message } });
        const polls = sub.stats().polls;
        stopRecovering();
        recovering = setInterval(() => {
          const stats = sub.stats();
          if (stats.polls > polls && stats.consecutiveFailures === 0) {
            stopRecovering();
            sink.state({ type: "open", attempt: e.attempt, protocol: "", note: `polling again · newest event ${stats.watermark ?? "none"}` });
          }
        }, 250);
        break;
      }
      case "closed":
        stopRecovering();
        sink.state({ type: "closed", why: e.why.kind === "failed" ? { kind: "failed", reason: e.why.error.message } : e.why });
        break;
      default:
        sink.state(e);
    }
  });
  sub.onEvent(sink.event);
  const close = sub.close.bind(sub);
  return {
    stats: () => sub.stats(),
    close: () => {
      stopRecovering();
      close();
    },
  };
}
