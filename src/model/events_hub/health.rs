//! `health`: only the reply to a client's `{"event_type":"health","message":"ping","id":…}`.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
pub enum HubHealthChannel {
    #[serde(rename = "health")]
    Health,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(tag = "message", content = "body")]
pub enum HubHealthMessage {
    /// No body; `ref_id` is the ping's `id` and `client_id` is set (the decoder checks both).
    #[serde(rename = "pong")]
    Pong,
}
