use infra_events::js::mws::{decode_mws_event, decode_mws_event_list};
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const EVENT: &str = r#"{"arguments":[],"associatedObjects":[{"type":"VM","id":"vm1"}],"code":234881023,"eventDate":"2024-06-10 17:13:31 UTC","eventType":"VM Provision","message":null,"origin":"CSA Plugin","severity":"INFO","id":"51b6093bc4aa708a5bebb6ae"}"#;
const LIST: &str = include_str!("../fixtures/mws/list.json");

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

#[wasm_bindgen_test]
fn mws_event_becomes_the_wire_object() {
    let event = decode_mws_event(EVENT.into()).unwrap();
    assert_eq!(get(&event, "eventType"), "VM Provision");
    assert!(get(&event, "message").is_null(), "null stays null");
    assert_eq!(get(&event, "code").as_f64(), Some(234881023.0));
    assert!(
        get(&event, "unknown").is_undefined(),
        "MWS events are never marked unknown"
    );
    let objects: Array = get(&event, "associatedObjects").dyn_into().unwrap();
    assert_eq!(get(&objects.get(0), "type"), "VM");
}

#[wasm_bindgen_test]
fn mws_list_keeps_fields_we_do_not_model() {
    let text = LIST.replacen(r#""totalCount":2"#, r#""totalCount":2,"extra":"kept""#, 1);
    let list = decode_mws_event_list(text.as_str().into()).unwrap();
    assert_eq!(get(&list, "extra"), "kept");
    assert_eq!(Array::from(&get(&list, "results")).length(), 2);
}

#[wasm_bindgen_test]
fn mws_bad_frames_throw_decode_errors() {
    let bad = EVENT.replace(r#""origin":"CSA Plugin""#, r#""origin":1"#);
    let error = decode_mws_event(bad.as_str().into()).unwrap_err();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&error, "name"), "DecodeError");
    assert_eq!(get(&error, "source"), "mws");
    assert_eq!(get(&error, "kind"), "shape");
    assert_eq!(get(&error, "path"), "origin");
    assert!(infra_events::js::is_decode_error(&error));

    let truncated = decode_mws_event_list(LIST[..40].into()).unwrap_err();
    assert_eq!(get(&truncated, "kind"), "truncated");

    let not_text = decode_mws_event(JsValue::from_f64(42.0)).unwrap_err();
    assert_eq!(get(&not_text, "kind"), "syntax");
    assert!(!infra_events::js::is_decode_error(&JsValue::from_str(
        "DecodeError"
    )));
}
