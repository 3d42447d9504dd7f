//! `orchestrator` (orchestrator mode): the hosts it manages, and their own events re-emitted with
//! the host's id. Bodies it re-wraps from a host went through a Go map: their keys come sorted.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

use super::{
    present, HubCatalogCacheEvent, HubDiskSpace, HubForwarded, HubLogLine, HubMacVmsRunningNow,
    HubReverseProxyEvent, HubSystemStats, HubVmDetails, HubVmRemoved, HubVmSnapshotsUpdated,
    HubVmStateChanged, HubVmUptimeChanged,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubOrchestratorChannel {
    #[serde(rename = "orchestrator")]
    Orchestrator,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HubOrchestratorMessage {
    HostHealthUpdate(HubHostHealthUpdate),
    HostWebsocketConnected(HubHostWebsocketConnected),
    HostWebsocketDisconnected(HubHostWebsocketDisconnected),
    HostWebsocketDegraded(HubHostWebsocketDegraded),
    HostVmStateChanged(HubHostEvent<HubVmStateChanged>),
    HostVmAdded(HubHostEvent<HubVmDetails>),
    HostVmUpdated(HubHostEvent<HubVmDetails>),
    HostVmRemoved(HubHostEvent<HubVmRemoved>),
    HostVmUptimeChanged(HubHostEvent<HubVmUptimeChanged>),
    HostVmSnapshotsUpdated(HubHostEvent<HubVmSnapshotsUpdated>),
    HostMacVmsRunningNow(HubHostEvent<HubMacVmsRunningNow>),
    HostStatsUpdate(HubHostStatsUpdate),
    HostLogsUpdate(HubHostLogsUpdate),
    /// A host's whole `catalog_cache` frame.
    HostCatalogCacheEvent(HubHostFrame<HubCatalogCacheEvent>),
    /// A host's whole `reverse_proxy` frame.
    HostReverseProxyUpdated(HubHostFrame<HubReverseProxyEvent>),
    HostAdded(HubHostAdded),
    HostRemoved(HubHostRemoved),
    HostDeployed(HubHostDeployed),
}

/// A host's `pdfm` body, with the host it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostEvent<T> {
    pub host_id: String,
    pub event: T,
}

/// A host's whole frame (envelope and all), with the host it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostFrame<T> {
    // Read after `host_id`, as the decoder reads the host's frame last.
    #[cfg_attr(feature = "schema", schemars(extend("x-deferred" = true)))]
    pub event: HubForwarded<T>,
    pub host_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum HubHostHealthState {
    Healthy,
    Unhealthy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostHealthUpdate {
    pub host_id: String,
    pub state: HubHostHealthState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubWebsocketConnectedState {
    #[serde(rename = "websocket_connected")]
    WebsocketConnected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubWebsocketDisconnectedState {
    #[serde(rename = "websocket_disconnected")]
    WebsocketDisconnected,
}

/// The orchestrator's event socket to the host is up (after a verified pong).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostWebsocketConnected {
    pub host_id: String,
    pub state: HubWebsocketConnectedState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostWebsocketDisconnected {
    pub host_id: String,
    pub state: HubWebsocketDisconnectedState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostWebsocketDegraded {
    pub host_id: String,
    pub state: String,
}

/// A host's `stats` body: `System Stats` or `DISK_SPACE_CHANGED` (the message name is not
/// forwarded). Tell them apart with `"memory_bytes" in stats` (or any other `System Stats` key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum HubHostStats {
    System(HubSystemStats),
    DiskSpace(HubDiskSpace),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostStatsUpdate {
    pub host_id: String,
    pub stats: HubHostStats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostLogsUpdate {
    pub host_id: String,
    pub log: HubLogLine,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostAdded {
    pub host_id: String,
    /// The host's address.
    pub host: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostRemoved {
    pub host_id: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub host: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostDeployed {
    pub host_id: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub host: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub message: Option<String>,
}
