//! CloudEvents 1.0 in the JSON event format (`application/cloudevents+json`, one event, and
//! `application/cloudevents-batch+json`, an array of them). Member names are the spec's own.
//!
//! An event whose `type` is one of MetalSoft's significant events has its `data` typed
//! ([`MetalSoftCloudEvent`]); any other `type` is a valid CloudEvent kept with its `data` raw
//! ([`UnknownCloudEvent`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsify::Tsify;

pub mod metalsoft;

pub use metalsoft::*;

/// A CloudEvent: `if ("unknown" in e)` keeps the events of types this SDK does not type; in the
/// `else` branch `switch (e.type)` narrows `e.data`. (Inside the `if`, TypeScript keeps the whole
/// union, as the extensions' index signature could hold an `unknown` member: there `e.type` is a
/// `string` and `e.data` is `unknown`, which is what an untyped event has.)
#[derive(Debug, Clone, PartialEq, Serialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
#[cfg_attr(feature = "schema", schemars(extend("x-unknown-key" = "untyped")))]
// The context rule checks every context attribute and extension, so the members need not again.
#[cfg_attr(
    feature = "schema",
    schemars(extend("x-rules" = [{
        "rule": "call", "fn": "checkCloudEventContext", "from": "cloudevents_rules",
        "covers": ["id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time", "data_base64", "*"]
    }]))
)]
pub enum CloudEvent {
    MetalSoft(MetalSoftCloudEvent),
    Unknown(UnknownCloudEvent),
}

/// Deserialising runs the full decoder, so a `CloudEvent` from serde obeys the same rules as
/// one from [`crate::decode::cloudevents::decode_cloud_event`]; a derived untagged impl would
/// silently take a malformed MetalSoft event for an unknown one.
#[cfg(not(target_arch = "wasm32"))]
impl<'de> Deserialize<'de> for CloudEvent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let text = Value::deserialize(deserializer)?.to_string();
        crate::decode::cloudevents::decode_cloud_event(&text).map_err(D::Error::custom)
    }
}

/// The context attributes every event has, apart from `type` (which selects the variant).
/// An optional attribute may be `null` on the wire; the spec says that means unset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CloudEventContext {
    /// Unique for its `source`: a repeated `source` + `id` is a duplicate delivery.
    pub id: String,
    /// A URI-reference naming the producer's context (an absolute URI is recommended).
    pub source: String,
    #[tsify(type = r#""1.0""#)]
    pub specversion: String,
    /// The media type of `data` (RFC 2046). Absent means `application/json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string | null")]
    pub datacontenttype: Option<String>,
    /// An absolute URI of the schema `data` adheres to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string | null")]
    pub dataschema: Option<String>,
    /// What the event is about, within `source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string | null")]
    pub subject: Option<String>,
    /// When the occurrence happened, RFC 3339 (validated, kept as the wire's string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string | null")]
    pub time: Option<String>,
}

/// The value of an extension attribute. The JSON format carries Boolean as a boolean, Integer as
/// a number and every other type (String, URI, Timestamp, Binary…) as a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum CloudEventExtensionValue {
    Boolean(bool),
    Integer(i32),
    String(String),
}

/// A MetalSoft significant event: one of the 41 documented `type`s, with its `data` typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-rules" = [{"rule": "call", "fn": "checkJsonData", "from": "cloudevents_rules"}])))]
pub struct MetalSoftCloudEvent {
    #[serde(flatten)]
    pub context: CloudEventContext,
    #[serde(flatten)]
    pub event: MetalSoftEvent,
    /// Extension attributes are top-level members of the event. In TypeScript an index signature:
    /// `null` is in it because an unset extension may be sent as `null` and `JSON.parse` keeps it.
    /// Declared members keep their own types (an intersection reads those from the declaring
    /// part), so `switch (e.type)` still narrows.
    #[serde(flatten)]
    #[tsify(type = "Record<string, string | number | boolean | null>")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "BTreeMap<String, Option<CloudEventExtensionValue>>")
    )]
    pub extensions: BTreeMap<String, CloudEventExtensionValue>,
}

/// A valid CloudEvent of a `type` this SDK does not type: `data` is whatever JSON the wire had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-unknown" = true)))]
pub struct UnknownCloudEvent {
    #[serde(flatten)]
    pub context: CloudEventContext,
    #[serde(rename = "type")]
    pub event_type: String,
    /// A JSON value for a JSON `datacontenttype` (or none), else usually a string in that media
    /// type. `Some(Value::Null)` is an explicit `null` payload, which the spec tells apart from
    /// no `data` at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    pub data: Option<Value>,
    /// Binary data, base64 (RFC 4648; validated, not decoded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string | null")]
    pub data_base64: Option<String>,
    #[tsify(type = "true")]
    pub unknown: bool,
    /// Extension attributes are top-level members of the event. One named `unknown` is replaced
    /// by the marker above (in JavaScript too), so it is not kept here.
    #[serde(flatten)]
    #[tsify(type = "Record<string, string | number | boolean | null>")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "BTreeMap<String, Option<CloudEventExtensionValue>>")
    )]
    pub extensions: BTreeMap<String, CloudEventExtensionValue>,
}
