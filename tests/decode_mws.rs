#![cfg(all(not(target_arch = "wasm32"), feature = "mws"))]
//! MWS decoders against the documented responses, every error kind, and mangled input.

mod common;

use common::{assert_mirrors_wire, lines, mangled};
use infra_events::decode::mws::{decode_mws_error, decode_mws_event, decode_mws_event_list, is_mws_date};
use infra_events::decode::{DecodeErrorKind, DecodeSource};
use proptest::prelude::*;
use serde_json::Value;

const EVENTS: &str = include_str!("fixtures/mws/events.jsonl");
const LIST: &str = include_str!("fixtures/mws/list.json");
const ERRORS: &str = include_str!("fixtures/mws/errors.jsonl");

fn wire(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn documented_events_decode_with_their_values() {
    let events: Vec<_> = lines(EVENTS)
        .iter()
        .map(|l| decode_mws_event(l).unwrap())
        .collect();
    assert_eq!(events.len(), 4);
    assert_eq!(events[0].event_type, "VM Provision");
    assert_eq!(events[0].message, None, "null message stays null");
    assert_eq!(events[0].associated_objects[0].object_type, "VM");
    assert_eq!(events[1].arguments, ["51b608ddc4aa708a5bebb684"]);
    assert_eq!(events[1].code, 33554944);
    assert_eq!(events[2].version, Some(0));
    assert_eq!(
        events[3].tenant.as_ref().map(|t| t.id.as_str()),
        Some("1234567890abcdef12345678")
    );
    assert_eq!(events[3].severity, "WARN");
}

#[test]
fn decoded_events_say_nothing_the_wire_does_not() {
    for line in lines(EVENTS) {
        let decoded = serde_json::to_value(decode_mws_event(&line).unwrap()).unwrap();
        assert_mirrors_wire(&decoded, &wire(&line));
    }
    let list = serde_json::to_value(decode_mws_event_list(LIST).unwrap()).unwrap();
    assert_mirrors_wire(&list, &wire(LIST));
}

#[test]
fn documented_list_decodes_with_counts() {
    let list = decode_mws_event_list(LIST).unwrap();
    assert_eq!(
        (list.total_count, list.result_count, list.results.len()),
        (2, 2, 2)
    );
    assert_eq!(list.results[1].origin, "MWS/ServiceEvents/CREATE_1ID");
}

#[test]
fn error_bodies_decode() {
    let bodies: Vec<_> = lines(ERRORS)
        .iter()
        .map(|l| decode_mws_error(l).unwrap())
        .collect();
    assert_eq!(bodies.len(), 5);
    assert_eq!(bodies[4].messages.len(), 2);
    assert_eq!(
        decode_mws_error(r#"{"messages": "x"}"#).unwrap_err().kind,
        DecodeErrorKind::Shape
    );
}

#[test]
fn a_missing_required_field_names_it() {
    let text = lines(EVENTS)[1].replace(r#""origin":"MWS/ServiceEvents/CREATE_1ID","#, "");
    let e = decode_mws_event(&text).unwrap_err();
    assert_eq!((e.source, e.kind), (DecodeSource::Mws, DecodeErrorKind::Shape));
    assert!(e.reason.contains("origin"), "{}", e.reason);
}

#[test]
fn a_wrong_type_deep_in_a_list_has_its_path_and_line() {
    let text = LIST.replace(r#""type":"Service""#, r#""type":7"#);
    let e = decode_mws_event_list(&text).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::Shape);
    assert_eq!(e.path, "results[1].associatedObjects[0].type");
    assert_eq!(
        e.line,
        1 + text[..text.find(r#""type":7"#).unwrap()].matches('\n').count()
    );
}

#[test]
fn code_numbers_must_be_numbers_not_strings() {
    let text = lines(EVENTS)[0].replace("234881023", "\"234881023\"");
    assert_eq!(decode_mws_event(&text).unwrap_err().path, "code");
}

#[test]
fn event_date_must_be_in_mws_form() {
    for bad in [
        "2024-06-10T17:13:31Z",
        "2024-06-10 17:13:31",
        "2024-13-10 17:13:31 UTC",
        "2024-06-10 17:13:31 CET",
        // 23 bytes with a two-byte character across byte 19: once a slice there panicked (a trap
        // in wasm).
        "000000000000000000\u{e9}UTC",
    ] {
        let text = lines(EVENTS)[0].replace("2024-06-10 17:13:31 UTC", bad);
        let e = decode_mws_event(&text).unwrap_err();
        assert_eq!(
            (e.kind, e.path.as_str()),
            (DecodeErrorKind::Spec, "eventDate"),
            "{bad}"
        );
    }
    let list = LIST.replace("2024-06-10 17:11:59 UTC", "yesterday");
    assert_eq!(
        decode_mws_event_list(&list).unwrap_err().path,
        "results[1].eventDate"
    );
    assert!(is_mws_date("2025-01-27 12:08:00 UTC"));
}

#[test]
fn counts_that_contradict_the_results_are_rejected() {
    let short = LIST.replace(r#""resultCount":2"#, r#""resultCount":3"#);
    assert_eq!(decode_mws_event_list(&short).unwrap_err().path, "resultCount");
    let total = LIST.replace(r#""totalCount":2"#, r#""totalCount":1"#);
    assert_eq!(decode_mws_event_list(&total).unwrap_err().path, "totalCount");
}

#[test]
fn an_array_of_the_fields_is_not_an_event() {
    // serde's derive would fill a struct from an array in field order; JSON.parse would then hand
    // the app an array where the types promise an object.
    let e = decode_mws_event(
        r#"["51b6093bc4aa708a5bebb6ae", [], [], 1, "2024-06-10 17:13:31 UTC", "t", null, "o", "INFO"]"#,
    )
    .unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::Shape);
    let tenant = lines(EVENTS)[3].replace(
        r#"{"id":"1234567890abcdef12345678"}"#,
        r#"["1234567890abcdef12345678"]"#,
    );
    assert_eq!(decode_mws_event(&tenant).unwrap_err().path, "tenant");
}

#[test]
fn truncated_and_non_json_input() {
    assert_eq!(
        decode_mws_event_list(&LIST[..LIST.len() / 2]).unwrap_err().kind,
        DecodeErrorKind::Truncated
    );
    let e = decode_mws_event("<html>502 Bad Gateway</html>").unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::Syntax);
    assert_eq!(e.input_head, "<html>502 Bad Gateway</html>");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mangled_input_never_panics(text in mangled({
        let mut seeds = lines(EVENTS);
        seeds.push(LIST.to_owned());
        seeds.extend(lines(ERRORS));
        seeds
    })) {
        for result in [
            decode_mws_event(&text).map(|_| ()),
            decode_mws_event_list(&text).map(|_| ()),
            decode_mws_error(&text).map(|_| ()),
        ] {
            if let Err(e) = result {
                prop_assert_eq!(e.source, DecodeSource::Mws);
                prop_assert!(!e.reason.is_empty());
            }
        }
    }
}
