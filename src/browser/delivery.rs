//! The application's side of a subscription, shared by every kind of subscription (WebSocket
//! sessions and MWS polling): the callbacks (`on`, `onEvent`, `onState`), the pending `next()`
//! calls of the async iterator, and the hand-over of events and state events to them.
//!
//! Rules, so an application callback can do anything, including `close()` or unsubscribing
//! another callback:
//! - no callback is called while the outlet (or the driver that owns it) is borrowed;
//! - each callback is looked up again just before it is called, so one removed by an earlier
//!   callback is not called;
//! - once [`Outlet::end`] ran, nothing is called any more, and every pending `next()` has resolved
//!   `done`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `reportError` (browsers, Deno): an error thrown by a callback reaches `window.onerror`
    /// and the console as an uncaught one would, and the other callbacks still run.
    #[wasm_bindgen(js_namespace = globalThis, js_name = reportError, catch)]
    fn global_report_error(error: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(error: &JsValue);
}

/// Reports an exception thrown by an application callback without stopping the subscription.
pub fn report_error(error: &JsValue) {
    if global_report_error(error).is_err() {
        console_error(error);
    }
}

/// Something to hand to the application.
pub enum Out {
    /// An event, for `next()`, the callbacks of its key and `onEvent`.
    Event(JsValue),
    /// A state event, for `onState`.
    State(JsValue),
}

#[derive(Default)]
struct Handlers {
    next_id: u64,
    keyed: Vec<(u64, String, Function)>,
    any: Vec<(u64, Function)>,
    state: Vec<(u64, Function)>,
}

impl Handlers {
    fn contains(&self, id: u64) -> bool {
        self.keyed.iter().any(|(i, _, _)| *i == id)
            || self.any.iter().any(|(i, _)| *i == id)
            || self.state.iter().any(|(i, _)| *i == id)
    }
}

struct Audience {
    handlers: Handlers,
    /// `resolve` functions of pending `next()` calls, oldest first.
    waiters: VecDeque<Function>,
    /// The property that `on(key, …)` matches (`message`, `type`, `eventType`).
    discriminant: &'static str,
    ended: bool,
}

/// The callbacks and waiting `next()` calls of one subscription. Cheap to clone (shared).
#[derive(Clone)]
pub struct Outlet(Rc<RefCell<Audience>>);

impl Outlet {
    /// An outlet whose `on(key, …)` callbacks match the event property `discriminant`.
    pub fn new(discriminant: &'static str) -> Outlet {
        Outlet(Rc::new(RefCell::new(Audience {
            handlers: Handlers::default(),
            waiters: VecDeque::new(),
            discriminant,
            ended: false,
        })))
    }

    /// Registers a callback for events whose discriminant is `key`, or for every event (`None`).
    /// Returns the id to remove it with; 0 (nothing registered) once ended.
    pub fn add_event_callback(&self, key: Option<String>, callback: Function) -> u64 {
        let mut a = self.0.borrow_mut();
        if a.ended {
            return 0;
        }
        a.handlers.next_id += 1;
        let id = a.handlers.next_id;
        match key {
            Some(k) => a.handlers.keyed.push((id, k, callback)),
            None => a.handlers.any.push((id, callback)),
        }
        id
    }

    /// Registers a callback for state events; 0 once ended.
    pub fn add_state_callback(&self, callback: Function) -> u64 {
        let mut a = self.0.borrow_mut();
        if a.ended {
            return 0;
        }
        a.handlers.next_id += 1;
        let id = a.handlers.next_id;
        a.handlers.state.push((id, callback));
        id
    }

    /// The function handed back by `on`, `onEvent` and `onState`: it removes callback `id`. It
    /// holds the outlet weakly, so it keeps nothing alive and does nothing after the end; the
    /// garbage collector frees it.
    pub fn unsubscriber(&self, id: u64) -> Function {
        let weak = Rc::downgrade(&self.0);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(audience) = weak.upgrade() {
                Outlet(audience).remove(id);
            }
        })
        .into_js_value()
        .unchecked_into()
    }

    /// Removes the callback registered under `id` (no-op if gone).
    pub fn remove(&self, id: u64) {
        let mut a = self.0.borrow_mut();
        a.handlers.keyed.retain(|(i, _, _)| *i != id);
        a.handlers.any.retain(|(i, _)| *i != id);
        a.handlers.state.retain(|(i, _)| *i != id);
    }

    /// Whether an event callback (keyed or not) is registered: events are then handed out as
    /// they come, not left for the iterator.
    pub fn has_event_callbacks(&self) -> bool {
        let a = self.0.borrow();
        !a.handlers.any.is_empty() || !a.handlers.keyed.is_empty()
    }

    /// How many `next()` calls wait for an event.
    pub fn waiting(&self) -> usize {
        self.0.borrow().waiters.len()
    }

    /// How many events to take from the buffer now: all with callbacks, else one per waiting
    /// `next()`.
    pub fn wanted(&self) -> usize {
        if self.has_event_callbacks() {
            usize::MAX
        } else {
            self.waiting()
        }
    }

    /// Whether anyone takes events now (callbacks, or a waiting `next()`).
    pub fn has_consumers(&self) -> bool {
        self.has_event_callbacks() || self.waiting() > 0
    }

    /// Whether the subscription has ended.
    pub fn is_ended(&self) -> bool {
        self.0.borrow().ended
    }

    /// `next()` of the async iterator: the promise, and whether it waits for an event (false:
    /// already resolved `done`, the subscription has ended).
    pub fn next(&self) -> (Promise, bool) {
        let mut resolve_slot: Option<Function> = None;
        let promise = Promise::new(&mut |resolve, _reject| resolve_slot = Some(resolve));
        let resolve = resolve_slot.expect("the executor runs at once");
        let ended = {
            let mut a = self.0.borrow_mut();
            if !a.ended {
                a.waiters.push_back(resolve.clone());
            }
            a.ended
        };
        if ended {
            let _ = resolve.call1(&JsValue::UNDEFINED, &iter_result(JsValue::UNDEFINED, true));
        }
        (promise, !ended)
    }

    /// Hands events and state events to the application, in order, outside any borrow.
    pub fn dispatch(&self, outs: Vec<Out>) {
        for out in outs {
            match out {
                Out::Event(event) => {
                    let (waiter, callbacks) = {
                        let mut a = self.0.borrow_mut();
                        if a.ended {
                            return;
                        }
                        // Read (a copy into wasm) only when some callback filters on it.
                        let key = if a.handlers.keyed.is_empty() {
                            None
                        } else {
                            Reflect::get(&event, &a.discriminant.into())
                                .ok()
                                .and_then(|k| k.as_string())
                        };
                        let mut callbacks: Vec<(u64, Function)> = a
                            .handlers
                            .keyed
                            .iter()
                            .filter(|(_, k, _)| Some(k) == key.as_ref())
                            .map(|(i, _, f)| (*i, f.clone()))
                            .collect();
                        callbacks.extend(a.handlers.any.iter().map(|(i, f)| (*i, f.clone())));
                        (a.waiters.pop_front(), callbacks)
                    };
                    if let Some(resolve) = waiter {
                        let _ = resolve.call1(&JsValue::UNDEFINED, &iter_result(event.clone(), false));
                    }
                    self.call_each(callbacks, &event);
                }
                Out::State(event) => {
                    let callbacks: Vec<(u64, Function)> = {
                        let a = self.0.borrow();
                        if a.ended {
                            return;
                        }
                        a.handlers.state.iter().map(|(i, f)| (*i, f.clone())).collect()
                    };
                    self.call_each(callbacks, &event);
                }
            }
        }
    }

    fn call_each(&self, callbacks: Vec<(u64, Function)>, value: &JsValue) {
        for (id, f) in callbacks {
            if self.still_registered(id) {
                if let Err(e) = f.call1(&JsValue::UNDEFINED, value) {
                    report_error(&e);
                }
            }
        }
    }

    fn still_registered(&self, id: u64) -> bool {
        let a = self.0.borrow();
        !a.ended && a.handlers.contains(id)
    }

    /// The subscription is over: forgets every callback and resolves every pending `next()`
    /// `done`. Idempotent.
    pub fn end(&self) {
        let waiters = {
            let mut a = self.0.borrow_mut();
            a.ended = true;
            a.handlers = Handlers::default();
            std::mem::take(&mut a.waiters)
        };
        for resolve in waiters {
            let _ = resolve.call1(&JsValue::UNDEFINED, &iter_result(JsValue::UNDEFINED, true));
        }
    }
}

/// `{value, done}`, an iterator result.
pub fn iter_result(value: JsValue, done: bool) -> JsValue {
    let result = Object::new();
    let _ = Reflect::set(&result, &"value".into(), &value);
    let _ = Reflect::set(&result, &"done".into(), &JsValue::from_bool(done));
    result.into()
}
