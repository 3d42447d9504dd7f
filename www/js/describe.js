// One table row's worth of facts from a decoded event of each source: when, what kind, the ids
// a person looks for (VM, host, server, instance, operation…) and a one-line summary. The event
// objects are the SDK's typed values; nothing here touches the DOM.

import { cut } from "./dom.js";

const SUMMARY_CHARS = 160;

/** `key=value` for the first few scalar members of `object`, skipping `skip`. */
function scalars(object, skip = [], max = 4) {
  if (!object || typeof object !== "object") return "";
  const parts = [];
  for (const [key, value] of Object.entries(object)) {
    if (skip.includes(key) || value === null || typeof value === "object") continue;
    parts.push(`${key}=${value}`);
    if (parts.length >= max) break;
  }
  return parts.join(" · ");
}

/** `scalars`, or when there are none, one level down: `log: level=info · …`, `snapshots: 3 items`. */
function brief(object, skip = []) {
  const flat = scalars(object, skip);
  if (flat || !object || typeof object !== "object") return flat;
  const parts = [];
  for (const [key, value] of Object.entries(object)) {
    if (skip.includes(key) || value === null) continue;
    if (Array.isArray(value)) parts.push(`${key}: ${value.length} ${value.length === 1 ? "item" : "items"}`);
    else if (typeof value === "object") {
      const inner = scalars(value, skip, 3);
      if (inner) parts.push(`${key}: ${inner}`);
    }
    if (parts.length >= 2) break;
  }
  return parts.join(" · ");
}

function shortId(id) {
  const s = String(id);
  // Events Hub ids are 64 hex characters: the head is enough to tell them apart at a glance.
  return /^[0-9a-f]{32,}$/.test(s) ? `${s.slice(0, 8)}…` : s;
}

function ids(pairs) {
  return pairs
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([label, value]) => ({ label, value: String(value), short: shortId(value) }));
}

// ---- Events Hub --------------------------------------------------------------------------------

/** A job's body: as it is, or inside `{host_id, event, is_orchestrator_job}` when a host re-emits it. */
function hostJob(b) {
  return b.job_type === undefined && b.event && typeof b.event === "object" ? b.event : b;
}

function hubSummary(e) {
  const b = e.body ?? {};
  switch (e.message) {
    case "VM_STATE_CHANGED":
      return `${b.previous_state} → ${b.current_state}`;
    case "VM_ADDED":
    case "VM_UPDATED":
      return [b.new_vm?.Name, b.new_vm?.State, b.new_vm?.OS].filter(Boolean).join(" · ");
    case "JOB_CREATED":
    case "JOB_UPDATED":
    case "JOB_COMPLETED":
    case "JOB_DELETED": {
      const j = hostJob(b);
      return [j.job_type, j.job_operation, j.state, j.progress !== undefined ? `${j.progress}%` : null, j.message]
        .filter((x) => x !== undefined && x !== null && x !== "")
        .join(" · ");
    }
    case "System Stats":
      return `cpu ${b.cpu_percent}% · heap ${Math.round((b.memory_alloc_bytes ?? 0) / 1e6)} MB · ${b.goroutines} goroutines`;
    case "System Log":
      return `${b.level}: ${b.message}`;
    default:
      if (e.event_type === "global" && e.body?.subscriptions) return `subscribed to ${e.body.subscriptions.join(", ")}`;
      // A host's pdfm event re-emitted as HOST_<message>, its body under `event`.
      if (/^HOST_/.test(e.message) && b.event && typeof b.event === "object" && !b.event.message && !b.event.event_type) {
        return hubSummary({ message: e.message.slice("HOST_".length), event_type: "pdfm", body: b.event });
      }
      if (b.event?.message) return `${b.event.message} ${scalars(b.event.body, ["id"])}`;
      return brief(b, ["id", "vm_id", "host_id", "client_id"]) || e.message;
  }
}

export function describeHub(e) {
  const b = e.body ?? {};
  const jobId = e.event_type === "job_manager" ? hostJob(b).id : undefined;
  return {
    time: Date.parse(e.timestamp),
    type: e.message,
    group: e.event_type,
    ids: ids([
      ["VM", b.vm_id ?? b.new_vm?.ID ?? b.event?.vm_id ?? b.event?.body?.vm_id],
      ["host", b.host_id],
      ["job", jobId],
      ["client", b.client_id],
    ]),
    summary: cut(hubSummary(e), SUMMARY_CHARS),
  };
}

// ---- LXD ---------------------------------------------------------------------------------------

/** `web-01` from `/1.0/instances/web-01?project=staging`. */
function instanceFrom(path) {
  const m = /\/1\.0\/instances\/([^/?]+)/.exec(String(path ?? ""));
  return m ? decodeURIComponent(m[1]) : undefined;
}

export function describeLxd(e) {
  const m = e.metadata ?? {};
  const base = { time: Date.parse(e.timestamp), group: e.type };
  switch (e.type) {
    case "logging": {
      const c = m.context ?? {};
      const where = c.method && c.url ? `${c.method} ${c.url}` : scalars(c, ["instance", "project"], 3);
      return {
        ...base,
        type: "logging",
        group: m.level,
        ids: ids([["instance", c.instance ?? instanceFrom(c.url)], ["project", c.project ?? e.project]]),
        summary: cut(`${m.message}${where ? ` · ${where}` : ""}`, SUMMARY_CHARS),
      };
    }
    case "operation":
      return {
        ...base,
        type: "operation",
        group: m.status,
        ids: ids([
          ["operation", m.id],
          ["instance", instanceFrom(m.resources?.instances?.[0])],
          ["project", e.project],
        ]),
        summary: cut(`${m.description} · ${m.status}${m.err ? ` · ${m.err}` : ""}`, SUMMARY_CHARS),
      };
    case "lifecycle":
      return {
        ...base,
        type: String(m.action),
        group: "lifecycle",
        ids: ids([
          ["instance", instanceFrom(m.source)],
          ["operation", m.context?.operation ?? m.operation],
          ["project", e.project],
        ]),
        summary: cut(`${m.action} ${m.source ?? ""}${m.requestor?.username ? ` by ${m.requestor.username}` : ""}`, SUMMARY_CHARS),
      };
    default:
      return { ...base, type: String(e.type), ids: [], summary: cut(scalars(m), SUMMARY_CHARS) };
  }
}

// ---- CloudEvents (MetalSoft) -------------------------------------------------------------------

function cloudSummary(e) {
  const d = e.data ?? {};
  if (typeof d !== "object") return String(d);
  const parts = [];
  if (d.newState) parts.push(`${d.previousState} → ${d.newState}`);
  if (Array.isArray(d.healthDetails) && d.healthDetails.length) parts.push(d.healthDetails.join("; "));
  if (d.monitoringAgentPrompted) parts.push(d.monitoringAgentResult ? "agent: " + d.monitoringAgentResult : "agent prompted");
  if (d.message) parts.push(d.message);
  if (d.changes?.currentState) parts.push(scalars(d.changes.currentState));
  if (!parts.length) parts.push(brief(d, ["serverId", "instanceId", "infrastructureId", "networkDeviceId", "userId", "siteId"]));
  return parts.join(" · ");
}

export function describeCloudEvent(e) {
  const d = (e.data && typeof e.data === "object") ? e.data : {};
  return {
    time: Date.parse(e.time ?? "") || Date.now(),
    type: e.type,
    // `https://metalsoft.io/inventory-microservice` → the service's name.
    group: String(e.source ?? "").replace(/\/+$/, "").split("/").pop(),
    ids: ids([
      ["server", d.serverId],
      ["instance", d.instanceId],
      ["instance array", d.instanceArrayId],
      ["infra", d.infrastructureId],
      ["device", d.networkDeviceId ?? d.newNetworkDeviceId],
      ["user", d.userId],
    ]),
    summary: cut(cloudSummary(e), SUMMARY_CHARS),
  };
}

// ---- MWS ---------------------------------------------------------------------------------------

/** MWS dates read `2025-01-27 12:08:00 UTC`. */
export function mwsDate(text) {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$/.exec(String(text ?? ""));
  return m ? Date.parse(`${m[1]}T${m[2]}Z`) : Date.parse(text);
}

export function describeMws(e) {
  const objects = (e.associatedObjects ?? []).slice(0, 3).map((o) => [o.type, o.id]);
  return {
    time: mwsDate(e.eventDate) || Date.now(),
    type: e.eventType,
    group: e.severity,
    ids: ids(objects),
    summary: cut(`${e.severity} · ${e.message ?? e.origin}`, SUMMARY_CHARS),
  };
}
