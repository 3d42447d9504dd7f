//! Moab Web Services (MWS) events, REST API v3 (`/mws/rest/events?api-version=3`).
//! Field names are MWS's own (camelCase on the wire).

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// One MWS event, as `GET /rest/events/<id>` returns it and as each item of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MwsEvent {
    /// MWS's id of the event (a 24-hex-digit object id).
    pub id: String,
    /// Values substituted into the message template.
    pub arguments: Vec<String>,
    /// The objects the event is about; the first is the primary one.
    pub associated_objects: Vec<MwsAssociatedObject>,
    /// Packs severity, escalation level, component and entry code; show it in hex.
    pub code: u32,
    /// When it happened, `yyyy-MM-dd HH:mm:ss UTC` (one-second resolution).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "mws-date")))]
    pub event_date: String,
    /// The kind of event, an open set such as `"VM Provision"` or `"Service Create"`.
    pub event_type: String,
    pub message: Option<String>,
    /// The component that reported it, such as `"CSA Plugin"`.
    pub origin: String,
    #[tsify(type = r#""INFO" | "WARN" | "ERROR" | "FATAL" | (string & {})"#)]
    pub severity: String,
    /// Present on multi-tenant installations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub tenant: Option<MwsTenant>,
    /// Stored version, present on the event returned by a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub version: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MwsAssociatedObject {
    /// Object kind, such as `"VM"`, `"Service"`, `"scheduler"`.
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MwsTenant {
    pub id: String,
}

/// A page of events: `GET /rest/events?api-version=3[&query=…&sort=…&max=…&offset=…]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", schemars(extend("x-rules" = [{"rule": "length", "field": "resultCount", "of": "results", "reason": "resultCount is not the number of results"}, {"rule": "atLeast", "field": "totalCount", "than": "resultCount", "reason": "totalCount is below resultCount"}])))]
pub struct MwsEventList {
    /// How many events match the query in all.
    pub total_count: u64,
    /// How many are in `results`.
    pub result_count: u64,
    // Read after the counts, as the decoder reads it.
    #[cfg_attr(feature = "schema", schemars(extend("x-deferred" = true)))]
    pub results: Vec<MwsEvent>,
}

/// The body of every MWS error response (status 400 and above).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MwsErrorBody {
    pub messages: Vec<String>,
}
