//! Events Hub export.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::{decode_one, mark_unknown};
use crate::decode::{events_hub, DecodeSource, Verdict};

/// Decodes one Events Hub text frame (what `MessageEvent.data` holds).
/// A frame of a channel or message this SDK does not know comes back with `unknown: true` and its
/// body as sent; so does a host frame it does not know inside `HOST_CATALOG_CACHE_EVENT` or
/// `HOST_REVERSE_PROXY_UPDATED` (at `body.event`). Throws a `DecodeError` for anything else.
#[wasm_bindgen(js_name = decodeHubEvent, unchecked_return_type = "HubEvent")]
pub fn decode_hub_event(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    let mut forwards_unknown = false;
    let decoded = decode_one(DecodeSource::EventsHub, &text, |t| {
        let event = events_hub::decode_hub_event(t)?;
        forwards_unknown = event.forwards_unknown();
        Ok(if event.is_unknown() {
            Verdict::Unknown
        } else {
            Verdict::Known
        })
    })?;
    if forwards_unknown {
        // Rust has checked that `body.event` is an object, so both lookups find one.
        let body = Reflect::get(&decoded, &"body".into()).unwrap_or(JsValue::UNDEFINED);
        let event = Reflect::get(&body, &"event".into()).unwrap_or(JsValue::UNDEFINED);
        if event.is_object() {
            mark_unknown(&event);
        }
    }
    Ok(decoded)
}
