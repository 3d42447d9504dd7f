use infra_events::js::cloudevents::{decode_cloud_event, decode_cloud_event_batch};
use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const EXAMPLES: &str = include_str!("../fixtures/cloudevents/metalsoft-examples.jsonl");
const STRUCTURES: &str = include_str!("../fixtures/cloudevents/metalsoft-structures.jsonl");
const VARIANTS: &str = include_str!("../fixtures/cloudevents/metalsoft-variants.jsonl");
const CONFORMANCE: &str = include_str!("../fixtures/cloudevents/conformance.jsonl");
const OTHER_TYPES: &str = include_str!("../fixtures/cloudevents/other-types.jsonl");
const INVALID: &str = include_str!("../fixtures/cloudevents/invalid.jsonl");
const BATCHES: &str = include_str!("../fixtures/cloudevents/batches.jsonl");
const INVALID_BATCHES: &str = include_str!("../fixtures/cloudevents/invalid-batches.jsonl");
const INVALID_PRETTY: &str = include_str!("../fixtures/cloudevents/invalid-pretty.json");

fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The documents of a fixture with `#> KIND PATH` expectations, as (kind, path, document).
fn expected_errors(text: &str) -> Vec<(&str, &str, &str)> {
    let mut pending = None;
    let mut cases = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(expectation) = line.strip_prefix("#>") {
            let mut words = expectation.split_whitespace();
            let (kind, path) = (words.next().unwrap(), words.next().unwrap());
            pending = Some((kind, if path == "-" { "" } else { path }));
        } else if !line.is_empty() && !line.starts_with('#') {
            let (kind, path) = pending.take().unwrap();
            cases.push((kind, path, line));
        }
    }
    cases
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

fn has(value: &JsValue, key: &str) -> bool {
    Reflect::has(value, &key.into()).unwrap()
}

fn stringify(value: &JsValue) -> String {
    JSON::stringify(value).unwrap().as_string().unwrap()
}

/// What JSON.parse alone makes of the text, for comparison.
fn parsed(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

#[wasm_bindgen_test]
fn cloudevents_metalsoft_event_becomes_the_wire_object() {
    let after_agent = lines(EXAMPLES)
        .into_iter()
        .find(|l| l.contains("\"monitoringAgentResult\""))
        .unwrap();
    let event = decode_cloud_event(after_agent.into()).unwrap();
    assert_eq!(get(&event, "type"), "server.health.state.degraded");
    assert_eq!(get(&event, "specversion"), "1.0");
    let data = get(&event, "data");
    assert_eq!(get(&data, "monitoringAgentPrompted"), JsValue::TRUE);
    assert!(get(&data, "monitoringAgentResult")
        .as_string()
        .unwrap()
        .starts_with("<p>"));
    assert_eq!(get(&data, "serverId"), "123", "ids stay strings");
    assert!(!has(&event, "unknown"), "typed events carry no marker");
}

#[wasm_bindgen_test]
fn cloudevents_every_metalsoft_fixture_is_typed_and_exactly_the_wire() {
    let all: Vec<&str> = [EXAMPLES, STRUCTURES, VARIANTS]
        .into_iter()
        .flat_map(lines)
        .collect();
    assert_eq!(all.len(), 42 + 41 + 11);
    for text in all {
        let event = decode_cloud_event(text.into()).unwrap();
        assert!(!has(&event, "unknown"), "{text}");
        assert_eq!(stringify(&event), stringify(&parsed(text)), "{text}");
    }
}

#[wasm_bindgen_test]
fn cloudevents_other_types_are_marked_unknown_with_data_kept() {
    let all: Vec<&str> = [CONFORMANCE, OTHER_TYPES].into_iter().flat_map(lines).collect();
    for text in &all {
        let event = decode_cloud_event((*text).into()).unwrap();
        assert_eq!(get(&event, "unknown"), JsValue::TRUE, "{text}");
        let wire = parsed(text);
        Reflect::set(&wire, &"unknown".into(), &JsValue::TRUE).unwrap();
        assert_eq!(
            stringify(&event),
            stringify(&wire),
            "the wire plus the marker: {text}"
        );
    }
    let conformance = lines(CONFORMANCE);
    let json_string = decode_cloud_event(conformance[2].into()).unwrap();
    assert_eq!(
        get(&json_string, "data"),
        "Hello, 🌎!",
        "a JSON string payload is not parsed again"
    );
    let array = decode_cloud_event(conformance[4].into()).unwrap();
    assert!(Array::is_array(&get(&array, "data")));
    let extensions = decode_cloud_event(conformance[6].into()).unwrap();
    assert_eq!(get(&extensions, "comexampleextension1"), "value");
    let binary = decode_cloud_event(conformance[11].into()).unwrap();
    assert_eq!(get(&binary, "data_base64"), "eyJoZWxsbyI6IndvcmxkIn0=");
    assert!(!has(&binary, "data"));

    // A producer's `unknown` gives way to the marker, and keeps a documented type untyped.
    let marked = all.iter().find(|l| l.contains("\"v-12\"")).unwrap();
    let event = decode_cloud_event((*marked).into()).unwrap();
    assert_eq!(
        (get(&event, "unknown"), get(&event, "type")),
        (JsValue::TRUE, "user.2fa.enabled".into())
    );
}

#[wasm_bindgen_test]
fn cloudevents_extensions_and_nulls_are_kept_as_sent() {
    let variants = lines(VARIANTS);
    let traced = decode_cloud_event(variants[2].into()).unwrap();
    assert_eq!(
        get(&traced, "traceparent"),
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    );
    assert_eq!(get(&traced, "sequence").as_f64(), Some(42.0));
    assert_eq!(get(&traced, "replayed"), JsValue::FALSE);
    let nulls = decode_cloud_event(variants[3].into()).unwrap();
    assert!(
        get(&nulls, "time").is_null() && get(&nulls, "traceparent").is_null(),
        "null attributes stay null"
    );
}

#[wasm_bindgen_test]
fn cloudevents_batch_marks_each_element_on_its_own() {
    let batches = lines(BATCHES);
    let empty: Array = decode_cloud_event_batch(batches[0].into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(empty.length(), 0);
    let mixed: Array = decode_cloud_event_batch(batches[2].into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(mixed.length(), 3);
    assert!(!has(&mixed.get(0), "unknown"));
    assert_eq!(get(&mixed.get(1), "unknown"), JsValue::TRUE);
    assert!(!has(&mixed.get(2), "unknown"));
    assert_eq!(get(&mixed.get(2), "type"), "server.health.state.degraded");
    for text in &batches {
        let array: Array = decode_cloud_event_batch((*text).into())
            .unwrap()
            .dyn_into()
            .unwrap();
        assert_eq!(array.length(), Array::from(&parsed(text)).length());
    }

    // Every single-event fixture, as one batch: each element as it decodes alone.
    let singles: Vec<&str> = [EXAMPLES, STRUCTURES, VARIANTS, CONFORMANCE, OTHER_TYPES]
        .into_iter()
        .flat_map(lines)
        .collect();
    let batch: Array = decode_cloud_event_batch(format!("[{}]", singles.join(",")).into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(batch.length() as usize, singles.len());
    for (i, text) in singles.iter().enumerate() {
        let alone = decode_cloud_event((*text).into()).unwrap();
        assert_eq!(stringify(&batch.get(i as u32)), stringify(&alone), "{text}");
    }
}

#[wasm_bindgen_test]
fn cloudevents_bad_frames_throw_decode_errors() {
    let error = decode_cloud_event(INVALID_PRETTY.into()).unwrap_err();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&error, "name"), "DecodeError");
    assert_eq!(get(&error, "source"), "cloudevents");
    assert_eq!(get(&error, "kind"), "shape");
    assert_eq!(get(&error, "path"), "data.serverTypeId");
    assert_eq!(get(&error, "line").as_f64(), Some(11.0));
    assert!(get(&error, "column").as_f64().unwrap() > 0.0);
    assert!(infra_events::js::is_decode_error(&error));

    let spec = r#"{"specversion": "1.0", "id": "a", "type": "t", "source": "/s", "time": "noon"}"#;
    let error = decode_cloud_event(spec.into()).unwrap_err();
    assert_eq!(
        (get(&error, "kind"), get(&error, "path")),
        ("spec".into(), "time".into())
    );
    assert_eq!(get(&error, "line").as_f64(), Some(0.0), "a rule, not a position");

    let not_text = decode_cloud_event(JsValue::from_f64(1.0)).unwrap_err();
    assert_eq!(get(&not_text, "kind"), "syntax");
    let not_text = decode_cloud_event_batch(JsValue::NULL).unwrap_err();
    assert_eq!(get(&not_text, "kind"), "syntax");

    let truncated = decode_cloud_event(lines(EXAMPLES)[0][..50].into()).unwrap_err();
    assert_eq!(get(&truncated, "kind"), "truncated");
}

#[wasm_bindgen_test]
fn cloudevents_every_invalid_fixture_throws_with_its_kind_and_path() {
    for (decode, fixture) in [
        (
            decode_cloud_event as fn(JsValue) -> Result<JsValue, JsValue>,
            INVALID,
        ),
        (decode_cloud_event_batch, INVALID_BATCHES),
    ] {
        for (kind, path, text) in expected_errors(fixture) {
            let error = decode(text.into()).unwrap_err();
            assert_eq!(get(&error, "name"), "DecodeError", "{text}");
            assert_eq!(
                (get(&error, "kind"), get(&error, "path")),
                (kind.into(), path.into()),
                "{text}"
            );
        }
    }
}
