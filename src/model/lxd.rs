//! LXD / Incus events: the frames of `GET /1.0/events` (one JSON object per WebSocket text frame).
//! Field names and values are the wire's own; where the LXD documentation and the real LXD 5.0.2
//! and Incus 6.0.4 daemons disagree, the types follow the daemons.
//!
//! Optional fields are absent on the wire when empty (Go's `omitempty`), never `null`: the
//! decoder rejects a `null` there, so `x?: T` in the generated TypeScript stays true.

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, Visitor};
use serde::{forward_to_deserialize_any, Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use tsify::Tsify;

/// One frame of `/1.0/events`. `type` is the discriminant; a frame of a type this SDK does not
/// know, or a lifecycle frame of an action it does not know, is an [`UnknownLxdEvent`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
#[cfg_attr(feature = "schema", schemars(extend("x-unknown-key" = "untyped")))]
pub enum LxdEvent {
    Logging(LxdLoggingEvent),
    Operation(LxdOperationEvent),
    Lifecycle(LxdLifecycleEvent),
    Unknown(UnknownLxdEvent),
}

impl LxdEvent {
    pub fn is_unknown(&self) -> bool {
        matches!(self, LxdEvent::Unknown(_))
    }

    /// The wire's `type`.
    pub fn event_type(&self) -> &str {
        match self {
            LxdEvent::Logging(_) => "logging",
            LxdEvent::Operation(_) => "operation",
            LxdEvent::Lifecycle(_) => "lifecycle",
            LxdEvent::Unknown(e) => &e.event_type,
        }
    }

    pub fn timestamp(&self) -> &str {
        match self {
            LxdEvent::Logging(e) => &e.timestamp,
            LxdEvent::Operation(e) => &e.timestamp,
            LxdEvent::Lifecycle(e) => &e.timestamp,
            LxdEvent::Unknown(e) => &e.timestamp,
        }
    }

    pub fn location(&self) -> &str {
        match self {
            LxdEvent::Logging(e) => &e.location,
            LxdEvent::Operation(e) => &e.location,
            LxdEvent::Lifecycle(e) => &e.location,
            LxdEvent::Unknown(e) => &e.location,
        }
    }

    pub fn project(&self) -> Option<&str> {
        match self {
            LxdEvent::Logging(e) => e.project.as_deref(),
            LxdEvent::Operation(e) => e.project.as_deref(),
            LxdEvent::Lifecycle(e) => e.project.as_deref(),
            LxdEvent::Unknown(e) => e.project.as_deref(),
        }
    }
}

// One single-value enum per event type: in TypeScript each is a string literal, which is what
// lets `switch (e.type)` narrow the union of the three event structs.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum LxdLoggingType {
    #[serde(rename = "logging")]
    Logging,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum LxdOperationType {
    #[serde(rename = "operation")]
    Operation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum LxdLifecycleType {
    #[serde(rename = "lifecycle")]
    Lifecycle,
}

/// A daemon log line. Every level is sent, whatever the daemon's own log level; `project` never
/// appears on these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdLoggingEvent {
    #[serde(rename = "type")]
    pub event_type: LxdLoggingType,
    /// RFC 3339 with up to nine fraction digits, trailing zeros trimmed (Go's `RFC3339Nano`).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub timestamp: String,
    // Read after the envelope and its timestamp, as the decoder reads it.
    #[cfg_attr(feature = "schema", schemars(extend("x-deferred" = true)))]
    pub metadata: LxdLogging,
    /// The cluster member that sent it; `"none"` on a standalone server.
    pub location: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub project: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdLogging {
    /// Can span several lines.
    pub message: String,
    #[tsify(type = r#""debug" | "info" | "warning" | "error" | (string & {})"#)]
    pub level: String,
    /// Key-value pairs of the log line; the daemons send every value as a string.
    pub context: BTreeMap<String, String>,
}

/// A change of state of a background operation. `project` is present only when the operation
/// belongs to a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdOperationEvent {
    #[serde(rename = "type")]
    pub event_type: LxdOperationType,
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub timestamp: String,
    // Read after the envelope and its timestamp, as the decoder reads it.
    #[cfg_attr(feature = "schema", schemars(extend("x-deferred" = true)))]
    pub metadata: LxdOperation,
    pub location: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub project: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-rules" = [{"rule": "codeOf", "key": "status", "field": "status_code", "table": {"Pending": 105, "Running": 103, "Success": 200, "Failure": 400, "Cancelling": 104, "Cancelled": 401}, "reason": "the status code is not the one of the status"}])))]
pub struct LxdOperation {
    /// A UUID.
    #[cfg_attr(feature = "schema", schemars(extend("format" = "uuid")))]
    pub id: String,
    #[tsify(type = r#""task" | "token" | "websocket" | (string & {})"#)]
    pub class: String,
    pub description: String,
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub created_at: String,
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub updated_at: String,
    #[tsify(
        type = r#""Pending" | "Running" | "Success" | "Failure" | "Cancelling" | "Cancelled" | (string & {})"#
    )]
    pub status: String,
    /// Pending 105, Running 103, Success 200, Failure 400, Cancelling 104, Cancelled 401.
    pub status_code: u32,
    /// Affected objects by kind (`"instances"`, `"storage_volumes"`, …), as API URLs. LXD sends
    /// `null` when there are none, Incus `{}`; a kind can map to `null` (both daemons send
    /// `{"cluster": null}` while enabling clustering).
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::model::Nullable<BTreeMap<String, Option<Vec<String>>>>")
    )]
    pub resources: Option<BTreeMap<String, Option<Vec<String>>>>,
    /// Class-specific: `{fingerprint, size}` for an image import, `{secret, fingerprint, addresses,
    /// request}` for a token, `{command, environment, fds, interactive}` for an exec, …
    #[serde(deserialize_with = "nullable")]
    #[tsify(type = "Record<string, unknown> | null")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::model::Nullable<Map<String, Value>>")
    )]
    pub metadata: Option<Map<String, Value>>,
    pub may_cancel: bool,
    /// Empty unless the operation failed.
    pub err: String,
    pub location: String,
}

/// An audit record of something done through the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdLifecycleEvent {
    #[serde(rename = "type")]
    pub event_type: LxdLifecycleType,
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub timestamp: String,
    // Read after the envelope and its timestamp, as the decoder reads it.
    #[cfg_attr(feature = "schema", schemars(extend("x-deferred" = true)))]
    pub metadata: LxdLifecycle,
    pub location: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub project: Option<String>,
}

/// The part of a lifecycle event's metadata that every action shares; the `action` tag is in
/// [`LxdLifecycle`], and `context` has a type per action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(bound(deserialize = "C: Deserialize<'de>"))]
pub struct LxdLifecycleBody<C> {
    /// The API URL of the object acted upon. Storage volume URLs carry the internal project
    /// prefix (`…/volumes/custom/default_vol1`) in LXD 5.0.2 and Incus 6.0.4 alike.
    pub source: String,
    /// Absent when the action has nothing to add.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_object"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "C"))]
    pub context: Option<C>,
    /// Who asked. LXD 5.0.2 leaves it out of many instance events; Incus always sends it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_object"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "LxdRequestor"))]
    pub requestor: Option<LxdRequestor>,
    /// Incus only, on instance events: the instance name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub name: Option<String>,
    /// Incus only, on instance events: the instance's project.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub project: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdRequestor {
    /// `"root"` over the unix socket, the certificate fingerprint over TLS; empty for a client
    /// that is not trusted yet (one redeeming a trust token).
    pub username: String,
    /// `"unix"`, `"tls"`, …; empty like `username` for an untrusted client.
    pub protocol: String,
    /// `"@"` over the unix socket, `ip:port` over TLS (Incus: the ip alone). Older servers, and
    /// the documentation's own example, do not send it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub address: Option<String>,
}

/// The context of an action the documentation gives no context for: whatever the daemon sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct LxdLooseContext(#[tsify(type = "Record<string, unknown>")] pub Map<String, Value>);

/// Every `*-renamed` action. Also `cluster-group-renamed`, which the documentation lists
/// without context but both daemons send it with `old_name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdRenameContext {
    /// The name before the rename (for snapshots and backups `instance/snapshot`).
    pub old_name: String,
}

/// `image-alias-*` (the image fingerprint), `image-retrieved` (the destination) and
/// `storage-pool-created` / `-updated` (the cluster member the request targeted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdTargetContext {
    pub target: String,
}

/// `image-created`. The documentation says "container or vm"; the daemons name instance types
/// `container` and `virtual-machine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdImageTypeContext {
    #[serde(rename = "type")]
    #[tsify(type = r#""container" | "virtual-machine" | (string & {})"#)]
    pub image_type: String,
}

/// `storage-volume-created`, `storage-volume-snapshot-created`, `storage-volume-backup-created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdVolumeTypeContext {
    #[serde(rename = "type")]
    #[tsify(type = r#""container" | "virtual-machine" | "image" | "custom" | (string & {})"#)]
    pub volume_type: String,
}

/// `instance-console`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdConsoleContext {
    #[serde(rename = "type")]
    #[tsify(type = r#""console" | "vga" | (string & {})"#)]
    pub console_type: String,
}

/// `instance-created`. Not in the documentation's table; LXD 5.0.2 sends `storage-pool` and
/// `type`, Incus adds `location`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdInstanceCreatedContext {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub location: Option<String>,
    #[serde(rename = "storage-pool")]
    pub storage_pool: String,
    #[serde(rename = "type")]
    #[tsify(type = r#""container" | "virtual-machine" | (string & {})"#)]
    pub instance_type: String,
}

/// `instance-exec`: the command as its argument vector (the documentation calls it "the command";
/// both daemons send an array).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdExecContext {
    pub command: Vec<String>,
}

/// `instance-restored`, `storage-volume-restored`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdSnapshotContext {
    /// For instances `instance/snapshot`, for volumes the snapshot name alone.
    pub snapshot: String,
}

/// `instance-metadata-template-*`: the template's file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdPathContext {
    pub path: String,
}

// The file actions: the documentation names `file`, `file-source`, `file-destination` and `info`,
// LXD 5.0.2 sends `path` alone (Incus 6.0.4 sends no file events over SFTP). Every field is
// therefore optional, and each is typed.

/// `instance-file-deleted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdFileDeletedContext {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub file: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub path: Option<String>,
}

/// `instance-file-pushed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdFilePushedContext {
    #[serde(
        rename = "file-source",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub file_source: Option<String>,
    #[serde(
        rename = "file-destination",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub file_destination: Option<String>,
    /// File attributes (mode, owner, type, …) as the client sent them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    pub info: Option<Value>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub path: Option<String>,
}

/// `instance-file-retrieved`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LxdFileRetrievedContext {
    #[serde(
        rename = "file-source",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub file_source: Option<String>,
    #[serde(
        rename = "file-destination",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub file_destination: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub path: Option<String>,
}

/// Builds one lifecycle body of whatever context type an action has. Implemented by the decoder,
/// so that the action's body is parsed on its own and errors keep their full path.
pub trait LxdLifecycleBodyParser {
    type Error;
    fn parse<C: DeserializeOwned>(self) -> Result<LxdLifecycleBody<C>, Self::Error>;
}

macro_rules! lifecycle_actions {
    ($($variant:ident = $action:literal => $context:ident,)*) => {
        /// The metadata of a lifecycle event, tagged by `action`: one variant per action of the
        /// documentation's table, each with its own context type.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(tag = "action")]
        pub enum LxdLifecycle {
            $(
                #[serde(rename = $action)]
                $variant(LxdLifecycleBody<$context>),
            )*
        }

        impl LxdLifecycle {
            /// Every action this SDK types; any other decodes as unknown.
            pub const ACTIONS: &'static [&'static str] = &[$($action),*];

            pub fn action(&self) -> &'static str {
                match self {
                    $(LxdLifecycle::$variant(_) => $action,)*
                }
            }

            pub fn source(&self) -> &str {
                match self {
                    $(LxdLifecycle::$variant(body) => &body.source,)*
                }
            }

            pub fn requestor(&self) -> Option<&LxdRequestor> {
                match self {
                    $(LxdLifecycle::$variant(body) => body.requestor.as_ref(),)*
                }
            }

            pub fn name(&self) -> Option<&str> {
                match self {
                    $(LxdLifecycle::$variant(body) => body.name.as_deref(),)*
                }
            }

            pub fn project(&self) -> Option<&str> {
                match self {
                    $(LxdLifecycle::$variant(body) => body.project.as_deref(),)*
                }
            }

            /// Whether the action's context is present on the event.
            pub fn has_context(&self) -> bool {
                match self {
                    $(LxdLifecycle::$variant(body) => body.context.is_some(),)*
                }
            }

            /// Parses the body of a known `action` with its context type; `None` for an action
            /// this SDK does not know.
            pub fn parse_known<P: LxdLifecycleBodyParser>(action: &str, parser: P) -> Option<Result<Self, P::Error>> {
                match action {
                    $($action => Some(parser.parse::<$context>().map(LxdLifecycle::$variant)),)*
                    _ => None,
                }
            }
        }
    };
}

lifecycle_actions! {
    CertificateCreated = "certificate-created" => LxdLooseContext,
    CertificateDeleted = "certificate-deleted" => LxdLooseContext,
    CertificateUpdated = "certificate-updated" => LxdLooseContext,
    ClusterCertificateUpdated = "cluster-certificate-updated" => LxdLooseContext,
    ClusterDisabled = "cluster-disabled" => LxdLooseContext,
    ClusterEnabled = "cluster-enabled" => LxdLooseContext,
    ClusterGroupCreated = "cluster-group-created" => LxdLooseContext,
    ClusterGroupDeleted = "cluster-group-deleted" => LxdLooseContext,
    ClusterGroupRenamed = "cluster-group-renamed" => LxdRenameContext,
    ClusterGroupUpdated = "cluster-group-updated" => LxdLooseContext,
    ClusterMemberAdded = "cluster-member-added" => LxdLooseContext,
    ClusterMemberRemoved = "cluster-member-removed" => LxdLooseContext,
    ClusterMemberRenamed = "cluster-member-renamed" => LxdRenameContext,
    ClusterMemberUpdated = "cluster-member-updated" => LxdLooseContext,
    ClusterTokenCreated = "cluster-token-created" => LxdLooseContext,
    ConfigUpdated = "config-updated" => LxdLooseContext,
    ImageAliasCreated = "image-alias-created" => LxdTargetContext,
    ImageAliasDeleted = "image-alias-deleted" => LxdTargetContext,
    ImageAliasRenamed = "image-alias-renamed" => LxdRenameContext,
    ImageAliasUpdated = "image-alias-updated" => LxdTargetContext,
    ImageCreated = "image-created" => LxdImageTypeContext,
    ImageDeleted = "image-deleted" => LxdLooseContext,
    ImageRefreshed = "image-refreshed" => LxdLooseContext,
    ImageRetrieved = "image-retrieved" => LxdTargetContext,
    ImageSecretCreated = "image-secret-created" => LxdLooseContext,
    ImageUpdated = "image-updated" => LxdLooseContext,
    InstanceBackupCreated = "instance-backup-created" => LxdLooseContext,
    InstanceBackupDeleted = "instance-backup-deleted" => LxdLooseContext,
    InstanceBackupRenamed = "instance-backup-renamed" => LxdRenameContext,
    InstanceBackupRetrieved = "instance-backup-retrieved" => LxdLooseContext,
    InstanceConsole = "instance-console" => LxdConsoleContext,
    InstanceConsoleReset = "instance-console-reset" => LxdLooseContext,
    InstanceConsoleRetrieved = "instance-console-retrieved" => LxdLooseContext,
    InstanceCreated = "instance-created" => LxdInstanceCreatedContext,
    InstanceDeleted = "instance-deleted" => LxdLooseContext,
    InstanceExec = "instance-exec" => LxdExecContext,
    InstanceFileDeleted = "instance-file-deleted" => LxdFileDeletedContext,
    InstanceFilePushed = "instance-file-pushed" => LxdFilePushedContext,
    InstanceFileRetrieved = "instance-file-retrieved" => LxdFileRetrievedContext,
    InstanceLogDeleted = "instance-log-deleted" => LxdLooseContext,
    InstanceLogRetrieved = "instance-log-retrieved" => LxdLooseContext,
    InstanceMetadataRetrieved = "instance-metadata-retrieved" => LxdLooseContext,
    InstanceMetadataTemplateCreated = "instance-metadata-template-created" => LxdPathContext,
    InstanceMetadataTemplateDeleted = "instance-metadata-template-deleted" => LxdPathContext,
    InstanceMetadataTemplateRetrieved = "instance-metadata-template-retrieved" => LxdPathContext,
    InstanceMetadataUpdated = "instance-metadata-updated" => LxdLooseContext,
    InstancePaused = "instance-paused" => LxdLooseContext,
    InstanceReady = "instance-ready" => LxdLooseContext,
    InstanceRenamed = "instance-renamed" => LxdRenameContext,
    InstanceRestarted = "instance-restarted" => LxdLooseContext,
    InstanceRestored = "instance-restored" => LxdSnapshotContext,
    InstanceResumed = "instance-resumed" => LxdLooseContext,
    InstanceShutdown = "instance-shutdown" => LxdLooseContext,
    InstanceSnapshotCreated = "instance-snapshot-created" => LxdLooseContext,
    InstanceSnapshotDeleted = "instance-snapshot-deleted" => LxdLooseContext,
    InstanceSnapshotRenamed = "instance-snapshot-renamed" => LxdRenameContext,
    InstanceSnapshotUpdated = "instance-snapshot-updated" => LxdLooseContext,
    InstanceStarted = "instance-started" => LxdLooseContext,
    InstanceStopped = "instance-stopped" => LxdLooseContext,
    InstanceUpdated = "instance-updated" => LxdLooseContext,
    NetworkAclCreated = "network-acl-created" => LxdLooseContext,
    NetworkAclDeleted = "network-acl-deleted" => LxdLooseContext,
    NetworkAclRenamed = "network-acl-renamed" => LxdRenameContext,
    NetworkAclUpdated = "network-acl-updated" => LxdLooseContext,
    NetworkCreated = "network-created" => LxdLooseContext,
    NetworkDeleted = "network-deleted" => LxdLooseContext,
    NetworkForwardCreated = "network-forward-created" => LxdLooseContext,
    NetworkForwardDeleted = "network-forward-deleted" => LxdLooseContext,
    NetworkForwardUpdated = "network-forward-updated" => LxdLooseContext,
    NetworkPeerCreated = "network-peer-created" => LxdLooseContext,
    NetworkPeerDeleted = "network-peer-deleted" => LxdLooseContext,
    NetworkPeerUpdated = "network-peer-updated" => LxdLooseContext,
    NetworkRenamed = "network-renamed" => LxdRenameContext,
    NetworkUpdated = "network-updated" => LxdLooseContext,
    NetworkZoneCreated = "network-zone-created" => LxdLooseContext,
    NetworkZoneDeleted = "network-zone-deleted" => LxdLooseContext,
    NetworkZoneRecordCreated = "network-zone-record-created" => LxdLooseContext,
    NetworkZoneRecordDeleted = "network-zone-record-deleted" => LxdLooseContext,
    NetworkZoneRecordUpdated = "network-zone-record-updated" => LxdLooseContext,
    NetworkZoneUpdated = "network-zone-updated" => LxdLooseContext,
    OperationCancelled = "operation-cancelled" => LxdLooseContext,
    ProfileCreated = "profile-created" => LxdLooseContext,
    ProfileDeleted = "profile-deleted" => LxdLooseContext,
    ProfileRenamed = "profile-renamed" => LxdRenameContext,
    ProfileUpdated = "profile-updated" => LxdLooseContext,
    ProjectCreated = "project-created" => LxdLooseContext,
    ProjectDeleted = "project-deleted" => LxdLooseContext,
    ProjectRenamed = "project-renamed" => LxdRenameContext,
    ProjectUpdated = "project-updated" => LxdLooseContext,
    StoragePoolCreated = "storage-pool-created" => LxdTargetContext,
    StoragePoolDeleted = "storage-pool-deleted" => LxdLooseContext,
    StoragePoolUpdated = "storage-pool-updated" => LxdTargetContext,
    StorageVolumeBackupCreated = "storage-volume-backup-created" => LxdVolumeTypeContext,
    StorageVolumeBackupDeleted = "storage-volume-backup-deleted" => LxdLooseContext,
    StorageVolumeBackupRenamed = "storage-volume-backup-renamed" => LxdRenameContext,
    StorageVolumeBackupRetrieved = "storage-volume-backup-retrieved" => LxdLooseContext,
    StorageVolumeCreated = "storage-volume-created" => LxdVolumeTypeContext,
    StorageVolumeDeleted = "storage-volume-deleted" => LxdLooseContext,
    StorageVolumeRenamed = "storage-volume-renamed" => LxdRenameContext,
    StorageVolumeRestored = "storage-volume-restored" => LxdSnapshotContext,
    StorageVolumeSnapshotCreated = "storage-volume-snapshot-created" => LxdVolumeTypeContext,
    StorageVolumeSnapshotDeleted = "storage-volume-snapshot-deleted" => LxdLooseContext,
    StorageVolumeSnapshotRenamed = "storage-volume-snapshot-renamed" => LxdRenameContext,
    StorageVolumeSnapshotUpdated = "storage-volume-snapshot-updated" => LxdLooseContext,
    StorageVolumeUpdated = "storage-volume-updated" => LxdLooseContext,
    WarningAcknowledged = "warning-acknowledged" => LxdLooseContext,
    WarningDeleted = "warning-deleted" => LxdLooseContext,
    WarningReset = "warning-reset" => LxdLooseContext,
}

/// A frame this SDK does not type: an unknown `type`, or a `lifecycle` of an unknown `action`.
/// The envelope is checked as for any frame; `metadata` is kept as it came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-unknown" = true)))]
pub struct UnknownLxdEvent {
    #[serde(rename = "type")]
    pub event_type: String,
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub timestamp: String,
    #[tsify(type = "unknown")]
    pub metadata: Value,
    pub location: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub project: Option<String>,
    /// Always true: the uniform marker of a value the SDK kept raw. Required when deserializing,
    /// so serde's `Deserialize` reads back the SDK's own serialisation; a wire frame goes through
    /// `decode_lxd_event`, which sets it.
    #[tsify(type = "true")]
    pub unknown: bool,
}

/// For required fields that may be `null`: serde would otherwise take a missing `Option` field
/// for `None`, silently defaulting it.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

/// For optional fields: absent is `None` (through `default`), and a present value must be a `T`,
/// so a `null` is an error rather than a second spelling of "absent".
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// [`present`] for struct-typed fields: the value must be a JSON object. serde's derived structs
/// also accept an array of the fields in order, which `JSON.parse` would hand to the app as an
/// array, not the object its type promises.
fn present_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(ObjectOnly(deserializer)).map(Some)
}

/// A deserializer that reads every value as a map, so a struct cannot come from a JSON array.
/// Paths and positions stay those of the wrapped deserializer.
struct ObjectOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// `T` read from a JSON object only (see [`present_object`]); for the decoder's top-level parts.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) struct FromObject<T>(pub T);

#[cfg(not(target_arch = "wasm32"))]
impl<'de, T: Deserialize<'de>> Deserialize<'de> for FromObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(ObjectOnly(deserializer)).map(FromObject)
    }
}
