//! `pdfm` (host mode): Parallels Desktop VMs of the host. `VM_ADDED` and `VM_UPDATED` carry the
//! whole VM object, with prlctl's keys (`"ID"`, `"Name"`, `"Home path"` …), not lower-case ones.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

use super::{nullable, present, RawObject};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubPdfmChannel {
    #[serde(rename = "pdfm")]
    Pdfm,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HubPdfmMessage {
    VmStateChanged(HubVmStateChanged),
    VmAdded(HubVmDetails),
    VmUpdated(HubVmDetails),
    VmRemoved(HubVmRemoved),
    VmUptimeChanged(HubVmUptimeChanged),
    VmSnapshotsUpdated(HubVmSnapshotsUpdated),
    MacVmsRunningNow(HubMacVmsRunningNow),
}

/// A VM state as prlctl names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum HubVmState {
    Running,
    Stopped,
    Paused,
    Suspended,
    Starting,
    Stopping,
    Resuming,
    Suspending,
    Pausing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubVmStateChanged {
    pub previous_state: HubVmState,
    pub current_state: HubVmState,
    pub vm_id: String,
}

/// The body of `VM_ADDED` and `VM_UPDATED`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubVmDetails {
    pub vm_id: String,
    pub new_vm: ParallelsVm,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubVmRemoved {
    pub vm_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubVmUptimeChanged {
    pub vm_id: String,
    /// Seconds, as a string (prlctl's form).
    pub uptime: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubVmSnapshotsUpdated {
    pub vm_id: String,
    /// `null` when the VM has no snapshots.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::model::Nullable<Vec<HubVmSnapshot>>")
    )]
    pub snapshots: Option<Vec<HubVmSnapshot>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubVmSnapshot {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub id: Option<String>,
    pub name: String,
    pub date: String,
    pub state: String,
    /// True for the snapshot the VM currently runs from.
    pub current: bool,
    /// The parent snapshot's id; empty for a root.
    pub parent: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<HubVmSnapshot>"))]
    pub children: Option<Vec<HubVmSnapshot>>,
}

/// Sent when the set of running macOS VMs changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubMacVmsRunningNow {
    /// VM ids.
    pub mac_vms_running: Vec<String>,
}

/// A Parallels Desktop VM as `prlctl list --info --json` describes it, with the devops service's
/// own `host…` fields when an orchestrator reports it. Keys are prlctl's.
///
/// The nested sections beyond `GuestTools`, `Hardware` and `Network` are typed loosely: the
/// server always sends them today, but their contents follow the installed Parallels Desktop, so
/// they are optional here and not described key by key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParallelsVm {
    /// The VM's UUID (equal to the event's `vm_id`).
    #[serde(rename = "ID")]
    pub id: String,
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
    pub host_url: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub host_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub host_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub host_state: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub host_external_ip_address: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub internal_ip_address: Option<String>,
    /// The macOS user whose Parallels Desktop holds the VM.
    pub user: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Description")]
    pub description: String,
    /// `"VM"` for a virtual machine.
    #[serde(rename = "Type")]
    pub vm_type: String,
    #[serde(rename = "State")]
    pub state: HubVmState,
    /// Guest OS, such as `"macosx"`, `"ubuntu"`, `"win-11"`.
    #[serde(rename = "OS")]
    pub os: String,
    /// `"yes"` or `"no"`.
    #[serde(rename = "Template")]
    pub template: String,
    /// Seconds, as a string.
    #[serde(rename = "Uptime")]
    pub uptime: String,
    /// The VM's config file (`…/config.pvs`).
    #[serde(rename = "Home path")]
    pub home_path: String,
    /// The VM's bundle folder.
    #[serde(rename = "Home")]
    pub home: String,
    #[serde(rename = "Restore Image")]
    pub restore_image: String,
    #[serde(rename = "GuestTools")]
    pub guest_tools: ParallelsVmGuestTools,
    #[serde(
        rename = "Boot order",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub boot_order: Option<String>,
    #[serde(
        rename = "BIOS type",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub bios_type: Option<String>,
    #[serde(
        rename = "EFI Secure boot",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub efi_secure_boot: Option<String>,
    #[serde(
        rename = "Allow select boot device",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub allow_select_boot_device: Option<String>,
    #[serde(
        rename = "External boot device",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub external_boot_device: Option<String>,
    #[serde(
        rename = "Host defined sharing",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub host_defined_sharing: Option<String>,
    #[serde(
        rename = "Mouse and Keyboard",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub mouse_and_keyboard: Option<RawObject>,
    #[serde(
        rename = "USB and Bluetooth",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub usb_and_bluetooth: Option<RawObject>,
    #[serde(
        rename = "Startup and Shutdown",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub startup_and_shutdown: Option<RawObject>,
    #[serde(
        rename = "Optimization",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub optimization: Option<RawObject>,
    #[serde(
        rename = "Travel mode",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub travel_mode: Option<RawObject>,
    #[serde(
        rename = "Security",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub security: Option<RawObject>,
    #[serde(
        rename = "Smart Guard",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub smart_guard: Option<RawObject>,
    #[serde(
        rename = "Modality",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub modality: Option<RawObject>,
    #[serde(
        rename = "Fullscreen",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub fullscreen: Option<RawObject>,
    #[serde(
        rename = "Coherence",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub coherence: Option<RawObject>,
    #[serde(
        rename = "Time Synchronization",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub time_synchronization: Option<RawObject>,
    #[serde(
        rename = "Expiration",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub expiration: Option<RawObject>,
    #[serde(
        rename = "SMBIOS settings",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub smbios_settings: Option<RawObject>,
    #[serde(
        rename = "Shared Profile",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub shared_profile: Option<RawObject>,
    #[serde(
        rename = "Shared Applications",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub shared_applications: Option<RawObject>,
    #[serde(
        rename = "SmartMount",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub smart_mount: Option<RawObject>,
    #[serde(
        rename = "Miscellaneous Sharing",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub miscellaneous_sharing: Option<RawObject>,
    #[serde(
        rename = "Advanced",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub advanced: Option<RawObject>,
    #[serde(
        rename = "Print Management",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub print_management: Option<RawObject>,
    #[serde(
        rename = "Guest Shared Folders",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown>")]
    #[cfg_attr(feature = "schema", schemars(with = "RawObject"))]
    pub guest_shared_folders: Option<RawObject>,
    /// A Go map on the server: `null` when the VM shares no folder.
    #[serde(
        rename = "Host Shared Folders",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "Record<string, unknown> | null")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<RawObject>"))]
    pub host_shared_folders: Option<Option<RawObject>>,
    #[serde(rename = "Hardware")]
    pub hardware: ParallelsVmHardware,
    #[serde(rename = "Network")]
    pub network: ParallelsVmNetwork,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParallelsVmGuestTools {
    /// Such as `"installed"` or `"not installed"`.
    pub state: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub version: Option<String>,
}

/// The VM's devices, each as prlctl reports it (for example `cpu.cpus`, `memory.size`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParallelsVmHardware {
    #[tsify(type = "Record<string, unknown>")]
    pub cpu: RawObject,
    #[tsify(type = "Record<string, unknown>")]
    pub memory: RawObject,
    #[tsify(type = "Record<string, unknown>")]
    pub video: RawObject,
    #[tsify(type = "Record<string, unknown>")]
    pub memory_quota: RawObject,
    #[tsify(type = "Record<string, unknown>")]
    pub hdd0: RawObject,
    #[tsify(type = "Record<string, unknown>")]
    pub cdrom0: RawObject,
    #[tsify(type = "Record<string, unknown>")]
    pub usb: RawObject,
    #[tsify(type = "Record<string, unknown>")]
    pub net0: RawObject,
    #[tsify(type = "Record<string, unknown>")]
    pub sound0: RawObject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParallelsVmNetwork {
    #[serde(rename = "Conditioned")]
    pub conditioned: String,
    /// Network conditioner settings for inbound traffic.
    #[serde(rename = "Inbound")]
    #[tsify(type = "Record<string, unknown>")]
    pub inbound: RawObject,
    #[serde(rename = "Outbound")]
    #[tsify(type = "Record<string, unknown>")]
    pub outbound: RawObject,
    /// A Go slice on the server, so `null` rather than `[]` when prlctl reported none.
    #[serde(rename = "ipAddresses", deserialize_with = "nullable")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::model::Nullable<Vec<ParallelsVmIpAddress>>")
    )]
    pub ip_addresses: Option<Vec<ParallelsVmIpAddress>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParallelsVmIpAddress {
    /// Such as `"ipv4"` or `"ipv6"`.
    #[serde(rename = "type")]
    pub kind: String,
    pub ip: String,
}
