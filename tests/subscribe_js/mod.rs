//! Live subscriptions in headless Chromium against the simulator: the exported `subscribe*`
//! functions called, and their objects used, as JavaScript would (methods looked up on the
//! object, callbacks as JS functions).
//!
//! The Events Hub and CloudEvents take a token from the simulator's login, which each test asks
//! for itself (`fresh_token`): one test expires every token issued so far.

#![cfg_attr(
    not(all(feature = "events-hub", feature = "lxd", feature = "cloudevents")),
    allow(dead_code, unused_imports)
)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::page::{call, fetch, get, http_base, obj, sleep, text, Recorder};

/// The tests share one simulator, and its faults (drop, silence, malformed frames, bursts) reach
/// every open socket of a source; the runner interleaves async tests. So each test holds this for
/// its whole run. A lease rather than a flag cleared on drop: a failing test in wasm may never run
/// its destructors, and the next test must still get its turn.
struct OneAtATime;

thread_local! {
    static HELD_SINCE: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
}

const LEASE_MS: f64 = 60_000.0;

async fn one_at_a_time() -> OneAtATime {
    crate::page::install_decoders().await;
    loop {
        let now = js_sys::Date::now();
        let free = HELD_SINCE.with(|h| match h.get() {
            Some(since) if now - since < LEASE_MS => false,
            _ => {
                h.set(Some(now));
                true
            }
        });
        if free {
            return OneAtATime;
        }
        sleep(25).await;
    }
}

impl Drop for OneAtATime {
    fn drop(&mut self) {
        HELD_SINCE.with(|h| h.set(None));
    }
}

/// A control request; its JSON answer (the simulator sends CORS headers on `/_sim/*`).
async fn control(path_and_query: &str) -> JsValue {
    let init = obj(&[("method", "POST".into())]);
    let url = format!("{}/_sim/{path_and_query}", http_base());
    let response = JsFuture::from(fetch(&url, &init))
        .await
        .unwrap_or_else(|e| panic!("control {path_and_query}: {e:?}"));
    let json: Promise = call(&response, "json", &[]).unchecked_into();
    JsFuture::from(json).await.unwrap_or(JsValue::NULL)
}

/// Logs in to the simulator's Events Hub (its CloudEvents server takes the same tokens).
async fn fresh_token() -> String {
    let init = obj(&[
        ("method", "POST".into()),
        ("headers", obj(&[("content-type", "application/json".into())])),
        ("body", r#"{"username":"admin","password":"admin"}"#.into()),
    ]);
    let url = format!("{}/api/v1/auth/token", http_base());
    let response = JsFuture::from(fetch(&url, &init)).await.expect("login");
    let json: Promise = call(&response, "json", &[]).unchecked_into();
    text(&JsFuture::from(json).await.unwrap(), "token")
}

fn abort_controller() -> JsValue {
    let class: Function = get(&js_sys::global(), "AbortController").unchecked_into();
    Reflect::construct(&class, &Array::new()).unwrap()
}

fn fast_session() -> JsValue {
    obj(&[(
        "session",
        obj(&[("backoff", obj(&[("baseMs", 100.into()), ("maxMs", 300.into())]))]),
    )])
}

#[cfg(feature = "lxd")]
fn lxd_options(extra: &[(&str, JsValue)]) -> JsValue {
    let o = fast_session();
    Reflect::set(&o, &"url".into(), &http_base().into()).unwrap();
    for (k, v) in extra {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o
}

#[cfg(feature = "lxd")]
fn subscribe_lxd(options: JsValue) -> JsValue {
    infra_events::js::subscribe::subscribe_lxd(options).expect("subscribeLxd")
}

fn index_of(types: &[String], wanted: &str, from: usize) -> Option<usize> {
    types
        .iter()
        .skip(from)
        .position(|t| t == wanted)
        .map(|i| i + from)
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_delivers_typed_events_and_states_in_order() {
    let _turn = one_at_a_time().await;
    let sub = subscribe_lxd(lxd_options(&[]));
    let events = Recorder::new();
    let states = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    events.wait_for(10_000, "three events", |r| r.len() >= 3).await;
    for e in events.all() {
        let t = text(&e, "type");
        assert!(
            ["logging", "operation", "lifecycle"].contains(&t.as_str()),
            "typed event: {t}"
        );
        assert!(get(&e, "metadata").is_object());
    }
    assert_eq!(states.types()[..2], ["connecting", "open"]);
    let stats = call(&sub, "stats", &[]);
    assert!(get(&stats, "delivered").as_f64().unwrap() >= 3.0);
    assert_eq!(get(&stats, "connectAttempts").as_f64(), Some(1.0));
    call(&sub, "close", &[]);
    assert_eq!(get(&sub, "closed").as_bool(), Some(true));
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_on_filters_by_type_and_unsubscribes() {
    let _turn = one_at_a_time().await;
    let sub = subscribe_lxd(lxd_options(&[]));
    let logging = Recorder::new();
    let all = Recorder::new();
    let off: Function = call(&sub, "on", &["logging".into(), logging.function()]).unchecked_into();
    call(&sub, "onEvent", &[all.function()]);
    logging
        .wait_for(8_000, "two logging events", |r| r.len() >= 2)
        .await;
    assert!(
        logging.types().iter().all(|t| t == "logging"),
        "{:?}",
        logging.types()
    );
    off.call0(&JsValue::UNDEFINED).unwrap();
    off.call0(&JsValue::UNDEFINED).unwrap(); // twice is harmless
    let kept = logging.len();
    let before = all.len();
    // Not left to the random trickle, which can pause for seconds: a burst of logging events.
    control("burst?source=lxd&rate=50&secs=1&mix=logging").await;
    all.wait_for(8_000, "more events", |r| r.len() >= before + 3)
        .await;
    assert!(
        all.types()[before..].iter().any(|t| t == "logging"),
        "logging events came after unsubscribing"
    );
    assert_eq!(logging.len(), kept, "no call after unsubscribing");
    call(&sub, "close", &[]);
    off.call0(&JsValue::UNDEFINED).unwrap(); // after close too
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_drop_reconnects_with_resync_and_events_flow_again() {
    let _turn = one_at_a_time().await;
    let sub = subscribe_lxd(lxd_options(&[]));
    let events = Recorder::new();
    let states = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    first_state(&states, 5_000, "open").await;
    control("drop?source=lxd").await;
    states
        .wait_for(8_000, "reconnecting, open, resync", |r| {
            let t = r.types();
            index_of(&t, "reconnecting", 0)
                .and_then(|i| index_of(&t, "open", i))
                .and_then(|i| index_of(&t, "resync", i))
                .is_some()
        })
        .await;
    let reconnecting = states
        .all()
        .into_iter()
        .find(|s| text(s, "type") == "reconnecting")
        .unwrap();
    assert_eq!(text(&reconnecting, "cause.kind"), "lost");
    let resync = states
        .all()
        .into_iter()
        .find(|s| text(s, "type") == "resync")
        .unwrap();
    assert!(get(&resync, "gapEndedAt").as_f64() >= get(&resync, "gapStartedAt").as_f64());
    let after = events.len();
    events
        .wait_for(10_000, "events after the resync", |r| r.len() >= after + 2)
        .await;
    assert_eq!(get(&call(&sub, "stats", &[]), "reconnects").as_f64(), Some(1.0));
    call(&sub, "close", &[]);
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_malformed_frame_is_a_frame_error_and_the_stream_goes_on() {
    let _turn = one_at_a_time().await;
    let sub = subscribe_lxd(lxd_options(&[]));
    let events = Recorder::new();
    let states = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    first_state(&states, 5_000, "open").await;
    control("fault?kind=malformed&source=lxd").await;
    let error = first_state(&states, 5_000, "frameError").await;
    assert_eq!(text(&error, "error.kind"), "decode");
    assert_eq!(text(&error, "error.error.kind"), "syntax");
    let after = events.len();
    events
        .wait_for(10_000, "events after the bad frame", |r| r.len() >= after + 2)
        .await;
    assert!(
        !states.types().contains(&"reconnecting".to_owned()),
        "the link stayed up"
    );
    assert_eq!(get(&call(&sub, "stats", &[]), "decodeErrors").as_f64(), Some(1.0));
    call(&sub, "close", &[]);
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_close_is_final_no_callback_afterwards() {
    let _turn = one_at_a_time().await;
    let sub = subscribe_lxd(lxd_options(&[]));
    let events = Recorder::new();
    let states = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    events.wait_for(10_000, "an event", |r| r.len() >= 1).await;
    call(&sub, "close", &[]);
    let (e, s) = (events.len(), states.len());
    sleep(1_500).await;
    assert_eq!((events.len(), states.len()), (e, s), "nothing after close()");
    assert!(
        !states.types().contains(&"closed".to_owned()),
        "close() itself is not reported"
    );
    let done = JsFuture::from(call(&sub, "next", &[]).unchecked_into::<Promise>())
        .await
        .unwrap();
    assert_eq!(get(&done, "done").as_bool(), Some(true));
    call(&sub, "close", &[]); // idempotent
                              // Registering after close is a no-op, not an error.
    call(&sub, "onEvent", &[events.function()]);
    sleep(500).await;
    assert_eq!(events.len(), e);
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_abort_signal_ends_it() {
    let _turn = one_at_a_time().await;
    let controller = abort_controller();
    let sub = subscribe_lxd(lxd_options(&[("signal", get(&controller, "signal"))]));
    let events = Recorder::new();
    let states = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    events.wait_for(10_000, "an event", |r| r.len() >= 1).await;
    let pending = call(&sub, "next", &[]);
    call(&controller, "abort", &[]);
    let last = states.all().pop().unwrap();
    assert_eq!(text(&last, "type"), "closed");
    assert_eq!(text(&last, "why.kind"), "aborted");
    let (e, s) = (events.len(), states.len());
    let done = JsFuture::from(pending.unchecked_into::<Promise>()).await.unwrap();
    assert_eq!(get(&done, "done").as_bool(), Some(true), "a pending next() ends");
    sleep(1_000).await;
    assert_eq!((events.len(), states.len()), (e, s), "nothing after the abort");
    assert_eq!(get(&sub, "closed").as_bool(), Some(true));
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_already_aborted_signal_never_connects() {
    let _turn = one_at_a_time().await;
    let controller = abort_controller();
    call(&controller, "abort", &[]);
    let sub = subscribe_lxd(lxd_options(&[("signal", get(&controller, "signal"))]));
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    sleep(500).await;
    assert_eq!(states.types(), ["closed"]);
    assert_eq!(
        get(&call(&sub, "stats", &[]), "connectAttempts").as_f64(),
        Some(0.0)
    );
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_async_iterator_pulls_events_then_ends() {
    let _turn = one_at_a_time().await;
    let sub = subscribe_lxd(lxd_options(&[]));
    // `[Symbol.asyncIterator]()` returns the subscription itself.
    let iter_fn: Function = Reflect::get(&sub, &js_sys::Symbol::async_iterator())
        .unwrap()
        .unchecked_into();
    let iterator = iter_fn.call0(&sub).unwrap();
    assert!(Object::is(&iterator, &sub));
    for _ in 0..3 {
        let r = JsFuture::from(call(&iterator, "next", &[]).unchecked_into::<Promise>())
            .await
            .unwrap();
        assert_eq!(get(&r, "done").as_bool(), Some(false));
        assert!(!text(&get(&r, "value"), "type").is_empty());
    }
    let r = JsFuture::from(call(&iterator, "return", &[]).unchecked_into::<Promise>())
        .await
        .unwrap();
    assert_eq!(get(&r, "done").as_bool(), Some(true), "return() closes");
    assert_eq!(get(&sub, "closed").as_bool(), Some(true));
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_iterator_buffers_between_pulls() {
    let _turn = one_at_a_time().await;
    let sub = subscribe_lxd(lxd_options(&[]));
    sleep(1_500).await; // events arrive with nobody pulling: they wait in the session buffer
    let stats = call(&sub, "stats", &[]);
    assert!(
        get(&stats, "buffered").as_f64().unwrap() >= 1.0,
        "buffered while nobody pulls"
    );
    assert_eq!(get(&stats, "delivered").as_f64(), Some(0.0));
    let r = JsFuture::from(call(&sub, "next", &[]).unchecked_into::<Promise>())
        .await
        .unwrap();
    assert_eq!(get(&r, "done").as_bool(), Some(false));
    assert_eq!(get(&call(&sub, "stats", &[]), "delivered").as_f64(), Some(1.0));
    call(&sub, "close", &[]);
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_calls_the_token_provider_before_every_attempt() {
    let _turn = one_at_a_time().await;
    let calls = Rc::new(RefCell::new(0u32));
    let c = calls.clone();
    let provider = Closure::<dyn FnMut() -> JsValue>::new(move || {
        *c.borrow_mut() += 1;
        let token = JsValue::from_str("not-a-valid-token");
        Promise::resolve(&token).into()
    });
    let options = fast_session();
    Reflect::set(&options, &"url".into(), &http_base().into()).unwrap();
    Reflect::set(&options, &"channels".into(), &Array::of1(&"stats".into())).unwrap();
    Reflect::set(&options, &"token".into(), provider.as_ref()).unwrap();
    let sub = infra_events::js::subscribe::subscribe_events_hub(options).expect("subscribeEventsHub");
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    states
        .wait_for(5_000, "three attempts", |r| {
            r.types().iter().filter(|t| *t == "reconnecting").count() >= 2
        })
        .await;
    let c = calls.clone();
    states
        .wait_for(5_000, "the third provider call", move |_| *c.borrow() >= 3)
        .await;
    let reconnecting = states
        .all()
        .into_iter()
        .find(|s| text(s, "type") == "reconnecting")
        .unwrap();
    // The sim refuses the token with HTTP 401, which a browser sees as 1006 before `open`.
    assert_eq!(text(&reconnecting, "cause.kind"), "neverOpened");
    call(&sub, "close", &[]);
    let n = *calls.borrow();
    sleep(800).await;
    assert_eq!(*calls.borrow(), n, "no call after close()");
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_provider_failure_is_retried() {
    let _turn = one_at_a_time().await;
    let calls = Rc::new(RefCell::new(0u32));
    let c = calls.clone();
    let provider = Closure::<dyn FnMut() -> JsValue>::new(move || {
        *c.borrow_mut() += 1;
        Promise::reject(&js_sys::Error::new("no session").into()).into()
    });
    let options = fast_session();
    Reflect::set(&options, &"url".into(), &http_base().into()).unwrap();
    Reflect::set(&options, &"token".into(), provider.as_ref()).unwrap();
    let sub = infra_events::js::subscribe::subscribe_events_hub(options).unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    let reconnecting = first_state(&states, 5_000, "reconnecting").await;
    assert_eq!(text(&reconnecting, "cause.kind"), "tokenFailed");
    assert!(text(&reconnecting, "cause.reason").contains("no session"));
    call(&sub, "close", &[]);
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
fn subscribe_events_hub_configuration_errors_throw_at_once() {
    let remote = obj(&[
        ("url", "ws://devops.example.com".into()),
        ("token", "secret-token".into()),
    ]);
    let error =
        infra_events::js::subscribe::subscribe_events_hub(remote).expect_err("token over ws:// refused");
    assert_eq!(text(&error, "name"), "EndpointError");
    assert!(
        !text(&error, "message").contains("secret-token"),
        "no token in the message"
    );
    let bad = obj(&[("url", "http://127.0.0.1:1".into()), ("token", 42.into())]);
    let error = infra_events::js::subscribe::subscribe_events_hub(bad).expect_err("a number is no token");
    assert_eq!(text(&error, "name"), "TypeError");
    let error =
        infra_events::js::subscribe::subscribe_events_hub(JsValue::from_str("x")).expect_err("not an object");
    assert_eq!(text(&error, "name"), "TypeError");
}

#[cfg(feature = "events-hub")]
fn hub_options(token: &str, channels: &[&str]) -> JsValue {
    let options = fast_session();
    Reflect::set(&options, &"url".into(), &http_base().into()).unwrap();
    let list: Array = channels.iter().map(|c| JsValue::from_str(c)).collect();
    Reflect::set(&options, &"channels".into(), &list).unwrap();
    Reflect::set(&options, &"token".into(), &token.into()).unwrap();
    options
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_with_token_receives_events_and_survives_a_drop() {
    let _turn = one_at_a_time().await;
    let token = &fresh_token().await;
    let sub =
        infra_events::js::subscribe::subscribe_events_hub(hub_options(token, &["pdfm", "stats"])).unwrap();
    let events = Recorder::new();
    let states = Recorder::new();
    let welcome = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    call(
        &sub,
        "on",
        &[
            "WebSocket connection established subscribed to global by default".into(),
            welcome.function(),
        ],
    );
    welcome.wait_for(5_000, "the welcome", |r| r.len() == 1).await;
    assert!(get(&welcome.all()[0], "body.subscriptions").is_array());
    events.wait_for(8_000, "events", |r| r.len() >= 4).await;
    for e in events.all() {
        assert_eq!(text(&e, "id").len(), 64, "hub ids are 64 hex");
    }
    control("drop?source=hub").await;
    first_state(&states, 8_000, "resync").await;
    welcome
        .wait_for(5_000, "a second welcome", |r| r.len() == 2)
        .await;
    let before = events.len();
    control("fault?kind=duplicate&source=hub").await;
    events
        .wait_for(8_000, "more events", |r| r.len() >= before + 4)
        .await;
    let ids: Vec<String> = events.all().iter().map(|e| text(e, "id")).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no id delivered twice");
    let stats = call(&sub, "stats", &[]);
    assert!(
        get(&stats, "duplicates").as_f64() >= Some(1.0),
        "the duplicate was dropped"
    );
    assert_eq!(get(&stats, "reconnects").as_f64(), Some(1.0));
    call(&sub, "close", &[]);
}

#[cfg(feature = "cloudevents")]
#[wasm_bindgen_test]
async fn subscribe_cloud_events_with_token_receives_typed_events() {
    let _turn = one_at_a_time().await;
    let token = &fresh_token().await;
    let options = fast_session();
    Reflect::set(
        &options,
        &"url".into(),
        &format!("{}/cloudevents", http_base()).into(),
    )
    .unwrap();
    Reflect::set(&options, &"token".into(), &token.into()).unwrap();
    let sub = infra_events::js::subscribe::subscribe_cloud_events(options).unwrap();
    let events = Recorder::new();
    let states = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    events.wait_for(8_000, "events", |r| r.len() >= 3).await;
    let open = states
        .all()
        .into_iter()
        .find(|s| text(s, "type") == "open")
        .unwrap();
    assert_eq!(text(&open, "protocol"), "cloudevents.json");
    for e in events.all() {
        assert_eq!(text(&e, "specversion"), "1.0");
        assert!(text(&e, "source").starts_with("https://metalsoft.io/"));
    }
    call(&sub, "close", &[]);
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_idle_timeout_fires_from_the_driver_timer() {
    let _turn = one_at_a_time().await;
    let options = lxd_options(&[]);
    let session = get(&options, "session");
    Reflect::set(&session, &"idleTimeoutMs".into(), &800.into()).unwrap();
    let sub = subscribe_lxd(options);
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    first_state(&states, 5_000, "open").await;
    // Half-open: the socket stays up but nothing arrives; only the timer can notice.
    control("silence?source=lxd&secs=5").await;
    let reconnecting = first_state(&states, 5_000, "reconnecting").await;
    assert_eq!(text(&reconnecting, "cause.kind"), "idleTimeout");
    first_state(&states, 5_000, "resync").await;
    call(&sub, "close", &[]);
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_iterator_is_bounded_by_the_buffer() {
    let _turn = one_at_a_time().await;
    let options = lxd_options(&[]);
    let session = get(&options, "session");
    Reflect::set(&session, &"bufferCapacity".into(), &2.into()).unwrap();
    let sub = subscribe_lxd(options);
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    // Nobody pulls: beyond two events, the oldest are dropped and reported.
    control("burst?source=lxd&rate=50&secs=1").await;
    first_state(&states, 5_000, "overflow").await;
    let stats = call(&sub, "stats", &[]);
    assert_eq!(get(&stats, "buffered").as_f64(), Some(2.0));
    assert!(get(&stats, "dropped").as_f64() >= Some(1.0));
    let r = JsFuture::from(call(&sub, "next", &[]).unchecked_into::<Promise>())
        .await
        .unwrap();
    assert_eq!(get(&r, "done").as_bool(), Some(false));
    // `using` support: Symbol.dispose is close().
    let dispose = get(&get(&js_sys::global(), "Symbol"), "dispose");
    if dispose.is_symbol() {
        let f: Function = Reflect::get(&sub, &dispose).unwrap().unchecked_into();
        f.call0(&sub).unwrap();
    } else {
        call(&sub, "close", &[]);
    }
    assert_eq!(get(&sub, "closed").as_bool(), Some(true));
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_a_throwing_callback_does_not_stop_the_others() {
    let _turn = one_at_a_time().await;
    let sub = subscribe_lxd(lxd_options(&[]));
    let thrower = Closure::<dyn FnMut(JsValue) -> Result<(), JsValue>>::new(|_| {
        Err(js_sys::Error::new("app bug").into())
    });
    let events = Recorder::new();
    call(&sub, "onEvent", &[thrower.as_ref().clone()]);
    call(&sub, "onEvent", &[events.function()]);
    events
        .wait_for(10_000, "events despite the throwing callback", |r| r.len() >= 3)
        .await;
    call(&sub, "close", &[]);
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_online_event_retries_at_once_and_is_removed_by_close() {
    let _turn = one_at_a_time().await;
    let options = obj(&[
        ("url", "http://127.0.0.1:9".into()),
        (
            "session",
            obj(&[(
                "backoff",
                obj(&[("baseMs", 60_000.into()), ("maxMs", 60_000.into())]),
            )]),
        ),
    ]);
    let sub = subscribe_lxd(options);
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    first_state(&states, 5_000, "reconnecting").await;
    let delay = get(&states.all().pop().unwrap(), "delayMs").as_f64().unwrap();
    let online = || {
        let event = web_event("online");
        call(&js_sys::global(), "dispatchEvent", &[event]);
    };
    // The delay is uniform(0, 60 s): a short one would retry by itself before `online` proves
    // anything, so wait for a long one (each retry draws again; five short ones in a row: 1e-7).
    let mut delay = delay;
    let mut draws = 1;
    while delay <= 2_000.0 {
        assert!(draws < 6, "six jittered delays under 2 s in a row");
        let seen = states.len();
        states
            .wait_for(5_000, "the next reconnecting", |r| {
                r.all()[seen..].iter().any(|s| text(s, "type") == "reconnecting")
            })
            .await;
        let last = states
            .all()
            .into_iter()
            .rev()
            .find(|s| text(s, "type") == "reconnecting");
        delay = get(&last.unwrap(), "delayMs").as_f64().unwrap();
        draws += 1;
    }
    let attempts_before = states.types().iter().filter(|t| *t == "connecting").count();
    online();
    states
        .wait_for(1_000, "a new attempt right after `online`", |r| {
            r.types().iter().filter(|t| *t == "connecting").count() > attempts_before
        })
        .await;
    call(&sub, "close", &[]);
    let n = states.len();
    online();
    sleep(300).await;
    assert_eq!(states.len(), n, "no listener left after close()");
}

fn web_event(kind: &str) -> JsValue {
    let class: Function = get(&js_sys::global(), "Event").unchecked_into();
    Reflect::construct(&class, &Array::of1(&kind.into())).unwrap()
}

// ---- Issue 5: authentication paths and their refusals, long runs of drops, half-open links ----

/// The simulator's user, as the `login` option.
fn admin_login() -> JsValue {
    obj(&[("username", "admin".into()), ("password", "admin".into())])
}

#[cfg(feature = "events-hub")]
fn hub_login_options(login: JsValue, channels: &[&str]) -> JsValue {
    let options = fast_session();
    Reflect::set(&options, &"url".into(), &http_base().into()).unwrap();
    let list: Array = channels.iter().map(|c| JsValue::from_str(c)).collect();
    Reflect::set(&options, &"channels".into(), &list).unwrap();
    Reflect::set(&options, &"login".into(), &login).unwrap();
    options
}

/// Waits for the first state event of `kind` and returns it.
async fn first_state(states: &Recorder, ms: u32, kind: &str) -> JsValue {
    states
        .wait_for(ms, kind, |r| r.types().iter().any(|t| t == kind))
        .await;
    states
        .all()
        .into_iter()
        .find(|s| text(s, "type") == kind)
        .unwrap()
}

fn count(types: &[String], kind: &str) -> usize {
    types.iter().filter(|t| *t == kind).count()
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_login_with_username_and_with_api_key_receives_events() {
    let _turn = one_at_a_time().await;
    for login in [
        admin_login(),
        obj(&[("apiKey", "c2ltOmluZnJhLWV2ZW50cy1zaW0=".into())]),
    ] {
        let sub = infra_events::js::subscribe::subscribe_events_hub(hub_login_options(login, &["stats"]))
            .expect("subscribeEventsHub with login");
        let events = Recorder::new();
        call(&sub, "on", &["System Stats".into(), events.function()]);
        let states = Recorder::new();
        call(&sub, "onState", &[states.function()]);
        first_state(&states, 8_000, "open").await;
        control("burst?source=hub&rate=20&secs=1&mix=stats").await;
        events.wait_for(8_000, "System Stats", |r| r.len() > 0).await;
        assert_eq!(text(&events.all()[0], "event_type"), "stats");
        call(&sub, "close", &[]);
    }
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_refused_login_ends_the_subscription_without_quoting_the_password() {
    let _turn = one_at_a_time().await;
    let login = obj(&[
        ("username", "admin".into()),
        ("password", "wrong-password-5d1c".into()),
    ]);
    let sub =
        infra_events::js::subscribe::subscribe_events_hub(hub_login_options(login, &["stats"])).unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    let closed = first_state(&states, 8_000, "closed").await;
    assert_eq!(text(&closed, "why.kind"), "failed");
    let reason = text(&closed, "why.reason");
    assert!(reason.contains("refused the credentials"), "{reason}");
    assert!(
        !reason.contains("wrong-password-5d1c"),
        "the password leaked: {reason}"
    );
    assert_eq!(
        count(&states.types(), "connecting"),
        1,
        "no retry of a refused login"
    );
    assert_eq!(get(&sub, "closed").as_bool(), Some(true));

    let bad_shape = hub_login_options(obj(&[("username", "admin".into())]), &[]);
    let error = infra_events::js::subscribe::subscribe_events_hub(bad_shape).expect_err("no password");
    assert_eq!(text(&error, "name"), "TypeError");
    let both = hub_login_options(obj(&[("apiKey", "k".into())]), &[]);
    Reflect::set(&both, &"token".into(), &"t".into()).unwrap();
    let error = infra_events::js::subscribe::subscribe_events_hub(both).expect_err("token and login");
    assert!(text(&error, "message").contains("either"));
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_login_replaces_a_token_that_expired_between_reconnects() {
    let _turn = one_at_a_time().await;
    let options = hub_login_options(admin_login(), &["stats"]);
    let sub = infra_events::js::subscribe::subscribe_events_hub(options).unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    first_state(&states, 8_000, "open").await;
    // The server expires every token it issued (as a restart with a new signing key would),
    // then the link drops: the cached token would be refused at the upgrade.
    let expired = control("tokens/expire").await;
    assert!(get(&expired, "expired").as_f64() >= Some(1.0));
    control("drop?source=hub").await;
    first_state(&states, 8_000, "resync").await;
    let types = states.types();
    assert_eq!(count(&types, "open"), 2, "{types:?}");
    // The token was checked and replaced before the reconnect: no handshake was refused.
    let refused = states
        .all()
        .iter()
        .filter(|s| text(s, "type") == "reconnecting")
        .any(|s| text(s, "cause.kind") == "neverOpened");
    assert!(!refused, "a reconnect offered the expired token: {types:?}");
    call(&sub, "close", &[]);
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_query_token_refused_then_accepted() {
    let _turn = one_at_a_time().await;
    let token = &fresh_token().await;
    control("tokens/reject?on=true").await;
    let sub = infra_events::js::subscribe::subscribe_events_hub(hub_options(token, &["stats"])).unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    states
        .wait_for(8_000, "two refused attempts", |r| {
            count(&r.types(), "reconnecting") >= 2
        })
        .await;
    let refused: Vec<JsValue> = states
        .all()
        .into_iter()
        .filter(|s| text(s, "type") == "reconnecting")
        .collect();
    assert_eq!(text(&refused[0], "cause.kind"), "neverOpened");
    assert_eq!(get(&refused[1], "cause.consecutive").as_f64(), Some(2.0));
    assert_eq!(count(&states.types(), "open"), 0);
    control("tokens/reject?on=false").await;
    first_state(&states, 8_000, "open").await;
    call(&sub, "close", &[]);
}

#[cfg(feature = "cloudevents")]
#[wasm_bindgen_test]
async fn subscribe_cloud_events_subprotocol_token_refused_then_accepted() {
    let _turn = one_at_a_time().await;
    let token = &fresh_token().await;
    control("tokens/reject?on=true").await;
    let options = fast_session();
    let url = format!("{}/cloudevents", http_base());
    Reflect::set(&options, &"url".into(), &url.into()).unwrap();
    Reflect::set(&options, &"token".into(), &token.into()).unwrap();
    Reflect::set(&options, &"tokenIn".into(), &"subprotocol".into()).unwrap();
    let sub = infra_events::js::subscribe::subscribe_cloud_events(options).unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    states
        .wait_for(8_000, "a refused attempt", |r| {
            count(&r.types(), "reconnecting") >= 1
        })
        .await;
    assert_eq!(count(&states.types(), "open"), 0);
    control("tokens/reject?on=false").await;
    let open = first_state(&states, 8_000, "open").await;
    assert_eq!(
        text(&open, "protocol"),
        "cloudevents.json",
        "the token protocol is never selected"
    );
    call(&sub, "close", &[]);
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_survives_100_drops_in_a_row_with_one_resync_each_and_no_duplicate() {
    let _turn = one_at_a_time().await;
    let options = hub_login_options(admin_login(), &["stats", "pdfm"]);
    let session = get(&options, "session");
    Reflect::set(
        &session,
        &"backoff".into(),
        &obj(&[("baseMs", 1.into()), ("maxMs", 20.into())]),
    )
    .unwrap();
    let sub = infra_events::js::subscribe::subscribe_events_hub(options).unwrap();
    let events = Recorder::new();
    let states = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    first_state(&states, 8_000, "open").await;
    for drop in 1..=100 {
        // Right after `open` the simulator may not count the socket yet: drop until it has.
        let mut tries = 0;
        while get(&control("drop?source=hub").await, "dropped").as_f64() == Some(0.0) {
            tries += 1;
            assert!(tries < 200, "drop {drop}: no socket to drop");
            sleep(10).await;
        }
        states
            .wait_for(8_000, "the reconnect", |r| count(&r.types(), "open") > drop)
            .await;
    }
    states
        .wait_for(2_000, "the last resync", |r| count(&r.types(), "resync") == 100)
        .await;
    let types = states.types();
    assert_eq!(count(&types, "open"), 101);
    assert_eq!(count(&types, "resync"), 100);
    assert_eq!(count(&types, "closed"), 0);
    let stats = call(&sub, "stats", &[]);
    assert_eq!(get(&stats, "reconnects").as_f64(), Some(100.0));
    let ids: Vec<String> = events.all().iter().map(|e| text(e, "id")).collect();
    assert!(
        ids.len() >= 101,
        "at least one welcome per connection: {}",
        ids.len()
    );
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "an event was delivered twice");
    call(&sub, "close", &[]);
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_half_open_link_is_found_by_the_ping_within_its_deadline() {
    let _turn = one_at_a_time().await;
    let options = hub_login_options(admin_login(), &["stats"]);
    let session = get(&options, "session");
    Reflect::set(&session, &"pingIntervalMs".into(), &500.into()).unwrap();
    Reflect::set(&session, &"pongTimeoutMs".into(), &1_000.into()).unwrap();
    let sub = infra_events::js::subscribe::subscribe_events_hub(options).unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    first_state(&states, 8_000, "open").await;
    sleep(1_200).await; // a ping or two answered: the RTT is known
    let rtt = get(&call(&sub, "stats", &[]), "lastPingRttMs");
    assert!(rtt.as_f64().is_some(), "a ping RTT after pongs: {rtt:?}");
    // The socket stays open but nothing comes back, not even pongs.
    control("silence?source=hub&secs=30").await;
    let silenced_at = js_sys::Date::now();
    let reconnecting = first_state(&states, 5_000, "reconnecting").await;
    let detected_after = js_sys::Date::now() - silenced_at;
    assert_eq!(
        text(&reconnecting, "cause.kind"),
        "pingTimeout",
        "{reconnecting:?}"
    );
    // At most one ping interval, then the pong deadline, plus timer slack.
    assert!(
        detected_after <= 500.0 + 1_000.0 + 400.0,
        "found after {detected_after} ms"
    );
    first_state(&states, 8_000, "resync").await;
    call(&sub, "close", &[]);
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen_test]
async fn subscribe_events_hub_binary_and_oversized_frames_are_errors_of_their_own_kind() {
    let _turn = one_at_a_time().await;
    let options = hub_login_options(admin_login(), &["stats"]);
    let session = get(&options, "session");
    Reflect::set(&session, &"maxFrameBytes".into(), &65_536.into()).unwrap();
    let sub = infra_events::js::subscribe::subscribe_events_hub(options).unwrap();
    let states = Recorder::new();
    let stats_events = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    call(&sub, "on", &["System Stats".into(), stats_events.function()]);
    first_state(&states, 8_000, "open").await;
    control("fault?kind=binary,oversized&source=hub&size=200000").await;
    states
        .wait_for(8_000, "two frame errors", |r| {
            count(&r.types(), "frameError") >= 2
        })
        .await;
    let kinds: Vec<String> = states
        .all()
        .iter()
        .filter(|s| text(s, "type") == "frameError")
        .map(|s| text(s, "error.kind"))
        .collect();
    assert!(kinds.contains(&"binary".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"tooLarge".to_owned()), "{kinds:?}");
    // The stream goes on after them.
    control("burst?source=hub&rate=20&secs=1&mix=stats").await;
    stats_events
        .wait_for(8_000, "events after the bad frames", |r| r.len() > 0)
        .await;
    assert_eq!(count(&states.types(), "reconnecting"), 0);
    assert!(get(&call(&sub, "stats", &[]), "decodeErrors").as_f64() >= Some(2.0));
    call(&sub, "close", &[]);
}

#[cfg(feature = "lxd")]
#[wasm_bindgen_test]
async fn subscribe_lxd_close_and_abort_end_pending_iterator_calls() {
    let _turn = one_at_a_time().await;
    for by_abort in [false, true] {
        let controller = abort_controller();
        // A type the simulator sends rarely: the pulls stay pending.
        let sub = subscribe_lxd(lxd_options(&[
            ("types", Array::of1(&"network-acl".into()).into()),
            ("signal", get(&controller, "signal")),
        ]));
        let pending: Vec<Promise> = (0..3).map(|_| call(&sub, "next", &[]).unchecked_into()).collect();
        let states = Recorder::new();
        call(&sub, "onState", &[states.function()]);
        sleep(300).await;
        if by_abort {
            call(&controller, "abort", &[]);
        } else {
            call(&sub, "close", &[]);
        }
        for p in pending {
            let r = JsFuture::from(p).await.unwrap();
            assert_eq!(get(&r, "done").as_bool(), Some(true), "pending next() ends");
        }
        let after = JsFuture::from(call(&sub, "next", &[]).unchecked_into::<Promise>())
            .await
            .unwrap();
        assert_eq!(get(&after, "done").as_bool(), Some(true));
        let seen = states.len();
        sleep(500).await;
        assert_eq!(states.len(), seen, "no state event after the end");
        if by_abort {
            assert_eq!(states.types().last().map(String::as_str), Some("closed"));
        }
    }
}

#[cfg(feature = "cloudevents")]
#[wasm_bindgen_test]
async fn subscribe_cloud_events_token_protocol_prefix_is_used_and_checked() {
    let _turn = one_at_a_time().await;
    let token = fresh_token().await;
    let options = |prefix: &str| {
        let o = fast_session();
        let url = format!("{}/cloudevents", http_base());
        Reflect::set(&o, &"url".into(), &url.into()).unwrap();
        Reflect::set(&o, &"token".into(), &token.as_str().into()).unwrap();
        Reflect::set(&o, &"tokenProtocolPrefix".into(), &prefix.into()).unwrap();
        o
    };
    let error = infra_events::js::subscribe::subscribe_cloud_events(options("bad prefix "))
        .expect_err("a space cannot be in a subprotocol");
    assert_eq!(text(&error, "name"), "EndpointError");
    assert!(!text(&error, "message").contains(&token), "the token leaked");
    // The simulator reads the Kubernetes prefix only: given explicitly, it connects; another is
    // refused, so the option is what is sent.
    let sub = infra_events::js::subscribe::subscribe_cloud_events(options(
        "base64url.bearer.authorization.k8s.io.",
    ))
    .unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    first_state(&states, 8_000, "open").await;
    call(&sub, "close", &[]);
    let sub = infra_events::js::subscribe::subscribe_cloud_events(options("other.prefix.")).unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    states
        .wait_for(8_000, "a refused attempt", |r| {
            count(&r.types(), "reconnecting") >= 1
        })
        .await;
    assert_eq!(count(&states.types(), "open"), 0);
    call(&sub, "close", &[]);
}
