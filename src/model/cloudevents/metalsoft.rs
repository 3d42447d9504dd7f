//! MetalSoft's significant events (published to the Kafka topic `io.metalsoft.significant_event`
//! as CloudEvents, available since MetalSoft 7.0.1; server health events since 7.3.3).
//!
//! Each of the 41 documented `type`s has its own `data` structure. MetalSoft serialises numeric
//! ids as strings, so they stay strings here: converting them would make the types disagree with
//! the object `JSON.parse` builds.

use std::marker::PhantomData;

use serde::de::{value::MapAccessDeserializer, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use tsify::Tsify;

/// Parses a `data` member into a typed structure. Lets the model list the 41 types and their
/// structures once, while the decoder keeps the error paths and positions it needs.
pub trait DataParser {
    type Error;
    fn parse<T: DeserializeOwned>(self) -> Result<T, Self::Error>;
}

macro_rules! metalsoft_events {
    ($( $(#[$meta:meta])* $variant:ident = $name:literal => $data:ty, )*) => {
        /// The `type` and `data` of a MetalSoft significant event: `switch (e.type)` narrows `e.data`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(tag = "type", content = "data")]
        pub enum MetalSoftEvent {
            $( $(#[$meta])* #[serde(rename = $name)] $variant($data), )*
        }

        /// Every significant event type MetalSoft documents, as written on the wire.
        pub const METALSOFT_EVENT_TYPES: &[&str] = &[$($name),*];

        impl MetalSoftEvent {
            /// The CloudEvents `type` of this event.
            pub fn event_type(&self) -> &'static str {
                match self {
                    $( MetalSoftEvent::$variant(_) => $name, )*
                }
            }

            /// Types `data` for a documented `event_type`; `None` for any other type.
            pub fn from_parts<P: DataParser>(event_type: &str, data: P) -> Option<Result<Self, P::Error>> {
                Some(match event_type {
                    $( $name => data.parse().map(|JsonObject(d)| MetalSoftEvent::$variant(d)), )*
                    _ => return None,
                })
            }
        }
    };
}

metalsoft_events! {
    // Server management (inventory microservice).
    /// Server permanently deleted.
    ServerDeleted = "server.deleted" => MetalSoftServerDeletedData,
    /// Server configuration updated.
    ServerUpdated = "server.updated" => MetalSoftServerUpdatedData,
    /// Server credentials changed.
    ServerCredentialsUpdated = "server.credentials.updated" => MetalSoftServerCredentialsUpdatedData,
    /// Server successfully registered.
    ServerRegistered = "server.registered" => MetalSoftServerRegisteredData,
    /// Server registration process started.
    ServerRegistrationInitiated = "server.registration.initiated" => MetalSoftServerRegistrationInitiatedData,
    /// Server re-registration started.
    ServerReregistrationInitiated = "server.reregistration.initiated" => MetalSoftServerRegistrationInitiatedData,
    /// Production server registration started.
    ServerProductionRegistrationInitiated =
        "server.production.registration.initiated" => MetalSoftServerRegistrationInitiatedData,
    /// Server decommissioned.
    ServerDecommissioned = "server.decommissioned" => MetalSoftServerDecommissionedData,
    /// Server registered for production use.
    ServerProductionRegistered = "server.production.registered" => MetalSoftServerRegisteredData,

    // Security (auth microservice): all share one structure.
    /// New user account created.
    UserCreated = "user.created" => MetalSoftUserEventData,
    /// User password/credentials updated.
    UserCredentialsChanged = "user.credentials.changed" => MetalSoftUserEventData,
    /// User account suspended.
    UserSuspended = "user.suspended" => MetalSoftUserEventData,
    /// User account reactivated.
    UserUnsuspended = "user.unsuspended" => MetalSoftUserEventData,
    /// Password reset initiated.
    UserPasswordResetRequested = "user.password.reset.requested" => MetalSoftUserEventData,
    /// User email address changed.
    UserEmailUpdated = "user.email.updated" => MetalSoftUserEventData,
    /// User email address verified.
    UserEmailVerified = "user.email.verified" => MetalSoftUserEventData,
    /// User API key regenerated.
    UserApiKeyRegenerated = "user.api.key.regenerated" => MetalSoftUserEventData,
    /// SSH key added to user account.
    UserSshKeyCreated = "user.ssh.key.created" => MetalSoftUserEventData,
    /// SSH key removed from user account.
    UserSshKeyDeleted = "user.ssh.key.deleted" => MetalSoftUserEventData,
    /// User delegate access removed.
    UserDelegateRemoved = "user.delegate.removed" => MetalSoftUserEventData,
    /// User delegate access granted.
    UserDelegateAdded = "user.delegate.added" => MetalSoftUserEventData,
    /// User account restored from archive.
    UserUnarchived = "user.unarchived" => MetalSoftUserEventData,
    /// User account archived.
    UserArchived = "user.archived" => MetalSoftUserEventData,
    /// Two-factor authentication enabled.
    User2faEnabled = "user.2fa.enabled" => MetalSoftUserEventData,
    /// Two-factor authentication disabled.
    User2faDisabled = "user.2fa.disabled" => MetalSoftUserEventData,
    /// User access level changed.
    UserAccessLevelSet = "user.access.level.set" => MetalSoftUserEventData,

    // Network device management (inventory microservice).
    /// New network device added.
    NetworkDeviceCreated = "network.device.created" => MetalSoftNetworkDeviceData,
    /// Network device permanently removed.
    NetworkDeviceDeleted = "network.device.deleted" => MetalSoftNetworkDeviceDeletedData,
    /// Network device successfully registered.
    NetworkDeviceRegistered = "network.device.registered" => MetalSoftNetworkDeviceData,
    /// Network device registration started.
    NetworkDeviceRegistrationInitiated =
        "network.device.registration.initiated" => MetalSoftNetworkDeviceRegistrationInitiatedData,
    /// Network device archived.
    NetworkDeviceArchived = "network.device.archived" => MetalSoftNetworkDeviceArchivedData,
    /// Device assigned to network fabric.
    NetworkDeviceAssignedToFabric = "network.device.assigned.to.fabric" => MetalSoftNetworkFabricData,
    /// Device removed from network fabric.
    NetworkDeviceRemovedFromFabric = "network.device.removed.from.fabric" => MetalSoftNetworkFabricData,
    /// Network device replaced with another.
    NetworkDeviceReplaced = "network.device.replaced" => MetalSoftNetworkDeviceReplacedData,
    /// Device credentials changed.
    NetworkDeviceCredentialsUpdated =
        "network.device.credentials.updated" => MetalSoftNetworkDeviceCredentialsUpdatedData,

    // Server health (since 7.3.3).
    /// Server health state worsened. Sent twice per degradation: at once (`monitoringAgentPrompted:
    /// false`), then after the AI monitoring agent was consulted (`true`, with its result).
    /// Correlate the two by `serverId` + `newState`; they are not duplicates.
    ServerHealthStateDegraded = "server.health.state.degraded" => MetalSoftServerHealthDegradedData,
    /// Server health state recovered.
    ServerHealthStateImproved = "server.health.state.improved" => MetalSoftServerHealthImprovedData,

    // Instance management (orchestrator microservice).
    /// Instance array DNS records updated.
    InstanceArrayDnsUpdated = "instance.array.dns.updated" => MetalSoftInstanceArrayDnsUpdatedData,
    /// Instance DNS records updated.
    InstanceDnsUpdated = "instance.dns.updated" => MetalSoftInstanceDnsUpdatedData,
    /// Instance array DNS records deleted.
    InstanceArrayDnsDeleted = "instance.array.dns.deleted" => MetalSoftInstanceArrayDnsDeletedData,
    /// Instance DNS records deleted.
    InstanceDnsDeleted = "instance.dns.deleted" => MetalSoftInstanceDnsDeletedData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftServerDeletedData {
    pub server_id: String,
    #[serde(rename = "serverUUID")]
    pub server_uuid: String,
    pub server_class: String,
    pub server_status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftServerUpdatedData {
    pub server_id: String,
    pub user_id: String,
    #[serde(deserialize_with = "object")]
    pub changes: MetalSoftServerChanges,
}

/// The server's fields before and after the update; MetalSoft documents no fixed set of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftServerChanges {
    #[tsify(type = "Record<string, unknown>")]
    pub previous_state: Map<String, Value>,
    #[tsify(type = "Record<string, unknown>")]
    pub current_state: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftServerCredentialsUpdatedData {
    pub server_id: String,
    pub user_id: String,
    pub server_management_address: String,
}

/// Of `server.registered` and `server.production.registered`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftServerRegisteredData {
    pub server_id: String,
    pub server_status: String,
    pub server_type_id: String,
    pub site_id: String,
    pub user_id: String,
}

/// Of `server.registration.initiated`, `server.reregistration.initiated` and
/// `server.production.registration.initiated`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftServerRegistrationInitiatedData {
    pub server_id: String,
    pub management_address: String,
    pub site_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftServerDecommissionedData {
    pub server_id: String,
    #[serde(rename = "serverUUID")]
    pub server_uuid: String,
    pub server_class: String,
    pub server_status: String,
    pub server_type_id: String,
}

/// Of every `user.*` event: who was affected, who acted, and a sentence saying what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftUserEventData {
    pub user_id: String,
    pub user_email: String,
    pub logged_in_user_id: String,
    pub logged_in_user_email: String,
    pub message: String,
}

/// Of `network.device.created` and `network.device.registered`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftNetworkDeviceData {
    pub network_device_id: String,
    pub management_address: String,
    pub identifier_string: String,
    pub driver: String,
    pub position: String,
    pub site_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftNetworkDeviceDeletedData {
    pub network_device_id: String,
    pub position: String,
    pub site_id: String,
    pub identifier_string: String,
    pub user_id_authenticated: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftNetworkDeviceRegistrationInitiatedData {
    pub network_device_id: String,
    pub management_address: String,
    pub serial_number: String,
    pub chassis_identifier: String,
    pub management_mac_address: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftNetworkDeviceArchivedData {
    pub network_device_id: String,
    pub user_id_authenticated: String,
}

/// Of `network.device.assigned.to.fabric` and `network.device.removed.from.fabric`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftNetworkFabricData {
    pub fabric_id: String,
    pub network_device_ids: Vec<String>,
    pub fabric_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftNetworkDeviceReplacedData {
    pub old_network_device_id: String,
    pub new_network_device_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftNetworkDeviceCredentialsUpdatedData {
    pub network_device_id: String,
    pub management_address: String,
    pub identifier_string: String,
    pub driver: String,
    pub position: String,
    pub site_id: String,
    pub user_id_authenticated: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftServerHealthDegradedData {
    pub server_id: String,
    pub site_id: String,
    pub datacenter_name: String,
    pub previous_state: String,
    pub new_state: String,
    pub health_details: Vec<String>,
    /// Present only while the server is allocated to an infrastructure.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub infrastructure_id: Option<String>,
    /// Present only while the server is allocated to an infrastructure.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub instance_id: Option<String>,
    /// `false` on the first event of a degradation, `true` on the one sent after the AI
    /// monitoring agent was consulted.
    pub monitoring_agent_prompted: bool,
    /// HTML from the AI monitoring agent: sanitise it before rendering. Absent on the first event
    /// of a degradation; the documented structure also allows `null`. The outer `Option` is
    /// whether the member is on the wire, the inner one whether it is `null`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "string | null")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub monitoring_agent_result: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftServerHealthImprovedData {
    pub server_id: String,
    pub site_id: String,
    pub datacenter_name: String,
    pub previous_state: String,
    pub new_state: String,
    pub health_details: Vec<String>,
    /// Present only while the server is allocated to an infrastructure.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub infrastructure_id: Option<String>,
    /// Present only while the server is allocated to an infrastructure.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub instance_id: Option<String>,
}

/// A DNS record as MetalSoft sends it. The structure is documented only as `object[]` (the
/// examples show `hostname`, `type` and `value`), so its members are not assumed.
pub type MetalSoftDnsRecord = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftInstanceArrayDnsUpdatedData {
    pub instance_array_id: String,
    pub infrastructure_id: String,
    #[tsify(type = "Record<string, unknown>[]")]
    pub dns_records: Vec<MetalSoftDnsRecord>,
    pub user_id_authenticated: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftInstanceDnsUpdatedData {
    pub instance_id: String,
    pub infrastructure_id: String,
    #[tsify(type = "Record<string, unknown>[]")]
    pub dns_records: Vec<MetalSoftDnsRecord>,
    pub user_id_authenticated: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftInstanceArrayDnsDeletedData {
    pub instance_array_id: String,
    pub infrastructure_id: String,
    pub user_id_authenticated: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetalSoftInstanceDnsDeletedData {
    pub instance_id: String,
    pub infrastructure_id: String,
    pub user_id_authenticated: String,
}

/// With `#[serde(default)]`: an absent member is `None` and a present one is `Some(T)`. For
/// `T = String` this rejects `null`, which a plain `Option` would take for absence although
/// `JSON.parse` keeps it (the TypeScript type `x?: string` has no room for it); for
/// `T = Option<String>` it tells `null` apart from absence.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// A struct that must come from a JSON object. serde_json also reads a struct from an array of its
/// fields in order, which would leave a typed value describing an object where `JSON.parse`
/// builds an array.
pub struct JsonObject<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(JsonObject)
    }
}

fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<T, D::Error> {
    JsonObject::deserialize(deserializer).map(|JsonObject(value)| value)
}
