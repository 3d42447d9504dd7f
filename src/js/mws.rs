//! MWS exports.

use wasm_bindgen::prelude::*;

use super::decode_one;
use crate::decode::{mws, DecodeSource, Verdict};

/// Decodes one MWS event (the body of `GET /rest/events/<id>?api-version=3`).
/// Throws a `DecodeError` for anything that is not one.
#[wasm_bindgen(js_name = decodeMwsEvent, unchecked_return_type = "MwsEvent")]
pub fn decode_mws_event(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    decode_one(DecodeSource::Mws, &text, |t| {
        mws::decode_mws_event(t).map(|_| Verdict::Known)
    })
}

/// Decodes a page of MWS events (the body of `GET /rest/events?api-version=3`).
/// Throws a `DecodeError` for anything that is not one.
#[wasm_bindgen(js_name = decodeMwsEventList, unchecked_return_type = "MwsEventList")]
pub fn decode_mws_event_list(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    decode_one(DecodeSource::Mws, &text, |t| {
        mws::decode_mws_event_list(t).map(|_| Verdict::Known)
    })
}

/// Decodes an MWS error body `{"messages": […]}`.
#[wasm_bindgen(js_name = decodeMwsError, unchecked_return_type = "MwsErrorBody")]
pub fn decode_mws_error(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    decode_one(DecodeSource::Mws, &text, |t| {
        mws::decode_mws_error(t).map(|_| Verdict::Known)
    })
}
