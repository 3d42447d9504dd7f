//! MetalSoft's significant events (all 41 types of seeds/metalsoft-cloudevents.txt) as CloudEvents
//! 1.0 in the JSON format, with the data each type documents (ids as strings, as MetalSoft sends).

use rand::seq::SliceRandom as _;
use rand::Rng as _;

use crate::clock::{self, Nanos};
use crate::json::{Obj, J};
use crate::rng::{self, chance, pick, Rng};

pub const TYPES: [&str; 41] = [
    "server.deleted",
    "server.updated",
    "server.credentials.updated",
    "server.registered",
    "server.registration.initiated",
    "server.reregistration.initiated",
    "server.production.registration.initiated",
    "server.decommissioned",
    "server.production.registered",
    "user.created",
    "user.credentials.changed",
    "user.suspended",
    "user.unsuspended",
    "user.password.reset.requested",
    "user.email.updated",
    "user.email.verified",
    "user.api.key.regenerated",
    "user.ssh.key.created",
    "user.ssh.key.deleted",
    "user.delegate.removed",
    "user.delegate.added",
    "user.unarchived",
    "user.archived",
    "user.2fa.enabled",
    "user.2fa.disabled",
    "user.access.level.set",
    "network.device.created",
    "network.device.deleted",
    "network.device.registered",
    "network.device.registration.initiated",
    "network.device.archived",
    "network.device.assigned.to.fabric",
    "network.device.removed.from.fabric",
    "network.device.replaced",
    "network.device.credentials.updated",
    "server.health.state.degraded",
    "server.health.state.improved",
    "instance.array.dns.updated",
    "instance.dns.updated",
    "instance.array.dns.deleted",
    "instance.dns.deleted",
];

pub const DEGRADED: &str = "server.health.state.degraded";

/// Categories usable in a burst mix instead of single types.
pub fn category(name: &str) -> Vec<&'static str> {
    let prefix = match name {
        "server" => "server.",
        "security" | "user" => "user.",
        "network" => "network.",
        "health" => "server.health.",
        "instance" => "instance.",
        _ => return TYPES.iter().copied().filter(|t| *t == name).collect(),
    };
    TYPES
        .iter()
        .copied()
        .filter(|t| t.starts_with(prefix) && (prefix == "server.health." || !t.starts_with("server.health.")))
        .collect()
}

fn service(event_type: &str) -> &'static str {
    match event_type {
        DEGRADED => "notification-microservice",
        t if t.starts_with("user.") => "auth-microservice",
        t if t.starts_with("instance.") => "orchestrator-microservice",
        _ => "inventory-microservice",
    }
}

#[derive(Debug, Clone)]
pub struct CloudEvent {
    pub event_type: &'static str,
    pub data: Obj,
    /// Extension attributes (lower-case a-z0-9 names), e.g. the burst's `sentatms`.
    pub extensions: Vec<(&'static str, J)>,
}

/// `id, time, type, source, specversion, datacontenttype, <extensions>, data`, as MetalSoft's examples.
pub fn render(event: &CloudEvent, ts: Nanos, rng: &mut Rng) -> String {
    let mut o = Obj::new()
        .f("id", rng::uuid(rng))
        .f("time", clock::rfc3339_millis(ts))
        .f("type", event.event_type)
        .f(
            "source",
            format!("https://metalsoft.io/{}", service(event.event_type)),
        )
        .f("specversion", "1.0")
        .f("datacontenttype", "application/json");
    for (k, v) in &event.extensions {
        o = o.f(k, v.clone());
    }
    o.f("data", event.data.clone()).to_json()
}

fn id(rng: &mut Rng) -> String {
    rng.random_range(100..9999).to_string()
}

const USER_MESSAGES: [(&str, &str); 17] = [
    ("user.created", "New user account created"),
    ("user.credentials.changed", "User password changed"),
    ("user.suspended", "User suspended due to policy violation"),
    ("user.unsuspended", "User account reactivated"),
    ("user.password.reset.requested", "Password reset initiated for user"),
    ("user.email.updated", "User email address changed from oldemail@example.com"),
    ("user.email.verified", "Email address verified successfully"),
    ("user.api.key.regenerated", "API key regenerated for security purposes"),
    ("user.ssh.key.created", "SSH key added to user account"),
    ("user.ssh.key.deleted", "SSH key removed from user account"),
    ("user.delegate.removed", "Delegate access revoked from user"),
    ("user.delegate.added", "Parent user ID: 123 with email user@example.com added delegate with ID 789 with email delegate@example.com"),
    ("user.unarchived", "User account restored from archive"),
    ("user.archived", "User account archived"),
    ("user.2fa.enabled", "Two-factor authentication enabled"),
    ("user.2fa.disabled", "Two-factor authentication disabled"),
    ("user.access.level.set", "User access level changed to Administrator"),
];

pub struct MetalSoftWorld {
    order: Vec<&'static str>,
    next: usize,
}

impl MetalSoftWorld {
    pub fn new(rng: &mut Rng) -> MetalSoftWorld {
        let mut order = TYPES.to_vec();
        order.shuffle(rng);
        MetalSoftWorld { order, next: 0 }
    }

    /// Types come round in a shuffled cycle, so every one of the 41 shows within 41 scenes.
    pub fn next_type(&mut self, rng: &mut Rng) -> &'static str {
        if self.next == self.order.len() {
            self.order.shuffle(rng);
            self.next = 0;
        }
        self.next += 1;
        self.order[self.next - 1]
    }

    pub fn scene(&mut self, rng: &mut Rng) -> Vec<(f64, CloudEvent)> {
        let event_type = self.next_type(rng);
        if event_type == DEGRADED {
            // Emitted twice: at once without the agent's answer, then a few seconds later with it.
            let (first, second) = degraded_pair(rng);
            return vec![(0.0, first), (rng.random_range(3.0..6.0), second)];
        }
        vec![(0.0, event(event_type, rng))]
    }
}

pub fn degraded_pair(rng: &mut Rng) -> (CloudEvent, CloudEvent) {
    let (detail, advice) = *pick(
        rng,
        &[
            (
                "Fan failure detected on CPU 0",
                "check cooling system, inspect fan headers, consider replacing the fan unit",
            ),
            (
                "Power supply 2 redundancy lost",
                "check the PSU cabling and replace the failed power supply",
            ),
            (
                "Correctable ECC errors above threshold on DIMM B2",
                "schedule a maintenance window and replace DIMM B2",
            ),
            (
                "Drive 3 predictive failure",
                "migrate workloads and replace drive 3",
            ),
        ],
    );
    let allocated = chance(rng, 0.7);
    let base = Obj::new()
        .f("serverId", id(rng))
        .f("siteId", id(rng))
        .f("datacenterName", *pick(rng, &["dc1", "dc2", "us-west-1"]))
        .f("previousState", "healthy")
        .f(
            "newState",
            *pick(rng, &["critical_warnings_present", "warnings_present"]),
        )
        .f("healthDetails", vec![detail])
        .opt("infrastructureId", allocated.then(|| id(rng)))
        .opt("instanceId", allocated.then(|| id(rng)));
    let first = base.clone().f("monitoringAgentPrompted", false);
    let result = format!("<p>{detail}. Recommended actions: {advice}.</p>");
    let second = base
        .f("monitoringAgentPrompted", true)
        .f("monitoringAgentResult", result);
    (
        CloudEvent {
            event_type: DEGRADED,
            data: first,
            extensions: Vec::new(),
        },
        CloudEvent {
            event_type: DEGRADED,
            data: second,
            extensions: Vec::new(),
        },
    )
}

/// One event of `event_type` with its documented data.
pub fn event(event_type: &'static str, rng: &mut Rng) -> CloudEvent {
    let address = format!("192.168.{}.{}", rng.random_range(0..4), rng.random_range(10..250));
    let data = match event_type {
        "server.deleted" => Obj::new()
            .f("serverId", id(rng))
            .f("serverUUID", rng::uuid(rng))
            .f("serverClass", "BIGDATA")
            .f("serverStatus", "DECOMMISSIONED"),
        "server.updated" => Obj::new().f("serverId", id(rng)).f("userId", id(rng)).f(
            "changes",
            Obj::new()
                .f(
                    "previousState",
                    Obj::new()
                        .f("serverStatus", "UNAVAILABLE")
                        .f("serverClass", "UNKNOWN"),
                )
                .f(
                    "currentState",
                    Obj::new()
                        .f("serverStatus", "AVAILABLE")
                        .f("serverClass", "BIGDATA"),
                ),
        ),
        "server.credentials.updated" => Obj::new()
            .f("serverId", id(rng))
            .f("userId", id(rng))
            .f("serverManagementAddress", address),
        "server.registered" | "server.production.registered" => Obj::new()
            .f("serverId", id(rng))
            .f(
                "serverStatus",
                if event_type == "server.registered" {
                    "AVAILABLE"
                } else {
                    "USED"
                },
            )
            .f("serverTypeId", id(rng))
            .f("siteId", id(rng))
            .f("userId", id(rng)),
        "server.registration.initiated"
        | "server.reregistration.initiated"
        | "server.production.registration.initiated" => Obj::new()
            .f("serverId", id(rng))
            .f("managementAddress", address)
            .f("siteId", id(rng)),
        "server.decommissioned" => Obj::new()
            .f("serverId", id(rng))
            .f("serverUUID", rng::uuid(rng))
            .f("serverClass", "BIGDATA")
            .f("serverStatus", "DECOMMISSIONED")
            .f("serverTypeId", id(rng)),
        t if t.starts_with("user.") => {
            let message = USER_MESSAGES
                .iter()
                .find(|(k, _)| *k == t)
                .map_or("", |(_, m)| *m);
            let user = id(rng);
            let by_self = chance(rng, 0.3);
            let actor = if by_self { user.clone() } else { id(rng) };
            Obj::new()
                .f("userId", user)
                .f("userEmail", "user@example.com")
                .f("loggedInUserId", actor)
                .f(
                    "loggedInUserEmail",
                    if by_self {
                        "user@example.com"
                    } else {
                        "admin@example.com"
                    },
                )
                .f("message", message)
        }
        "network.device.created" | "network.device.registered" | "network.device.credentials.updated" => {
            let o = Obj::new()
                .f("networkDeviceId", id(rng))
                .f("managementAddress", address)
                .f(
                    "identifierString",
                    format!("switch-rack-{:02}", rng.random_range(1..40)),
                )
                .f(
                    "driver",
                    *pick(rng, &["sonic_enterprise", "junos", "os_10", "cumulus_linux"]),
                )
                .f("position", *pick(rng, &["leaf", "spine"]))
                .f("siteId", id(rng));
            if event_type == "network.device.credentials.updated" {
                o.f("userIdAuthenticated", id(rng))
            } else {
                o
            }
        }
        "network.device.deleted" => Obj::new()
            .f("networkDeviceId", id(rng))
            .f("position", "leaf")
            .f("siteId", id(rng))
            .f("identifierString", "switch-rack-01")
            .f("userIdAuthenticated", id(rng)),
        "network.device.registration.initiated" => Obj::new()
            .f("networkDeviceId", id(rng))
            .f("managementAddress", address)
            .f(
                "serialNumber",
                format!("SN{}", rng.random_range(100_000_000..999_999_999)),
            )
            .f(
                "chassisIdentifier",
                format!("chassis-{:03}", rng.random_range(1..100)),
            )
            .f("managementMacAddress", "00:1B:21:B4:6E:3A"),
        "network.device.archived" => Obj::new()
            .f("networkDeviceId", id(rng))
            .f("userIdAuthenticated", id(rng)),
        "network.device.assigned.to.fabric" | "network.device.removed.from.fabric" => Obj::new()
            .f("fabricId", id(rng))
            .f("networkDeviceIds", vec![id(rng), id(rng), id(rng)])
            .f("fabricName", "production-fabric-1"),
        "network.device.replaced" => Obj::new()
            .f("oldNetworkDeviceId", id(rng))
            .f("newNetworkDeviceId", id(rng)),
        DEGRADED => return degraded_pair(rng).0,
        "server.health.state.improved" => {
            let allocated = chance(rng, 0.7);
            Obj::new()
                .f("serverId", id(rng))
                .f("siteId", id(rng))
                .f("datacenterName", "dc1")
                .f("previousState", "critical_warnings_present")
                .f("newState", "healthy")
                .f("healthDetails", Vec::<String>::new())
                .opt("infrastructureId", allocated.then(|| id(rng)))
                .opt("instanceId", allocated.then(|| id(rng)))
        }
        "instance.array.dns.updated" | "instance.dns.updated" => {
            let key = if event_type == "instance.dns.updated" {
                "instanceId"
            } else {
                "instanceArrayId"
            };
            let record = Obj::new()
                .f(
                    "hostname",
                    format!("web-server-{:02}.example.com", rng.random_range(1..30)),
                )
                .f("type", "A")
                .f("value", format!("192.168.1.{}", rng.random_range(2..250)));
            Obj::new()
                .f(key, id(rng))
                .f("infrastructureId", id(rng))
                .f("dnsRecords", vec![J::from(record)])
                .f("userIdAuthenticated", id(rng))
        }
        _ => {
            // instance.array.dns.deleted, instance.dns.deleted
            let key = if event_type == "instance.dns.deleted" {
                "instanceId"
            } else {
                "instanceArrayId"
            };
            Obj::new()
                .f(key, id(rng))
                .f("infrastructureId", id(rng))
                .f("userIdAuthenticated", id(rng))
        }
    };
    CloudEvent {
        event_type,
        data,
        extensions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_41_types_have_data_and_categories_cover_them() {
        let mut rng = rng::stream_rng(Some(3), "t", 0);
        for t in TYPES {
            let e = event(t, &mut rng);
            assert_eq!(e.event_type, t);
            assert!(!e.data.0.is_empty(), "{t}");
        }
        let covered: usize = ["server", "user", "network", "health", "instance"]
            .iter()
            .map(|c| category(c).len())
            .sum();
        assert_eq!(covered, 41);
        let (a, b) = degraded_pair(&mut rng);
        assert!(a.data.get("monitoringAgentResult").is_none());
        assert!(b.data.get("monitoringAgentResult").is_some());
    }
}
