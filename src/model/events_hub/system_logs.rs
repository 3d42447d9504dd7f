//! `system_logs`: one frame per server log line (high volume).

use serde::{Deserialize, Serialize};
use tsify::Tsify;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubSystemLogsChannel {
    #[serde(rename = "system_logs")]
    SystemLogs,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body")]
pub enum HubSystemLogsMessage {
    #[serde(rename = "System Log")]
    SystemLog(HubLogLine),
}

/// One server log line; also the `log` of the orchestrator's `HOST_LOGS_UPDATE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubLogLine {
    /// An open set: besides these, levels starting with "command" occur.
    #[tsify(type = r#""error" | "warn" | "info" | "debug" | "trace" | "success" | (string & {})"#)]
    pub level: String,
    pub message: String,
    /// The server's local time with its UTC offset (unlike the envelope's UTC `timestamp`).
    pub time: String,
}
