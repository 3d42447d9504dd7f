//! `health`: only the reply to a client's `{"event_type":"health","message":"ping","id":…}`.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubHealthChannel {
    #[serde(rename = "health")]
    Health,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body")]
pub enum HubHealthMessage {
    /// No body; `ref_id` is the ping's `id` and `client_id` is set (the decoder checks both).
    #[serde(rename = "pong")]
    #[cfg_attr(feature = "schema", schemars(extend("x-rules" = super::reply_rules())))]
    Pong,
}
