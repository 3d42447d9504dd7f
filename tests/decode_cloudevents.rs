#![cfg(all(not(target_arch = "wasm32"), feature = "cloudevents"))]
//! CloudEvents decoders against MetalSoft's documented events, the conformance vectors, one
//! invalid event per rule, batches, and mangled input.

mod common;

use std::collections::BTreeSet;

use common::{assert_mirrors_wire, lines, mangled};
use infra_events::decode::cloudevents::{decode_cloud_event, decode_cloud_event_batch, verdict};
use infra_events::decode::{DecodeError, DecodeErrorKind, DecodeSource, Verdict};
use infra_events::model::cloudevents::*;
use proptest::prelude::*;
use serde_json::{json, Value};

const EXAMPLES: &str = include_str!("fixtures/cloudevents/metalsoft-examples.jsonl");
const STRUCTURES: &str = include_str!("fixtures/cloudevents/metalsoft-structures.jsonl");
const VARIANTS: &str = include_str!("fixtures/cloudevents/metalsoft-variants.jsonl");
const CONFORMANCE: &str = include_str!("fixtures/cloudevents/conformance.jsonl");
const OTHER_TYPES: &str = include_str!("fixtures/cloudevents/other-types.jsonl");
const INVALID: &str = include_str!("fixtures/cloudevents/invalid.jsonl");
const BATCHES: &str = include_str!("fixtures/cloudevents/batches.jsonl");
const INVALID_BATCHES: &str = include_str!("fixtures/cloudevents/invalid-batches.jsonl");
const INVALID_PRETTY: &str = include_str!("fixtures/cloudevents/invalid-pretty.json");

fn wire(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// The object the JavaScript export returns for `text`: `JSON.parse`'s, plus the marker.
fn as_js(text: &str, verdict: Verdict) -> Value {
    let mut value = wire(text);
    if verdict == Verdict::Unknown {
        value
            .as_object_mut()
            .unwrap()
            .insert("unknown".into(), Value::Bool(true));
    }
    value
}

fn known(text: &str) -> MetalSoftCloudEvent {
    match decode_cloud_event(text) {
        Ok(CloudEvent::MetalSoft(event)) => event,
        other => panic!("expected a typed MetalSoft event, got {other:?}\n{text}"),
    }
}

fn unknown(text: &str) -> UnknownCloudEvent {
    match decode_cloud_event(text) {
        Ok(CloudEvent::Unknown(event)) => event,
        other => panic!("expected an unknown event, got {other:?}\n{text}"),
    }
}

/// The documents of a fixture whose `#> KIND PATH` lines say how each must be rejected.
fn expected_errors(text: &str) -> Vec<(DecodeErrorKind, String, String)> {
    let mut pending = None;
    let mut cases = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(expectation) = line.strip_prefix("#>") {
            let mut words = expectation.split_whitespace();
            let kind = serde_json::from_value(Value::String(words.next().unwrap().to_owned())).unwrap();
            let path = words.next().unwrap();
            pending = Some((
                kind,
                if path == "-" {
                    String::new()
                } else {
                    path.to_owned()
                },
            ));
        } else if !line.is_empty() && !line.starts_with('#') {
            let (kind, path) = pending
                .take()
                .unwrap_or_else(|| panic!("no expectation for {line}"));
            cases.push((kind, path, line.to_owned()));
        }
    }
    assert!(pending.is_none(), "an expectation without a document");
    cases
}

fn assert_rejected(
    result: Result<impl std::fmt::Debug, DecodeError>,
    kind: DecodeErrorKind,
    path: &str,
    text: &str,
) {
    let e = result.expect_err(text);
    assert_eq!((e.kind, e.path.as_str()), (kind, path), "{text}\n{e}");
    assert_eq!(e.source, DecodeSource::CloudEvents);
    assert!(!e.reason.is_empty());
    assert_eq!(e.input_head, text.chars().take(64).collect::<String>());
}

fn wire_types(fixture: &str) -> BTreeSet<String> {
    lines(fixture)
        .iter()
        .map(|l| wire(l)["type"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_41_documented_types_are_all_typed_and_all_have_fixtures() {
    let types: BTreeSet<String> = METALSOFT_EVENT_TYPES.iter().map(|t| t.to_string()).collect();
    assert_eq!(METALSOFT_EVENT_TYPES.len(), 41);
    assert_eq!(types.len(), 41, "no type listed twice");
    assert_eq!(
        wire_types(EXAMPLES),
        types,
        "MetalSoft's examples cover every type"
    );
    assert_eq!(
        wire_types(STRUCTURES),
        types,
        "one event per documented structure"
    );
    assert_eq!(lines(EXAMPLES).len(), 42);
}

#[test]
fn every_metalsoft_fixture_decodes_typed_and_mirrors_the_wire() {
    for text in [EXAMPLES, STRUCTURES, VARIANTS].into_iter().flat_map(lines) {
        let event = known(&text);
        let w = wire(&text);
        assert_eq!(event.event.event_type(), w["type"], "{text}");
        assert_eq!(event.context.id, w["id"], "{text}");
        assert_eq!(event.context.source, w["source"], "{text}");
        assert_eq!(event.context.specversion, "1.0");
        let decoded = CloudEvent::MetalSoft(event);
        assert_eq!(verdict(&decoded), Verdict::Known);
        assert_mirrors_wire(
            &serde_json::to_value(&decoded).unwrap(),
            &as_js(&text, Verdict::Known),
        );
    }
}

#[test]
fn seed_examples_keep_their_values() {
    let examples = lines(EXAMPLES);
    let find = |t: &'static str| {
        examples
            .iter()
            .filter(move |l| wire(l)["type"] == t)
            .map(|l| known(l))
    };

    let registered = find("server.registered").next().unwrap();
    assert_eq!(
        registered.context.time.as_deref(),
        Some("2025-01-01T12:00:00.000Z")
    );
    assert_eq!(
        registered.context.datacontenttype.as_deref(),
        Some("application/json")
    );
    match registered.event {
        MetalSoftEvent::ServerRegistered(d) => {
            assert_eq!(
                (
                    d.server_id.as_str(),
                    d.server_type_id.as_str(),
                    d.user_id.as_str()
                ),
                ("123", "25", "456")
            );
            assert_eq!(d.server_status, "AVAILABLE");
        }
        other => panic!("{other:?}"),
    }

    match find("server.updated").next().unwrap().event {
        MetalSoftEvent::ServerUpdated(d) => {
            assert_eq!(d.changes.previous_state["serverClass"], "UNKNOWN");
            assert_eq!(d.changes.current_state["serverStatus"], "AVAILABLE");
        }
        other => panic!("{other:?}"),
    }

    match find("server.decommissioned").next().unwrap().event {
        MetalSoftEvent::ServerDecommissioned(d) => {
            assert_eq!(d.server_uuid, "550e8400-e29b-41d4-a716-446655440000")
        }
        other => panic!("{other:?}"),
    }

    match find("user.delegate.added").next().unwrap().event {
        MetalSoftEvent::UserDelegateAdded(d) => {
            assert_eq!(d.logged_in_user_email, "admin@example.com");
            assert!(d.message.starts_with("Parent user ID: 123"));
        }
        other => panic!("{other:?}"),
    }

    match find("network.device.assigned.to.fabric").next().unwrap().event {
        MetalSoftEvent::NetworkDeviceAssignedToFabric(d) => {
            assert_eq!(d.network_device_ids, ["123", "124", "125"]);
            assert_eq!(d.fabric_name, "production-fabric-1");
        }
        other => panic!("{other:?}"),
    }

    match find("network.device.registration.initiated")
        .next()
        .unwrap()
        .event
    {
        MetalSoftEvent::NetworkDeviceRegistrationInitiated(d) => {
            assert_eq!(d.management_mac_address, "00:1B:21:B4:6E:3A")
        }
        other => panic!("{other:?}"),
    }

    // The repaired example keeps the value its broken text gives.
    match find("network.device.deleted").next().unwrap().event {
        MetalSoftEvent::NetworkDeviceDeleted(d) => assert_eq!(d.site_id, "1"),
        other => panic!("{other:?}"),
    }

    match find("instance.array.dns.updated").next().unwrap().event {
        MetalSoftEvent::InstanceArrayDnsUpdated(d) => {
            assert_eq!(d.dns_records.len(), 1);
            assert_eq!(d.dns_records[0]["hostname"], "web-server-01.example.com");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_degradation_comes_first_without_then_with_the_agent_result() {
    let degraded: Vec<_> = lines(EXAMPLES)
        .iter()
        .filter(|l| wire(l)["type"] == "server.health.state.degraded")
        .map(|l| known(l).event)
        .collect();
    let [MetalSoftEvent::ServerHealthStateDegraded(before), MetalSoftEvent::ServerHealthStateDegraded(after)] =
        &degraded[..]
    else {
        panic!("{degraded:?}");
    };
    assert!(!before.monitoring_agent_prompted);
    assert_eq!(before.monitoring_agent_result, None);
    assert!(after.monitoring_agent_prompted);
    assert!(after
        .monitoring_agent_result
        .clone()
        .flatten()
        .unwrap()
        .starts_with("<p>A fan failure"));
    assert_eq!(
        (&before.server_id, &before.new_state),
        (&after.server_id, &after.new_state),
        "correlated"
    );
    assert_eq!(before.infrastructure_id.as_deref(), Some("456"));
    assert_eq!(before.health_details, ["Fan failure detected on CPU 0"]);

    // Built from the structure: result null (kept apart from absent), server not allocated.
    let structure = lines(STRUCTURES)
        .into_iter()
        .find(|l| wire(l)["type"] == "server.health.state.degraded")
        .unwrap();
    match known(&structure).event {
        MetalSoftEvent::ServerHealthStateDegraded(d) => {
            assert_eq!(d.monitoring_agent_result, Some(None));
            assert_eq!((d.infrastructure_id, d.instance_id), (None, None));
        }
        other => panic!("{other:?}"),
    }
    let reserialised = serde_json::to_value(known(&structure)).unwrap();
    assert_eq!(reserialised["data"]["monitoringAgentResult"], Value::Null);
    assert!(reserialised["data"].get("infrastructureId").is_none());
}

#[test]
fn variants_keep_extensions_and_unset_nulls() {
    let variants = lines(VARIANTS);
    let full = known(&variants[2]);
    assert_eq!(full.context.subject.as_deref(), Some("user/123"));
    assert_eq!(
        full.context.dataschema.as_deref(),
        Some("https://metalsoft.io/schemas/user.created.json")
    );
    assert_eq!(full.extensions["sequence"], CloudEventExtensionValue::Integer(42));
    assert_eq!(
        full.extensions["replayed"],
        CloudEventExtensionValue::Boolean(false)
    );
    assert_eq!(
        full.extensions["partitionkey"],
        CloudEventExtensionValue::String("123".into())
    );
    assert_eq!(full.extensions.len(), 4);

    let nulls = known(&variants[3]);
    assert_eq!(nulls.context.time, None);
    assert_eq!(nulls.context.datacontenttype, None);
    assert!(nulls.extensions.is_empty(), "a null extension is unset");

    match known(&variants[5]).event {
        MetalSoftEvent::ServerHealthStateDegraded(d) => {
            assert_eq!(
                (d.monitoring_agent_prompted, d.monitoring_agent_result),
                (false, None)
            );
            assert_eq!(d.instance_id, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn conformance_vectors_and_other_types_decode_as_unknown_with_data_kept() {
    let all: Vec<String> = [CONFORMANCE, OTHER_TYPES].into_iter().flat_map(lines).collect();
    assert_eq!(all.len(), 15 + 27);
    for text in &all {
        let event = unknown(text);
        let w = wire(text);
        assert!(event.unknown);
        assert_eq!(event.event_type, w["type"]);
        assert_eq!(event.data.as_ref(), w.get("data"), "data kept as it came: {text}");
        assert_eq!(
            event.data_base64.as_deref(),
            w.get("data_base64").and_then(Value::as_str)
        );
        let decoded = CloudEvent::Unknown(event);
        assert_eq!(verdict(&decoded), Verdict::Unknown);
        let serialised = serde_json::to_value(&decoded).unwrap();
        assert_eq!(serialised["unknown"], true);
        assert_mirrors_wire(&serialised, &as_js(text, Verdict::Unknown));
    }
}

#[test]
fn conformance_payloads_stay_as_they_came() {
    let vectors = lines(CONFORMANCE);
    assert_eq!(unknown(&vectors[0]).data, Some(json!("Hello, World!\n")));
    assert_eq!(
        unknown(&vectors[2]).data,
        Some(json!("Hello, 🌎!")),
        "a JSON string is not parsed again"
    );
    assert_eq!(unknown(&vectors[3]).data, Some(json!({"msg": "Hello, 🌎!"})));
    assert_eq!(unknown(&vectors[4]).data, Some(json!(["Hello", "🌎!"])));
    assert_eq!(
        unknown(&vectors[5]).context.datacontenttype.as_deref(),
        Some("application/xml; charset=utf-8")
    );

    let with_extensions = unknown(&vectors[6]);
    assert_eq!(with_extensions.context.source, "/mycontext/subcontext");
    assert_eq!(
        with_extensions.extensions["comexampleextension2"],
        CloudEventExtensionValue::String("{\"othervalue\": 5}".into())
    );

    let full = unknown(&vectors[10]);
    assert_eq!(
        full.context.dataschema.as_deref(),
        Some("http://localhost/schema")
    );
    assert_eq!(full.extensions["intex"], CloudEventExtensionValue::Integer(10));
    assert_eq!(full.extensions["boolex"], CloudEventExtensionValue::Boolean(true));

    let base64 = unknown(&vectors[11]);
    assert_eq!(
        (base64.data, base64.data_base64.as_deref()),
        (None, Some("eyJoZWxsbyI6IndvcmxkIn0="))
    );
}

#[test]
fn other_types_keep_their_edges() {
    let others = lines(OTHER_TYPES);
    let by_id = |id: &str| unknown(others.iter().find(|l| wire(l)["id"] == id).unwrap());

    assert_eq!(by_id("unique-event-identifier").data, Some(json!({})));
    assert_eq!(by_id("event-id-900").event_type, "server.created");
    assert_eq!(by_id("A234-1234-1238").context.source, "1-555-123-4567");
    assert_eq!(
        by_id("null-data").data,
        Some(Value::Null),
        "an explicit null payload is kept"
    );
    let nulls = by_id("nulls-1");
    assert_eq!(
        (nulls.data, nulls.data_base64, nulls.context.subject),
        (None, None, None)
    );
    assert_eq!(by_id("null-data-b64").data_base64.as_deref(), Some("AAEC/f7/"));

    let ext = by_id("ext-1");
    assert_eq!(
        ext.extensions["extinteger"],
        CloudEventExtensionValue::Integer(i32::MIN)
    );
    assert_eq!(
        ext.extensions["extmax"],
        CloudEventExtensionValue::Integer(i32::MAX)
    );
    assert_eq!(
        ext.extensions["extboolean"],
        CloudEventExtensionValue::Boolean(false)
    );
    assert!(!ext.extensions.contains_key("extnull"));
    assert!(ext.extensions.contains_key("abcdefghijklmnopqrstu") && ext.extensions.contains_key("1st"));

    let mws = by_id("5a0c7c1fe4b0d7a1c2e3f4a5");
    assert_eq!(
        mws.extensions["mwscode"],
        CloudEventExtensionValue::Integer(16777619)
    );
    assert_eq!(mws.context.subject.as_deref(), Some("VM/vm1"));

    // The marker replaces a producer's `unknown`, and keeps a documented type from being typed.
    for id in ["marker-1", "v-12", "v-13"] {
        let event = by_id(id);
        assert!(event.unknown && !event.extensions.contains_key("unknown"), "{id}");
    }
    assert_eq!(by_id("v-12").event_type, "user.2fa.enabled");
}

#[test]
fn every_invalid_event_is_rejected_with_its_kind_and_path() {
    let cases = expected_errors(INVALID);
    assert_eq!(cases.len(), 80);
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(kind, path, text)| match decode_cloud_event(text) {
            Err(e) if (e.kind, e.path.as_str()) == (*kind, path.as_str()) => None,
            other => Some(format!("{text}\n  expected {kind:?} at {path:?}, got {other:?}")),
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for (kind, path, text) in &cases {
        assert_rejected(decode_cloud_event(text), *kind, path, text);
    }
    // Every kind of error is covered.
    let kinds: BTreeSet<String> = cases.iter().map(|(k, ..)| format!("{k:?}")).collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
}

#[test]
fn shape_errors_point_at_the_offending_byte() {
    let e = decode_cloud_event(INVALID_PRETTY).unwrap_err();
    assert_eq!(
        (e.kind, e.path.as_str()),
        (DecodeErrorKind::Shape, "data.serverTypeId")
    );
    let line = INVALID_PRETTY.lines().nth(e.line - 1).unwrap();
    assert_eq!(line.trim(), r#""serverTypeId": 25,"#);
    // serde_json reports the last byte it read: the end of the number.
    assert_eq!(&line[..e.column], r#"    "serverTypeId": 25"#);

    let text = "[\n  {\"specversion\": \"1.0\", \"id\": \"a\", \"type\": \"t\", \"source\": \"/s\"},\n  {\"specversion\": \"1.0\", \"id\": 7, \"type\": \"t\", \"source\": \"/s\"}\n]";
    let e = decode_cloud_event_batch(text).unwrap_err();
    assert_eq!(
        (e.kind, e.path.as_str(), e.line),
        (DecodeErrorKind::Shape, "[1].id", 3)
    );
}

#[test]
fn reasons_name_the_rule() {
    let reason = |text: &str| decode_cloud_event(text).unwrap_err().reason;
    assert!(reason(r#"{"specversion": "1.0", "type": "t", "source": "/s"}"#)
        .contains("missing required attribute id"));
    assert!(reason(r#"{"specversion": "0.3", "id": "a", "type": "t", "source": "/s"}"#).contains("\"1.0\""));
    assert!(reason(
        r#"{"specversion": "1.0", "id": "a", "type": "t", "source": "/s", "data": 1, "data_base64": "AA=="}"#
    )
    .contains("mutually exclusive"));
    assert!(
        reason(r#"{"specversion": "1.0", "id": "a", "type": "t", "source": "/s", "Ext": 1}"#).contains("a-z")
    );
    let display = decode_cloud_event(
        r#"{"specversion": "1.0", "id": "a", "type": "t", "source": "/s", "time": "now"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        display.starts_with("cloudevents frame rejected (Spec)") && display.contains("at time"),
        "{display}"
    );
}

#[test]
fn empty_and_whitespace_input_are_errors() {
    assert_eq!(
        decode_cloud_event("").unwrap_err().kind,
        DecodeErrorKind::Truncated
    );
    assert_eq!(
        decode_cloud_event("  \n").unwrap_err().kind,
        DecodeErrorKind::Truncated
    );
    assert_eq!(
        decode_cloud_event_batch("").unwrap_err().kind,
        DecodeErrorKind::Truncated
    );
}

#[test]
fn valid_batches_decode_each_element_on_its_own() {
    let batches = lines(BATCHES);
    let decoded: Vec<Vec<CloudEvent>> = batches
        .iter()
        .map(|b| decode_cloud_event_batch(b).unwrap())
        .collect();
    assert!(decoded[0].is_empty(), "[] is a valid batch");
    let verdicts: Vec<Vec<Verdict>> = decoded.iter().map(|b| b.iter().map(verdict).collect()).collect();
    assert_eq!(verdicts[1], [Verdict::Unknown]);
    assert_eq!(verdicts[2], [Verdict::Known, Verdict::Unknown, Verdict::Known]);
    assert_eq!(verdicts[3], [Verdict::Unknown, Verdict::Unknown]);
    for (text, events) in batches.iter().zip(&decoded) {
        let elements = wire(text);
        for (i, event) in events.iter().enumerate() {
            let mut expected = elements[i].clone();
            if verdict(event) == Verdict::Unknown {
                expected["unknown"] = Value::Bool(true);
            }
            assert_mirrors_wire(&serde_json::to_value(event).unwrap(), &expected);
        }
    }
}

#[test]
fn every_fixture_in_one_batch_decodes_as_it_does_alone() {
    let singles: Vec<String> = [EXAMPLES, STRUCTURES, VARIANTS, CONFORMANCE, OTHER_TYPES]
        .into_iter()
        .flat_map(lines)
        .collect();
    let batch = format!("[{}]", singles.join(",\n"));
    let events = decode_cloud_event_batch(&batch).unwrap();
    assert_eq!(events.len(), singles.len());
    for (event, single) in events.iter().zip(&singles) {
        assert_eq!(event, &decode_cloud_event(single).unwrap());
    }
}

#[test]
fn every_invalid_batch_is_rejected_with_its_kind_and_path() {
    let cases = expected_errors(INVALID_BATCHES);
    assert_eq!(cases.len(), 10);
    for (kind, path, text) in &cases {
        assert_rejected(decode_cloud_event_batch(text), *kind, path, text);
    }
    // An invalid event is also an invalid batch element, at its index.
    for (kind, path, text) in expected_errors(INVALID)
        .iter()
        .filter(|(_, _, t)| t.starts_with('{'))
    {
        if *kind == DecodeErrorKind::Syntax || *kind == DecodeErrorKind::Truncated {
            continue;
        }
        let batch = format!(r#"[{{"specversion": "1.0", "id": "ok", "type": "t", "source": "/s"}}, {text}]"#);
        let e = decode_cloud_event_batch(&batch).unwrap_err();
        let expected = if path.is_empty() {
            "[1]".to_owned()
        } else {
            format!("[1].{path}")
        };
        assert_eq!((e.kind, e.path.as_str()), (*kind, expected.as_str()), "{batch}");
    }
}

#[test]
fn a_single_event_is_not_a_batch_nor_a_batch_an_event() {
    let event = &lines(EXAMPLES)[0];
    assert_eq!(
        decode_cloud_event_batch(event).unwrap_err().kind,
        DecodeErrorKind::Shape
    );
    assert_eq!(
        decode_cloud_event(&format!("[{event}]")).unwrap_err().kind,
        DecodeErrorKind::Shape
    );
}

#[test]
fn serde_deserialise_runs_the_decoder() {
    for text in [EXAMPLES, CONFORMANCE].into_iter().flat_map(lines) {
        let via_serde: CloudEvent = serde_json::from_str(&text).unwrap();
        assert_eq!(via_serde, decode_cloud_event(&text).unwrap());
    }
    // (A repeated member is the exception: serde's own JSON reader keeps only the last.)
    let spec_cases = expected_errors(INVALID)
        .into_iter()
        .filter(|(k, ..)| *k == DecodeErrorKind::Spec);
    for (_, _, text) in spec_cases.filter(|(_, _, t)| {
        !decode_cloud_event(t)
            .unwrap_err()
            .reason
            .contains("more than once")
    }) {
        assert!(serde_json::from_str::<CloudEvent>(&text).is_err(), "{text}");
    }
    // A typed event survives a round trip through its serialisation.
    let event = decode_cloud_event(&lines(VARIANTS)[2]).unwrap();
    assert_eq!(
        serde_json::from_value::<CloudEvent>(serde_json::to_value(&event).unwrap()).unwrap(),
        event
    );
}

/// Decodes `text`: an error, or a value that describes exactly what JSON.parse builds from it.
fn decodes_truthfully_or_fails(text: &str) -> Result<Verdict, DecodeError> {
    let decoded = decode_cloud_event(text)?;
    let v = verdict(&decoded);
    assert_mirrors_wire(&serde_json::to_value(&decoded).unwrap(), &as_js(text, v));
    Ok(v)
}

#[test]
fn every_node_of_every_fixture_replaced_by_a_confusing_value() {
    let confusing = [
        json!(null),
        json!([]),
        json!({}),
        json!(""),
        json!(0),
        json!(1.5),
        json!(true),
        json!(["x"]),
        json!([{}]),
        json!([null]),
    ];
    let mut rejected = 0;
    for text in all_valid() {
        let event = wire(&text);
        let mut nodes = Vec::new();
        every_node(&event, String::new(), &mut nodes);
        for pointer in nodes.iter().filter(|p| !p.is_empty()) {
            // serde reads a struct from an array of its fields in order: an object's values as
            // an array are the one change that keeps every member's type.
            let original = event.pointer(pointer).unwrap();
            let as_array = original
                .as_object()
                .map(|o| Value::Array(o.values().cloned().collect()));
            for value in confusing.iter().chain(&as_array) {
                let mut changed = event.clone();
                *changed.pointer_mut(pointer).unwrap() = value.clone();
                if decodes_truthfully_or_fails(&changed.to_string()).is_err() {
                    rejected += 1;
                }
            }
        }
    }
    assert!(rejected > 1000, "most such changes break a rule: {rejected}");
}

fn every_node(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(object) => {
            for (k, v) in object {
                every_node(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(array) => {
            for (i, v) in array.iter().enumerate() {
                every_node(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn all_valid() -> Vec<String> {
    [EXAMPLES, STRUCTURES, VARIANTS, CONFORMANCE, OTHER_TYPES]
        .into_iter()
        .flat_map(lines)
        .collect()
}

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "1.0",
            "",
            "2025-01-01T00:00:00Z",
            "AAEC",
            "application/json",
            "text/plain",
            "x:y"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A member name: a core attribute, a MetalSoft data member, or anything.
fn any_member() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "id",
            "source",
            "specversion",
            "type",
            "datacontenttype",
            "dataschema",
            "subject",
            "time",
            "data",
            "data_base64",
            "unknown",
            "traceparent",
            "serverId",
            "serverUUID",
            "changes",
            "previousState",
            "currentState",
            "networkDeviceIds",
            "healthDetails",
            "infrastructureId",
            "instanceId",
            "monitoringAgentPrompted",
            "monitoringAgentResult",
            "dnsRecords",
            "message",
            "userEmail",
        ])
        .prop_map(str::to_owned),
        ".{0,10}",
    ]
}

/// JSON pointers to every object and array in `value`, itself included.
fn containers(value: &Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(object) => object
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(array) => array
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    out.push(at.clone());
    for (key, child) in children {
        containers(child, format!("{at}/{key}"), out);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mangled_input_never_panics(text in mangled({
        let mut seeds = all_valid();
        seeds.extend(lines(BATCHES));
        seeds.extend(expected_errors(INVALID).into_iter().map(|(_, _, t)| t));
        seeds
    })) {
        for result in [decode_cloud_event(&text).map(|_| ()), decode_cloud_event_batch(&text).map(|_| ())] {
            if let Err(e) = result {
                prop_assert_eq!(e.source, DecodeSource::CloudEvents);
                prop_assert!(!e.reason.is_empty());
            }
        }
    }

    /// A valid event with one member of any of its objects (the event, its data, objects within)
    /// set to any JSON value or removed, or one of its array elements replaced, is either rejected
    /// or decoded into something that still describes exactly the object JSON.parse would build.
    #[test]
    fn any_node_set_to_any_value_decodes_truthfully_or_fails(
        event_index in any::<prop::sample::Index>(),
        node_index in any::<prop::sample::Index>(),
        member in any_member(),
        value in prop::option::of(any_json()),
    ) {
        let valid = all_valid();
        let mut event = wire(&valid[event_index.index(valid.len())]);
        let mut nodes = Vec::new();
        containers(&event, String::new(), &mut nodes);
        let pointer = &nodes[node_index.index(nodes.len())];
        match (event.pointer_mut(pointer).unwrap(), value) {
            (Value::Object(object), Some(v)) => { object.insert(member, v); }
            (Value::Object(object), None) => { object.remove(&member); }
            (Value::Array(array), v) if !array.is_empty() => {
                let i = node_index.index(array.len());
                array[i] = v.unwrap_or(Value::Null);
            }
            (Value::Array(array), v) => array.push(v.unwrap_or(Value::Null)),
            _ => unreachable!(),
        }
        let text = event.to_string();
        match decode_cloud_event(&text) {
            Ok(decoded) => {
                let v = verdict(&decoded);
                assert_mirrors_wire(&serde_json::to_value(&decoded).unwrap(), &as_js(&text, v));
                let documented = METALSOFT_EVENT_TYPES.contains(&event["type"].as_str().unwrap_or_default());
                prop_assert_eq!(v == Verdict::Known, documented && event.get("unknown").is_none());
                let batch = decode_cloud_event_batch(&format!("[{text}]")).unwrap();
                prop_assert_eq!(&batch[0], &decoded);
            }
            Err(e) => {
                prop_assert_eq!(e.source, DecodeSource::CloudEvents);
                let batch = format!("[{text}]");
                prop_assert!(decode_cloud_event_batch(&batch).is_err());
            }
        }
    }
}
