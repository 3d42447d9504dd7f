//! `global`: every client is subscribed to it and cannot leave it. It carries the welcome, always
//! the first frame, and the errors answering a client's message.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// `message` of the welcome frame. Some vendor docs print it with a ";" after "established"; the
/// server sends it without.
pub const HUB_WELCOME_MESSAGE: &str = "WebSocket connection established subscribed to global by default";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubGlobalChannel {
    #[serde(rename = "global")]
    Global,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body")]
pub enum HubGlobalMessage {
    #[serde(rename = "WebSocket connection established subscribed to global by default")]
    Welcome(HubWelcome),
    /// The answer to a client message the server cannot route: `"no handlers registered for type
    /// X"` (with `ref_id` and `client_id`), `"invalid message type X"` (without), or a Go JSON error.
    #[serde(rename = "error")]
    Error(HubError),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubWelcome {
    /// This connection's id (a UUID); it changes on every reconnect.
    pub client_id: String,
    /// The channels requested that the server knows, then `"global"`. Names it does not know were
    /// dropped silently, so compare this with what you asked for.
    #[tsify(
        type = r#"Array<"global" | "pdfm" | "system" | "system_logs" | "health" | "orchestrator" | "stats" | "reverse_proxy" | "catalog_cache" | "job_manager" | "auth" | (string & {})>"#
    )]
    #[cfg_attr(
        feature = "schema",
        schemars(extend(
            "contains" = {"const": "global"},
            "x-reason" = "the welcome lists the subscriptions, always including \"global\""
        ))
    )]
    pub subscriptions: Vec<String>,
}

/// `{error}`: the body of `error` on `global` and on `system`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubError {
    pub error: String,
}
