//! LXD / Incus exports.

use wasm_bindgen::prelude::*;

use super::decode_one;
use crate::decode::{lxd, DecodeSource, Verdict};

/// Decodes one frame of LXD's or Incus's `/1.0/events` (the text of one WebSocket message).
/// A frame of an unknown `type`, or a lifecycle frame of an unknown `action`, comes back with
/// `unknown: true`; anything malformed throws a `DecodeError`.
#[wasm_bindgen(js_name = decodeLxdEvent, unchecked_return_type = "LxdEvent")]
pub fn decode_lxd_event(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    decode_one(DecodeSource::Lxd, &text, |t| {
        lxd::decode_lxd_event(t).map(|e| {
            if e.is_unknown() {
                Verdict::Unknown
            } else {
                Verdict::Known
            }
        })
    })
}
