//! `decodeLxdEvent` as JavaScript calls it: the object is the wire's, unknowns carry
//! `unknown === true`, and bad frames throw a `DecodeError`.

use infra_events::js::is_decode_error;
use infra_events::js::lxd::decode_lxd_event;
use js_sys::{Error, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const LXD_502: &str = include_str!("../fixtures/lxd/lxd-5.0.2.jsonl");
const INCUS_604: &str = include_str!("../fixtures/lxd/incus-6.0.4.jsonl");
const SEED_ACTIONS: &str = include_str!("../fixtures/lxd/seed-actions.jsonl");
const DOCS: &str = include_str!("../fixtures/lxd/docs-examples.jsonl");

const PROFILE_RENAMED: &str = r#"{"type":"lifecycle","timestamp":"2026-11-21T05:12:09.125618258Z","metadata":{"action":"profile-renamed","source":"/1.0/profiles/p2","context":{"old_name":"p1"},"requestor":{"username":"root","protocol":"unix","address":"@"}},"location":"none","project":"default"}"#;

fn frames(file: &str) -> impl Iterator<Item = &str> {
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.')
        .fold(value.clone(), |v, key| Reflect::get(&v, &key.into()).unwrap())
}

fn has(value: &JsValue, key: &str) -> bool {
    Reflect::has(value, &key.into()).unwrap()
}

fn decode(text: &str) -> JsValue {
    decode_lxd_event(JsValue::from_str(text)).unwrap_or_else(|e| panic!("{text}: {:?}", get(&e, "message")))
}

fn decode_error(value: JsValue) -> JsValue {
    let e = decode_lxd_event(value).expect_err("expected a DecodeError");
    assert!(e.is_instance_of::<Error>());
    assert!(is_decode_error(&e));
    assert_eq!(get(&e, "name"), "DecodeError");
    assert_eq!(get(&e, "source"), "lxd");
    e
}

#[wasm_bindgen_test]
fn lxd_known_frame_is_the_wire_object() {
    let e = decode(PROFILE_RENAMED);
    assert_eq!(get(&e, "type"), "lifecycle");
    assert_eq!(get(&e, "location"), "none");
    assert_eq!(get(&e, "project"), "default");
    assert_eq!(get(&e, "metadata.action"), "profile-renamed");
    assert_eq!(get(&e, "metadata.context.old_name"), "p1");
    assert_eq!(get(&e, "metadata.requestor.address"), "@");
    assert!(!has(&e, "unknown"));
}

#[wasm_bindgen_test]
fn lxd_every_fixture_frame_decodes_to_what_json_parse_gives() {
    let mut count = 0;
    for line in frames(LXD_502)
        .chain(frames(INCUS_604))
        .chain(frames(SEED_ACTIONS))
        .chain(frames(DOCS))
    {
        let decoded = decode(line);
        assert!(!has(&decoded, "unknown"), "{line}");
        let parsed = JSON::parse(line).unwrap();
        assert_eq!(
            JSON::stringify(&decoded).unwrap(),
            JSON::stringify(&parsed).unwrap(),
            "{line}"
        );
        count += 1;
    }
    assert!(count > 1000, "{count} frames");
}

#[wasm_bindgen_test]
fn lxd_logging_and_operation_frames_keep_their_fields() {
    let logging = frames(LXD_502)
        .find(|l| l.contains(r#""type":"logging""#))
        .unwrap();
    let e = decode(logging);
    assert_eq!(get(&e, "type"), "logging");
    assert!(get(&e, "metadata.message").is_string());
    assert!(!has(&e, "project"));

    let op = frames(INCUS_604)
        .find(|l| l.contains(r#""class":"token""#))
        .unwrap();
    let e = decode(op);
    assert_eq!(get(&e, "metadata.class"), "token");
    assert!(get(&e, "metadata.status_code").as_f64().is_some());
}

#[wasm_bindgen_test]
fn lxd_unknown_type_is_marked_and_keeps_its_metadata() {
    let text = r#"{"type":"network-acl","timestamp":"2026-11-21T05:12:09Z","metadata":{"proto":"TCP"},"location":"none"}"#;
    let e = decode(text);
    assert_eq!(get(&e, "unknown"), JsValue::TRUE);
    assert_eq!(get(&e, "type"), "network-acl");
    assert_eq!(get(&e, "metadata.proto"), "TCP");
}

#[wasm_bindgen_test]
fn lxd_unknown_action_is_marked_and_keeps_its_metadata() {
    let text = PROFILE_RENAMED.replace("profile-renamed", "storage-bucket-created");
    let e = decode(&text);
    assert_eq!(get(&e, "unknown"), JsValue::TRUE);
    assert_eq!(get(&e, "type"), "lifecycle");
    assert_eq!(get(&e, "metadata.action"), "storage-bucket-created");
    assert_eq!(get(&e, "metadata.context.old_name"), "p1");
}

#[wasm_bindgen_test]
fn lxd_a_frame_carrying_the_marker_key_ends_up_marked_true() {
    let text = PROFILE_RENAMED.replacen('{', r#"{"unknown":false,"#, 1);
    let e = decode(&text);
    assert_eq!(get(&e, "unknown"), JsValue::TRUE);
    assert_eq!(get(&e, "metadata.action"), "profile-renamed");
}

#[wasm_bindgen_test]
fn lxd_bad_frames_throw_decode_errors_with_kind_and_path() {
    let e = decode_error(JsValue::from_str("not json"));
    assert_eq!(get(&e, "kind"), "syntax");

    let e = decode_error(JsValue::from_str(&PROFILE_RENAMED[..80]));
    assert_eq!(get(&e, "kind"), "truncated");

    let e = decode_error(JsValue::from_str(
        &PROFILE_RENAMED.replace(r#""old_name":"p1""#, r#""old_name":1"#),
    ));
    assert_eq!(get(&e, "kind"), "shape");
    assert_eq!(get(&e, "path"), "metadata.context.old_name");
    assert_eq!(get(&e, "line"), 1.0);
    assert!(get(&e, "column").as_f64().unwrap() > 100.0);

    let e = decode_error(JsValue::from_str(
        &PROFILE_RENAMED.replace("2026-11-21T05:12:09.125618258Z", "2026-11-21 05:12:09"),
    ));
    assert_eq!(get(&e, "kind"), "spec");
    assert_eq!(get(&e, "path"), "timestamp");
    assert!(get(&e, "inputHead")
        .as_string()
        .unwrap()
        .starts_with(r#"{"type":"lifecycle""#));
}

#[wasm_bindgen_test]
fn lxd_a_non_string_argument_is_a_decode_error() {
    let e = decode_error(JsValue::from_f64(42.0));
    assert_eq!(get(&e, "kind"), "syntax");
    let e = decode_error(JsValue::NULL);
    assert_eq!(get(&e, "kind"), "syntax");
}
