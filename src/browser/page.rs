//! What both subscription drivers (WebSocket and MWS polling) need from the page besides their
//! transport: the clock, one timer they re-arm for the state machine's next deadline, and the
//! `online`, `visibilitychange` and `abort` listeners. [`PageHooks`] owns all of them and removes
//! them when the subscription ends, so nothing outlives it.

use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::session::Millis;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);

    /// Any `EventTarget` (the global object, `document`, an `AbortSignal`).
    type Target;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &Target, kind: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_event_listener(this: &Target, kind: &str, listener: &Function);
}

/// Wall-clock milliseconds (`Date.now()`), the time every state machine here is fed.
pub fn now() -> Millis {
    js_sys::Date::now().max(0.0) as Millis
}

/// Drops `value` on a later microtask, so a closure that is running now is not freed under it.
pub fn drop_later<T: 'static>(value: T) {
    wasm_bindgen_futures::spawn_local(async move { drop(value) });
}

/// What the page tells a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSignal {
    /// The browser's `online` event: the network is back.
    Online,
    /// `visibilitychange`, with `document.hidden`.
    Visible { hidden: bool },
    /// The application's `AbortSignal` fired.
    Abort,
}

struct Listener {
    target: Target,
    kind: &'static str,
    closure: Closure<dyn FnMut()>,
}

/// The page listeners and the timer of one subscription.
pub struct PageHooks {
    listeners: Vec<Listener>,
    tick: Option<Closure<dyn FnMut()>>,
    timer: Option<JsValue>,
}

impl PageHooks {
    /// Listens for `online`, `visibilitychange` (where there is a `document`) and, given an
    /// `AbortSignal`, its `abort`, handing each to `on_signal`; `on_tick` runs when the timer
    /// fires (call [`PageHooks::fired`] from it). Also says whether the signal had already aborted,
    /// which no event will report.
    pub fn install(
        signal: Option<JsValue>,
        on_signal: impl Fn(PageSignal) + 'static,
        on_tick: impl FnMut() + 'static,
    ) -> (PageHooks, bool) {
        let on_signal = Rc::new(on_signal);
        let mut hooks = PageHooks {
            listeners: Vec::new(),
            tick: Some(Closure::<dyn FnMut()>::new(on_tick)),
            timer: None,
        };
        let global = js_sys::global();
        let tell = on_signal.clone();
        hooks.listen(global.clone().unchecked_into(), "online", move || {
            tell(PageSignal::Online)
        });
        if let Ok(document) = Reflect::get(&global, &"document".into()) {
            if document.is_object() {
                let doc = document.clone();
                let tell = on_signal.clone();
                hooks.listen(document.unchecked_into(), "visibilitychange", move || {
                    let hidden = Reflect::get(&doc, &"hidden".into())
                        .map(|h| h.is_truthy())
                        .unwrap_or(false);
                    tell(PageSignal::Visible { hidden });
                });
            }
        }
        let mut already_aborted = false;
        if let Some(signal) = signal.filter(|s| s.is_object()) {
            already_aborted = Reflect::get(&signal, &"aborted".into())
                .map(|a| a.is_truthy())
                .unwrap_or(false);
            let tell = on_signal.clone();
            hooks.listen(signal.unchecked_into(), "abort", move || tell(PageSignal::Abort));
        }
        (hooks, already_aborted)
    }

    fn listen(&mut self, target: Target, kind: &'static str, f: impl FnMut() + 'static) {
        let closure = Closure::<dyn FnMut()>::new(f);
        target.add_event_listener(kind, closure.as_ref().unchecked_ref());
        self.listeners.push(Listener {
            target,
            kind,
            closure,
        });
    }

    /// Sets the timer to fire in `delay_ms` (replacing a pending one).
    pub fn arm(&mut self, delay_ms: u64) {
        self.disarm();
        if let Some(tick) = self.tick.as_ref() {
            let delay = delay_ms.min(i32::MAX as u64) as f64;
            self.timer = Some(set_timeout(tick.as_ref().unchecked_ref(), delay));
        }
    }

    /// Cancels the pending timer, if any.
    pub fn disarm(&mut self) {
        if let Some(handle) = self.timer.take() {
            clear_timeout(&handle);
        }
    }

    /// The timer has fired: there is no pending one to cancel any more.
    pub fn fired(&mut self) {
        self.timer = None;
    }

    /// Removes every listener and the timer; the closures are freed on a later microtask (one of
    /// them may be running now). Idempotent.
    pub fn remove(&mut self) {
        self.disarm();
        for l in &self.listeners {
            l.target
                .remove_event_listener(l.kind, l.closure.as_ref().unchecked_ref());
        }
        drop_later(std::mem::take(&mut self.listeners));
        if let Some(tick) = self.tick.take() {
            drop_later(tick);
        }
    }
}
