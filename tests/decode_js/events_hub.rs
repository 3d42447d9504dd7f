//! `decodeHubEvent` as JavaScript calls it: the object is the wire's, unknowns are marked, errors
//! are `DecodeError`s.

use infra_events::js::events_hub::decode_hub_event;
use infra_events::js::is_decode_error;
use js_sys::{Error, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const PROTOCOL_NOTES: &str = include_str!("../fixtures/events_hub/protocol_notes.jsonl");
const SEEDS: &str = include_str!("../fixtures/events_hub/seeds.jsonl");
const EVERY_MESSAGE: &str = include_str!("../fixtures/events_hub/every_message.jsonl");
const UNKNOWN: &str = include_str!("../fixtures/events_hub/unknown.jsonl");
const FORWARDED_UNKNOWN: &str = include_str!("../fixtures/events_hub/forwarded_unknown.jsonl");

fn frames(fixture: &str) -> impl Iterator<Item = &str> {
    fixture
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        Reflect::get(&v, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

fn has(value: &JsValue, key: &str) -> bool {
    Reflect::has(value, &key.into()).unwrap_or(false)
}

fn decode(text: &str) -> JsValue {
    decode_hub_event(JsValue::from_str(text))
        .unwrap_or_else(|e| panic!("{:?}: {text}", Reflect::get(&e, &"message".into())))
}

fn decode_error(input: JsValue) -> JsValue {
    match decode_hub_event(input) {
        Ok(v) => panic!("decoded, expected an error: {:?}", JSON::stringify(&v)),
        Err(e) => e,
    }
}

fn assert_decode_error(e: &JsValue, kind: &str, path: &str) {
    assert!(e.is_instance_of::<Error>(), "an Error");
    assert!(is_decode_error(e));
    let error: &Error = e.unchecked_ref();
    assert_eq!(error.name(), "DecodeError");
    assert_eq!(get(e, "source").as_string().as_deref(), Some("events-hub"));
    assert_eq!(
        get(e, "kind").as_string().as_deref(),
        Some(kind),
        "{:?}",
        error.message()
    );
    assert_eq!(
        get(e, "path").as_string().as_deref(),
        Some(path),
        "{:?}",
        error.message()
    );
    assert!(get(e, "line").as_f64().is_some() && get(e, "column").as_f64().is_some());
}

#[wasm_bindgen_test]
fn events_hub_welcome_is_the_wire_object() {
    let text = frames(PROTOCOL_NOTES).next().unwrap();
    let e = decode(text);
    assert_eq!(get(&e, "event_type").as_string().as_deref(), Some("global"));
    assert_eq!(
        get(&e, "message").as_string().as_deref(),
        Some("WebSocket connection established subscribed to global by default")
    );
    assert_eq!(
        get(&e, "body.client_id").as_string().as_deref(),
        Some("1a2ac654-564c-4e9e-abab-ad4e390b74f9")
    );
    let subscriptions: js_sys::Array = get(&e, "body.subscriptions").dyn_into().expect("an array");
    assert_eq!(subscriptions.length(), 3);
    assert!(!has(&e, "unknown"), "known frames carry no marker");
    assert!(!has(&e, "ref_id") && !has(&e, "client_id"));
}

#[wasm_bindgen_test]
fn events_hub_vm_added_keeps_the_prlctl_keys() {
    let text = frames(PROTOCOL_NOTES)
        .find(|l| l.contains("\"VM_ADDED\""))
        .unwrap();
    let e = decode(text);
    let vm = get(&e, "body.new_vm");
    assert_eq!(
        get(&vm, "Home path").as_string().as_deref(),
        Some("/Users/builder/Parallels/runner.macvm/config.pvs")
    );
    assert_eq!(get(&vm, "State").as_string().as_deref(), Some("stopped"));
    assert_eq!(get(&vm, "Hardware.cpu.cpus").as_f64(), Some(4.0));
    assert!(get(&vm, "Host Shared Folders").is_null());
    assert_eq!(
        get(&vm, "Startup and Shutdown.Autostop").as_string().as_deref(),
        Some("suspend")
    );
}

#[wasm_bindgen_test]
fn events_hub_every_known_fixture_becomes_its_json_parse_object() {
    let mut count = 0;
    for text in frames(PROTOCOL_NOTES)
        .chain(frames(SEEDS))
        .chain(frames(EVERY_MESSAGE))
    {
        let decoded = decode(text);
        let parsed = JSON::parse(text).unwrap();
        assert!(!has(&decoded, "unknown"), "{text}");
        assert_eq!(
            JSON::stringify(&decoded).unwrap(),
            JSON::stringify(&parsed).unwrap(),
            "{text}"
        );
        count += 1;
    }
    assert!(count > 80, "{count}");
}

#[wasm_bindgen_test]
fn events_hub_unknown_frames_carry_unknown_true_and_their_body() {
    for text in frames(UNKNOWN) {
        let e = decode(text);
        assert_eq!(get(&e, "unknown"), JsValue::TRUE, "{text}");
        let parsed = JSON::parse(text).unwrap();
        assert_eq!(
            JSON::stringify(&get(&e, "body")).ok(),
            JSON::stringify(&get(&parsed, "body")).ok(),
            "{text}"
        );
        assert_eq!(
            get(&e, "message").as_string(),
            get(&parsed, "message").as_string()
        );
    }
}

#[wasm_bindgen_test]
fn events_hub_an_unknown_forwarded_frame_is_marked_where_it_sits() {
    for text in frames(FORWARDED_UNKNOWN) {
        let e = decode(text);
        assert!(
            !has(&e, "unknown"),
            "the orchestrator frame itself is known: {text}"
        );
        assert_eq!(
            get(&e, "message")
                .as_string()
                .as_deref()
                .map(|m| m.starts_with("HOST_")),
            Some(true)
        );
        assert_eq!(get(&e, "body.event.unknown"), JsValue::TRUE, "{text}");
    }
    let known = frames(PROTOCOL_NOTES)
        .find(|l| l.contains("HOST_REVERSE_PROXY_UPDATED"))
        .unwrap();
    assert!(!has(&get(&decode(known), "body.event"), "unknown"));
}

#[wasm_bindgen_test]
fn events_hub_bad_frames_throw_decode_errors() {
    assert_decode_error(&decode_error(JsValue::from_str("{\"id\": nope}")), "syntax", "id");
    let vm = frames(PROTOCOL_NOTES)
        .find(|l| l.contains("\"VM_ADDED\""))
        .unwrap();
    assert_decode_error(
        &decode_error(JsValue::from_str(&vm[..vm.len() / 2])),
        "truncated",
        "body",
    );
    let hibernated = vm.replacen("\"State\":\"stopped\"", "\"State\":\"hibernated\"", 1);
    let e = decode_error(JsValue::from_str(&hibernated));
    assert_decode_error(&e, "shape", "body.new_vm.State");
    assert_eq!(get(&e, "line").as_f64(), Some(1.0));
    assert!(get(&e, "column").as_f64().unwrap() > 100.0);
    let pong = r#"{"id":"a","event_type":"health","timestamp":"2026-08-18T09:14:32.5Z","message":"pong","client_id":"c"}"#;
    assert_decode_error(&decode_error(JsValue::from_str(pong)), "spec", "ref_id");
    let head = get(&decode_error(JsValue::from_str(pong)), "inputHead")
        .as_string()
        .unwrap();
    assert_eq!(head, pong.chars().take(64).collect::<String>());
}

#[wasm_bindgen_test]
fn events_hub_a_value_that_is_not_a_string_is_a_decode_error() {
    assert_decode_error(&decode_error(JsValue::from_f64(5.0)), "syntax", "");
    let object = JSON::parse(frames(PROTOCOL_NOTES).next().unwrap()).unwrap();
    assert_decode_error(&decode_error(object), "syntax", "");
}
