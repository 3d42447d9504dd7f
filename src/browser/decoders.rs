//! The package's decode exports, handed to the wasm once by the package entry
//! (`installFrameDecoders`), as wasm cannot import the package's own JavaScript modules. The
//! WebSocket subscriptions check their frames with them ([`super::frames`]) and the MWS client and
//! poller their answers ([`super::mws_answer`]), each on the browser's own string, so no text
//! crosses into wasm to be checked.

use std::cell::RefCell;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::decode::{DecodeError, DecodeErrorKind, DecodeSource, Input};

thread_local! {
    static DECODERS: RefCell<JsValue> = const { RefCell::new(JsValue::UNDEFINED) };
}

/// Called by the package entry with `{ "events-hub": decodeHubEvent, lxd: decodeLxdEvent,
/// cloudevents: decodeCloudEvent, mws: decodeMwsEventList, "mws-event": decodeMwsEvent,
/// "mws-error": decodeMwsError }` (the sources it was built with).
#[wasm_bindgen(js_name = installFrameDecoders, skip_typescript)]
pub fn install_frame_decoders(decoders: JsValue) {
    DECODERS.with(|d| *d.borrow_mut() = decoders);
}

/// The decoder installed under `key`, if it is a function.
pub fn installed(key: &str) -> Option<Function> {
    DECODERS.with(|d| {
        Reflect::get(&d.borrow(), &key.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
    })
}

/// Calls `decode` on `text` (the browser's own string): the checked object, or the DecodeError it
/// threw, reported for `source`.
pub fn call(decode: &Function, source: DecodeSource, text: &JsValue) -> Result<JsValue, DecodeError> {
    decode
        .call1(&JsValue::UNDEFINED, text)
        .map_err(|thrown| reported(source, &thrown))
}

/// An error not tied to a text: no decoder, or an object that is not what the decoder promised.
pub fn error(source: DecodeSource, kind: DecodeErrorKind, reason: &str) -> DecodeError {
    Input::new(source, "").error(kind, "", reason)
}

/// The DecodeError a decode export threw, as Rust reports it.
pub fn reported(source: DecodeSource, thrown: &JsValue) -> DecodeError {
    let field = |key: &str| Reflect::get(thrown, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let text = |key: &str| field(key).as_string().unwrap_or_default();
    let number = |key: &str| {
        field(key)
            .as_f64()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .unwrap_or(0.0) as usize
    };
    let kind = match text("kind").as_str() {
        "syntax" => DecodeErrorKind::Syntax,
        "truncated" => DecodeErrorKind::Truncated,
        "spec" => DecodeErrorKind::Spec,
        "shape" => DecodeErrorKind::Shape,
        // Not a DecodeError: a bug in the decoder, reported rather than thrown into the driver.
        _ => {
            let message = text("message");
            return error(
                source,
                DecodeErrorKind::Shape,
                &format!("the decoder failed: {message}"),
            );
        }
    };
    DecodeError {
        source,
        kind,
        reason: text("reason"),
        path: text("path"),
        line: number("line"),
        column: number("column"),
        input_head: text("inputHead"),
    }
}
