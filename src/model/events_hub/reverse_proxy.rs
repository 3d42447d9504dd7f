//! `reverse_proxy`: the proxy's state, its hosts' states, every forwarded request and route
//! changes. Four of the message names contain spaces.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

use super::present;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubReverseProxyChannel {
    #[serde(rename = "reverse_proxy")]
    ReverseProxy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body")]
pub enum HubReverseProxyMessage {
    #[serde(rename = "REVERSE_PROXY_STATE_CHANGED")]
    StateChanged(HubReverseProxyStateChanged),
    #[serde(rename = "REVERSE_PROXY_HOST_STATE_CHANGED")]
    HostStateChanged(HubReverseProxyHostStateChanged),
    /// One per proxied HTTP request: high volume.
    #[serde(rename = "HTTP Traffic Forwarded")]
    HttpTrafficForwarded(HubHttpTrafficForwarded),
    #[serde(rename = "TCP Traffic Forwarded")]
    TcpTrafficForwarded(HubTcpTrafficForwarded),
    #[serde(rename = "Reverse Proxy Route Updated")]
    RouteUpdated(HubReverseProxyRoute),
    #[serde(rename = "Reverse Proxy Route Failed")]
    RouteFailed(HubReverseProxyRoute),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum HubReverseProxyState {
    Started,
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubReverseProxyStateChanged {
    pub enabled: bool,
    pub state: HubReverseProxyState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HubReverseProxyHostState {
    Starting,
    Started,
    Stopped,
    IpChanged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubReverseProxyHostStateChanged {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub reverse_proxy_host_id: Option<String>,
    pub state: HubReverseProxyHostState,
    /// With `ip_changed`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub old_ip: Option<String>,
    /// With `ip_changed`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub new_ip: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubHttpTraffic {
    #[serde(rename = "http")]
    Http,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubTcpTraffic {
    #[serde(rename = "tcp")]
    Tcp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHttpTrafficForwarded {
    pub reverse_proxy_host_id: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub target_vm_id: Option<String>,
    pub target_host: String,
    /// A string on the wire, such as `"8080"`.
    pub target_port: String,
    pub path: String,
    pub traffic_type: HubHttpTraffic,
    pub internal_ip_address: String,
    pub method: String,
    /// `address:port` of the requesting client.
    pub source_ip: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubTcpTrafficForwarded {
    pub reverse_proxy_host_id: String,
    pub target_host: String,
    pub traffic_type: HubTcpTraffic,
    pub internal_ip_address: String,
    pub source_ip: String,
}

/// The body of `Reverse Proxy Route Updated` and `Reverse Proxy Route Failed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubReverseProxyRoute {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub reverse_proxy_host_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub target_vm_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub internal_ip_address: Option<String>,
}
