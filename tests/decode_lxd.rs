#![cfg(not(target_arch = "wasm32"))]
#![cfg(feature = "lxd")]
//! LXD / Incus `/1.0/events` decoder: real daemon captures, the documentation's examples and
//! action table, unknowns, every kind of error, and property tests.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{assert_mirrors_wire, lines, mangled};
use infra_events::decode::lxd::decode_lxd_event;
use infra_events::decode::{DecodeError, DecodeErrorKind, DecodeSource};
use infra_events::model::lxd::{LxdEvent, LxdLifecycle, LxdLifecycleEvent};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Captured by scripts/lxd-capture.sh from a real LXD 5.0.2 daemon.
const LXD_502: &str = include_str!("fixtures/lxd/lxd-5.0.2.jsonl");
/// Captured by scripts/lxd-capture.sh from a real Incus 6.0.4 daemon.
const INCUS_604: &str = include_str!("fixtures/lxd/incus-6.0.4.jsonl");
/// One constructed event per action of the documentation's table.
const SEED_ACTIONS: &str = include_str!("fixtures/lxd/seed-actions.jsonl");
/// The documentation's example and the samples of the protocol notes.
const DOCS: &str = include_str!("fixtures/lxd/docs-examples.jsonl");

fn all_fixture_lines() -> Vec<String> {
    [LXD_502, INCUS_604, SEED_ACTIONS, DOCS]
        .iter()
        .flat_map(|f| lines(f))
        .collect()
}

fn decode(text: &str) -> LxdEvent {
    decode_lxd_event(text).unwrap_or_else(|e| panic!("{e}\nframe: {text}"))
}

fn lifecycle(text: &str) -> LxdLifecycleEvent {
    match decode(text) {
        LxdEvent::Lifecycle(e) => e,
        other => panic!("expected a lifecycle event, got {other:?}"),
    }
}

fn error(text: &str) -> DecodeError {
    match decode_lxd_event(text) {
        Ok(e) => panic!("expected an error, decoded {e:?}"),
        Err(e) => {
            assert_eq!(e.source, DecodeSource::Lxd);
            e
        }
    }
}

/// The first fixture line of `file` whose lifecycle action is `action`.
fn frame_with_action(file: &str, action: &str) -> String {
    let needle = format!("\"action\":\"{action}\"");
    lines(file)
        .into_iter()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no {action} frame in the fixture"))
}

/// A fixture line edited as JSON: `edit` changes the parsed object, the result is re-serialised.
fn edited(line: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(line).unwrap();
    edit(&mut v);
    v.to_string()
}

const PROFILE_RENAMED: &str = r#"{"type":"lifecycle","timestamp":"2026-11-21T05:12:09.125618258Z","metadata":{"action":"profile-renamed","source":"/1.0/profiles/p2","context":{"old_name":"p1"},"requestor":{"username":"root","protocol":"unix","address":"@"}},"location":"none","project":"default"}"#;
const LOGGING: &str = r#"{"type":"logging","timestamp":"2026-11-21T06:15:55.90679729Z","metadata":{"message":"Failed writing error for HTTP response","level":"error","context":{"err":"open : no such file or directory","url":"/1.0/instances/{name}/console"}},"location":"none"}"#;
const OPERATION: &str = r#"{"type":"operation","timestamp":"2026-11-21T06:15:48.054030125Z","metadata":{"id":"5e68b20b-a3b7-4356-8305-5d0463fe2c04","class":"token","description":"Image download token","created_at":"2026-11-21T06:15:48.051844963Z","updated_at":"2026-11-21T06:15:48.051844963Z","status":"Running","status_code":103,"resources":{"images":["/1.0/images/41b798cf"]},"metadata":{"secret":"85255ee3"},"may_cancel":true,"err":"","location":"none"},"location":"none","project":"default"}"#;

// ---------------------------------------------------------------------------------------------
// Every fixture frame

#[test]
fn every_fixture_frame_decodes_as_known_and_mirrors_the_wire() {
    let all = all_fixture_lines();
    assert!(all.len() > 1000, "fixtures went missing: {} frames", all.len());
    for line in &all {
        let decoded = decode(line);
        assert!(
            !decoded.is_unknown(),
            "a documented frame decoded as unknown: {line}"
        );
        let wire: Value = serde_json::from_str(line).unwrap();
        assert_eq!(decoded.event_type(), wire["type"], "{line}");
        assert_eq!(decoded.timestamp(), wire["timestamp"], "{line}");
        assert_eq!(decoded.location(), wire["location"], "{line}");
        assert_eq!(
            decoded.project(),
            wire.get("project").and_then(Value::as_str),
            "{line}"
        );
        assert_mirrors_wire(&serde_json::to_value(&decoded).unwrap(), &wire);
    }
}

#[test]
fn decoded_values_read_back_through_serde() {
    for line in all_fixture_lines() {
        let decoded = decode(&line);
        let again: LxdEvent = serde_json::from_value(serde_json::to_value(&decoded).unwrap()).unwrap();
        assert_eq!(again, decoded, "{line}");
    }
}

#[test]
fn a_frame_with_the_daemons_trailing_newline_decodes() {
    let with_newline = format!("{PROFILE_RENAMED}\n");
    assert_eq!(decode(&with_newline), decode(PROFILE_RENAMED));
}

// ---------------------------------------------------------------------------------------------
// Real daemon captures: counts per type, every action documented

fn counts(file: &str) -> (BTreeMap<String, usize>, BTreeSet<String>) {
    let mut per_type = BTreeMap::new();
    let mut actions = BTreeSet::new();
    for line in lines(file) {
        let decoded = decode(&line);
        assert!(!decoded.is_unknown(), "captured frame decoded as unknown: {line}");
        *per_type.entry(decoded.event_type().to_owned()).or_insert(0) += 1;
        if let LxdEvent::Lifecycle(e) = decoded {
            actions.insert(e.metadata.action().to_owned());
        }
    }
    (per_type, actions)
}

fn expect_counts(per_type: &BTreeMap<String, usize>, logging: usize, operation: usize, lifecycle: usize) {
    // Numbers of the committed captures; re-running scripts/lxd-capture.sh changes them.
    let expected: BTreeMap<String, usize> = [
        ("logging", logging),
        ("operation", operation),
        ("lifecycle", lifecycle),
    ]
    .map(|(k, v)| (k.to_owned(), v))
    .into();
    assert_eq!(per_type, &expected);
}

#[test]
fn lxd_502_capture_decodes_with_zero_unknowns() {
    let (per_type, actions) = counts(LXD_502);
    expect_counts(&per_type, 271, 149, 127);
    assert!(
        actions.len() >= 90,
        "{} distinct actions: {actions:?}",
        actions.len()
    );
    for a in &actions {
        assert!(LxdLifecycle::ACTIONS.contains(&a.as_str()), "{a}");
    }
}

#[test]
fn incus_604_capture_decodes_with_zero_unknowns() {
    let (per_type, actions) = counts(INCUS_604);
    expect_counts(&per_type, 277, 142, 121);
    assert!(
        actions.len() >= 85,
        "{} distinct actions: {actions:?}",
        actions.len()
    );
}

#[test]
fn captures_hold_what_the_notes_describe() {
    // Standalone then clustered: "none" until `cluster enable`, the member's name after it.
    for file in [LXD_502, INCUS_604] {
        let locations: BTreeSet<String> = lines(file)
            .iter()
            .map(|l| decode(l).location().to_owned())
            .collect();
        assert!(locations.contains("none"), "{locations:?}");
        assert!(
            locations.iter().any(|l| l.starts_with("ci-node1")),
            "{locations:?}"
        );
        // Logging never carries a project.
        for l in lines(file) {
            if let LxdEvent::Logging(e) = decode(&l) {
                assert_eq!(e.project, None, "{l}");
            }
        }
    }
    // LXD leaves the requestor out of instance-created; Incus sends it, with name and project.
    let lxd = lifecycle(&frame_with_action(LXD_502, "instance-created"));
    assert_eq!(lxd.metadata.requestor(), None);
    let LxdLifecycle::InstanceCreated(body) = &lxd.metadata else {
        panic!("{lxd:?}")
    };
    let context = body
        .context
        .as_ref()
        .expect("LXD sends a context on instance-created");
    assert_eq!(
        (
            context.location.as_deref(),
            context.storage_pool.as_str(),
            context.instance_type.as_str()
        ),
        (None, "default", "container")
    );

    let incus = lifecycle(&frame_with_action(INCUS_604, "instance-created"));
    let LxdLifecycle::InstanceCreated(body) = &incus.metadata else {
        panic!("{incus:?}")
    };
    let context = body
        .context
        .as_ref()
        .expect("Incus sends a context on instance-created");
    assert_eq!(context.location.as_deref(), Some("none"));
    assert_eq!(context.storage_pool, "default");
    assert_eq!(body.requestor.as_ref().map(|r| r.protocol.as_str()), Some("unix"));
    assert!(
        body.name.as_deref().is_some_and(|n| n.starts_with("ci-")),
        "{body:?}"
    );
    assert_eq!(body.project.as_deref(), Some("default"));
}

#[test]
fn captured_contexts_are_typed_per_action() {
    let exec = lifecycle(&frame_with_action(LXD_502, "instance-exec"));
    let LxdLifecycle::InstanceExec(body) = &exec.metadata else {
        panic!("{exec:?}")
    };
    assert_eq!(
        body.context.as_ref().unwrap().command.first().map(String::as_str),
        Some("/bin/busybox")
    );

    let volume = lifecycle(&frame_with_action(INCUS_604, "storage-volume-created"));
    let LxdLifecycle::StorageVolumeCreated(body) = &volume.metadata else {
        panic!("{volume:?}")
    };
    assert_eq!(body.context.as_ref().unwrap().volume_type, "custom");
    assert!(
        body.source.contains("/volumes/custom/default_"),
        "{}",
        body.source
    );

    let group = lifecycle(&frame_with_action(LXD_502, "cluster-group-renamed"));
    let LxdLifecycle::ClusterGroupRenamed(body) = &group.metadata else {
        panic!("{group:?}")
    };
    assert_eq!(body.context.as_ref().unwrap().old_name, "ci-group");

    let pushed = lifecycle(&frame_with_action(LXD_502, "instance-file-pushed"));
    let LxdLifecycle::InstanceFilePushed(body) = &pushed.metadata else {
        panic!("{pushed:?}")
    };
    assert_eq!(
        body.context.as_ref().unwrap().path.as_deref(),
        Some("/tmp/pushed.txt")
    );

    let alias = lifecycle(&frame_with_action(INCUS_604, "image-alias-created"));
    let LxdLifecycle::ImageAliasCreated(body) = &alias.metadata else {
        panic!("{alias:?}")
    };
    assert_eq!(body.context.as_ref().unwrap().target.len(), 64);

    let console = lifecycle(&frame_with_action(LXD_502, "instance-console"));
    let LxdLifecycle::InstanceConsole(body) = &console.metadata else {
        panic!("{console:?}")
    };
    assert_eq!(body.context.as_ref().unwrap().console_type, "console");
}

#[test]
fn captured_requestors_include_tls_and_untrusted_clients() {
    let requestors: Vec<_> = [LXD_502, INCUS_604]
        .iter()
        .flat_map(|f| lines(f))
        .filter_map(|l| match decode(&l) {
            LxdEvent::Lifecycle(e) => e.metadata.requestor().cloned(),
            _ => None,
        })
        .collect();
    assert!(
        requestors
            .iter()
            .any(|r| r.protocol == "tls" && r.username.len() == 64),
        "no TLS requestor"
    );
    assert!(requestors.iter().any(|r| r.username.is_empty()
        && r.protocol.is_empty()
        && r.address.as_deref() == Some("127.0.0.1")));
    assert!(requestors
        .iter()
        .any(|r| r.username.is_empty() && r.address.as_deref().is_some_and(|a| a.starts_with("127.0.0.1:"))));
}

#[test]
fn captured_operations_cover_every_class_and_both_resource_forms() {
    let mut classes = BTreeSet::new();
    let (mut null_resources, mut empty_map_resources, mut null_kinds) = (0, 0, 0);
    for line in lines(LXD_502).iter().chain(lines(INCUS_604).iter()) {
        if let LxdEvent::Operation(e) = decode(line) {
            classes.insert(e.metadata.class.clone());
            match &e.metadata.resources {
                None => null_resources += 1,
                Some(map) if map.is_empty() => empty_map_resources += 1,
                Some(map) => null_kinds += map.values().filter(|urls| urls.is_none()).count(),
            }
        }
    }
    assert_eq!(classes, ["task", "token", "websocket"].map(String::from).into());
    assert!(
        null_resources > 0 && empty_map_resources > 0,
        "{null_resources} null, {empty_map_resources} empty"
    );
    assert!(null_kinds > 0, "no {{\"cluster\": null}} resources");
}

// ---------------------------------------------------------------------------------------------
// The documentation: action table and examples

#[test]
fn seed_fixture_has_every_documented_action_once_in_order() {
    let actions: Vec<String> = lines(SEED_ACTIONS)
        .iter()
        .map(|l| lifecycle(l).metadata.action().to_owned())
        .collect();
    assert_eq!(actions, LxdLifecycle::ACTIONS);
    assert_eq!(actions.len(), 108);
}

#[test]
fn documented_contexts_decode_into_their_types() {
    let renamed = lifecycle(PROFILE_RENAMED);
    let LxdLifecycle::ProfileRenamed(body) = &renamed.metadata else {
        panic!("{renamed:?}")
    };
    assert_eq!(body.context.as_ref().unwrap().old_name, "p1");
    assert_eq!(body.source, "/1.0/profiles/p2");

    let pushed = lifecycle(&frame_with_action(SEED_ACTIONS, "instance-file-pushed"));
    let LxdLifecycle::InstanceFilePushed(body) = &pushed.metadata else {
        panic!("{pushed:?}")
    };
    let context = body.context.as_ref().unwrap();
    assert_eq!(context.file_source.as_deref(), Some("/home/user/notes.txt"));
    assert_eq!(context.file_destination.as_deref(), Some("/root/notes.txt"));
    assert_eq!(
        context.info.as_ref().and_then(|i| i.get("mode")),
        Some(&json!(420))
    );

    let restored = lifecycle(&frame_with_action(SEED_ACTIONS, "storage-volume-restored"));
    let LxdLifecycle::StorageVolumeRestored(body) = &restored.metadata else {
        panic!("{restored:?}")
    };
    assert_eq!(body.context.as_ref().unwrap().snapshot, "snap0");

    let pool = lifecycle(&frame_with_action(SEED_ACTIONS, "storage-pool-updated"));
    let LxdLifecycle::StoragePoolUpdated(body) = &pool.metadata else {
        panic!("{pool:?}")
    };
    assert_eq!(body.context.as_ref().unwrap().target, "node1");

    let forward = lifecycle(&frame_with_action(SEED_ACTIONS, "network-forward-created"));
    assert!(matches!(forward.metadata, LxdLifecycle::NetworkForwardCreated(_)));
    assert!(!forward.metadata.has_context());
}

#[test]
fn the_documentation_example_decodes() {
    let first = lines(DOCS).into_iter().next().unwrap();
    let e = lifecycle(&first);
    assert_eq!(e.location, "cluster_name");
    assert_eq!(e.timestamp, "2021-03-14T00:00:00Z");
    assert_eq!(e.project, None);
    assert_eq!(e.metadata.action(), "network-updated");
    assert_eq!(e.metadata.source(), "/1.0/networks/lxdbr0");
    let requestor = e.metadata.requestor().unwrap();
    assert_eq!(
        (
            requestor.username.as_str(),
            requestor.protocol.as_str(),
            requestor.address.as_deref()
        ),
        ("root", "unix", None)
    );
}

#[test]
fn logging_and_operation_fields() {
    let LxdEvent::Logging(log) = decode(LOGGING) else {
        panic!()
    };
    assert_eq!(log.metadata.level, "error");
    assert_eq!(
        log.metadata.context.get("url").map(String::as_str),
        Some("/1.0/instances/{name}/console")
    );
    assert_eq!(log.project, None);

    let LxdEvent::Operation(op) = decode(OPERATION) else {
        panic!()
    };
    assert_eq!(
        (
            op.metadata.class.as_str(),
            op.metadata.status.as_str(),
            op.metadata.status_code
        ),
        ("token", "Running", 103)
    );
    assert_eq!(
        op.metadata
            .resources
            .as_ref()
            .and_then(|r| r.get("images"))
            .and_then(Option::as_ref)
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        op.metadata.metadata.as_ref().and_then(|m| m.get("secret")),
        Some(&json!("85255ee3"))
    );
    assert!(op.metadata.may_cancel);
    assert_eq!(op.project.as_deref(), Some("default"));

    // An operation not in a project, with null resources and metadata (LXD 5.0.2's form).
    let plain = edited(OPERATION, |v| {
        v.as_object_mut().unwrap().remove("project");
        v["metadata"]["resources"] = Value::Null;
        v["metadata"]["metadata"] = Value::Null;
    });
    let LxdEvent::Operation(op) = decode(&plain) else {
        panic!()
    };
    assert_eq!(
        (op.project, op.metadata.resources, op.metadata.metadata),
        (None, None, None)
    );
    // A status this SDK does not list is not checked against a code.
    let LxdEvent::Operation(op) = decode(&edited(OPERATION, |v| {
        v["metadata"]["status"] = json!("Frozen");
        v["metadata"]["status_code"] = json!(110);
    })) else {
        panic!()
    };
    assert_eq!(op.metadata.status, "Frozen");
}

// ---------------------------------------------------------------------------------------------
// Unknowns

#[test]
fn unknown_type_keeps_the_raw_metadata_and_is_marked() {
    let text = r#"{"type":"network-acl","timestamp":"2026-11-21T05:12:09.1Z","metadata":{"proto":"TCP","n":[1,2.5,null]},"location":"none","project":"default"}"#;
    let decoded = decode(text);
    let LxdEvent::Unknown(u) = &decoded else {
        panic!("{decoded:?}")
    };
    assert!(u.unknown);
    assert_eq!(u.event_type, "network-acl");
    assert_eq!(u.metadata, json!({"proto": "TCP", "n": [1, 2.5, null]}));
    assert_eq!(u.project.as_deref(), Some("default"));
    let serialised = serde_json::to_value(&decoded).unwrap();
    assert_eq!(serialised["unknown"], json!(true));
    assert_mirrors_wire(&serialised, &serde_json::from_str(text).unwrap());
}

#[test]
fn unknown_type_with_null_or_scalar_metadata_is_kept() {
    for metadata in ["null", "42", "\"text\"", "[]"] {
        let text = format!(
            r#"{{"type":"ovn","timestamp":"2026-11-21T05:12:09Z","metadata":{metadata},"location":"m1"}}"#
        );
        let LxdEvent::Unknown(u) = decode(&text) else {
            panic!("{text}")
        };
        assert_eq!(u.metadata, serde_json::from_str::<Value>(metadata).unwrap());
        assert_eq!(u.project, None);
    }
}

#[test]
fn unknown_lifecycle_action_is_marked_and_keeps_its_metadata() {
    // Incus has actions LXD 5.0.2's table does not, e.g. storage buckets.
    let text = r#"{"type":"lifecycle","timestamp":"2026-11-21T05:12:09.125618258Z","metadata":{"action":"storage-bucket-created","source":"/1.0/storage-pools/p/buckets/b","context":{"anything":[1,{"x":true}]},"requestor":{"username":"root","protocol":"unix","address":"@"}},"location":"none","project":"default"}"#;
    let decoded = decode(text);
    let LxdEvent::Unknown(u) = &decoded else {
        panic!("{decoded:?}")
    };
    assert_eq!(u.event_type, "lifecycle");
    assert_eq!(u.metadata["action"], "storage-bucket-created");
    assert_eq!(u.metadata["context"]["anything"][1]["x"], json!(true));
    assert_mirrors_wire(
        &serde_json::to_value(&decoded).unwrap(),
        &serde_json::from_str(text).unwrap(),
    );
    // An unknown action is not checked beyond its tag: a body the known actions would reject is kept.
    let odd = edited(text, |v| v["metadata"]["source"] = json!(7));
    assert!(decode(&odd).is_unknown());
}

#[test]
fn a_frame_carrying_the_marker_key_is_kept_as_unknown() {
    // `"unknown" in e` is how apps tell unknowns apart, so a known frame with such a key must not
    // pass as known; the JS layer then sets the key to true.
    for marker in [json!(false), Value::Null, json!(true), json!({"x": 1})] {
        let text = edited(PROFILE_RENAMED, |v| v["unknown"] = marker.clone());
        let LxdEvent::Unknown(u) = decode(&text) else {
            panic!("{text}")
        };
        assert!(u.unknown);
        assert_eq!(u.event_type, "lifecycle");
        assert_eq!(u.metadata["context"]["old_name"], "p1");
    }
    // The envelope is still checked.
    let bad = edited(PROFILE_RENAMED, |v| {
        v["unknown"] = json!(false);
        v["timestamp"] = json!("now");
    });
    assert_eq!(error(&bad).kind, DecodeErrorKind::Spec);
    // A key of that name deeper down is an ordinary extra field.
    let nested = edited(PROFILE_RENAMED, |v| v["metadata"]["unknown"] = json!(false));
    assert!(!decode(&nested).is_unknown());
}

#[test]
fn unknown_extra_fields_are_tolerated() {
    let text = edited(PROFILE_RENAMED, |v| {
        v["extra"] = json!({"a": 1});
        v["metadata"]["new_field"] = json!([1]);
        v["metadata"]["context"]["also"] = json!("x");
        v["metadata"]["requestor"]["trusted"] = json!(true);
    });
    let e = lifecycle(&text);
    assert_eq!(e.metadata.action(), "profile-renamed");
    assert_mirrors_wire(
        &serde_json::to_value(&e).unwrap(),
        &serde_json::from_str(&text).unwrap(),
    );
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn not_json_is_a_syntax_error() {
    for text in [
        "hello",
        "{\"type\":\"logging\",}",
        "{\"type\" \"logging\"}",
        "{\"type\": lifecycle}",
        "\u{feff}{}",
    ] {
        assert_eq!(error(text).kind, DecodeErrorKind::Syntax, "{text:?}");
    }
    // Bytes after a complete, valid frame.
    let e = error(&format!("{PROFILE_RENAMED} {{}}"));
    assert_eq!(e.kind, DecodeErrorKind::Syntax, "{e}");
    assert_eq!(error("").kind, DecodeErrorKind::Truncated);
}

#[test]
fn a_cut_frame_is_truncated() {
    for cut in [10, 100, PROFILE_RENAMED.len() - 1] {
        let e = error(&PROFILE_RENAMED[..cut]);
        assert_eq!(e.kind, DecodeErrorKind::Truncated, "cut at {cut}: {e}");
    }
}

#[test]
fn envelope_shape_errors_name_the_field() {
    let cases: [(String, &str, &str); 6] = [
        (
            edited(LOGGING, |v| drop(v.as_object_mut().unwrap().remove("location"))),
            "",
            "location",
        ),
        (
            edited(LOGGING, |v| drop(v.as_object_mut().unwrap().remove("metadata"))),
            "",
            "metadata",
        ),
        (
            edited(LOGGING, |v| drop(v.as_object_mut().unwrap().remove("type"))),
            "",
            "type",
        ),
        (edited(LOGGING, |v| v["type"] = json!(1)), "type", "invalid type"),
        (
            edited(OPERATION, |v| v["project"] = Value::Null),
            "project",
            "null",
        ),
        (
            edited(OPERATION, |v| v["timestamp"] = json!(1_700_000_000)),
            "timestamp",
            "invalid type",
        ),
    ];
    for (text, path, reason) in cases {
        let e = error(&text);
        assert_eq!(e.kind, DecodeErrorKind::Shape, "{text}: {e}");
        assert_eq!(e.path, path, "{text}: {e}");
        assert!(e.reason.contains(reason), "{text}: {e}");
    }
}

#[test]
fn metadata_shape_errors_carry_the_full_path() {
    let cases: Vec<(String, &str)> = vec![
        (
            edited(LOGGING, |v| v["metadata"]["level"] = json!(3)),
            "metadata.level",
        ),
        (
            edited(LOGGING, |v| v["metadata"]["context"]["url"] = json!(5)),
            "metadata.context.url",
        ),
        (
            edited(LOGGING, |v| {
                drop(v["metadata"].as_object_mut().unwrap().remove("message"))
            }),
            "metadata",
        ),
        (edited(LOGGING, |v| v["metadata"] = Value::Null), "metadata"),
        (
            edited(OPERATION, |v| v["metadata"]["status_code"] = json!("103")),
            "metadata.status_code",
        ),
        (
            edited(OPERATION, |v| v["metadata"]["resources"]["images"][0] = json!(1)),
            "metadata.resources.images[0]",
        ),
        (
            edited(OPERATION, |v| v["metadata"]["metadata"] = json!([1])),
            "metadata.metadata",
        ),
        (
            edited(OPERATION, |v| v["metadata"]["may_cancel"] = json!("true")),
            "metadata.may_cancel",
        ),
        (
            edited(OPERATION, |v| v["metadata"]["status_code"] = json!(-1)),
            "metadata.status_code",
        ),
        (
            edited(PROFILE_RENAMED, |v| v["metadata"]["context"] = json!({})),
            "metadata.context",
        ),
        (
            edited(PROFILE_RENAMED, |v| {
                v["metadata"]["context"]["old_name"] = json!(1)
            }),
            "metadata.context.old_name",
        ),
        (
            edited(PROFILE_RENAMED, |v| v["metadata"]["context"] = Value::Null),
            "metadata.context",
        ),
        (
            edited(PROFILE_RENAMED, |v| v["metadata"]["requestor"] = Value::Null),
            "metadata.requestor",
        ),
        (
            edited(PROFILE_RENAMED, |v| {
                v["metadata"]["requestor"]["address"] = Value::Null
            }),
            "metadata.requestor.address",
        ),
        (
            edited(PROFILE_RENAMED, |v| {
                drop(
                    v["metadata"]["requestor"]
                        .as_object_mut()
                        .unwrap()
                        .remove("username"),
                )
            }),
            "metadata.requestor",
        ),
        (
            edited(PROFILE_RENAMED, |v| {
                drop(v["metadata"].as_object_mut().unwrap().remove("source"))
            }),
            "metadata",
        ),
        (
            edited(PROFILE_RENAMED, |v| {
                drop(v["metadata"].as_object_mut().unwrap().remove("action"))
            }),
            "metadata",
        ),
        (
            edited(PROFILE_RENAMED, |v| {
                v["metadata"]["action"] = json!(["profile-renamed"])
            }),
            "metadata.action",
        ),
        (
            edited(PROFILE_RENAMED, |v| v["metadata"] = json!("profile-renamed")),
            "metadata",
        ),
        (
            edited(PROFILE_RENAMED, |v| v["metadata"]["name"] = json!(false)),
            "metadata.name",
        ),
        (
            edited(&frame_with_action(SEED_ACTIONS, "instance-exec"), |v| {
                v["metadata"]["context"]["command"] = json!("bash -c uptime")
            }),
            "metadata.context.command",
        ),
        (
            edited(&frame_with_action(SEED_ACTIONS, "instance-created"), |v| {
                v["metadata"]["context"] = json!({"location": "none", "type": "container"})
            }),
            "metadata.context",
        ),
    ];
    for (text, path) in cases {
        let e = error(&text);
        assert_eq!(e.kind, DecodeErrorKind::Shape, "{text}: {e}");
        assert_eq!(e.path, path, "{text}: {e}");
    }
}

#[test]
fn arrays_are_not_taken_for_objects() {
    // serde's derived structs also read an array of their fields in order; JSON.parse would then
    // give the app an array where its type says object.
    let cases: Vec<(String, &str)> = vec![
        (
            r#"["logging","2026-11-21T05:12:09Z",{"message":"m","level":"info","context":{}},"none"]"#
                .to_owned(),
            "",
        ),
        (
            edited(LOGGING, |v| v["metadata"] = json!(["m", "info", {}])),
            "metadata",
        ),
        (
            edited(OPERATION, |v| {
                v["metadata"] = json!([
                    "5e68b20b-a3b7-4356-8305-5d0463fe2c04",
                    "task",
                    "d",
                    "2026-11-21T06:15:48Z",
                    "2026-11-21T06:15:48Z",
                    "Running",
                    103,
                    null,
                    null,
                    false,
                    "",
                    "none"
                ])
            }),
            "metadata",
        ),
        (
            edited(PROFILE_RENAMED, |v| {
                v["metadata"] = json!(["profile-renamed", "/1.0/profiles/p2"])
            }),
            "metadata",
        ),
        (
            edited(PROFILE_RENAMED, |v| v["metadata"]["context"] = json!(["p1"])),
            "metadata.context",
        ),
        (
            edited(PROFILE_RENAMED, |v| {
                v["metadata"]["requestor"] = json!(["root", "unix", "@"])
            }),
            "metadata.requestor",
        ),
    ];
    for (text, path) in cases {
        let e = error(&text);
        assert_eq!(
            (e.kind, e.path.as_str()),
            (DecodeErrorKind::Shape, path),
            "{text}: {e}"
        );
        assert!(e.reason.contains("sequence"), "{text}: {e}");
    }
}

#[test]
fn shape_errors_point_at_the_offending_byte() {
    let text = PROFILE_RENAMED.replace(r#""old_name":"p1""#, r#""old_name":17"#);
    let e = error(&text);
    assert_eq!(
        (e.kind, e.path.as_str(), e.line),
        (DecodeErrorKind::Shape, "metadata.context.old_name", 1)
    );
    let at = text.find("17").unwrap();
    assert!(
        (at + 1..=at + 2).contains(&e.column),
        "column {} for the value at {}",
        e.column,
        at + 1
    );

    // On a later line of a pretty-printed frame the line counts from the start of the frame.
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(&text).unwrap()).unwrap();
    let e = error(&pretty);
    let line = pretty
        .lines()
        .position(|l| l.contains("\"old_name\": 17"))
        .unwrap()
        + 1;
    assert_eq!((e.path.as_str(), e.line), ("metadata.context.old_name", line));
    assert!(e.input_head.starts_with('{'));
}

#[test]
fn spec_errors_for_dates_ids_and_status_codes() {
    let cases: Vec<(String, &str)> = vec![
        (
            edited(LOGGING, |v| {
                v["timestamp"] = json!("2026-11-21 06:15:55.90679729")
            }),
            "timestamp",
        ),
        (
            edited(LOGGING, |v| v["timestamp"] = json!("1763705755")),
            "timestamp",
        ),
        (
            edited(PROFILE_RENAMED, |v| {
                v["timestamp"] = json!("2026-02-30T05:12:09Z")
            }),
            "timestamp",
        ),
        (
            edited(OPERATION, |v| v["metadata"]["created_at"] = json!("yesterday")),
            "metadata.created_at",
        ),
        (
            edited(OPERATION, |v| {
                v["metadata"]["updated_at"] = json!("2026-11-21T06:15:48")
            }),
            "metadata.updated_at",
        ),
        (
            edited(OPERATION, |v| v["metadata"]["id"] = json!("42")),
            "metadata.id",
        ),
        (
            edited(OPERATION, |v| v["metadata"]["status_code"] = json!(200)),
            "metadata.status_code",
        ),
        (
            edited(OPERATION, |v| v["metadata"]["status"] = json!("Cancelled")),
            "metadata.status_code",
        ),
        // The envelope of an unknown type is checked too.
        (
            r#"{"type":"ovn","timestamp":"not a date","metadata":null,"location":"none"}"#.to_owned(),
            "timestamp",
        ),
    ];
    for (text, path) in cases {
        let e = error(&text);
        assert_eq!(e.kind, DecodeErrorKind::Spec, "{text}: {e}");
        assert_eq!(e.path, path, "{text}: {e}");
        assert_eq!((e.line, e.column), (0, 0));
    }
}

#[test]
fn unknown_metadata_that_serde_json_cannot_hold_is_an_error_not_a_panic() {
    let e = error(
        r#"{"type":"ovn","timestamp":"2026-11-21T05:12:09Z","metadata":{"n":1e400},"location":"none"}"#,
    );
    assert_eq!((e.kind, e.path.as_str()), (DecodeErrorKind::Shape, "metadata"));
}

// ---------------------------------------------------------------------------------------------
// Properties

/// A strategy for JSON values of every kind, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "2026-11-21T05:12:09Z",
            "Running",
            "logging",
            "lifecycle",
            "operation",
            "profile-renamed"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every path to a value inside `v` (object keys and array indexes), the root included.
fn paths(v: &Value, here: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| paths(c, [here.clone(), vec![k.clone()]].concat(), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| paths(c, [here.clone(), vec![i.to_string()]].concat(), out)),
        _ => {}
    }
}

fn at_path<'v>(v: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(v, |v, key| match v {
        Value::Array(a) => &mut a[key.parse::<usize>().unwrap()],
        other => &mut other[key.as_str()],
    })
}

/// Decoding returns Ok or Err, and an Ok value says nothing the wire does not (but for the marker,
/// which the JS layer sets to true on every unknown).
fn check_total(text: &str) {
    match decode_lxd_event(text) {
        Ok(decoded) => {
            let mut wire: Value = serde_json::from_str(text).expect("an accepted frame is JSON");
            if decoded.is_unknown() {
                wire.as_object_mut()
                    .expect("an accepted frame is an object")
                    .remove("unknown");
            }
            assert_mirrors_wire(&serde_json::to_value(&decoded).unwrap(), &wire);
        }
        Err(e) => {
            assert_eq!(e.source, DecodeSource::Lxd);
            assert!(
                e.line <= text.lines().count().max(1),
                "line {} beyond the text: {e}",
                e.line
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mangled_frames_never_panic(text in mangled(all_fixture_lines())) {
        check_total(&text);
    }

    #[test]
    fn any_value_anywhere_in_a_frame_never_panics(
        frame in prop::sample::select(all_fixture_lines()),
        pick in any::<prop::sample::Index>(),
        replacement in any_json(),
        remove in any::<bool>(),
    ) {
        let mut v: Value = serde_json::from_str(&frame).unwrap();
        let mut all = Vec::new();
        paths(&v, Vec::new(), &mut all);
        let path = pick.get(&all).clone();
        match path.split_last() {
            Some((key, parent)) if remove => match at_path(&mut v, parent) {
                Value::Object(m) => drop(m.remove(key)),
                Value::Array(a) => drop(a.remove(key.parse::<usize>().unwrap())),
                _ => {}
            },
            _ => *at_path(&mut v, &path) = replacement,
        }
        check_total(&v.to_string());
    }
}
