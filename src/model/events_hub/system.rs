//! `system`: only replies to a client's `{"event_type":"system","message":"client-id"}`.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

use super::HubError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubSystemChannel {
    #[serde(rename = "system")]
    System,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body")]
pub enum HubSystemMessage {
    #[serde(rename = "client-id")]
    #[cfg_attr(feature = "schema", schemars(extend("x-rules" = super::client_id_rules())))]
    ClientId(HubClientId),
    /// The server could not read the request.
    #[serde(rename = "error")]
    #[cfg_attr(feature = "schema", schemars(extend("x-rules" = super::reply_rules())))]
    Error(HubError),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubClientId {
    /// Same value as the envelope's `client_id` (the decoder checks it).
    #[serde(rename = "client-id")]
    pub client_id: String,
}
