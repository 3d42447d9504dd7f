// Type-level checks of the Events Hub types as an app uses them. Each @ts-expect-error line must
// stay an error: if the types get looser, tsc reports the directive as unused and fails.
import { decodeHubEvent, isDecodeError } from "infra-events";
import type {
  HubEvent,
  HubForwarded,
  HubGlobalEvent,
  HubHostStats,
  HubHttpTrafficForwarded,
  HubJob,
  HubJobBody,
  HubReverseProxyEvent,
  HubVmSnapshot,
  HubVmState,
  ParallelsVm,
  UnknownHubEvent,
} from "infra-events";

function vmLine(vm: ParallelsVm): string {
  const state: HubVmState = vm.State;
  const home: string = vm["Home path"];
  // Optional on the wire (omitempty): present or absent, never null.
  const tools: string = vm.GuestTools.version ?? "unknown";
  const ips = (vm.Network.ipAddresses ?? []).map((a) => `${a.type}:${a.ip}`).join(" ");
  const cpus: unknown = vm.Hardware.cpu["cpus"];
  const shares = vm["Host Shared Folders"] === null ? "no shares" : "shares";
  return `${vm.ID} ${vm.Name} ${state} ${home} tools ${tools} cpus ${String(cpus)} ${ips} ${shares} ${vm.host_id ?? ""}`;
}

function statsLine(stats: HubHostStats): string {
  // Any System Stats key tells the two bodies apart (the decoder guarantees it).
  if ("memory_bytes" in stats) {
    return `mem ${stats.memory_bytes} goroutines ${stats.goroutines_smoothed}`;
  }
  // @ts-expect-error disk space has no goroutines
  stats.goroutines;
  return `cache ${stats.cache_folder_size ?? 0} MB`;
}

function jobLine(body: HubJobBody): string {
  const job: HubJob = "host_id" in body ? body.event : body;
  const failed = job.state === "failed" ? ` (${job.error ?? "no reason"})` : "";
  const steps = (job.steps ?? []).map((s) => `${s.display_name ?? s.name} ${s.current_percentage}%`).join(", ");
  return `${job.job_type}/${job.job_operation} ${job.progress}%${failed} ${steps}`;
}

function forwardedLine(event: HubForwarded<HubReverseProxyEvent>): string {
  if ("unknown" in event) {
    return `host sent unknown ${event.message}`;
  }
  switch (event.message) {
    case "REVERSE_PROXY_STATE_CHANGED":
      return `proxy ${event.body.state} enabled=${event.body.enabled}`;
    case "REVERSE_PROXY_HOST_STATE_CHANGED":
      return `proxy host ${event.body.reverse_proxy_host_id ?? "?"} ${event.body.state} ${event.body.new_ip ?? ""}`;
    case "HTTP Traffic Forwarded":
      return `${event.body.method} ${event.body.path} -> ${event.body.target_host}:${event.body.target_port}`;
    case "TCP Traffic Forwarded":
      return `tcp ${event.body.source_ip} -> ${event.body.target_host}`;
    case "Reverse Proxy Route Updated":
    case "Reverse Proxy Route Failed":
      return `route ${event.body.target_vm_id ?? "?"} ${event.body.internal_ip_address ?? ""}`;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** One line per frame, reading in every case a body field only that message has. */
export function describe(e: HubEvent): string {
  if ("unknown" in e) {
    const u: UnknownHubEvent = e;
    // @ts-expect-error an unknown body is `unknown` until the app checks it
    u.body.vm_id;
    return `unknown ${u.event_type}/${u.message}`;
  }
  // @ts-expect-error the marker is only on unknowns
  e.unknown;
  switch (e.message) {
    case "WebSocket connection established subscribed to global by default": {
      const channel: "global" = e.event_type;
      return `${channel} welcome ${e.body.client_id}: ${e.body.subscriptions.join(",")}`;
    }
    case "error": {
      // Both global and system send `error`, with the same body.
      const channel: "global" | "system" = e.event_type;
      // @ts-expect-error error is not only a global message
      const onlyGlobal: "global" = e.event_type;
      return `${channel} ${onlyGlobal} error ${e.body.error} (reply to ${e.ref_id ?? "nothing"})`;
    }
    case "VM_STATE_CHANGED":
      return `${e.body.vm_id} ${e.body.previous_state} -> ${e.body.current_state}`;
    case "VM_ADDED":
    case "VM_UPDATED":
      return vmLine(e.body.new_vm);
    case "VM_REMOVED":
      // @ts-expect-error a removed VM has no details
      e.body.new_vm;
      return `removed ${e.body.vm_id}`;
    case "VM_UPTIME_CHANGED": {
      // @ts-expect-error uptime is a string on the wire
      const seconds: number = e.body.uptime;
      return `${e.body.vm_id} up ${seconds}`;
    }
    case "VM_SNAPSHOTS_UPDATED": {
      // @ts-expect-error snapshots may be null
      const list: HubVmSnapshot[] = e.body.snapshots;
      return `${e.body.vm_id}: ${(e.body.snapshots ?? []).filter((s) => s.current).length} ${list.length}`;
    }
    case "MAC_VMS_RUNNING_NOW":
      return `mac VMs: ${e.body.mac_vms_running.length}`;
    case "HOST_HEALTH_UPDATE":
      return `${e.body.host_id} ${e.body.state === "healthy" ? "up" : "down"}`;
    case "HOST_WEBSOCKET_CONNECTED":
    case "HOST_WEBSOCKET_DISCONNECTED":
    case "HOST_WEBSOCKET_DEGRADED":
      return `${e.body.host_id} ${e.body.state}`;
    case "HOST_VM_STATE_CHANGED":
      return `${e.body.host_id}: ${e.body.event.vm_id} -> ${e.body.event.current_state}`;
    case "HOST_VM_ADDED":
    case "HOST_VM_UPDATED":
      return `${e.body.host_id}: ${vmLine(e.body.event.new_vm)}`;
    case "HOST_VM_REMOVED":
      return `${e.body.host_id}: removed ${e.body.event.vm_id}`;
    case "HOST_VM_UPTIME_CHANGED":
      return `${e.body.host_id}: ${e.body.event.uptime}`;
    case "HOST_VM_SNAPSHOTS_UPDATED":
      return `${e.body.host_id}: ${e.body.event.snapshots?.length ?? 0} snapshots`;
    case "HOST_MAC_VMS_RUNNING_NOW":
      return `${e.body.host_id}: ${e.body.event.mac_vms_running.join(",")}`;
    case "HOST_STATS_UPDATE":
      return `${e.body.host_id}: ${statsLine(e.body.stats)}`;
    case "HOST_LOGS_UPDATE":
      return `${e.body.host_id} [${e.body.log.level}] ${e.body.log.message}`;
    case "HOST_CATALOG_CACHE_EVENT": {
      const inner = e.body.event;
      if ("unknown" in inner) return `host cache: unknown ${inner.message}`;
      return `${e.body.host_id} cache ${inner.message} ${inner.body.catalog_id}@${inner.body.version}`;
    }
    case "HOST_REVERSE_PROXY_UPDATED":
      return `${e.body.host_id}: ${forwardedLine(e.body.event)}`;
    case "HOST_ADDED":
      return `added ${e.body.host} ${e.body.description ?? ""}`;
    case "HOST_REMOVED":
      return `removed ${e.body.host_id} ${e.body.host ?? ""}`;
    case "HOST_DEPLOYED":
      return `deployed ${e.body.host_id} ${e.body.message ?? ""}`;
    case "System Stats": {
      // @ts-expect-error the stats channel is not orchestrator
      const channel: "orchestrator" = e.event_type;
      return `${channel} cpu ${e.body.cpu_percent}% goroutines ${e.body.goroutines}`;
    }
    case "DISK_SPACE_CHANGED":
      return `cache ${e.body.cache_folder_size ?? 0} MB, home ${e.body.parallels_home_size ?? 0} MB`;
    case "System Log":
      return `[${e.body.level}] ${e.body.time} ${e.body.message}`;
    case "REVERSE_PROXY_STATE_CHANGED":
    case "REVERSE_PROXY_HOST_STATE_CHANGED":
    case "HTTP Traffic Forwarded":
    case "TCP Traffic Forwarded":
    case "Reverse Proxy Route Updated":
    case "Reverse Proxy Route Failed":
      return forwardedLine(e);
    case "CACHE_ITEM_ADDED":
      return `cached ${e.body.catalog_id} ${e.body.cache_type} ${e.body.cache_size} B`;
    case "CACHE_ITEM_REMOVED":
      return `uncached ${e.body.catalog_id} ${e.body.architecture ?? "any"}`;
    case "JOB_CREATED":
    case "JOB_UPDATED":
    case "JOB_COMPLETED":
    case "JOB_DELETED":
      return `${e.message} ${jobLine(e.body)}`;
    case "USER_ADDED":
    case "USER_UPDATED":
    case "USER_REMOVED":
      return `user ${e.body.user_id}`;
    case "ROLE_ADDED":
    case "ROLE_REMOVED":
      return `role ${e.body.role_id}`;
    case "CLAIM_ADDED":
    case "CLAIM_REMOVED":
      return `claim ${e.body.claim_id}`;
    case "ROLE_CLAIM_ADDED":
    case "ROLE_CLAIM_REMOVED":
      return `role ${e.body.role_id} claim ${e.body.claim_id}`;
    case "USER_ROLE_ADDED":
    case "USER_ROLE_REMOVED":
      return `user ${e.body.user_id} role ${e.body.role_id}`;
    case "USER_CLAIM_ADDED":
    case "USER_CLAIM_REMOVED":
      return `user ${e.body.user_id} claim ${e.body.claim_id}`;
    case "pong":
      // @ts-expect-error a pong has no body
      e.body;
      return `pong for ${e.ref_id ?? "?"} to ${e.client_id ?? "?"}`;
    case "client-id":
      return `I am ${e.body["client-id"]}`;
    default: {
      const exhaustive: never = e;
      return exhaustive;
    }
  }
}

/** Channel first, then message: `event_type` narrows too. */
export function isAboutVm(e: Exclude<HubEvent, UnknownHubEvent>, vmId: string): boolean {
  switch (e.event_type) {
    case "pdfm":
      return e.message !== "MAC_VMS_RUNNING_NOW" ? e.body.vm_id === vmId : e.body.mac_vms_running.includes(vmId);
    case "orchestrator":
      return e.message === "HOST_VM_REMOVED" && e.body.event.vm_id === vmId;
    case "global":
    case "stats":
    case "system_logs":
    case "reverse_proxy":
    case "catalog_cache":
    case "job_manager":
    case "auth":
    case "health":
    case "system":
      return false;
    default: {
      const exhaustive: never = e;
      return exhaustive;
    }
  }
}

export function onFrame(data: string, log: (line: string) => void): void {
  try {
    log(describe(decodeHubEvent(data)));
  } catch (error) {
    if (isDecodeError(error)) log(`${error.kind} at ${error.path}: ${error.reason}`);
    else throw error;
  }
}

// @ts-expect-error frames are text
decodeHubEvent(new ArrayBuffer(8));

// @ts-expect-error not a prlctl state
export const hibernated: HubVmState = "hibernated";

// @ts-expect-error the server's welcome has no ";" (the vendor guides print one)
export const guideWelcome: HubGlobalEvent["message"] = "WebSocket connection established; subscribed to global by default";

// @ts-expect-error HTTP traffic is "http"
export const tcp: HubHttpTrafficForwarded["traffic_type"] = "tcp";

// @ts-expect-error the marker is `true`, never `false`
export const notUnknown: UnknownHubEvent["unknown"] = false;

export function readVmId(e: HubEvent): string {
  // @ts-expect-error the body is not narrowed before the message is checked
  return e.body.vm_id;
}

export function cpuCount(vm: ParallelsVm): number {
  // @ts-expect-error the hardware sections are loosely typed: check before use
  const n: number = vm.Hardware.cpu["cpus"];
  return n;
}
