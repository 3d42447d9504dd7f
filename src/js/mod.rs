//! The wasm exports: live subscriptions and the MWS client. (The decode exports are JavaScript:
//! `js/`, with validators generated from the model; no frame text crosses into wasm for them.)

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

#[cfg(feature = "mws")]
use crate::decode::{DecodeError, DecodeErrorKind, DecodeSource, Input};

/// The methods every subscription class shares, over a driver with the same method names
/// (`browser::driver::Driver`, `browser::mws_poll::PollDriver`): `on`, `onEvent`, `onState`,
/// `stats`, `closed`, `close` and the async iterator's `next` and `return`. The arguments are the
/// TypeScript types of the event callback, of `next()`'s promise, of the state callback and of
/// `stats()`.
macro_rules! subscription_class {
    ($class:ident, $callback:literal, $iter:literal, $state_callback:literal, $stats:literal) => {
        #[wasm_bindgen]
        impl $class {
            /// Calls `callback` for every event whose discriminant (`message` for the Events Hub,
            /// `eventType` for MWS, `type` otherwise) equals `key`. Returns the function that
            /// removes it. (Typed in the declarations with a generic signature that narrows the
            /// event.)
            #[wasm_bindgen(skip_typescript)]
            pub fn on(&self, key: String, callback: js_sys::Function) -> js_sys::Function {
                let id = self.driver.on_event(Some(key), callback);
                self.driver.unsubscriber(id)
            }

            /// Calls `callback` for every event, in order. Returns the function that removes it.
            /// While any event callback is registered, events are handed out as they come (not
            /// left for the async iterator).
            #[wasm_bindgen(js_name = onEvent, unchecked_return_type = "() => void")]
            pub fn on_event(
                &self,
                #[wasm_bindgen(unchecked_param_type = $callback)] callback: js_sys::Function,
            ) -> js_sys::Function {
                let id = self.driver.on_event(None, callback);
                self.driver.unsubscriber(id)
            }

            /// Calls `callback` with every state event. Returns the function that removes it.
            /// `close()` itself is not reported (nothing fires after it); an abort is, as
            /// `closed { why: { kind: "aborted" } }`.
            #[wasm_bindgen(js_name = onState, unchecked_return_type = "() => void")]
            pub fn on_state(
                &self,
                #[wasm_bindgen(unchecked_param_type = $state_callback)] callback: js_sys::Function,
            ) -> js_sys::Function {
                let id = self.driver.on_state(callback);
                self.driver.unsubscriber(id)
            }

            /// The counters of the subscription's life.
            #[wasm_bindgen(unchecked_return_type = $stats)]
            pub fn stats(&self) -> JsValue {
                crate::browser::driver::to_js(&self.driver.stats())
            }

            /// True once the subscription has ended (`close()`, abort, or given up).
            #[wasm_bindgen(getter)]
            pub fn closed(&self) -> bool {
                self.driver.is_ended()
            }

            /// Ends the subscription for good: closes its connection or request, removes every
            /// listener, timer and callback; pending `next()` calls resolve `done`. No callback
            /// fires after it.
            pub fn close(&self) {
                self.driver.close()
            }

            /// The async iterator's `next()`: the oldest waiting event, or the next to come;
            /// `done` once the subscription has ended. Events wait in a bounded buffer
            /// (`bufferCapacity`) between calls.
            #[wasm_bindgen(unchecked_return_type = $iter)]
            pub fn next(&self) -> js_sys::Promise {
                self.driver.next()
            }

            /// The async iterator's `return()` (a `for await` loop left early): closes the
            /// subscription.
            #[wasm_bindgen(js_name = "return", unchecked_return_type = $iter)]
            pub fn return_(&self) -> js_sys::Promise {
                self.driver.close();
                self.driver.next()
            }
        }
    };
}

#[cfg(feature = "mws")]
pub mod mws_client;
pub mod subscribe;

#[cfg(feature = "mws")]
/// The error thrown for a `DecodeError`: a real `Error` (with a stack) named `"DecodeError"`,
/// carrying the fields of the `DecodeError` type.
pub(crate) fn to_js_error(e: &DecodeError) -> JsValue {
    let error = js_sys::Error::new(&e.to_string());
    error.set_name("DecodeError");
    let fields: [(&str, JsValue); 7] = [
        ("source", e.source.as_str().into()),
        ("kind", kind_name(e.kind).into()),
        ("reason", e.reason.as_str().into()),
        ("path", e.path.as_str().into()),
        ("line", (e.line as f64).into()),
        ("column", (e.column as f64).into()),
        ("inputHead", e.input_head.as_str().into()),
    ];
    for (key, value) in fields {
        let _ = Reflect::set(&error, &key.into(), &value);
    }
    error.into()
}

#[cfg(feature = "mws")]
fn kind_name(kind: DecodeErrorKind) -> &'static str {
    match kind {
        DecodeErrorKind::Syntax => "syntax",
        DecodeErrorKind::Truncated => "truncated",
        DecodeErrorKind::Shape => "shape",
        DecodeErrorKind::Spec => "spec",
    }
}

#[cfg(feature = "mws")]
/// `JSON.parse` of a text Rust has already accepted. serde_json is the stricter parser (it rejects
/// lone surrogates, duplicate fields of a struct), so a failure here is not expected; it is still
/// reported as a DecodeError rather than as a foreign exception.
pub(crate) fn parse_accepted(source: DecodeSource, value: &JsValue, text: &str) -> Result<JsValue, JsValue> {
    json_parse(value).map_err(|_| {
        to_js_error(&Input::new(source, text).error(
            DecodeErrorKind::Syntax,
            "",
            "JSON.parse rejected the frame",
        ))
    })
}

#[cfg(feature = "mws")]
#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on the caller's own string: js-sys's binding takes `&str`, which would copy
    /// the text back out of wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// Completes the class prototype once:
/// - `[Symbol.asyncIterator]` is `Object.prototype.valueOf`, which returns its `this`: the
///   subscription is its own iterator (no closure, nothing to free);
/// - `[Symbol.dispose]` (where the engine has it) is `close`, so `using sub = subscribe…()` ends
///   the subscription at the end of the block (wasm-bindgen's default would only free the handle;
///   the memory is still reclaimed by the garbage collector).
pub(crate) fn with_async_iterator(object: JsValue) -> JsValue {
    if let Ok(proto) = Reflect::get_prototype_of(&object) {
        let key = js_sys::Symbol::async_iterator();
        if !Reflect::has(&proto, &key).unwrap_or(true) {
            let value_of =
                Reflect::get(&js_sys::Object::new(), &"valueOf".into()).unwrap_or(JsValue::UNDEFINED);
            let _ = Reflect::set(&proto, &key, &value_of);
            let symbol = Reflect::get(&js_sys::global(), &"Symbol".into()).unwrap_or(JsValue::UNDEFINED);
            let dispose = Reflect::get(&symbol, &"dispose".into()).unwrap_or(JsValue::UNDEFINED);
            let close = Reflect::get(&proto, &"close".into()).unwrap_or(JsValue::UNDEFINED);
            if dispose.is_symbol() && close.is_function() {
                let _ = Reflect::set(&proto, &dispose, &close);
            }
        }
    }
    object
}
