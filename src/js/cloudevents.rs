//! CloudEvents exports.

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{decode_one, mark_unknown, parse_accepted, text_of, to_js_error};
use crate::decode::{cloudevents, DecodeSource, Verdict};

/// Decodes one CloudEvent in the structured JSON format (`application/cloudevents+json`, and each
/// frame of the WebSocket subprotocol `cloudevents.json`). An event of a type this SDK does not
/// type is returned as it came, with `unknown: true`. Throws a `DecodeError` for anything that is
/// not a valid CloudEvent 1.0.
#[wasm_bindgen(js_name = decodeCloudEvent, unchecked_return_type = "CloudEvent")]
pub fn decode_cloud_event(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    decode_one(DecodeSource::CloudEvents, &text, |t| {
        cloudevents::decode_cloud_event(t).map(|e| cloudevents::verdict(&e))
    })
}

/// Decodes a batch (`application/cloudevents-batch+json`): an array of CloudEvents, each one
/// typed or marked `unknown: true` on its own. Throws a `DecodeError` if any element is invalid.
#[wasm_bindgen(js_name = decodeCloudEventBatch, unchecked_return_type = "CloudEvent[]")]
pub fn decode_cloud_event_batch(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    let source = DecodeSource::CloudEvents;
    let string = text_of(source, &text)?;
    let events = cloudevents::decode_cloud_event_batch(&string).map_err(|e| to_js_error(&e))?;
    let decoded = parse_accepted(source, &text, &string)?;
    let array: &Array = decoded.unchecked_ref();
    for (i, event) in events.iter().enumerate() {
        if cloudevents::verdict(event) == Verdict::Unknown {
            mark_unknown(&array.get(i as u32));
        }
    }
    Ok(decoded)
}
