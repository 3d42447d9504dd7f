#![cfg(all(not(target_arch = "wasm32"), feature = "events-hub"))]
//! Events Hub decoder, natively: every fixture, unknowns, each kind of error, and property tests.

mod common;

use std::collections::BTreeSet;

use common::{assert_mirrors_wire, lines, mangled};
use infra_events::decode::events_hub::decode_hub_event;
use infra_events::decode::is_rfc3339;
use infra_events::decode::{DecodeError, DecodeErrorKind, DecodeSource};
use infra_events::model::events_hub::*;
use proptest::prelude::*;
use serde_json::{json, Value};

const PROTOCOL_NOTES: &str = include_str!("fixtures/events_hub/protocol_notes.jsonl");
const SEEDS: &str = include_str!("fixtures/events_hub/seeds.jsonl");
const SEEDS_AS_WRITTEN: &str = include_str!("fixtures/events_hub/seeds_as_written.jsonl");
const EVERY_MESSAGE: &str = include_str!("fixtures/events_hub/every_message.jsonl");
const UNKNOWN: &str = include_str!("fixtures/events_hub/unknown.jsonl");
const FORWARDED_UNKNOWN: &str = include_str!("fixtures/events_hub/forwarded_unknown.jsonl");
const CLIENT_MESSAGES: &str = include_str!("fixtures/events_hub/client_messages.jsonl");

/// Every (event_type, message) of section 2 of the protocol notes.
const ALL_MESSAGES: &[(&str, &str)] = &[
    ("global", HUB_WELCOME_MESSAGE),
    ("global", "error"),
    ("pdfm", "VM_STATE_CHANGED"),
    ("pdfm", "VM_ADDED"),
    ("pdfm", "VM_UPDATED"),
    ("pdfm", "VM_REMOVED"),
    ("pdfm", "VM_UPTIME_CHANGED"),
    ("pdfm", "VM_SNAPSHOTS_UPDATED"),
    ("pdfm", "MAC_VMS_RUNNING_NOW"),
    ("orchestrator", "HOST_HEALTH_UPDATE"),
    ("orchestrator", "HOST_WEBSOCKET_CONNECTED"),
    ("orchestrator", "HOST_WEBSOCKET_DISCONNECTED"),
    ("orchestrator", "HOST_WEBSOCKET_DEGRADED"),
    ("orchestrator", "HOST_VM_STATE_CHANGED"),
    ("orchestrator", "HOST_VM_ADDED"),
    ("orchestrator", "HOST_VM_UPDATED"),
    ("orchestrator", "HOST_VM_REMOVED"),
    ("orchestrator", "HOST_VM_UPTIME_CHANGED"),
    ("orchestrator", "HOST_VM_SNAPSHOTS_UPDATED"),
    ("orchestrator", "HOST_MAC_VMS_RUNNING_NOW"),
    ("orchestrator", "HOST_STATS_UPDATE"),
    ("orchestrator", "HOST_LOGS_UPDATE"),
    ("orchestrator", "HOST_CATALOG_CACHE_EVENT"),
    ("orchestrator", "HOST_REVERSE_PROXY_UPDATED"),
    ("orchestrator", "HOST_ADDED"),
    ("orchestrator", "HOST_REMOVED"),
    ("orchestrator", "HOST_DEPLOYED"),
    ("stats", "System Stats"),
    ("stats", "DISK_SPACE_CHANGED"),
    ("system_logs", "System Log"),
    ("reverse_proxy", "REVERSE_PROXY_STATE_CHANGED"),
    ("reverse_proxy", "REVERSE_PROXY_HOST_STATE_CHANGED"),
    ("reverse_proxy", "HTTP Traffic Forwarded"),
    ("reverse_proxy", "TCP Traffic Forwarded"),
    ("reverse_proxy", "Reverse Proxy Route Updated"),
    ("reverse_proxy", "Reverse Proxy Route Failed"),
    ("catalog_cache", "CACHE_ITEM_ADDED"),
    ("catalog_cache", "CACHE_ITEM_REMOVED"),
    ("job_manager", "JOB_CREATED"),
    ("job_manager", "JOB_UPDATED"),
    ("job_manager", "JOB_COMPLETED"),
    ("job_manager", "JOB_DELETED"),
    ("auth", "USER_ADDED"),
    ("auth", "USER_UPDATED"),
    ("auth", "USER_REMOVED"),
    ("auth", "ROLE_ADDED"),
    ("auth", "ROLE_REMOVED"),
    ("auth", "CLAIM_ADDED"),
    ("auth", "CLAIM_REMOVED"),
    ("auth", "ROLE_CLAIM_ADDED"),
    ("auth", "ROLE_CLAIM_REMOVED"),
    ("auth", "USER_ROLE_ADDED"),
    ("auth", "USER_ROLE_REMOVED"),
    ("auth", "USER_CLAIM_ADDED"),
    ("auth", "USER_CLAIM_REMOVED"),
    ("health", "pong"),
    ("system", "client-id"),
    ("system", "error"),
];

/// The wire names of a decoded frame's variant, written out here rather than read back through
/// serde, so a variant decoded under the wrong message is caught.
fn wire_tag(event: &HubEvent) -> (&'static str, &'static str) {
    match event {
        HubEvent::Global(f) => (
            "global",
            match f.payload {
                HubGlobalMessage::Welcome(_) => HUB_WELCOME_MESSAGE,
                HubGlobalMessage::Error(_) => "error",
            },
        ),
        HubEvent::Pdfm(f) => (
            "pdfm",
            match f.payload {
                HubPdfmMessage::VmStateChanged(_) => "VM_STATE_CHANGED",
                HubPdfmMessage::VmAdded(_) => "VM_ADDED",
                HubPdfmMessage::VmUpdated(_) => "VM_UPDATED",
                HubPdfmMessage::VmRemoved(_) => "VM_REMOVED",
                HubPdfmMessage::VmUptimeChanged(_) => "VM_UPTIME_CHANGED",
                HubPdfmMessage::VmSnapshotsUpdated(_) => "VM_SNAPSHOTS_UPDATED",
                HubPdfmMessage::MacVmsRunningNow(_) => "MAC_VMS_RUNNING_NOW",
            },
        ),
        HubEvent::Orchestrator(f) => {
            use HubOrchestratorMessage as M;
            (
                "orchestrator",
                match f.payload {
                    M::HostHealthUpdate(_) => "HOST_HEALTH_UPDATE",
                    M::HostWebsocketConnected(_) => "HOST_WEBSOCKET_CONNECTED",
                    M::HostWebsocketDisconnected(_) => "HOST_WEBSOCKET_DISCONNECTED",
                    M::HostWebsocketDegraded(_) => "HOST_WEBSOCKET_DEGRADED",
                    M::HostVmStateChanged(_) => "HOST_VM_STATE_CHANGED",
                    M::HostVmAdded(_) => "HOST_VM_ADDED",
                    M::HostVmUpdated(_) => "HOST_VM_UPDATED",
                    M::HostVmRemoved(_) => "HOST_VM_REMOVED",
                    M::HostVmUptimeChanged(_) => "HOST_VM_UPTIME_CHANGED",
                    M::HostVmSnapshotsUpdated(_) => "HOST_VM_SNAPSHOTS_UPDATED",
                    M::HostMacVmsRunningNow(_) => "HOST_MAC_VMS_RUNNING_NOW",
                    M::HostStatsUpdate(_) => "HOST_STATS_UPDATE",
                    M::HostLogsUpdate(_) => "HOST_LOGS_UPDATE",
                    M::HostCatalogCacheEvent(_) => "HOST_CATALOG_CACHE_EVENT",
                    M::HostReverseProxyUpdated(_) => "HOST_REVERSE_PROXY_UPDATED",
                    M::HostAdded(_) => "HOST_ADDED",
                    M::HostRemoved(_) => "HOST_REMOVED",
                    M::HostDeployed(_) => "HOST_DEPLOYED",
                },
            )
        }
        HubEvent::Stats(f) => (
            "stats",
            match f.payload {
                HubStatsMessage::SystemStats(_) => "System Stats",
                HubStatsMessage::DiskSpaceChanged(_) => "DISK_SPACE_CHANGED",
            },
        ),
        HubEvent::SystemLogs(f) => (
            "system_logs",
            match f.payload {
                HubSystemLogsMessage::SystemLog(_) => "System Log",
            },
        ),
        HubEvent::ReverseProxy(f) => {
            use HubReverseProxyMessage as M;
            (
                "reverse_proxy",
                match f.payload {
                    M::StateChanged(_) => "REVERSE_PROXY_STATE_CHANGED",
                    M::HostStateChanged(_) => "REVERSE_PROXY_HOST_STATE_CHANGED",
                    M::HttpTrafficForwarded(_) => "HTTP Traffic Forwarded",
                    M::TcpTrafficForwarded(_) => "TCP Traffic Forwarded",
                    M::RouteUpdated(_) => "Reverse Proxy Route Updated",
                    M::RouteFailed(_) => "Reverse Proxy Route Failed",
                },
            )
        }
        HubEvent::CatalogCache(f) => (
            "catalog_cache",
            match f.payload {
                HubCatalogCacheMessage::CacheItemAdded(_) => "CACHE_ITEM_ADDED",
                HubCatalogCacheMessage::CacheItemRemoved(_) => "CACHE_ITEM_REMOVED",
            },
        ),
        HubEvent::JobManager(f) => (
            "job_manager",
            match f.payload {
                HubJobManagerMessage::JobCreated(_) => "JOB_CREATED",
                HubJobManagerMessage::JobUpdated(_) => "JOB_UPDATED",
                HubJobManagerMessage::JobCompleted(_) => "JOB_COMPLETED",
                HubJobManagerMessage::JobDeleted(_) => "JOB_DELETED",
            },
        ),
        HubEvent::Auth(f) => {
            use HubAuthMessage as M;
            (
                "auth",
                match f.payload {
                    M::UserAdded(_) => "USER_ADDED",
                    M::UserUpdated(_) => "USER_UPDATED",
                    M::UserRemoved(_) => "USER_REMOVED",
                    M::RoleAdded(_) => "ROLE_ADDED",
                    M::RoleRemoved(_) => "ROLE_REMOVED",
                    M::ClaimAdded(_) => "CLAIM_ADDED",
                    M::ClaimRemoved(_) => "CLAIM_REMOVED",
                    M::RoleClaimAdded(_) => "ROLE_CLAIM_ADDED",
                    M::RoleClaimRemoved(_) => "ROLE_CLAIM_REMOVED",
                    M::UserRoleAdded(_) => "USER_ROLE_ADDED",
                    M::UserRoleRemoved(_) => "USER_ROLE_REMOVED",
                    M::UserClaimAdded(_) => "USER_CLAIM_ADDED",
                    M::UserClaimRemoved(_) => "USER_CLAIM_REMOVED",
                },
            )
        }
        HubEvent::Health(f) => (
            "health",
            match f.payload {
                HubHealthMessage::Pong => "pong",
            },
        ),
        HubEvent::System(f) => (
            "system",
            match f.payload {
                HubSystemMessage::ClientId(_) => "client-id",
                HubSystemMessage::Error(_) => "error",
            },
        ),
        HubEvent::Unknown(_) => ("", ""),
    }
}

fn known_fixture_lines() -> Vec<String> {
    [PROTOCOL_NOTES, SEEDS, EVERY_MESSAGE, FORWARDED_UNKNOWN]
        .iter()
        .flat_map(|f| lines(f))
        .collect()
}

fn all_fixture_lines() -> Vec<String> {
    [
        PROTOCOL_NOTES,
        SEEDS,
        SEEDS_AS_WRITTEN,
        EVERY_MESSAGE,
        UNKNOWN,
        FORWARDED_UNKNOWN,
        CLIENT_MESSAGES,
    ]
    .iter()
    .flat_map(|f| lines(f))
    .collect()
}

fn decode(text: &str) -> HubEvent {
    decode_hub_event(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn decode_err(text: &str) -> DecodeError {
    match decode_hub_event(text) {
        Ok(event) => panic!("decoded, expected an error: {event:?}\n{text}"),
        Err(e) => e,
    }
}

/// What JavaScript gets for `text`: the `JSON.parse` object, with the marker the SDK adds to an
/// unknown forwarded host frame.
fn js_object(text: &str, event: &HubEvent) -> Value {
    let mut wire: Value = serde_json::from_str(text).expect("accepted text is JSON");
    if event.forwards_unknown() {
        wire["body"]["event"]["unknown"] = json!(true);
    }
    wire
}

fn assert_decoded_mirrors(text: &str, event: &HubEvent) {
    let decoded = serde_json::to_value(event).expect("serializes");
    assert_mirrors_wire(&decoded, &js_object(text, event));
}

fn wire(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn line_with(fixture: &str, needle: &str) -> String {
    lines(fixture)
        .into_iter()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no fixture line has {needle:?}"))
}

/// Builds a frame with the given parts (all frames below share one id and timestamp).
fn frame(event_type: &str, message: &str, body: Value) -> String {
    json!({"id": "ab".repeat(32), "event_type": event_type, "timestamp": "2026-08-18T09:14:02.318245Z", "message": message, "body": body})
        .to_string()
}

#[test]
fn every_known_fixture_decodes_to_the_variant_of_its_event_type_and_message() {
    let lines = known_fixture_lines();
    assert!(lines.len() > 80, "fixtures went missing: {}", lines.len());
    for text in &lines {
        let event = decode(text);
        let w = wire(text);
        assert!(!event.is_unknown(), "decoded as unknown: {text}");
        let (event_type, message) = wire_tag(&event);
        assert_eq!(
            (event_type, message),
            (w["event_type"].as_str().unwrap(), w["message"].as_str().unwrap()),
            "{text}"
        );
    }
}

#[test]
fn every_decoded_fixture_says_nothing_the_js_object_does_not() {
    for text in all_fixture_lines() {
        if let Ok(event) = decode_hub_event(&text) {
            assert_decoded_mirrors(&text, &event);
        }
    }
}

#[test]
fn every_message_of_the_protocol_has_a_fixture() {
    let seen: BTreeSet<(&str, &str)> = known_fixture_lines()
        .iter()
        .map(|l| wire_tag(&decode(l)))
        .collect();
    let missing: Vec<_> = ALL_MESSAGES.iter().filter(|m| !seen.contains(m)).collect();
    assert!(missing.is_empty(), "no fixture for {missing:?}");
    assert_eq!(
        seen.len(),
        ALL_MESSAGES.len(),
        "a fixture decodes to a message not in the list: {seen:?}"
    );
}

#[test]
fn protocol_notes_examples_are_all_there_in_order() {
    let tags: Vec<_> = lines(PROTOCOL_NOTES)
        .iter()
        .map(|l| wire_tag(&decode(l)))
        .collect();
    assert_eq!(
        tags,
        [
            ("global", HUB_WELCOME_MESSAGE),
            ("health", "pong"),
            ("system", "client-id"),
            ("global", "error"),
            ("global", "error"),
            ("pdfm", "VM_STATE_CHANGED"),
            ("pdfm", "VM_ADDED"),
            ("orchestrator", "HOST_VM_STATE_CHANGED"),
            ("orchestrator", "HOST_HEALTH_UPDATE"),
            ("orchestrator", "HOST_STATS_UPDATE"),
            ("orchestrator", "HOST_LOGS_UPDATE"),
            ("orchestrator", "HOST_REVERSE_PROXY_UPDATED"),
            ("system_logs", "System Log"),
            ("reverse_proxy", "HTTP Traffic Forwarded"),
            ("catalog_cache", "CACHE_ITEM_ADDED"),
            ("job_manager", "JOB_UPDATED"),
            ("auth", "USER_ROLE_ADDED"),
        ]
    );
}

#[test]
fn welcome_carries_the_client_id_and_subscriptions() {
    let HubEvent::Global(f) = decode(&lines(PROTOCOL_NOTES)[0]) else {
        panic!("not global")
    };
    assert_eq!(f.event_type, HubGlobalChannel::Global);
    assert_eq!(
        f.id,
        "845436fb26d821983770c0a4d5cea8b9c72667e32919004c03899f111936db99"
    );
    assert_eq!(f.timestamp, "2026-08-18T09:14:02.318245Z");
    assert_eq!((f.ref_id.as_deref(), f.client_id.as_deref()), (None, None));
    let HubGlobalMessage::Welcome(w) = f.payload else {
        panic!("not the welcome")
    };
    assert_eq!(w.client_id, "1a2ac654-564c-4e9e-abab-ad4e390b74f9");
    assert_eq!(w.subscriptions, ["pdfm", "orchestrator", "global"]);
}

#[test]
fn replies_carry_ref_id_and_client_id() {
    let notes = lines(PROTOCOL_NOTES);
    let HubEvent::Health(pong) = decode(&notes[1]) else {
        panic!("not health")
    };
    assert_eq!(pong.payload, HubHealthMessage::Pong);
    assert_eq!(pong.ref_id.as_deref(), Some("sdk-ping-42"));
    assert_eq!(
        pong.client_id.as_deref(),
        Some("1a2ac654-564c-4e9e-abab-ad4e390b74f9")
    );
    let HubEvent::System(cid) = decode(&notes[2]) else {
        panic!("not system")
    };
    assert_eq!(
        cid.payload,
        HubSystemMessage::ClientId(HubClientId {
            client_id: "1a2ac654-564c-4e9e-abab-ad4e390b74f9".into()
        })
    );
    let HubEvent::Global(err) = decode(&notes[3]) else {
        panic!("not global")
    };
    assert_eq!(err.ref_id.as_deref(), Some("sdk-7"));
    assert_eq!(
        err.payload,
        HubGlobalMessage::Error(HubError {
            error: "no handlers registered for type orchestrator".into()
        })
    );
    // The answer to an unknown event_type is not targeted.
    let HubEvent::Global(err) = decode(&notes[4]) else {
        panic!("not global")
    };
    assert_eq!((err.ref_id, err.client_id), (None, None));
}

#[test]
fn vm_added_keeps_the_prlctl_keys_and_the_loose_sections_verbatim() {
    let text = line_with(PROTOCOL_NOTES, "\"VM_ADDED\"");
    let HubEvent::Pdfm(f) = decode(&text) else {
        panic!("not pdfm")
    };
    let HubPdfmMessage::VmAdded(added) = f.payload else {
        panic!("not VM_ADDED")
    };
    let vm = added.new_vm;
    assert_eq!(added.vm_id, vm.id);
    assert_eq!(
        (vm.name.as_str(), vm.user.as_str(), vm.os.as_str()),
        ("macOS-15-runner", "builder", "macosx")
    );
    assert_eq!(vm.state, HubVmState::Stopped);
    assert_eq!(vm.home_path, "/Users/builder/Parallels/runner.macvm/config.pvs");
    assert_eq!(vm.guest_tools.version.as_deref(), Some("20.1.0"));
    assert_eq!(vm.network.ip_addresses, Some(vec![]));
    assert_eq!(vm.host_shared_folders, Some(None), "null on the wire");
    assert_eq!(vm.host, None);
    assert_eq!(vm.hardware.cpu.to_map()["cpus"], json!(4));
    let w = wire(&text);
    assert_eq!(
        serde_json::from_str::<Value>(vm.hardware.hdd0.get()).unwrap(),
        w["body"]["new_vm"]["Hardware"]["hdd0"]
    );
    let startup = vm.startup_and_shutdown.expect("sent");
    assert_eq!(
        serde_json::from_str::<Value>(startup.get()).unwrap(),
        w["body"]["new_vm"]["Startup and Shutdown"]
    );
}

#[test]
fn a_vm_with_only_the_documented_parts_decodes() {
    let text = line_with(EVERY_MESSAGE, "win-11-build");
    let HubEvent::Pdfm(f) = decode(&text) else {
        panic!("not pdfm")
    };
    let HubPdfmMessage::VmUpdated(updated) = f.payload else {
        panic!("not VM_UPDATED")
    };
    let vm = updated.new_vm;
    assert_eq!(vm.state, HubVmState::Suspended);
    assert_eq!(vm.network.ip_addresses, None, "null on the wire");
    assert_eq!(
        (vm.startup_and_shutdown, vm.boot_order, vm.host_shared_folders),
        (None, None, None)
    );
    assert_eq!(vm.guest_tools.version, None);
}

#[test]
fn orchestrator_vm_events_wrap_the_pdfm_body() {
    let text = line_with(EVERY_MESSAGE, "\"HOST_VM_UPDATED\"");
    let HubEvent::Orchestrator(f) = decode(&text) else {
        panic!("not orchestrator")
    };
    let HubOrchestratorMessage::HostVmUpdated(e) = f.payload else {
        panic!("not HOST_VM_UPDATED")
    };
    assert_eq!(
        e.host_id,
        "470923038adaa7edc1f96c9555c37296eb1adae076bf76ab510900f5d4b362b0"
    );
    assert_eq!(
        e.event.new_vm.internal_ip_address.as_deref(),
        Some("10.211.55.14")
    );
    let ips = e.event.new_vm.network.ip_addresses.expect("ips");
    assert_eq!(
        (ips[0].kind.as_str(), ips[0].ip.as_str()),
        ("ipv4", "10.211.55.14")
    );
    let HubEvent::Orchestrator(f) = decode(&line_with(PROTOCOL_NOTES, "HOST_VM_STATE_CHANGED")) else {
        panic!()
    };
    let HubOrchestratorMessage::HostVmStateChanged(e) = f.payload else {
        panic!("not HOST_VM_STATE_CHANGED")
    };
    assert_eq!(
        (e.event.previous_state, e.event.current_state),
        (HubVmState::Running, HubVmState::Suspending)
    );
}

#[test]
fn host_stats_are_system_stats_or_disk_space() {
    let HubEvent::Orchestrator(f) = decode(&line_with(PROTOCOL_NOTES, "HOST_STATS_UPDATE")) else {
        panic!()
    };
    let HubOrchestratorMessage::HostStatsUpdate(u) = f.payload else {
        panic!("not HOST_STATS_UPDATE")
    };
    let HubHostStats::System(s) = u.stats else {
        panic!("not system stats")
    };
    assert_eq!((s.memory_bytes, s.goroutines, s.cpu_percent), (41254912, 87, 1.8));
    let HubEvent::Orchestrator(f) = decode(&line_with(
        EVERY_MESSAGE,
        "\"cache_folder_size\":412233,\"parallels",
    )) else {
        panic!()
    };
    let HubOrchestratorMessage::HostStatsUpdate(u) = f.payload else {
        panic!("not HOST_STATS_UPDATE")
    };
    assert_eq!(
        u.stats,
        HubHostStats::DiskSpace(HubDiskSpace {
            cache_folder_size: Some(412233),
            parallels_home_size: Some(198734),
            given_path_size: None,
            prl_home_path: None
        })
    );
}

#[test]
fn forwarded_host_frames_are_decoded_as_frames() {
    let HubEvent::Orchestrator(f) = decode(&line_with(PROTOCOL_NOTES, "HOST_REVERSE_PROXY_UPDATED")) else {
        panic!()
    };
    let HubOrchestratorMessage::HostReverseProxyUpdated(u) = f.payload else {
        panic!("not HOST_REVERSE_PROXY_UPDATED")
    };
    let HubForwarded::Known(inner) = u.event else {
        panic!("inner frame not known")
    };
    assert_eq!(
        inner.id,
        "da6e091972a698e6fcdebd1718b108c1f1ec9487cfb67a4e57bd0f80c143eee3"
    );
    assert_eq!(inner.event_type, HubReverseProxyChannel::ReverseProxy);
    let HubReverseProxyMessage::HostStateChanged(s) = inner.payload else {
        panic!("not REVERSE_PROXY_HOST_STATE_CHANGED")
    };
    assert_eq!(s.state, HubReverseProxyHostState::Started);
    assert_eq!((s.old_ip, s.new_ip), (None, None));

    let HubEvent::Orchestrator(f) = decode(&line_with(EVERY_MESSAGE, "HOST_CATALOG_CACHE_EVENT")) else {
        panic!()
    };
    let HubOrchestratorMessage::HostCatalogCacheEvent(u) = f.payload else {
        panic!("not HOST_CATALOG_CACHE_EVENT")
    };
    let HubForwarded::Known(inner) = u.event else {
        panic!("inner frame not known")
    };
    let HubCatalogCacheMessage::CacheItemRemoved(r) = inner.payload else {
        panic!("not CACHE_ITEM_REMOVED")
    };
    assert_eq!(
        (r.catalog_id.as_str(), r.architecture.as_deref()),
        ("macos-runner", Some("arm64"))
    );
}

#[test]
fn reverse_proxy_bodies_keep_wire_strings_and_literals() {
    let HubEvent::ReverseProxy(f) = decode(&line_with(PROTOCOL_NOTES, "HTTP Traffic Forwarded")) else {
        panic!()
    };
    let HubReverseProxyMessage::HttpTrafficForwarded(h) = f.payload else {
        panic!("not HTTP")
    };
    assert_eq!(
        (h.target_port.as_str(), h.method.as_str(), h.traffic_type),
        ("8080", "GET", HubHttpTraffic::Http)
    );
    assert_eq!(h.source_ip, "192.168.1.20:53122");
    let HubEvent::ReverseProxy(f) = decode(&line_with(EVERY_MESSAGE, "ip_changed")) else {
        panic!()
    };
    let HubReverseProxyMessage::HostStateChanged(s) = f.payload else {
        panic!("not host state")
    };
    assert_eq!(
        (s.state, s.new_ip.as_deref()),
        (HubReverseProxyHostState::IpChanged, Some("10.211.55.19"))
    );
    let HubEvent::ReverseProxy(f) = decode(&line_with(EVERY_MESSAGE, "Reverse Proxy Route Failed")) else {
        panic!()
    };
    assert_eq!(
        f.payload,
        HubReverseProxyMessage::RouteFailed(HubReverseProxyRoute {
            reverse_proxy_host_id: None,
            target_vm_id: Some("e8336670-6ca6-4dad-8a76-08c278d0eb9a".into()),
            internal_ip_address: None
        })
    );
}

#[test]
fn jobs_are_job_responses_or_host_job_events() {
    let HubEvent::JobManager(f) = decode(&line_with(PROTOCOL_NOTES, "JOB_UPDATED")) else {
        panic!()
    };
    let HubJobManagerMessage::JobUpdated(HubJobBody::Job(job)) = f.payload else {
        panic!("not a JOB_UPDATED job")
    };
    assert_eq!(
        (job.state, job.progress, job.owner_name.as_deref()),
        (HubJobState::Running, 42, None)
    );
    let step = &job.steps.as_ref().expect("steps")[0];
    assert_eq!(
        (step.value, step.total, step.current_percentage),
        (16911433728, 32212254720, 52.5)
    );
    assert!(step.has_percentage && !step.parallel);

    let HubEvent::JobManager(f) = decode(&line_with(EVERY_MESSAGE, "catalog manifest not found")) else {
        panic!()
    };
    let HubJobManagerMessage::JobUpdated(HubJobBody::Job(failed)) = f.payload else {
        panic!("not a JOB_UPDATED job")
    };
    assert_eq!(
        (failed.state, failed.error.as_deref()),
        (HubJobState::Failed, Some("catalog manifest not found"))
    );

    let HubEvent::JobManager(f) = decode(&line_with(EVERY_MESSAGE, "\"is_orchestrator_job\":false")) else {
        panic!()
    };
    let HubJobManagerMessage::JobCompleted(HubJobBody::Host(host)) = f.payload else {
        panic!("not a host job")
    };
    assert_eq!(host.is_orchestrator_job, Some(false));
    assert_eq!(host.event.state, HubJobState::Completed);
    assert_eq!(host.event.steps.as_ref().map(Vec::len), Some(2));
    assert_eq!(
        host.event.result_record_link_id.as_deref(),
        Some("470923038adaa7edc1f96c9555c37296eb1adae076bf76ab510900f5d4b362b0")
    );
}

#[test]
fn snapshots_are_a_tree_or_null() {
    let HubEvent::Pdfm(f) = decode(&line_with(EVERY_MESSAGE, "clean install")) else {
        panic!()
    };
    let HubPdfmMessage::VmSnapshotsUpdated(u) = f.payload else {
        panic!("not VM_SNAPSHOTS_UPDATED")
    };
    let snapshots = u.snapshots.expect("array");
    assert!(snapshots[0].children.as_ref().expect("children")[0].current);
    assert_eq!(snapshots[1].parent, "{5d0c1e52-7f3b-4a36-b0a4-0d8d1e6a9c11}");
    let HubEvent::Pdfm(f) = decode(&line_with(EVERY_MESSAGE, "\"snapshots\":null}}")) else {
        panic!()
    };
    let HubPdfmMessage::VmSnapshotsUpdated(u) = f.payload else {
        panic!("not VM_SNAPSHOTS_UPDATED")
    };
    assert_eq!(u.snapshots, None);
}

#[test]
fn other_channels_keep_their_values() {
    let HubEvent::SystemLogs(f) = decode(&line_with(EVERY_MESSAGE, "commandOutput")) else {
        panic!()
    };
    let HubSystemLogsMessage::SystemLog(log) = f.payload;
    assert_eq!(
        (log.level.as_str(), log.time.as_str()),
        ("commandOutput", "2026-08-18T12:01:02.5+02:00")
    );
    let HubEvent::CatalogCache(f) = decode(&line_with(PROTOCOL_NOTES, "CACHE_ITEM_ADDED")) else {
        panic!()
    };
    let HubCatalogCacheMessage::CacheItemAdded(c) = f.payload else {
        panic!("not CACHE_ITEM_ADDED")
    };
    assert_eq!((c.cache_type, c.cache_size), (HubCacheType::Folder, 32212254720));
    let HubEvent::Auth(f) = decode(&line_with(PROTOCOL_NOTES, "USER_ROLE_ADDED")) else {
        panic!()
    };
    assert_eq!(
        f.payload,
        HubAuthMessage::UserRoleAdded(HubAuthUserRole {
            user_id: "b53ec0c0-b6f0-4466-877f-a6a397496490".into(),
            role_id: "ADMIN".into()
        })
    );
    let HubEvent::Stats(f) = decode(&line_with(EVERY_MESSAGE, "goroutines_smoothed\":85.4")) else {
        panic!()
    };
    let HubStatsMessage::SystemStats(s) = f.payload else {
        panic!("not System Stats")
    };
    assert_eq!(s.goroutines_smoothed, 85.4);
    let HubEvent::Orchestrator(f) = decode(&line_with(EVERY_MESSAGE, "HOST_WEBSOCKET_DEGRADED")) else {
        panic!()
    };
    let HubOrchestratorMessage::HostWebsocketDegraded(d) = f.payload else {
        panic!("not DEGRADED")
    };
    assert_eq!(d.state, "websocket_degraded");
}

#[test]
fn unknown_channels_and_messages_keep_the_raw_body() {
    let unknown = lines(UNKNOWN);
    assert_eq!(unknown.len(), 7);
    for text in &unknown {
        let HubEvent::Unknown(u) = decode(text) else {
            panic!("not unknown: {text}")
        };
        let w = wire(text);
        assert!(u.unknown);
        assert_eq!(u.event_type, w["event_type"].as_str().unwrap());
        assert_eq!(u.message, w["message"].as_str().unwrap());
        assert_eq!(u.body.as_ref(), w.get("body"), "{text}");
        assert_eq!(u.ref_id.as_deref(), w.get("ref_id").and_then(Value::as_str));
        let serialized = serde_json::to_value(HubEvent::Unknown(u)).unwrap();
        assert_eq!(serialized["unknown"], json!(true));
    }
}

#[test]
fn an_unknown_forwarded_host_frame_is_marked_inside_a_known_frame() {
    for text in lines(FORWARDED_UNKNOWN) {
        let event = decode(&text);
        assert!(!event.is_unknown() && event.forwards_unknown(), "{text}");
        let HubEvent::Orchestrator(f) = &event else {
            panic!("not orchestrator")
        };
        let inner = match &f.payload {
            HubOrchestratorMessage::HostReverseProxyUpdated(HubHostFrame {
                event: HubForwarded::Unknown(u),
                ..
            }) => u,
            HubOrchestratorMessage::HostCatalogCacheEvent(HubHostFrame {
                event: HubForwarded::Unknown(u),
                ..
            }) => u,
            other => panic!("inner frame not unknown: {other:?}"),
        };
        let w = wire(&text);
        assert_eq!(inner.message, w["body"]["event"]["message"].as_str().unwrap());
        assert_eq!(inner.body.as_ref(), w["body"]["event"].get("body"));
        let serialized = serde_json::to_value(&event).unwrap();
        assert_eq!(serialized["body"]["event"]["unknown"], json!(true));
        assert_eq!(serialized.get("unknown"), None);
    }
    assert!(!decode(&line_with(PROTOCOL_NOTES, "HOST_REVERSE_PROXY_UPDATED")).forwards_unknown());
}

#[test]
fn vendor_examples_that_disagree_with_the_server_decode_as_the_server_would_have_them() {
    let examples = lines(SEEDS_AS_WRITTEN);
    assert_eq!(examples.len(), 5);
    for welcome in &examples[..2] {
        let HubEvent::Unknown(u) = decode(welcome) else {
            panic!("a welcome with ';' is not the server's")
        };
        assert_eq!(u.event_type, "global");
        assert!(u.message.contains("established; subscribed"));
    }
    let e = decode_err(&examples[2]);
    assert_eq!((e.kind, e.path.as_str()), (DecodeErrorKind::Shape, "body.new_vm"));
    assert!(e.reason.contains("missing field `ID`"), "{}", e.reason);
    let e = decode_err(&examples[3]);
    assert_eq!(
        (e.kind, e.path.as_str()),
        (DecodeErrorKind::Shape, "body.event.new_vm")
    );
    assert_eq!(decode_err(&examples[4]).kind, DecodeErrorKind::Syntax);
}

#[test]
fn what_a_client_sends_is_not_a_server_frame() {
    let sent = lines(CLIENT_MESSAGES);
    assert_eq!(sent.len(), 3);
    let expected = [
        ("", "missing field `timestamp`"),
        ("", "missing field `id`"),
        ("timestamp", "invalid type: integer"),
    ];
    for (text, (path, reason)) in sent.iter().zip(expected) {
        let e = decode_err(text);
        assert_eq!(
            (e.kind, e.path.as_str()),
            (DecodeErrorKind::Shape, path),
            "{text}"
        );
        assert!(e.reason.contains(reason), "{text}: {}", e.reason);
    }
}

#[test]
fn not_json_is_a_syntax_error() {
    let trailing = frame("pdfm", "VM_REMOVED", json!({"vm_id": "v"})) + " {}";
    for text in ["nope", "{\"id\": nope}", trailing.as_str(), "{'id': 1}"] {
        let e = decode_err(text);
        assert_eq!(
            (e.source, e.kind),
            (DecodeSource::EventsHub, DecodeErrorKind::Syntax),
            "{text}"
        );
        assert!(e.line >= 1, "{text}: has a position");
    }
}

#[test]
fn a_cut_frame_is_truncated() {
    let full = line_with(PROTOCOL_NOTES, "\"VM_ADDED\"");
    for cut in [1, 100, full.len() / 2, full.len() - 1] {
        let e = decode_err(&full[..cut]);
        assert_eq!(e.kind, DecodeErrorKind::Truncated, "cut at {cut}");
    }
    assert_eq!(decode_err("").kind, DecodeErrorKind::Truncated);
}

#[test]
fn envelope_shape_errors_name_the_field() {
    let e = decode_err("[1, 2]");
    assert_eq!((e.kind, e.path.as_str()), (DecodeErrorKind::Shape, ""));
    let e = decode_err(
        r#"{"event_type":"pdfm","timestamp":"2026-08-18T09:14:02Z","message":"VM_REMOVED","body":{"vm_id":"x"}}"#,
    );
    assert_eq!(e.kind, DecodeErrorKind::Shape);
    assert!(e.reason.contains("missing field `id`"), "{}", e.reason);
    // The envelope is checked for unknown channels too.
    let e = decode_err(r#"{"id":"a","event_type":"future","message":"X"}"#);
    assert!(e.reason.contains("missing field `timestamp`"), "{}", e.reason);
    let e = decode_err(r#"{"id":7,"event_type":"future","timestamp":"2026-08-18T09:14:02Z","message":"X"}"#);
    assert_eq!((e.kind, e.path.as_str()), (DecodeErrorKind::Shape, "id"));
    // `ref_id?: string` in TypeScript: an explicit null would be a lie.
    let e = decode_err(
        r#"{"id":"a","ref_id":null,"event_type":"future","timestamp":"2026-08-18T09:14:02Z","message":"X"}"#,
    );
    assert_eq!((e.kind, e.path.as_str()), (DecodeErrorKind::Shape, "ref_id"));
}

#[test]
fn body_shape_errors_carry_the_full_path_and_an_absolute_position() {
    let cases: &[(String, &str, &str)] = &[
        (
            frame("pdfm", "VM_REMOVED", json!({})),
            "body",
            "missing field `vm_id`",
        ),
        (
            frame("pdfm", "VM_REMOVED", Value::Null),
            "body",
            "invalid type: null",
        ),
        (
            frame(
                "pdfm",
                "VM_STATE_CHANGED",
                json!({"previous_state": "running", "current_state": "hibernated", "vm_id": "v"}),
            ),
            "body.current_state",
            "unknown variant",
        ),
        (
            frame("pdfm", "VM_UPTIME_CHANGED", json!({"vm_id": "v", "uptime": 12})),
            "body.uptime",
            "invalid type",
        ),
        (
            frame("pdfm", "MAC_VMS_RUNNING_NOW", json!({"mac_vms_running": null})),
            "body.mac_vms_running",
            "invalid type: null",
        ),
        (
            frame(
                "catalog_cache",
                "CACHE_ITEM_REMOVED",
                json!({"catalog_id": "c", "version": "v", "architecture": null}),
            ),
            "body.architecture",
            "invalid type: null",
        ),
        (
            frame(
                "catalog_cache",
                "CACHE_ITEM_ADDED",
                json!({"catalog_id": "c", "version": "v", "cache_size": 1, "cache_type": "blob"}),
            ),
            "body.cache_type",
            "unknown variant",
        ),
        (
            frame(
                "reverse_proxy",
                "HTTP Traffic Forwarded",
                json!({"reverse_proxy_host_id": "r", "target_host": "h", "target_port": 8080, "path": "/", "traffic_type": "http", "internal_ip_address": "i", "method": "GET", "source_ip": "s"}),
            ),
            "body.target_port",
            "invalid type",
        ),
        (
            frame(
                "reverse_proxy",
                "TCP Traffic Forwarded",
                json!({"reverse_proxy_host_id": "r", "target_host": "h", "traffic_type": "http", "internal_ip_address": "i", "source_ip": "s"}),
            ),
            "body.traffic_type",
            "unknown variant",
        ),
        (
            frame(
                "orchestrator",
                "HOST_WEBSOCKET_CONNECTED",
                json!({"host_id": "h", "state": "websocket_disconnected"}),
            ),
            "body.state",
            "unknown variant",
        ),
        (
            frame(
                "orchestrator",
                "HOST_STATS_UPDATE",
                json!({"host_id": "h", "stats": {"memory_bytes": 1, "cpu_percent": 0.5}}),
            ),
            "body.stats",
            "missing field",
        ),
        (
            frame(
                "orchestrator",
                "HOST_STATS_UPDATE",
                json!({"host_id": "h", "stats": {"cache_folder_size": "12 MB"}}),
            ),
            "body.stats.cache_folder_size",
            "invalid type",
        ),
        (
            frame(
                "orchestrator",
                "HOST_LOGS_UPDATE",
                json!({"host_id": "h", "log": {"level": "info", "message": "m"}}),
            ),
            "body.log",
            "missing field `time`",
        ),
        (
            frame(
                "orchestrator",
                "HOST_VM_REMOVED",
                json!({"host_id": "h", "event": {"vmid": "v"}}),
            ),
            "body.event",
            "missing field `vm_id`",
        ),
        (
            frame("job_manager", "JOB_UPDATED", json!({"host_id": "h"})),
            "body",
            "missing field `event`",
        ),
        (
            frame(
                "job_manager",
                "JOB_UPDATED",
                json!({"id": "j", "owner": "o", "state": "failed", "progress": 1.5, "job_type": "t", "job_operation": "o", "created_at": "c", "updated_at": "u"}),
            ),
            "body.progress",
            "invalid type",
        ),
        (
            frame("auth", "ROLE_CLAIM_ADDED", json!({"role_id": "r"})),
            "body",
            "missing field `claim_id`",
        ),
        (
            frame(
                "global",
                HUB_WELCOME_MESSAGE,
                json!({"client_id": "c", "subscriptions": "global"}),
            ),
            "body.subscriptions",
            "invalid type",
        ),
        // `T | null` in TypeScript: the key is required even though its value may be null.
        (
            frame("pdfm", "VM_SNAPSHOTS_UPDATED", json!({"vm_id": "v"})),
            "body",
            "missing field `snapshots`",
        ),
        (
            frame(
                "orchestrator",
                "HOST_REVERSE_PROXY_UPDATED",
                json!({"host_id": "h", "event": {"id": "i", "event_type": "reverse_proxy", "timestamp": "2026-08-18T09:14:02Z", "message": "REVERSE_PROXY_STATE_CHANGED", "body": {"enabled": true, "state": "paused"}}}),
            ),
            "body.event.body.state",
            "unknown variant",
        ),
        (
            frame(
                "orchestrator",
                "HOST_CATALOG_CACHE_EVENT",
                json!({"host_id": "h", "event": {"id": "i", "event_type": "catalog_cache", "message": "CACHE_ITEM_REMOVED"}}),
            ),
            "body.event",
            "missing field `timestamp`",
        ),
        (
            frame(
                "orchestrator",
                "HOST_CATALOG_CACHE_EVENT",
                json!({"host_id": "h"}),
            ),
            "body",
            "missing field `event`",
        ),
    ];
    for (text, path, reason) in cases {
        let e = decode_err(text);
        assert_eq!(
            (e.kind, e.path.as_str()),
            (DecodeErrorKind::Shape, *path),
            "{text}\n{e}"
        );
        assert!(
            e.reason.contains(reason),
            "{text}: reason {:?} lacks {reason:?}",
            e.reason
        );
    }

    let vm = line_with(PROTOCOL_NOTES, "\"VM_ADDED\"");
    let text = vm.replacen("\"cpus\":4", "\n  \"cpus\":4", 1).replacen(
        "\"State\":\"stopped\"",
        "\"State\":\"hibernated\"",
        1,
    );
    let e = decode_err(&text);
    assert_eq!(
        (e.kind, e.path.as_str()),
        (DecodeErrorKind::Shape, "body.new_vm.State")
    );
    let at = text.find("hibernated").unwrap();
    assert_eq!(e.line, 1);
    assert!(
        e.column > at && e.column <= at + "hibernated\"".len() + 1,
        "column {} near {at}",
        e.column
    );
    let text = vm.replacen(
        "\"memory_quota\":{\"auto\":\"on\"}",
        "\n\"memory_quota\":\"auto\"",
        1,
    );
    let e = decode_err(&text);
    assert_eq!(
        (e.kind, e.path.as_str(), e.line),
        (DecodeErrorKind::Shape, "body.new_vm.Hardware.memory_quota", 2)
    );
    assert!(
        e.reason.contains("invalid type: string, expected a JSON object"),
        "{}",
        e.reason
    );
}

#[test]
fn spec_violations_are_spec_errors() {
    let cid = "1a2ac654-564c-4e9e-abab-ad4e390b74f9";
    let reply = |event_type: &str,
                 message: &str,
                 body: Option<Value>,
                 ref_id: Option<&str>,
                 client_id: Option<&str>| {
        let mut f = json!({"id": "a", "event_type": event_type, "timestamp": "2026-08-18T09:14:32.5Z", "message": message});
        if let Some(b) = body {
            f["body"] = b;
        }
        if let Some(r) = ref_id {
            f["ref_id"] = json!(r);
        }
        if let Some(c) = client_id {
            f["client_id"] = json!(c);
        }
        f.to_string()
    };
    let cases: Vec<(String, &str)> = vec![
        (reply("health", "pong", None, None, Some(cid)), "ref_id"),
        (reply("health", "pong", None, Some("x"), None), "client_id"),
        (reply("system", "client-id", Some(json!({"client-id": cid})), Some("x"), None), "client_id"),
        (reply("system", "client-id", Some(json!({"client-id": "someone-else"})), Some("x"), Some(cid)), "body.client-id"),
        (reply("system", "error", Some(json!({"error": "e"})), None, Some(cid)), "ref_id"),
        (frame("global", HUB_WELCOME_MESSAGE, json!({"client_id": cid, "subscriptions": ["pdfm"]})), "body.subscriptions"),
        (frame("pdfm", "VM_REMOVED", json!({"vm_id": "v"})).replace("2026-08-18T09:14:02.318245Z", "2026-08-18 09:14:02"), "timestamp"),
        (frame("future", "X", json!({})).replace("2026-08-18T09:14:02.318245Z", "yesterday"), "timestamp"),
        (
            frame("orchestrator", "HOST_REVERSE_PROXY_UPDATED", json!({"host_id": "h", "event": {"id": "i", "event_type": "reverse_proxy", "timestamp": "18/08/2026", "message": "X"}})),
            "body.event.timestamp",
        ),
        (
            frame("orchestrator", "HOST_REVERSE_PROXY_UPDATED", json!({"host_id": "h", "event": {"id": "i", "event_type": "catalog_cache", "timestamp": "2026-08-18T09:14:02Z", "message": "CACHE_ITEM_REMOVED", "body": {"catalog_id": "c", "version": "v"}}})),
            "body.event.event_type",
        ),
        (
            frame("orchestrator", "HOST_CATALOG_CACHE_EVENT", json!({"host_id": "h", "event": {"id": "i", "event_type": "future", "timestamp": "2026-08-18T09:14:02Z", "message": "X"}})),
            "body.event.event_type",
        ),
        (r#"{"id":"a","event_type":"future","timestamp":"2026-08-18T09:14:02Z","message":"X","unknown":false}"#.to_owned(), "unknown"),
        (r#"{"id":"a","event_type":"pdfm","timestamp":"2026-08-18T09:14:02Z","message":"VM_REMOVED","body":{"vm_id":"v"},"unknown":null}"#.to_owned(), "unknown"),
    ];
    for (text, path) in &cases {
        let e = decode_err(text);
        assert_eq!(
            (e.kind, e.path.as_str()),
            (DecodeErrorKind::Spec, *path),
            "{text}\n{e}"
        );
        assert_eq!(e.input_head, text.chars().take(64).collect::<String>());
    }
}

#[test]
fn rfc3339_dates() {
    for ok in [
        "2026-08-18T09:14:02Z",
        "2026-08-18T09:14:02.318245Z",
        "2026-08-18T09:14:33.1207Z",
        "2026-08-18T09:14:33.123456789Z",
        "2026-08-18T11:21:01.699812+02:00",
        "2026-12-31T23:59:60-05:30",
    ] {
        assert!(is_rfc3339(ok), "{ok}");
    }
    for bad in [
        "",
        "2026-08-18",
        "2026-08-18 09:14:02Z",
        "2026-08-18T09:14:02",
        "2026-08-18T09:14:02.Z",
        "2026-13-18T09:14:02Z",
        "2026-08-00T09:14:02Z",
        "2026-08-18T24:14:02Z",
        "2026-08-18T09:14:02+0200",
        "2026-08-18T09:14:02+24:00",
        "2026-08-18T09:14:02Zjunk",
        "２０２６-08-18T09:14:02Z",
    ] {
        assert!(!is_rfc3339(bad), "{bad}");
    }
}

/// serde's own `Deserialize` of the types reads back what they serialize to, except that a VM
/// object cannot be read through the buffering of untagged enums and flattened fields (its loose
/// sections are raw JSON text, which only serde_json's deserializer itself can capture); its body
/// type reads back directly.
#[test]
fn serialized_events_deserialize_back_to_the_same_value() {
    let mut vm_frames = 0;
    for text in known_fixture_lines().iter().chain(&lines(UNKNOWN)) {
        let event = decode(text);
        let value = serde_json::to_value(&event).unwrap();
        match serde_json::from_value::<HubEvent>(value.clone()) {
            Ok(back) => assert_eq!(back, event, "{text}"),
            Err(e) => {
                assert!(text.contains("\"new_vm\""), "{e}: {text}");
                let body = if value["body"].get("event").is_some() {
                    &value["body"]["event"]
                } else {
                    &value["body"]
                };
                let details: HubVmDetails = serde_json::from_value(body.clone()).expect("VM body reads back");
                assert_eq!(serde_json::to_value(details).unwrap(), *body);
                vm_frames += 1;
            }
        }
    }
    assert!(vm_frames >= 5, "{vm_frames}");
}

#[test]
fn only_the_json_the_types_describe_is_accepted() {
    // serde would take a struct from an array of its fields, and an enum from {"variant": null};
    // JSON.parse would then give the app an array or an object where the types say otherwise.
    let cases: &[(String, &str)] = &[
        (
            r#"["a",null,"future","2026-08-18T09:14:02Z","X",null,null,null]"#.to_owned(),
            "",
        ),
        (frame("pdfm", "VM_REMOVED", json!(["v"])), "body"),
        (
            frame(
                "pdfm",
                "VM_STATE_CHANGED",
                json!({"previous_state": {"running": null}, "current_state": "stopped", "vm_id": "v"}),
            ),
            "body.previous_state",
        ),
        (
            frame(
                "orchestrator",
                "HOST_LOGS_UPDATE",
                json!({"host_id": "h", "log": ["info", "m", "t"]}),
            ),
            "body.log",
        ),
        (
            frame(
                "orchestrator",
                "HOST_STATS_UPDATE",
                json!({"host_id": "h", "stats": []}),
            ),
            "body.stats",
        ),
        (frame("job_manager", "JOB_CREATED", json!(["j", "o"])), "body"),
        (
            frame(
                "pdfm",
                "VM_SNAPSHOTS_UPDATED",
                json!({"vm_id": "v", "snapshots": [["n", "d", "s", true, ""]]}),
            ),
            "body.snapshots[0]",
        ),
        (
            frame(
                "catalog_cache",
                "CACHE_ITEM_ADDED",
                json!({"catalog_id": "c", "version": "v", "cache_size": 1, "cache_type": {"file": null}}),
            ),
            "body.cache_type",
        ),
    ];
    for (text, path) in cases {
        let e = decode_err(text);
        assert_eq!(
            (e.kind, e.path.as_str()),
            (DecodeErrorKind::Shape, *path),
            "{text}\n{e}"
        );
        assert!(e.reason.starts_with("invalid type: "), "{}", e.reason);
    }
}

/// Some JSON values to put where a fixture had something else.
fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "running",
            "paused",
            "failed",
            "http",
            "tcp",
            "folder",
            "global",
            "pdfm",
            "orchestrator",
            "reverse_proxy",
            "catalog_cache",
            "VM_ADDED",
            "HOST_STATS_UPDATE",
            "pong",
            "client-id",
            "2026-08-18T09:14:02Z",
        ])
        .prop_map(Value::from),
        Just(json!({})),
        Just(json!([])),
        Just(json!({"memory_bytes": 1})),
        Just(json!({"host_id": "h", "event": {}})),
    ]
}

/// Every path into `v`, as a list of keys and indexes.
fn paths(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(at.clone());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                at.push(Step::Key(k.clone()));
                paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn node<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// Replaces, removes or renames the value at one path of a fixture.
fn mutate(mut v: Value, which: prop::sample::Index, op: u8, with: Value) -> Value {
    let mut all = Vec::new();
    paths(&v, &mut Vec::new(), &mut all);
    let path = all[which.index(all.len())].clone();
    match (op, path.split_last()) {
        (1, Some((Step::Key(k), parent))) => {
            if let Some(map) = node(&mut v, parent).as_object_mut() {
                map.remove(k);
            }
        }
        (2, Some((Step::Key(k), parent))) => {
            if let Some(map) = node(&mut v, parent).as_object_mut() {
                if let Some(moved) = map.remove(k) {
                    map.insert(format!("{k}_"), moved);
                }
            }
        }
        _ => *node(&mut v, &path) = with,
    }
    v
}

fn never_panics_and_mirrors(text: &str) {
    if let Ok(event) = decode_hub_event(text) {
        assert_decoded_mirrors(text, &event);
    }
}

proptest! {
    // Failures are reported, not written into the source tree.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(2000) })]

    #[test]
    fn mangled_frames_decode_or_fail_without_panicking(text in mangled(all_fixture_lines())) {
        never_panics_and_mirrors(&text);
    }

    #[test]
    fn mutated_fixtures_decode_or_fail_without_panicking(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, replacement()), 1..4),
    ) {
        let fixtures = all_fixture_lines();
        let seed = &fixtures[pick.index(fixtures.len())];
        let Ok(mut v) = serde_json::from_str::<Value>(seed) else { return Ok(()) };
        for (which, op, with) in edits {
            v = mutate(v, which, op, with);
        }
        never_panics_and_mirrors(&v.to_string());
    }
}
