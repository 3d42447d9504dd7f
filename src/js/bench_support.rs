//! Helpers of the benchmark-only exports (feature `strategy-serde-wasm-bindgen`).

use wasm_bindgen::prelude::*;

use super::to_js_error;
use crate::decode::{DecodeErrorKind, DecodeSource, Input};

pub(crate) use super::parse_accepted;

/// Reads the argument as a string; anything else is a `DecodeError`, not a crash.
pub(crate) fn text_of(source: DecodeSource, value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        let described = format!(
            "expected the frame as a string, got a value of type {}",
            value.js_typeof().as_string().unwrap_or_default()
        );
        to_js_error(&Input::new(source, "").error(DecodeErrorKind::Syntax, "", described))
    })
}
