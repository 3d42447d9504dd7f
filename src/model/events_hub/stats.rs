//! `stats`: the server's own process statistics (every 5 s) and its free disk space.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

use super::present;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubStatsChannel {
    #[serde(rename = "stats")]
    Stats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body")]
pub enum HubStatsMessage {
    #[serde(rename = "System Stats")]
    SystemStats(HubSystemStats),
    /// Every 10 minutes and after VM or cache changes.
    #[serde(rename = "DISK_SPACE_CHANGED")]
    DiskSpaceChanged(HubDiskSpace),
}

/// The body of `System Stats`. When the orchestrator forwards it (`HOST_STATS_UPDATE`) it has been
/// through a Go map, so its keys come in alphabetical order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubSystemStats {
    pub memory_bytes: u64,
    pub memory_alloc_bytes: u64,
    pub cpu_user_seconds: f64,
    pub cpu_system_seconds: f64,
    pub cpu_percent: f64,
    pub goroutines: u64,
    // A smoothed average: not necessarily a whole number.
    pub goroutines_smoothed: f64,
}

/// The body of `DISK_SPACE_CHANGED`: sizes in MB; a size that is zero is left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubDiskSpace {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "i64"))]
    pub cache_folder_size: Option<i64>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "i64"))]
    pub parallels_home_size: Option<i64>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "i64"))]
    pub given_path_size: Option<i64>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "i64"))]
    pub prl_home_path: Option<i64>,
}
