//! Realistic Events Hub traffic: a small world of VMs, hosts, jobs and proxies whose changes become
//! events with the real server's bodies (field order of its Go structs; alphabetical where the
//! orchestrator re-marshals Go maps). Shapes: docs/events-hub-protocol.md §2 and §6.

use rand::Rng as _;
use serde_json::json;

use crate::clock::{self, Nanos};
use crate::json::{Obj, J};
use crate::rng::{self, chance, pick, Rng};

/// Channels that carry broadcast events (health and system only answer requests; global only
/// carries the welcome and errors).
pub const BROADCAST_CHANNELS: [&str; 8] = [
    "pdfm",
    "orchestrator",
    "stats",
    "system_logs",
    "reverse_proxy",
    "catalog_cache",
    "job_manager",
    "auth",
];

#[derive(Debug, Clone)]
pub struct HubEvent {
    pub channel: &'static str,
    pub message: String,
    pub body: Option<J>,
}

impl HubEvent {
    pub fn new(channel: &'static str, message: impl Into<String>, body: impl Into<J>) -> HubEvent {
        HubEvent {
            channel,
            message: message.into(),
            body: Some(body.into()),
        }
    }
}

/// The envelope in the server's field order: `id, ref_id?, event_type, timestamp, message, body?, client_id?`.
pub fn envelope(
    id: String,
    ref_id: Option<String>,
    event_type: &str,
    ts: Nanos,
    message: &str,
    body: Option<J>,
    client_id: Option<&str>,
) -> Obj {
    Obj::new()
        .f("id", id)
        .opt("ref_id", ref_id)
        .f("event_type", event_type)
        .f("timestamp", clock::rfc3339_nano(ts))
        .f("message", message)
        .opt("body", body)
        .opt("client_id", client_id)
}

struct Vm {
    id: String,
    name: String,
    os: &'static str,
    state: &'static str,
    started_at: Option<Nanos>,
    snapshots: Vec<(String, String)>,
    ip: String,
}

struct Job {
    id: String,
    job_type: &'static str,
    operation: &'static str,
    created_at: String,
}

pub struct HubWorld {
    vms: Vec<Vm>,
    hosts: Vec<(String, String)>,
    proxy_hosts: Vec<String>,
    owner: String,
    vm_counter: u32,
}

const VM_NAMES: [&str; 8] = [
    "macOS-15-runner",
    "ubuntu-24.04-build",
    "windows-11-arm",
    "macOS-14-xcode",
    "debian-12-ci",
    "fedora-41-dev",
    "macOS-26-beta",
    "kali-rolling",
];

impl HubWorld {
    /// A world as it stands at `at` (VMs already running have been up for a while).
    pub fn new(rng: &mut Rng, at: Nanos) -> HubWorld {
        let mut world = HubWorld {
            vms: Vec::new(),
            hosts: vec![
                (rng::hex(rng, 32), "mac-mini-m4-01".to_owned()),
                (rng::hex(rng, 32), "mac-studio-02".to_owned()),
                (rng::hex(rng, 32), "macbook-pro-lab".to_owned()),
            ],
            proxy_hosts: vec![rng::hex(rng, 32), rng::hex(rng, 32)],
            owner: rng::hex(rng, 32),
            vm_counter: 0,
        };
        for _ in 0..5 {
            world.add_vm(rng, at);
        }
        world
    }

    fn add_vm(&mut self, rng: &mut Rng, now: Nanos) -> usize {
        let name = VM_NAMES[self.vm_counter as usize % VM_NAMES.len()];
        self.vm_counter += 1;
        let os = if name.starts_with("macOS") {
            "macosx"
        } else if name.starts_with("windows") {
            "win-11"
        } else {
            "ubuntu"
        };
        let running = chance(rng, 0.5);
        self.vms.push(Vm {
            id: rng::uuid(rng),
            name: if self.vm_counter as usize > VM_NAMES.len() {
                format!("{name}-{}", self.vm_counter)
            } else {
                name.into()
            },
            os,
            state: if running { "running" } else { "stopped" },
            started_at: running
                .then_some(now.saturating_sub(rng.random_range(60..86_400) * clock::NANOS_PER_SEC)),
            snapshots: Vec::new(),
            ip: format!("10.211.55.{}", rng.random_range(3..250)),
        });
        self.vms.len() - 1
    }

    fn host(&self, rng: &mut Rng) -> (String, String) {
        pick(rng, &self.hosts).clone()
    }

    /// The next group of events on `channel`, with offsets in seconds.
    pub fn scene(&mut self, channel: &'static str, rng: &mut Rng, at: Nanos) -> Vec<(f64, HubEvent)> {
        match channel {
            "pdfm" => self.pdfm_scene(rng, at),
            "orchestrator" => self.orchestrator_scene(rng, at),
            "stats" => vec![(0.0, HubEvent::new("stats", "DISK_SPACE_CHANGED", disk_space(rng)))],
            "system_logs" => vec![(
                0.0,
                HubEvent::new("system_logs", "System Log", self.log_line(rng, at)),
            )],
            "reverse_proxy" => self.proxy_scene(rng),
            "catalog_cache" => vec![(0.0, catalog_event(rng, at))],
            "job_manager" => self.job_scene(rng, at, None),
            "auth" => vec![(0.0, auth_event(rng))],
            _ => Vec::new(),
        }
    }

    fn pdfm_scene(&mut self, rng: &mut Rng, at: Nanos) -> Vec<(f64, HubEvent)> {
        self.pdfm_bodies(rng, at)
            .into_iter()
            .map(|(d, m, b)| (d, HubEvent::new("pdfm", m, b)))
            .collect()
    }

    /// pdfm (message, body) pairs, shared with the orchestrator's `HOST_VM_*` re-emits.
    fn pdfm_bodies(&mut self, rng: &mut Rng, at: Nanos) -> Vec<(f64, &'static str, J)> {
        let roll = rng.random_range(0..100);
        if roll < 45 {
            return self.state_change(rng, at);
        }
        if roll < 60 {
            let running: Vec<usize> = (0..self.vms.len())
                .filter(|i| self.vms[*i].state == "running")
                .collect();
            if let Some(&i) = running.first() {
                let vm = &self.vms[i];
                let uptime = at.saturating_sub(vm.started_at.unwrap_or(at)) / clock::NANOS_PER_SEC;
                let body = Obj::new()
                    .f("vm_id", vm.id.as_str())
                    .f("uptime", uptime.to_string());
                return vec![(0.0, "VM_UPTIME_CHANGED", body.into())];
            }
            return self.state_change(rng, at);
        }
        if roll < 70 {
            let i = rng.random_range(0..self.vms.len());
            let name = format!("snap-{}", rng.random_range(1..999));
            let id = format!("{{{}}}", rng::uuid(rng));
            self.vms[i].snapshots.push((id, name));
            if self.vms[i].snapshots.len() > 3 {
                self.vms[i].snapshots.remove(0);
            }
            return vec![(0.0, "VM_SNAPSHOTS_UPDATED", self.snapshots_body(i, at))];
        }
        if roll < 78 {
            let i = rng.random_range(0..self.vms.len());
            let body = Obj::new()
                .f("vm_id", self.vms[i].id.as_str())
                .f("new_vm", self.vm_object(i, rng, at));
            return vec![(0.0, "VM_UPDATED", body.into())];
        }
        if roll < 86 || self.vms.len() < 4 {
            let i = self.add_vm(rng, at);
            let body = Obj::new()
                .f("vm_id", self.vms[i].id.as_str())
                .f("new_vm", self.vm_object(i, rng, at));
            return vec![(0.0, "VM_ADDED", body.into())];
        }
        if roll < 92 && self.vms.len() > 4 {
            let vm = self.vms.remove(rng.random_range(0..self.vms.len()));
            return vec![(0.0, "VM_REMOVED", Obj::new().f("vm_id", vm.id).into())];
        }
        vec![(0.0, "MAC_VMS_RUNNING_NOW", self.mac_running())]
    }

    fn mac_running(&self) -> J {
        let ids: Vec<String> = self
            .vms
            .iter()
            .filter(|v| v.os == "macosx" && v.state == "running")
            .map(|v| v.id.clone())
            .collect();
        Obj::new().f("mac_vms_running", ids).into()
    }

    fn snapshots_body(&self, i: usize, at: Nanos) -> J {
        let vm = &self.vms[i];
        let snapshots: J = if vm.snapshots.is_empty() {
            J::Null
        } else {
            let last = vm.snapshots.len() - 1;
            J::Arr(
                vm.snapshots
                    .iter()
                    .enumerate()
                    .map(|(n, (id, name))| {
                        Obj::new()
                            .f("id", id.as_str())
                            .f("name", name.as_str())
                            .f("date", clock::rfc3339_secs(at))
                            .f("state", "poweroff")
                            .f("current", n == last)
                            .f(
                                "parent",
                                if n == 0 {
                                    String::new()
                                } else {
                                    vm.snapshots[n - 1].0.clone()
                                },
                            )
                            .into()
                    })
                    .collect(),
            )
        };
        Obj::new()
            .f("vm_id", vm.id.as_str())
            .f("snapshots", snapshots)
            .into()
    }

    /// A VM walks through prlctl's states: stopped → starting → running, running → suspending →
    /// suspended, and so on, one event per step.
    fn state_change(&mut self, rng: &mut Rng, at: Nanos) -> Vec<(f64, &'static str, J)> {
        let i = rng.random_range(0..self.vms.len());
        let from = self.vms[i].state;
        let path: &[&'static str] = match from {
            "running" => {
                const PATHS: [&[&str]; 3] = [
                    &["stopping", "stopped"],
                    &["suspending", "suspended"],
                    &["pausing", "paused"],
                ];
                PATHS[rng.random_range(0..PATHS.len())]
            }
            "suspended" | "paused" => &["resuming", "running"],
            _ => &["starting", "running"],
        };
        let mut out = Vec::new();
        let mut prev = from;
        let mut delay = 0.0;
        for &next in path {
            let body = Obj::new()
                .f("previous_state", prev)
                .f("current_state", next)
                .f("vm_id", self.vms[i].id.as_str());
            out.push((delay, "VM_STATE_CHANGED", body.into()));
            prev = next;
            delay += rng.random_range(0.8..2.5);
        }
        self.vms[i].state = prev;
        self.vms[i].started_at = (prev == "running").then_some(at);
        if self.vms[i].os == "macosx" {
            out.push((delay, "MAC_VMS_RUNNING_NOW", self.mac_running()));
        }
        out
    }

    /// The VM object with prlctl's keys (`ParallelsVM`).
    pub fn vm_object(&self, i: usize, rng: &mut Rng, at: Nanos) -> J {
        let vm = &self.vms[i];
        let mac = vm.os == "macosx";
        let home = format!(
            "/Users/builder/Parallels/{}.{}/",
            vm.name,
            if mac { "macvm" } else { "pvm" }
        );
        let uptime = vm
            .started_at
            .map_or(0, |s| at.saturating_sub(s) / clock::NANOS_PER_SEC);
        let cpus = *pick(rng, &[2, 4, 6, 8]);
        let mem = *pick(rng, &[4096, 8192, 16384]);
        let ip_addresses: J = if vm.state == "running" {
            J::Arr(vec![
                Obj::new().f("type", "ipv4").f("ip", vm.ip.as_str()).into(),
                Obj::new()
                    .f("type", "ipv6")
                    .f("ip", "fdb2:2c26:f4e4:0:21c:42ff:fe3b:1a2c")
                    .into(),
            ])
        } else {
            J::Arr(Vec::new())
        };
        let shaping = || {
            Obj::new()
                .f("Bandwidth", "0 Kbps")
                .f("Packet Loss", "0")
                .f("Delay", "0 ms")
        };
        Obj::new()
            .f("ID", vm.id.as_str())
            .f("user", "builder")
            .f("Name", vm.name.as_str())
            .f("Description", "")
            .f("Type", "VM")
            .f("State", vm.state)
            .f("OS", vm.os)
            .f("Template", "no")
            .f("Uptime", uptime.to_string())
            .f("Home path", format!("{home}config.pvs"))
            .f("Home", home.as_str())
            .f("Restore Image", "")
            .f(
                "GuestTools",
                Obj::new().f("state", "installed").f("version", "20.1.0-55732"),
            )
            .f(
                "Mouse and Keyboard",
                Obj::new()
                    .f("Smart mouse optimized for games", "auto")
                    .f("Sticky mouse", "off")
                    .f("Smooth scrolling", "on")
                    .f("Keyboard optimization mode", "auto"),
            )
            .f(
                "USB and Bluetooth",
                Obj::new()
                    .f("Automatic sharing cameras", "on")
                    .f("Automatic sharing bluetooth", "off")
                    .f("Automatic sharing smart cards", "off")
                    .f("Automatic sharing gamepads", "on")
                    .f("Support USB 3.0", "on"),
            )
            .f(
                "Startup and Shutdown",
                Obj::new()
                    .f("Autostart", "off")
                    .f("Autostart delay", 0)
                    .f("Autostop", "suspend")
                    .f("Startup view", "headless")
                    .f("On shutdown", "close")
                    .f("On window close", "keep running")
                    .f("Pause idle", "off")
                    .f("Undo disks", "off"),
            )
            .f(
                "Optimization",
                Obj::new()
                    .f("Faster virtual machine", "on")
                    .f("Hypervisor type", "apple")
                    .f("Adaptive hypervisor", "off")
                    .f("Disabled Windows logo", "on")
                    .f("Auto compress virtual disks", "on")
                    .f("Nested virtualization", "off")
                    .f("PMU virtualization", "off")
                    .f("Longer battery life", "off")
                    .f("Show battery status", "on")
                    .f("Resource quota", "unlimited"),
            )
            .f(
                "Travel mode",
                Obj::new()
                    .f("Enter condition", "never")
                    .f("Enter threshold", -1)
                    .f("Quit condition", "never"),
            )
            .f(
                "Security",
                Obj::new()
                    .f("Encrypted", "off")
                    .f("TPM enabled", "off")
                    .f("TPM type", "none")
                    .f("Custom password protection", "off")
                    .f("Configuration is locked", "off")
                    .f("Protected", "off")
                    .f("Archived", "off")
                    .f("Packed", "off"),
            )
            .f("Smart Guard", Obj::new().f("enabled", false))
            .f(
                "Modality",
                Obj::new()
                    .f("Opacity (percentage)", 50)
                    .f("Stay on top", "on")
                    .f("Show on all spaces ", "on")
                    .f("Capture mouse clicks", "on"),
            )
            .f(
                "Fullscreen",
                Obj::new()
                    .f("Use all displays", "off")
                    .f("Activate spaces on click", "on")
                    .f("Optimize for games", "off")
                    .f("Gamma control", "on")
                    .f("Scale view mode", "auto"),
            )
            .f(
                "Coherence",
                Obj::new()
                    .f("Show Windows systray in Mac menu", "on")
                    .f("Auto-switch to full screen", "on")
                    .f("Disable aero", "off")
                    .f("Hide minimized windows", "off"),
            )
            .f(
                "Time Synchronization",
                Obj::new()
                    .f("enabled", "on")
                    .f("Smart mode", "off")
                    .f("Interval (in seconds)", 60)
                    .f("Timezone synchronization disabled", "off"),
            )
            .f("Expiration", Obj::new().f("enabled", false))
            .f("Boot order", "hdd0 cdrom0 net0")
            .f("BIOS type", "efi-arm64")
            .f("EFI Secure boot", "off")
            .f("Allow select boot device", "off")
            .f("External boot device", "")
            .f(
                "SMBIOS settings",
                Obj::new()
                    .f("BIOS Version", "")
                    .f("System serial number", "")
                    .f("Board Manufacturer", ""),
            )
            .f(
                "Hardware",
                Obj::new()
                    .f(
                        "cpu",
                        Obj::new()
                            .f("cpus", cpus)
                            .f("auto", "off")
                            .f("VT-x", true)
                            .f("hotplug", false)
                            .f("accl", "high")
                            .f("mode", "64")
                            .f("type", "arm"),
                    )
                    .f(
                        "memory",
                        Obj::new()
                            .f("size", format!("{mem}Mb"))
                            .f("auto", "off")
                            .f("hotplug", false),
                    )
                    .f(
                        "video",
                        Obj::new()
                            .f("adapter-type", if mac { "apple" } else { "virtio" })
                            .f("size", "0Mb")
                            .f("3d-acceleration", "highest")
                            .f("vertical-sync", "on")
                            .f("high-resolution", "off")
                            .f("high-resolution-in-guest", "off")
                            .f("native-scaling-in-guest", "off")
                            .f("automatic-video-memory", "on"),
                    )
                    .f("memory_quota", Obj::new().f("auto", "on"))
                    .f(
                        "hdd0",
                        Obj::new()
                            .f("enabled", true)
                            .f("port", "sata:0")
                            .f("image", format!("{home}harddisk.hdd"))
                            .f("type", "expanded")
                            .f("size", "65536Mb")
                            .f("online-compact", "off"),
                    )
                    .f(
                        "cdrom0",
                        Obj::new()
                            .f("enabled", true)
                            .f("port", "sata:1")
                            .f("image", "")
                            .f("state", "disconnected"),
                    )
                    .f("usb", Obj::new().f("enabled", true))
                    .f(
                        "net0",
                        Obj::new()
                            .f("enabled", true)
                            .f("type", "shared")
                            .f("mac", "001C423B1A2C")
                            .f("card", "virtio"),
                    )
                    .f(
                        "sound0",
                        Obj::new()
                            .f("enabled", true)
                            .f("output", "Default")
                            .f("mixer", "Default"),
                    ),
            )
            .f("Host Shared Folders", Obj::new().f("enabled", true))
            .f("Host defined sharing", "Home")
            .f("Shared Profile", Obj::new().f("enabled", false))
            .f("Shared Applications", Obj::new().f("enabled", false))
            .f("SmartMount", Obj::new().f("enabled", false))
            .f(
                "Miscellaneous Sharing",
                Obj::new().f("Shared clipboard", "on").f("Shared cloud", "off"),
            )
            .f(
                "Advanced",
                Obj::new()
                    .f("VM hostname synchronization", "on")
                    .f("Public SSH keys synchronization", "off")
                    .f("Show developer tools", "off")
                    .f("Swipe from edges", "off")
                    .f("Share host location", "on")
                    .f("Rosetta Linux", "off"),
            )
            .f(
                "Print Management",
                Obj::new()
                    .f("Synchronize with host printers", "on")
                    .f("Synchronize default printer", "off")
                    .f("Show host printer UI", "on"),
            )
            .f(
                "Guest Shared Folders",
                Obj::new().f("enabled", true).f("Automount", "on"),
            )
            .f(
                "Network",
                Obj::new()
                    .f("Conditioned", "off")
                    .f("Inbound", shaping())
                    .f("Outbound", shaping())
                    .f("ipAddresses", ip_addresses),
            )
            .into()
    }

    fn orchestrator_scene(&mut self, rng: &mut Rng, at: Nanos) -> Vec<(f64, HubEvent)> {
        let (host_id, host_name) = self.host(rng);
        let ev = |m: &str, b: J| HubEvent::new("orchestrator", m, b);
        let roll = rng.random_range(0..100);
        if roll < 30 {
            // A host's pdfm events, re-emitted as HOST_<message> wrapped in {host_id, event}.
            return self
                .pdfm_bodies(rng, at)
                .into_iter()
                .map(|(d, m, body)| {
                    let wrapped = Obj::new().f("host_id", host_id.as_str()).f("event", body);
                    (d, ev(&format!("HOST_{m}"), wrapped.into()))
                })
                .collect();
        }
        if roll < 50 {
            // Re-marshalled Go map: keys alphabetical (serde_json::Value sorts them).
            let stats = if chance(rng, 0.85) {
                J::Obj(system_stats(rng)).to_value()
            } else {
                J::Obj(disk_space(rng)).to_value()
            };
            return vec![(
                0.0,
                ev(
                    "HOST_STATS_UPDATE",
                    Obj::new().f("host_id", host_id).f("stats", stats).into(),
                ),
            )];
        }
        if roll < 65 {
            let log = self.log_line(rng, at);
            return vec![(
                0.0,
                ev(
                    "HOST_LOGS_UPDATE",
                    Obj::new().f("host_id", host_id).f("log", log).into(),
                ),
            )];
        }
        if roll < 75 {
            let state = if chance(rng, 0.8) { "healthy" } else { "unhealthy" };
            return vec![(
                0.0,
                ev(
                    "HOST_HEALTH_UPDATE",
                    Obj::new().f("host_id", host_id).f("state", state).into(),
                ),
            )];
        }
        if roll < 82 {
            let (m, state) = *pick(
                rng,
                &[
                    ("HOST_WEBSOCKET_CONNECTED", "websocket_connected"),
                    ("HOST_WEBSOCKET_DISCONNECTED", "websocket_disconnected"),
                    ("HOST_WEBSOCKET_DEGRADED", "websocket_degraded"),
                ],
            );
            return vec![(
                0.0,
                ev(m, Obj::new().f("host_id", host_id).f("state", state).into()),
            )];
        }
        if roll < 90 {
            // The host's FULL envelope inside, wrapper keys alphabetical: {event, host_id}.
            let (message, inner) = if chance(rng, 0.5) {
                let e = catalog_event(rng, at);
                ("HOST_CATALOG_CACHE_EVENT", e)
            } else {
                let e = self.proxy_scene(rng).remove(0).1;
                ("HOST_REVERSE_PROXY_UPDATED", e)
            };
            let envelope = envelope(
                rng::hex(rng, 32),
                None,
                inner.channel,
                at,
                &inner.message,
                inner.body,
                None,
            );
            return vec![(
                0.0,
                ev(
                    message,
                    Obj::new().f("event", envelope).f("host_id", host_id).into(),
                ),
            )];
        }
        let body = match rng.random_range(0..3) {
            0 => (
                "HOST_ADDED",
                Obj::new()
                    .f("host_id", host_id)
                    .f("host", host_name)
                    .f("description", "Build farm Mac")
                    .into(),
            ),
            1 => (
                "HOST_REMOVED",
                Obj::new().f("host_id", host_id).f("host", host_name).into(),
            ),
            _ => (
                "HOST_DEPLOYED",
                Obj::new()
                    .f("host_id", host_id)
                    .f("host", host_name)
                    .f("message", "Host deployed successfully")
                    .into(),
            ),
        };
        vec![(0.0, ev(body.0, body.1))]
    }

    /// `System Log` body: `{level, message, time}` with `time` in local time with an offset.
    pub fn log_line(&self, rng: &mut Rng, at: Nanos) -> J {
        let vm = pick(rng, &self.vms);
        let (level, message) = match rng.random_range(0..10) {
            0 => (
                "debug",
                format!("[ParallelsDesktop] [Events] Added VM {} to cache", vm.id),
            ),
            1 => (
                "info",
                format!(
                    "WebSocket connection attempt from IP: 10.0.0.{}",
                    rng.random_range(2..250)
                ),
            ),
            2 => (
                "warn",
                format!(
                    "[ParallelsDesktop] VM {} is taking longer than expected to respond",
                    vm.name
                ),
            ),
            3 => (
                "error",
                "[Catalog] Error pulling manifest: context deadline exceeded".to_owned(),
            ),
            4 => ("success", format!("[Machines] Machine {} started", vm.name)),
            5 => ("trace", "[Jobs] Cleaning up finished jobs".to_owned()),
            6 => ("command", format!("prlctl list -i -j {}", vm.id)),
            _ => (
                "info",
                format!(
                    "[Api] {} /api/v1/machines/{} {} {}ms",
                    pick(rng, &["GET", "PUT", "POST"]),
                    vm.id,
                    pick(rng, &[200, 200, 202, 404]),
                    rng.random_range(1..80)
                ),
            ),
        };
        Obj::new()
            .f("level", level)
            .f("message", message)
            .f("time", clock::rfc3339_nano_local(at))
            .into()
    }

    fn proxy_scene(&self, rng: &mut Rng) -> Vec<(f64, HubEvent)> {
        let proxy = pick(rng, &self.proxy_hosts).clone();
        let vm = pick(rng, &self.vms);
        let ev = |m: &str, b: Obj| HubEvent::new("reverse_proxy", m, b);
        let roll = rng.random_range(0..100);
        let event = if roll < 55 {
            ev(
                "HTTP Traffic Forwarded",
                Obj::new()
                    .f("reverse_proxy_host_id", proxy)
                    .f("target_vm_id", vm.id.as_str())
                    .f("target_host", vm.ip.as_str())
                    .f("target_port", "8080")
                    .f("path", *pick(rng, &["/healthz", "/", "/api/status", "/metrics"]))
                    .f("traffic_type", "http")
                    .f("internal_ip_address", vm.ip.as_str())
                    .f("method", *pick(rng, &["GET", "GET", "POST"]))
                    .f(
                        "source_ip",
                        format!(
                            "192.168.1.{}:{}",
                            rng.random_range(2..250),
                            rng.random_range(40000..65000)
                        ),
                    ),
            )
        } else if roll < 70 {
            ev(
                "TCP Traffic Forwarded",
                Obj::new()
                    .f("reverse_proxy_host_id", proxy)
                    .f("target_host", vm.ip.as_str())
                    .f("traffic_type", "tcp")
                    .f("internal_ip_address", vm.ip.as_str())
                    .f(
                        "source_ip",
                        format!(
                            "192.168.1.{}:{}",
                            rng.random_range(2..250),
                            rng.random_range(40000..65000)
                        ),
                    ),
            )
        } else if roll < 80 {
            let state = *pick(rng, &["starting", "started", "stopped", "ip_changed"]);
            let mut body = Obj::new().f("reverse_proxy_host_id", proxy).f("state", state);
            if state == "ip_changed" {
                body = body.f("old_ip", "10.211.55.14").f("new_ip", vm.ip.as_str());
            }
            ev("REVERSE_PROXY_HOST_STATE_CHANGED", body)
        } else if roll < 88 {
            let enabled = chance(rng, 0.8);
            ev(
                "REVERSE_PROXY_STATE_CHANGED",
                Obj::new()
                    .f("enabled", enabled)
                    .f("state", if enabled { "started" } else { "stopped" }),
            )
        } else {
            let m = if chance(rng, 0.8) {
                "Reverse Proxy Route Updated"
            } else {
                "Reverse Proxy Route Failed"
            };
            ev(
                m,
                Obj::new()
                    .f("reverse_proxy_host_id", proxy)
                    .f("target_vm_id", vm.id.as_str())
                    .f("internal_ip_address", vm.ip.as_str()),
            )
        };
        vec![(0.0, event)]
    }

    /// A job's life: created, a few progress updates, then completed (or a failed update — there is
    /// no JOB_FAILED), sometimes deleted. `host` re-emits it as an orchestrator host job.
    pub fn job_scene(&mut self, rng: &mut Rng, at: Nanos, host: Option<String>) -> Vec<(f64, HubEvent)> {
        let (job_type, operation, file) = *pick(
            rng,
            &[
                ("machines", "create", "macos-runner.pvm"),
                ("catalog", "pull", "ubuntu-24.04.pvm"),
                ("catalog", "push", "windows-11.pvm"),
            ],
        );
        let job = Job {
            id: rng::hex(rng, 32),
            job_type,
            operation,
            created_at: clock::rfc3339_nano(at),
        };
        let total: i64 = 32_212_254_720;
        let fails = chance(rng, 0.15);
        let mut out = Vec::new();
        let mut t = 0.0;
        out.push((
            t,
            "JOB_CREATED",
            self.job_body(&job, "pending", None, 0, None, at),
        ));
        for progress in [12, 42, 78] {
            t += rng.random_range(0.5..2.0);
            let stamp = at + (t * 1e9) as u64;
            let step = job_step(
                "download",
                "Download",
                "running",
                progress as f64 + 0.5,
                total * progress / 100,
                total,
                file,
            );
            out.push((
                t,
                "JOB_UPDATED",
                self.job_body(
                    &job,
                    "running",
                    Some("Pulling layers"),
                    progress,
                    Some(step),
                    stamp,
                ),
            ));
            if fails && progress == 42 {
                t += 0.4;
                let stamp = at + (t * 1e9) as u64;
                let mut body = self.job_body(&job, "failed", Some("download failed"), progress, None, stamp);
                if let J::Obj(o) = &mut body {
                    o.set("error", "unexpected EOF while downloading layer 3");
                }
                out.push((t, "JOB_UPDATED", body));
                break;
            }
        }
        if !fails {
            t += rng.random_range(0.5..2.0);
            let stamp = at + (t * 1e9) as u64;
            let step = job_step("download", "Download", "completed", 100.0, total, total, file);
            out.push((
                t,
                "JOB_COMPLETED",
                self.job_body(&job, "completed", Some("Done"), 100, Some(step), stamp),
            ));
        }
        if chance(rng, 0.3) {
            t += 1.0;
            let stamp = at + (t * 1e9) as u64;
            out.push((
                t,
                "JOB_DELETED",
                self.job_body(&job, "completed", None, 100, None, stamp),
            ));
        }
        out.into_iter()
            .map(|(t, m, body)| {
                let body = match &host {
                    Some(h) => Obj::new()
                        .f("host_id", h.as_str())
                        .f("event", body)
                        .f("is_orchestrator_job", false)
                        .into(),
                    None => body,
                };
                (t, HubEvent::new("job_manager", m, body))
            })
            .collect()
    }

    fn job_body(
        &self,
        job: &Job,
        state: &str,
        message: Option<&str>,
        progress: i64,
        step: Option<Obj>,
        at: Nanos,
    ) -> J {
        Obj::new()
            .f("id", job.id.as_str())
            .f("owner", self.owner.as_str())
            .f("owner_email", "root@localhost")
            .f("state", state)
            .opt("message", message)
            .f("progress", progress)
            .f("job_type", job.job_type)
            .f("job_operation", job.operation)
            .opt("steps", step.map(|s| vec![J::from(s)]))
            .f("created_at", job.created_at.as_str())
            .f("updated_at", clock::rfc3339_nano(at))
            .into()
    }

    /// One event of a channel for bursts and faults (the first of a scene).
    pub fn one(&mut self, channel: &'static str, rng: &mut Rng, at: Nanos) -> HubEvent {
        match channel {
            "stats" => HubEvent::new("stats", "System Stats", system_stats(rng)),
            "job_manager" => self.job_scene(rng, at, None).remove(0).1,
            other => {
                let mut scene = self.scene(other, rng, at);
                if scene.is_empty() {
                    HubEvent::new("system_logs", "System Log", self.log_line(rng, at))
                } else {
                    scene.remove(0).1
                }
            }
        }
    }

    pub fn random_host_id(&self, rng: &mut Rng) -> String {
        self.host(rng).0
    }
}

fn job_step(name: &str, display: &str, state: &str, pct: f64, value: i64, total: i64, file: &str) -> Obj {
    Obj::new()
        .f("name", name)
        .f("display_name", display)
        .f("weight", 0.8)
        .f("parallel", false)
        .f("has_percentage", true)
        .f("state", state)
        .f("current_percentage", pct)
        .f("value", value)
        .f("total", total)
        .f("eta", if state == "completed" { "0s" } else { "3m10s" })
        .f("message", "")
        .f("error", "")
        .f("filename", file)
        .f("unit", "bytes")
}

/// `System Stats` body in the server's field order.
pub fn system_stats(rng: &mut Rng) -> Obj {
    let goroutines = rng.random_range(60..120);
    Obj::new()
        .f("memory_bytes", rng.random_range(30_000_000_i64..60_000_000))
        .f("memory_alloc_bytes", rng.random_range(12_000_000_i64..25_000_000))
        .f(
            "cpu_user_seconds",
            (rng.random_range(40_000..90_000) as f64) / 100.0,
        )
        .f(
            "cpu_system_seconds",
            (rng.random_range(5_000..20_000) as f64) / 100.0,
        )
        .f("cpu_percent", (rng.random_range(5..400) as f64) / 100.0)
        .f("goroutines", goroutines)
        .f("goroutines_smoothed", goroutines - 2)
}

fn disk_space(rng: &mut Rng) -> Obj {
    Obj::new()
        .f("cache_folder_size", rng.random_range(20_000_i64..90_000))
        .f("parallels_home_size", rng.random_range(100_000_i64..400_000))
        .f("given_path_size", rng.random_range(1_000_i64..9_000))
        .f("prl_home_path", 512_000)
}

fn catalog_event(rng: &mut Rng, at: Nanos) -> HubEvent {
    let (catalog, version, arch) = *pick(
        rng,
        &[
            ("macos-runner", "v15.2", "arm64"),
            ("ubuntu-build", "v24.04", "arm64"),
            ("windows-11", "v23h2", "x86_64"),
        ],
    );
    if chance(rng, 0.7) {
        HubEvent::new(
            "catalog_cache",
            "CACHE_ITEM_ADDED",
            Obj::new()
                .f("catalog_id", catalog)
                .f("version", version)
                .f("architecture", arch)
                .f("cache_size", rng.random_range(8_000_000_000_i64..40_000_000_000))
                .f("cache_type", if chance(rng, 0.6) { "folder" } else { "file" })
                .f("cached_date", clock::rfc3339_secs(at)),
        )
    } else {
        HubEvent::new(
            "catalog_cache",
            "CACHE_ITEM_REMOVED",
            Obj::new()
                .f("catalog_id", catalog)
                .f("version", version)
                .f("architecture", arch),
        )
    }
}

fn auth_event(rng: &mut Rng) -> HubEvent {
    let user = rng::uuid(rng);
    let role = pick(rng, &["ADMIN", "USER", "SUPER_USER", "READER"]).to_string();
    let claim = pick(
        rng,
        &[
            "LIST_VM",
            "CREATE_VM",
            "DELETE_VM",
            "READ_ONLY",
            "PULL_CATALOG_MANIFEST",
        ],
    )
    .to_string();
    let (message, body) = match rng.random_range(0..13) {
        0 => ("USER_ADDED", json!({"user_id": user})),
        1 => ("USER_UPDATED", json!({"user_id": user})),
        2 => ("USER_REMOVED", json!({"user_id": user})),
        3 => ("ROLE_ADDED", json!({"role_id": role})),
        4 => ("ROLE_REMOVED", json!({"role_id": role})),
        5 => ("CLAIM_ADDED", json!({"claim_id": claim})),
        6 => ("CLAIM_REMOVED", json!({"claim_id": claim})),
        7 => ("ROLE_CLAIM_ADDED", json!({"role_id": role, "claim_id": claim})),
        8 => ("ROLE_CLAIM_REMOVED", json!({"role_id": role, "claim_id": claim})),
        9 => ("USER_ROLE_ADDED", json!({"user_id": user, "role_id": role})),
        10 => ("USER_ROLE_REMOVED", json!({"user_id": user, "role_id": role})),
        11 => ("USER_CLAIM_ADDED", json!({"user_id": user, "claim_id": claim})),
        _ => ("USER_CLAIM_REMOVED", json!({"user_id": user, "claim_id": claim})),
    };
    // Struct order for the two-field bodies: the id of the subject first.
    let body = match body.as_object() {
        Some(m) if m.len() == 2 => {
            let first = if m.contains_key("user_id") {
                "user_id"
            } else {
                "role_id"
            };
            let second = if first == "user_id" {
                if m.contains_key("role_id") {
                    "role_id"
                } else {
                    "claim_id"
                }
            } else {
                "claim_id"
            };
            J::Obj(Obj::new().f(first, m[first].clone()).f(second, m[second].clone()))
        }
        _ => J::Value(body),
    };
    HubEvent {
        channel: "auth",
        message: message.into(),
        body: Some(body),
    }
}
