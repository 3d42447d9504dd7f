// Type-level checks of the LXD / Incus events API as an app writes against it. Each line marked
// with a ts-expect-error directive must stay an error: if the types get looser, tsc reports the
// directive as unused and fails.
import {
  decodeLxdEvent,
  isDecodeError,
  type LxdEvent,
  type LxdLifecycle,
  type LxdLifecycleEvent,
  type LxdOperation,
  type LxdRequestor,
  type UnknownLxdEvent,
} from "infra-events";

/// One line per event for an activity feed: every type and every lifecycle context narrows.
export function describe(frame: string): string {
  let e: LxdEvent;
  try {
    e = decodeLxdEvent(frame);
  } catch (err) {
    if (isDecodeError(err)) {
      const where: string = err.path;
      return `rejected (${err.kind}) at ${where}: ${err.reason}`;
    }
    throw err;
  }
  if ("unknown" in e) {
    const raw: unknown = e.metadata;
    const marker: true = e.unknown;
    return `unknown ${e.type} event (${String(marker)}): ${JSON.stringify(raw)}`;
  }
  switch (e.type) {
    case "logging": {
      const level: string = e.metadata.level;
      const ctx: Record<string, string> = e.metadata.context;
      return `[${level}] ${e.metadata.message} ${Object.keys(ctx).length}`;
    }
    case "operation": {
      const op: LxdOperation = e.metadata;
      const urls: string[] = op.resources?.["instances"] ?? [];
      return `${op.description}: ${op.status} (${op.status_code}) ${urls.join(",")} ${op.may_cancel}`;
    }
    case "lifecycle":
      // Narrowing straight through the event: `e.metadata` follows `e.metadata.action`.
      switch (e.metadata.action) {
        case "project-renamed":
          return `project ${e.metadata.context?.old_name ?? "?"} is now ${e.metadata.source}`;
        case "storage-volume-snapshot-created":
          return `snapshot of a ${e.metadata.context?.type ?? "?"} volume`;
        default:
          return `${e.location}: ${lifecycleLine(e)}`;
      }
    default: {
      const never: never = e;
      return never;
    }
  }
}

function lifecycleLine(e: LxdLifecycleEvent): string {
  const m = e.metadata;
  const who = m.requestor ? requestorLine(m.requestor) : "(no requestor)";
  switch (m.action) {
    case "profile-renamed":
    case "instance-renamed":
    case "cluster-group-renamed": {
      const before: string | undefined = m.context?.old_name;
      return `${m.source} renamed from ${before ?? "?"} by ${who}`;
    }
    case "storage-volume-created": {
      const kind: "container" | "virtual-machine" | "image" | "custom" | (string & {}) | undefined = m.context?.type;
      return `volume ${m.source} (${kind ?? "?"})`;
    }
    case "instance-created": {
      const pool: string | undefined = m.context?.["storage-pool"];
      const member: string | undefined = m.context?.location;
      return `instance ${m.name ?? m.source} in ${pool ?? "?"} on ${member ?? "?"} (${m.project ?? "-"})`;
    }
    case "instance-exec": {
      const argv: string[] = m.context?.command ?? [];
      return `exec ${argv.join(" ")}`;
    }
    case "instance-file-pushed":
      return `pushed ${m.context?.["file-source"] ?? m.context?.path ?? "?"}`;
    case "instance-console":
      return `console (${m.context?.type ?? "?"})`;
    case "image-alias-created":
    case "storage-pool-updated":
      return `${m.action} ${m.context?.target ?? ""}`;
    case "instance-restored":
      return `restored from ${m.context?.snapshot ?? "?"}`;
    case "instance-metadata-template-created":
      return `template ${m.context?.path ?? "?"}`;
    case "config-updated": {
      const loose: Record<string, unknown> | undefined = m.context;
      return `config updated ${Object.keys(loose ?? {}).join(",")}`;
    }
    default:
      return `${m.action} ${m.source}`;
  }
}

function requestorLine(r: LxdRequestor): string {
  return `${r.username || "(untrusted)"}/${r.protocol} ${r.address ?? ""}`;
}

/// Exhaustive over every action: adding one to the model without handling it here fails tsc.
export function isDestructive(m: LxdLifecycle): boolean {
  switch (m.action) {
    case "certificate-deleted":
    case "cluster-disabled":
    case "cluster-group-deleted":
    case "cluster-member-removed":
    case "image-alias-deleted":
    case "image-deleted":
    case "instance-backup-deleted":
    case "instance-deleted":
    case "instance-file-deleted":
    case "instance-log-deleted":
    case "instance-metadata-template-deleted":
    case "instance-snapshot-deleted":
    case "network-acl-deleted":
    case "network-deleted":
    case "network-forward-deleted":
    case "network-peer-deleted":
    case "network-zone-deleted":
    case "network-zone-record-deleted":
    case "profile-deleted":
    case "project-deleted":
    case "storage-pool-deleted":
    case "storage-volume-backup-deleted":
    case "storage-volume-deleted":
    case "storage-volume-snapshot-deleted":
    case "warning-deleted":
      return true;
    case "certificate-created":
    case "certificate-updated":
    case "cluster-certificate-updated":
    case "cluster-enabled":
    case "cluster-group-created":
    case "cluster-group-renamed":
    case "cluster-group-updated":
    case "cluster-member-added":
    case "cluster-member-renamed":
    case "cluster-member-updated":
    case "cluster-token-created":
    case "config-updated":
    case "image-alias-created":
    case "image-alias-renamed":
    case "image-alias-updated":
    case "image-created":
    case "image-refreshed":
    case "image-retrieved":
    case "image-secret-created":
    case "image-updated":
    case "instance-backup-created":
    case "instance-backup-renamed":
    case "instance-backup-retrieved":
    case "instance-console":
    case "instance-console-reset":
    case "instance-console-retrieved":
    case "instance-created":
    case "instance-exec":
    case "instance-file-pushed":
    case "instance-file-retrieved":
    case "instance-log-retrieved":
    case "instance-metadata-retrieved":
    case "instance-metadata-template-created":
    case "instance-metadata-template-retrieved":
    case "instance-metadata-updated":
    case "instance-paused":
    case "instance-ready":
    case "instance-renamed":
    case "instance-restarted":
    case "instance-restored":
    case "instance-resumed":
    case "instance-shutdown":
    case "instance-snapshot-created":
    case "instance-snapshot-renamed":
    case "instance-snapshot-updated":
    case "instance-started":
    case "instance-stopped":
    case "instance-updated":
    case "network-acl-created":
    case "network-acl-renamed":
    case "network-acl-updated":
    case "network-created":
    case "network-forward-created":
    case "network-forward-updated":
    case "network-peer-created":
    case "network-peer-updated":
    case "network-renamed":
    case "network-updated":
    case "network-zone-created":
    case "network-zone-record-created":
    case "network-zone-record-updated":
    case "network-zone-updated":
    case "operation-cancelled":
    case "profile-created":
    case "profile-renamed":
    case "profile-updated":
    case "project-created":
    case "project-renamed":
    case "project-updated":
    case "storage-pool-created":
    case "storage-pool-updated":
    case "storage-volume-backup-created":
    case "storage-volume-backup-renamed":
    case "storage-volume-backup-retrieved":
    case "storage-volume-created":
    case "storage-volume-renamed":
    case "storage-volume-restored":
    case "storage-volume-snapshot-created":
    case "storage-volume-snapshot-renamed":
    case "storage-volume-snapshot-updated":
    case "storage-volume-updated":
    case "warning-acknowledged":
    case "warning-reset":
      return false;
    default: {
      const never: never = m;
      return never;
    }
  }
}

// ---- What must stay a type error ----

export function misuse(e: LxdEvent, life: LxdLifecycleEvent, unknownEvent: UnknownLxdEvent): void {
  // @ts-expect-error without excluding unknowns first, `type` is any string: no narrowing to logging
  const notYet: "logging" | "operation" | "lifecycle" = e.type;
  void notYet;

  if (!("unknown" in e) && e.type === "logging") {
    // @ts-expect-error a logging event has no operation fields
    void e.metadata.status_code;
    // @ts-expect-error project is an optional string
    const p: string = e.project;
    void p;
  }

  if (!("unknown" in e) && e.type === "operation") {
    // @ts-expect-error resources may be null (LXD sends null when there are none)
    void e.metadata.resources.instances;
    // @ts-expect-error a kind may map to null ({"cluster": null})
    const urls: string[] | undefined = e.metadata.resources?.["cluster"];
    void urls;
    // @ts-expect-error operation metadata may be null
    void Object.keys(e.metadata.metadata);
  }

  const m = life.metadata;
  if (m.action === "profile-renamed") {
    // @ts-expect-error the context is absent when the action has nothing to add
    void m.context.old_name;
    // @ts-expect-error a rename context has no `target`
    void m.context?.target;
    // @ts-expect-error the requestor is optional (LXD 5.0.2 leaves it out)
    void m.requestor.username;
  }
  if (m.action === "storage-volume-created") {
    // @ts-expect-error a volume-created context has no old_name
    void m.context?.old_name;
  }
  if (m.action === "instance-exec") {
    // @ts-expect-error the command is an argument vector, not a string
    const line: string | undefined = m.context?.command;
    void line;
  }

  // @ts-expect-error an action that is not in the table is not a valid tag
  const bogus: LxdLifecycle["action"] = "instance-teleported";
  void bogus;

  // @ts-expect-error the lifecycle type tag is exactly "lifecycle"
  const tag: LxdLifecycleEvent["type"] = "Lifecycle";
  void tag;

  // @ts-expect-error the unknown marker is the literal true
  const marker: false = unknownEvent.unknown;
  void marker;

  // @ts-expect-error an unknown event's metadata is unknown until checked
  void unknownEvent.metadata.action;

  // @ts-expect-error decodeLxdEvent takes the frame's text
  decodeLxdEvent({ type: "logging" });
}
