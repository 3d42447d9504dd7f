//! Parallels DevOps Events Hub (`GET /api/v1/ws/subscribe`), as prl-devops-service sends it.
//!
//! Every frame is one envelope `{id, ref_id?, event_type, timestamp, message, body?, client_id?}`;
//! what `body` holds depends on the pair (`event_type`, `message`). Names are the wire's own:
//! message names with spaces (`"HTTP Traffic Forwarded"`), prlctl keys in the VM object
//! (`"Home path"`), the hyphenated `"client-id"`.
//!
//! A channel's frame is a [`HubFrame`] over a one-value channel type (its `event_type`) and an
//! adjacently tagged message enum (`message` + `body`). In TypeScript that is
//! `{ id; …; event_type: "pdfm" } & ({ message: "VM_ADDED"; body: … } | …)`, so once unknowns are
//! excluded with `"unknown" in e`, `switch (e.message)` narrows `e.body`.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use tsify::{declare, Tsify};

mod auth;
mod catalog_cache;
mod global;
mod health;
mod job_manager;
mod orchestrator;
mod pdfm;
mod reverse_proxy;
mod stats;
mod system;
mod system_logs;

pub use auth::*;
pub use catalog_cache::*;
pub use global::*;
pub use health::*;
pub use job_manager::*;
pub use orchestrator::*;
pub use pdfm::*;
pub use reverse_proxy::*;
pub use stats::*;
pub use system::*;
pub use system_logs::*;

/// One Events Hub frame of a channel this SDK knows: the envelope, with `event_type` fixed to the
/// channel `C`, and `message` + `body` from the channel's message union `M`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-rules" = no_marker_rules())))]
pub struct HubFrame<C, M> {
    /// 64 hex digits, unique per frame. There is no sequence number and no replay, so this is
    /// the key to deduplicate on.
    pub id: String,
    /// Only on replies: the `id` the client sent (or one the server generated when it sent none).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub ref_id: Option<String>,
    pub event_type: C,
    /// RFC 3339 in UTC, with a variable number of fraction digits (trailing zeros trimmed).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub timestamp: String,
    #[serde(flatten)]
    // A type parameter would be emitted as `interface … extends M`, which TypeScript rejects for a
    // union; written out, the flattened part becomes an intersection.
    #[tsify(type = "M")]
    pub payload: M,
    /// Only on targeted replies (`pong`, `client-id`, errors answering a request): this client's id.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub client_id: Option<String>,
}

#[declare]
pub type HubGlobalEvent = HubFrame<HubGlobalChannel, HubGlobalMessage>;
#[declare]
pub type HubPdfmEvent = HubFrame<HubPdfmChannel, HubPdfmMessage>;
#[declare]
pub type HubOrchestratorEvent = HubFrame<HubOrchestratorChannel, HubOrchestratorMessage>;
#[declare]
pub type HubStatsEvent = HubFrame<HubStatsChannel, HubStatsMessage>;
#[declare]
pub type HubSystemLogsEvent = HubFrame<HubSystemLogsChannel, HubSystemLogsMessage>;
#[declare]
pub type HubReverseProxyEvent = HubFrame<HubReverseProxyChannel, HubReverseProxyMessage>;
#[declare]
pub type HubCatalogCacheEvent = HubFrame<HubCatalogCacheChannel, HubCatalogCacheMessage>;
#[declare]
pub type HubJobManagerEvent = HubFrame<HubJobManagerChannel, HubJobManagerMessage>;
#[declare]
pub type HubAuthEvent = HubFrame<HubAuthChannel, HubAuthMessage>;
#[declare]
pub type HubHealthEvent = HubFrame<HubHealthChannel, HubHealthMessage>;
#[declare]
pub type HubSystemEvent = HubFrame<HubSystemChannel, HubSystemMessage>;

/// Any Events Hub frame. Exclude unknowns with `"unknown" in e`, then `switch (e.message)` (or
/// `e.event_type` first) narrows `e.body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum HubEvent {
    Global(HubGlobalEvent),
    Pdfm(HubPdfmEvent),
    Orchestrator(HubOrchestratorEvent),
    Stats(HubStatsEvent),
    SystemLogs(HubSystemLogsEvent),
    ReverseProxy(HubReverseProxyEvent),
    CatalogCache(HubCatalogCacheEvent),
    JobManager(HubJobManagerEvent),
    Auth(HubAuthEvent),
    Health(HubHealthEvent),
    System(HubSystemEvent),
    Unknown(UnknownHubEvent),
}

impl HubEvent {
    /// True for a frame of a channel or message this SDK does not know.
    pub fn is_unknown(&self) -> bool {
        matches!(self, HubEvent::Unknown(_))
    }

    /// True when the frame is known but the host frame it forwards (`body.event` of
    /// `HOST_CATALOG_CACHE_EVENT` / `HOST_REVERSE_PROXY_UPDATED`) is not: that inner object then
    /// carries `unknown: true` as well.
    pub fn forwards_unknown(&self) -> bool {
        match self {
            HubEvent::Orchestrator(frame) => match &frame.payload {
                HubOrchestratorMessage::HostCatalogCacheEvent(b) => b.event.is_unknown(),
                HubOrchestratorMessage::HostReverseProxyUpdated(b) => b.event.is_unknown(),
                _ => false,
            },
            _ => false,
        }
    }
}

/// A frame of a channel, or a message in a known channel, that this SDK does not know: the
/// envelope checked, the body kept as it came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-unknown" = true)))]
#[cfg_attr(feature = "schema", schemars(extend("x-rules" = no_marker_rules())))]
pub struct UnknownHubEvent {
    pub id: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub ref_id: Option<String>,
    pub event_type: String,
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub timestamp: String,
    pub message: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "unknown")]
    #[cfg_attr(feature = "schema", schemars(with = "Value"))]
    pub body: Option<Value>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub client_id: Option<String>,
    /// Set by the SDK (never on the wire): the marker every source's unknowns carry.
    #[tsify(type = "true")]
    pub unknown: bool,
}

/// A host's own frame, as the orchestrator forwards it whole: of the expected channel `T`, or a
/// message of that channel this SDK does not know (then marked `unknown: true` too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
#[cfg_attr(feature = "schema", schemars(extend("x-closed-tag" = true)))]
// With the schema feature, serde_json keeps member order and its values grow; the forwarded
// frame is decoded once and moved, not copied, so the boxed alternative would buy nothing.
#[cfg_attr(feature = "schema", allow(clippy::large_enum_variant))]
pub enum HubForwarded<T> {
    Known(T),
    Unknown(UnknownHubEvent),
}

impl<T> HubForwarded<T> {
    pub fn is_unknown(&self) -> bool {
        matches!(self, HubForwarded::Unknown(_))
    }
}

/// For `x?: T` fields: absent is `None`, but an explicit `null` is refused, because `x?: T`
/// (under `exactOptionalPropertyTypes`) does not admit the `null` that `JSON.parse` would keep.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// For `x: T | null` fields: serde would take a missing `Option` as `None`, but the key is always
/// on the wire and the TypeScript type says so; with this, a missing key is an error.
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

/// A JSON object kept as its text. Used for the parts of the VM object the protocol notes name
/// but do not describe: checked to be an object, never rebuilt value by value (VM frames are
/// large and frequent), and serialised back exactly as it came.
#[derive(Debug, Clone)]
pub struct RawObject(Box<RawValue>);

impl RawObject {
    /// The object's JSON text, as on the wire.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The object as a `serde_json` map, for callers that want to look inside.
    pub fn to_map(&self) -> serde_json::Map<String, Value> {
        serde_json::from_str(self.0.get()).unwrap_or_default()
    }
}

impl PartialEq for RawObject {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Serialize for RawObject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        // serde_json starts a raw value at its first byte, after any whitespace.
        let found = match raw.get().as_bytes().first() {
            Some(b'{') => return Ok(RawObject(raw)),
            Some(b'[') => "array",
            Some(b'"') => "string",
            Some(b't' | b'f') => "boolean",
            Some(b'n') => "null",
            _ => "number",
        };
        Err(de::Error::custom(format_args!(
            "invalid type: {found}, expected a JSON object"
        )))
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for RawObject {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawObject".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "object" })
    }
}

/// Replies on `health` and `system` carry the request's id back as `ref_id` and the receiving
/// client's `client_id` (schema rule; the decoder checks the same).
#[cfg(feature = "schema")]
fn reply_rules() -> serde_json::Value {
    serde_json::json!([
        {"rule": "present", "fields": ["ref_id"], "reason": "a reply carries the request's id as ref_id"},
        {"rule": "present", "fields": ["client_id"], "reason": "a targeted reply carries client_id"},
    ])
}

#[cfg(feature = "schema")]
fn client_id_rules() -> serde_json::Value {
    let mut rules = reply_rules();
    if let Some(list) = rules.as_array_mut() {
        list.push(serde_json::json!({
            "rule": "equal", "field": ["body", "client-id"], "to": ["client_id"],
            "reason": "client-id names another client than the one the reply went to (client_id)",
        }));
    }
    rules
}

/// `unknown` is the SDK's marker; a frame that already carries it is refused.
#[cfg(feature = "schema")]
fn no_marker_rules() -> serde_json::Value {
    serde_json::json!([{
        "rule": "absent", "fields": ["unknown"],
        "reason": "`unknown` is the SDK's marker for unknown frames; a frame may not carry it",
    }])
}
