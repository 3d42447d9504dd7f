//! What the Chromium tests of the JavaScript API share: calling the package's objects as a page
//! would (methods looked up by name, callbacks as JS functions), recording what callbacks receive,
//! and reaching the simulator over HTTP.

// A build with some sources left out does not use every helper.
#![cfg_attr(
    not(all(
        feature = "events-hub",
        feature = "lxd",
        feature = "cloudevents",
        feature = "mws"
    )),
    allow(dead_code)
)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::transport::SIM_WS;

#[wasm_bindgen]
extern "C" {
    // In `globalThis`, so the bindings do not clash with the crate's own imports.
    #[wasm_bindgen(js_namespace = globalThis, js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_namespace = globalThis, js_name = fetch)]
    pub fn fetch(url: &str, init: &JsValue) -> Promise;
}

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    fn import_module(url: &str) -> Promise;
}

thread_local! {
    static DECODERS_INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Hands the package's decode exports to the wasm under test, as the package entry does: the
/// built package's `engine.js`, served by the simulator.
pub async fn install_decoders() {
    if DECODERS_INSTALLED.with(|d| d.get()) {
        return;
    }
    let url = format!("{}/pkg/engine.js", http_base());
    let module = JsFuture::from(import_module(&url))
        .await
        .unwrap_or_else(|e| panic!("importing {url}: {e:?} (build the package first)"));
    infra_events::browser::decoders::install_frame_decoders(get(&module, "frameDecoders"));
    DECODERS_INSTALLED.with(|d| d.set(true));
}

/// The simulator's origin.
pub fn http_base() -> String {
    SIM_WS.replacen("ws://", "http://", 1)
}

pub async fn sleep(ms: u32) {
    let promise = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms as f64);
    });
    JsFuture::from(promise).await.unwrap();
}

/// An object with these fields.
pub fn obj(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

/// The value at a dotted path (`undefined` where it stops).
pub fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        Reflect::get(&v, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

/// The string at a dotted path, empty if it is not one.
pub fn text(value: &JsValue, path: &str) -> String {
    get(value, path).as_string().unwrap_or_default()
}

/// Calls a method looked up on the object; panics if it is missing or throws.
pub fn call(target: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    let f: Function = get(target, method)
        .dyn_into()
        .unwrap_or_else(|_| panic!("no method {method}"));
    f.apply(target, &args.iter().cloned().collect::<Array>())
        .unwrap_or_else(|e| panic!("{method} threw {e:?}"))
}

/// Awaits a promise given as a plain value.
pub async fn resolve(promise: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::from(promise)).await
}

/// Collects what a callback receives.
pub struct Recorder {
    seen: Rc<RefCell<Vec<JsValue>>>,
    closure: Closure<dyn FnMut(JsValue)>,
}

impl Recorder {
    pub fn new() -> Recorder {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        let closure = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| s.borrow_mut().push(v));
        Recorder { seen, closure }
    }
    /// The callback to hand over.
    pub fn function(&self) -> JsValue {
        self.closure.as_ref().clone()
    }
    pub fn len(&self) -> usize {
        self.seen.borrow().len()
    }
    pub fn all(&self) -> Vec<JsValue> {
        self.seen.borrow().clone()
    }
    /// The string at `path` of everything received.
    pub fn field(&self, path: &str) -> Vec<String> {
        self.all().iter().map(|v| text(v, path)).collect()
    }
    /// The `type` of everything received (state events).
    pub fn types(&self) -> Vec<String> {
        self.field("type")
    }
    /// Waits (up to `ms`) until `done` holds.
    pub async fn wait_for(&self, ms: u32, what: &str, done: impl Fn(&Recorder) -> bool) {
        let mut waited = 0;
        while !done(self) {
            assert!(
                waited < ms,
                "timed out waiting for {what}; seen {:?}",
                self.types()
            );
            sleep(50).await;
            waited += 50;
        }
    }
}
