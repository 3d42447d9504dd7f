//! The wasm exports: live subscriptions and the MWS client. (The decode exports are JavaScript:
//! `js/`, with validators generated from the model; no frame text crosses into wasm for them.)

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

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
