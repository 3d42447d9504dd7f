// CloudEvents and MetalSoft significant events as an app uses them. Each @ts-expect-error must
// stay an error: if the types get looser, tsc reports the directive as unused and fails.
import {
  decodeCloudEvent,
  decodeCloudEventBatch,
  isDecodeError,
  type CloudEvent,
  type MetalSoftCloudEvent,
  type MetalSoftServerHealthDegradedData,
  type UnknownCloudEvent,
} from "infra-events";

// Every documented type, each case reading a data field only that variant's structure has.
export function describe(e: CloudEvent): string {
  if ("unknown" in e) {
    // Any other type: attributes typed, data left for the app to inspect.
    const payload: unknown = e.data;
    return `unknown ${e.type} from ${e.source} ${typeof payload}`;
  }
  switch (e.type) {
    case "server.deleted":
      return `server ${e.data.serverId} (${e.data.serverUUID}) deleted, was ${e.data.serverStatus}`;
    case "server.updated": {
      const before: unknown = e.data.changes.previousState["serverStatus"];
      const after: unknown = e.data.changes.currentState["serverStatus"];
      return `server ${e.data.serverId} updated by ${e.data.userId}: ${String(before)} -> ${String(after)}`;
    }
    case "server.credentials.updated":
      return `server ${e.data.serverId} credentials at ${e.data.serverManagementAddress}`;
    case "server.registered":
    case "server.production.registered":
      return `server ${e.data.serverId} type ${e.data.serverTypeId} ${e.data.serverStatus}`;
    case "server.registration.initiated":
    case "server.reregistration.initiated":
    case "server.production.registration.initiated":
      return `server ${e.data.serverId} registering at ${e.data.managementAddress}`;
    case "server.decommissioned":
      return `server ${e.data.serverId} (${e.data.serverClass}) type ${e.data.serverTypeId} decommissioned`;
    case "user.created":
    case "user.credentials.changed":
    case "user.suspended":
    case "user.unsuspended":
    case "user.password.reset.requested":
    case "user.email.updated":
    case "user.email.verified":
    case "user.api.key.regenerated":
    case "user.ssh.key.created":
    case "user.ssh.key.deleted":
    case "user.delegate.removed":
    case "user.delegate.added":
    case "user.unarchived":
    case "user.archived":
    case "user.2fa.enabled":
    case "user.2fa.disabled":
    case "user.access.level.set":
      return `${e.type} ${e.data.userEmail} by ${e.data.loggedInUserEmail}: ${e.data.message}`;
    case "network.device.created":
    case "network.device.registered":
      return `switch ${e.data.identifierString} (${e.data.driver}, ${e.data.position}) at ${e.data.managementAddress}`;
    case "network.device.deleted":
      return `switch ${e.data.identifierString} deleted by ${e.data.userIdAuthenticated}`;
    case "network.device.registration.initiated":
      return `switch ${e.data.serialNumber} ${e.data.chassisIdentifier} ${e.data.managementMacAddress}`;
    case "network.device.archived":
      return `switch ${e.data.networkDeviceId} archived by ${e.data.userIdAuthenticated}`;
    case "network.device.assigned.to.fabric":
    case "network.device.removed.from.fabric":
      return `${e.data.networkDeviceIds.join(",")} ${e.type} ${e.data.fabricName}`;
    case "network.device.replaced":
      return `switch ${e.data.oldNetworkDeviceId} -> ${e.data.newNetworkDeviceId}`;
    case "network.device.credentials.updated":
      return `switch ${e.data.identifierString} credentials by ${e.data.userIdAuthenticated}`;
    case "server.health.state.degraded":
      return health(e.data);
    case "server.health.state.improved":
      return `server ${e.data.serverId} in ${e.data.datacenterName}: ${e.data.previousState} -> ${e.data.newState}`;
    case "instance.array.dns.updated":
      return `array ${e.data.instanceArrayId}: ${e.data.dnsRecords.length} records`;
    case "instance.dns.updated":
      return `instance ${e.data.instanceId}: ${e.data.dnsRecords.length} records`;
    case "instance.array.dns.deleted":
      return `array ${e.data.instanceArrayId} DNS deleted by ${e.data.userIdAuthenticated}`;
    case "instance.dns.deleted":
      return `instance ${e.data.instanceId} DNS deleted by ${e.data.userIdAuthenticated}`;
    default: {
      const _exhaustive: never = e;
      return _exhaustive;
    }
  }
}

function health(d: MetalSoftServerHealthDegradedData): string {
  // Optional and nullable: absent before the monitoring agent was consulted.
  const html: string = d.monitoringAgentResult ?? "";
  const where: string = d.infrastructureId ?? "unallocated";
  const prompted: boolean = d.monitoringAgentPrompted;
  return `server ${d.serverId} ${d.newState} (${d.healthDetails.join("; ")}) ${where} ${prompted} ${html}`;
}

// Context attributes and extensions, on either kind of event.
export function context(e: CloudEvent): string {
  const version: "1.0" = e.specversion;
  const time: string = e.time ?? "(no time)";
  const subject: string | null | undefined = e.subject;
  const extension: string | number | boolean | null | undefined = e["traceparent"];
  return `${version} ${e.id} ${e.source} ${time} ${subject ?? ""} ${String(extension)}`;
}

export function batch(text: string): string[] {
  try {
    return decodeCloudEventBatch(text).map(describe);
  } catch (err) {
    if (isDecodeError(err)) return [`${err.source} ${err.kind} at ${err.path}: ${err.reason}`];
    throw err;
  }
}

export const one: CloudEvent = decodeCloudEvent("{}");
export const kept: UnknownCloudEvent[] = decodeCloudEventBatch("[]").filter(
  (e): e is UnknownCloudEvent => "unknown" in e && e.unknown === true,
);

declare const known: Extract<MetalSoftCloudEvent, { type: "server.health.state.degraded" }>;
declare const user: Extract<MetalSoftCloudEvent, { type: "user.created" }>;
declare const fabric: Extract<MetalSoftCloudEvent, { type: "network.device.assigned.to.fabric" }>;

// @ts-expect-error serverId is only on server events, not on user events
export const wrongVariant: string = user.data.serverId;
// @ts-expect-error monitoringAgentResult may be absent or null
export const html: string = known.data.monitoringAgentResult;
// @ts-expect-error infrastructureId is absent when the server is not allocated
export const infra: string = known.data.infrastructureId;
// @ts-expect-error ids stay strings as MetalSoft sends them
export const numericId: number = user.data.userId;
// @ts-expect-error networkDeviceIds is a list of strings
export const firstDevice: number = fabric.data.networkDeviceIds[0];
// @ts-expect-error time may be absent or null
export const time: string = known.time;
// @ts-expect-error specversion is exactly "1.0"
export const version: "0.3" = known.specversion;
// @ts-expect-error not one of the documented types
export const wrongType: MetalSoftCloudEvent["type"] = "server.created";
// @ts-expect-error data of an unknown type is unknown until the app checks it
export const rawField: string = (one as UnknownCloudEvent).data.serverId;

export function notExhaustive(e: MetalSoftCloudEvent): string {
  switch (e.type) {
    case "server.deleted":
      return e.data.serverUUID;
    default: {
      // @ts-expect-error the other 40 types are not handled
      const _missed: never = e;
      return String(_missed);
    }
  }
}
