//! MWS from headless Chromium against the simulator: the `MwsClient` class and `subscribeMws`
//! used as JavaScript uses them (objects and filters written in JavaScript, methods looked up on
//! the objects), over real `fetch` to the simulator on loopback.
//!
//! Each test tags its own events with an `origin` nobody else uses and filters on it, so the
//! simulator's own growth and the other tests running at the same time cannot disturb it; the
//! list failures it injects (`/_sim/mws/fail?match=<tag>`) only hit requests that carry its tag.

#![cfg(feature = "mws")]

use std::collections::HashSet;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

use infra_events::js::mws_client::{subscribe_mws, JsMwsClient};

use crate::page::{call, fetch, get, http_base, install_decoders, resolve, sleep, text, Recorder};

const PASSWORD: &str = "admin";

/// A tag no other test (nor another run against the same simulator) uses.
fn unique(name: &str) -> String {
    format!(
        "mws-js-{name}-{:x}",
        (js_sys::Math::random() * 4_294_967_296.0) as u64
    )
}

/// Evaluates a JavaScript function body with `tag` in scope: how the page would write its filters.
fn js(tag: &str, body: &str) -> JsValue {
    Function::new_with_args("tag", body)
        .call1(&JsValue::UNDEFINED, &tag.into())
        .unwrap_or_else(|e| panic!("{body}: {e:?}"))
}

fn number(value: &JsValue, path: &str) -> f64 {
    get(value, path).as_f64().unwrap_or(f64::NAN)
}

fn stringify(value: &JsValue) -> String {
    js_sys::JSON::stringify(value)
        .map(String::from)
        .unwrap_or_default()
}

/// A control of the simulator's MWS (`/_sim/mws/…`); its answer, read through CORS.
async fn sim_mws(path_and_query: &str) -> JsValue {
    let init = Object::new();
    Reflect::set(&init, &"method".into(), &"POST".into()).unwrap();
    let url = format!("{}/_sim/mws/{path_and_query}", http_base());
    let response = JsFuture::from(fetch(&url, &init))
        .await
        .unwrap_or_else(|e| panic!("{path_and_query}: {e:?}"));
    let status = number(&response, "status");
    let body = resolve(call(&response, "json", &[])).await.unwrap();
    assert_eq!(status, 200.0, "{path_and_query}: {}", stringify(&body));
    body
}

fn client_with(password: &str) -> JsValue {
    let options = js(
        "",
        &format!(
            "return {{ url: {:?}, user: 'admin', password: {password:?} }}",
            http_base()
        ),
    );
    JsMwsClient::new(options).expect("MwsClient").into()
}

fn client() -> JsValue {
    client_with(PASSWORD)
}

async fn list(client: &JsValue, query: &JsValue) -> Result<JsValue, JsValue> {
    resolve(call(client, "list", std::slice::from_ref(query))).await
}

fn ids_of(list: &JsValue) -> Vec<String> {
    Array::from(&get(list, "results"))
        .iter()
        .map(|e| text(&e, "id"))
        .collect()
}

fn is_mws_error(value: &JsValue) -> bool {
    infra_events::js::mws_client::is_mws_error(value)
}

// ---- queries ----------------------------------------------------------------------------------

/// An event the query test creates, and what it knows of it to compute the expected answers.
struct Known {
    object: &'static str,
    event_type: &'static str,
    severity: &'static str,
    minute: u32,
    code: u32,
    message: Option<&'static str>,
}

const KNOWN: [Known; 8] = [
    Known {
        object: "o1",
        event_type: "Service Create",
        severity: "INFO",
        minute: 1,
        code: 10,
        message: Some("one"),
    },
    Known {
        object: "o2",
        event_type: "Service Create",
        severity: "ERROR",
        minute: 2,
        code: 20,
        message: None,
    },
    Known {
        object: "o3",
        event_type: "VM Provision",
        severity: "WARN",
        minute: 3,
        code: 30,
        message: Some("three"),
    },
    Known {
        object: "o4",
        event_type: "VM Provision",
        severity: "ERROR",
        minute: 4,
        code: 40,
        message: None,
    },
    Known {
        object: "o5",
        event_type: "Node Down",
        severity: "FATAL",
        minute: 5,
        code: 50,
        message: Some("five \"quoted\""),
    },
    Known {
        object: "o6",
        event_type: "Service Create",
        severity: "INFO",
        minute: 6,
        code: 60,
        message: Some("six"),
    },
    Known {
        object: "o7",
        event_type: "Node Down",
        severity: "WARN",
        minute: 6,
        code: 70,
        message: None,
    },
    Known {
        object: "o8",
        event_type: "VM Provision",
        severity: "INFO",
        minute: 8,
        code: 80,
        message: Some("eight"),
    },
];

async fn create_known(client: &JsValue, tag: &str) {
    for k in &KNOWN {
        let event = js(
            tag,
            &format!(
                "return {{ eventType: {:?}, origin: tag, severity: {:?}, code: {}, \
                 eventDate: new Date(Date.UTC(2025, 0, 27, 12, {}, 0)), arguments: [{:?}], \
                 associatedObjects: [{{ type: 'Service', id: {:?} }}, {{ type: 'Tenant', id: 't-' + {:?} }}]{} }}",
                k.event_type,
                k.severity,
                k.code,
                k.minute,
                k.object,
                k.object,
                if k.code >= 50 { "x" } else { "y" },
                k.message.map(|m| format!(", message: {m:?}")).unwrap_or_default(),
            ),
        );
        let created = resolve(call(client, "create", &[event]))
            .await
            .unwrap_or_else(|e| panic!("create {}: {}", k.object, stringify(&e)));
        assert_eq!(text(&created, "associatedObjects.0.id"), k.object);
        assert_eq!(
            text(&created, "eventDate"),
            format!("2025-01-27 12:{:02}:00 UTC", k.minute)
        );
    }
}

/// The objects (primary ids) of a list answer, in the order given.
fn objects_of(list: &JsValue) -> Vec<String> {
    Array::from(&get(list, "results"))
        .iter()
        .map(|e| text(&e, "associatedObjects.0.id"))
        .collect()
}

fn expected(keep: impl Fn(&Known) -> bool) -> Vec<String> {
    KNOWN
        .iter()
        .filter(|k| keep(k))
        .map(|k| k.object.to_owned())
        .collect()
}

#[wasm_bindgen_test]
async fn mws_every_query_operator_and_combination_matches_the_sims_filtering() {
    install_decoders().await;
    let tag = unique("query");
    let client = client();
    create_known(&client, &tag).await;
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("{}", expected(|_| true)),
        ("{ severity: 'ERROR' }", expected(|k| k.severity == "ERROR")),
        ("{ code: 30 }", expected(|k| k.code == 30)),
        ("{ 'associatedObjects.id': 'o4' }", expected(|k| k.object == "o4")),
        ("{ 'associatedObjects.id': 't-x' }", expected(|k| k.code >= 50)),
        ("{ arguments: 'o2' }", expected(|k| k.object == "o2")),
        ("{ message: null }", expected(|k| k.message.is_none())),
        ("{ message: 'five \"quoted\"' }", expected(|k| k.object == "o5")),
        ("{ severity: { $ne: 'INFO' } }", expected(|k| k.severity != "INFO")),
        ("{ 'associatedObjects.id': { $ne: 't-y' } }", expected(|k| k.code >= 50)),
        ("{ severity: { $in: ['WARN', 'FATAL'] } }", expected(|k| matches!(k.severity, "WARN" | "FATAL"))),
        ("{ code: { $in: [10, 80, 99] } }", expected(|k| matches!(k.code, 10 | 80))),
        ("{ code: { $lt: 30 } }", expected(|k| k.code < 30)),
        ("{ code: { $lte: 30 } }", expected(|k| k.code <= 30)),
        ("{ code: { $gt: 60 } }", expected(|k| k.code > 60)),
        ("{ code: { $gte: 60 } }", expected(|k| k.code >= 60)),
        (
            "{ eventDate: { $lt: new Date(Date.UTC(2025, 0, 27, 12, 3, 0)) } }",
            expected(|k| k.minute < 3),
        ),
        (
            "{ eventDate: { $lte: new Date(Date.UTC(2025, 0, 27, 12, 3, 0)) } }",
            expected(|k| k.minute <= 3),
        ),
        ("{ eventDate: { $gt: '2025-01-27 12:05:00 UTC' } }", expected(|k| k.minute > 5)),
        ("{ eventDate: { $gte: '2025-01-27T12:06:00Z' } }", expected(|k| k.minute >= 6)),
        ("{ eventDate: '2025-01-27 12:06:00 UTC' }", expected(|k| k.minute == 6)),
        (
            "{ eventDate: { $gte: new Date(Date.UTC(2025, 0, 27, 12, 2, 0)), $lt: '2025-01-27 12:06:00 UTC' } }",
            expected(|k| (2..6).contains(&k.minute)),
        ),
        (
            "{ severity: { $in: ['INFO', 'ERROR'] }, eventDate: { $gt: new Date(Date.UTC(2025, 0, 27, 12, 1, 30)) } }",
            expected(|k| matches!(k.severity, "INFO" | "ERROR") && k.minute > 1),
        ),
        (
            "{ eventType: 'VM Provision', severity: { $ne: 'WARN' }, code: { $lte: 40 } }",
            expected(|k| k.event_type == "VM Provision" && k.severity != "WARN" && k.code <= 40),
        ),
        (
            "{ severity: { $eq: 'INFO', $ne: 'WARN' }, 'associatedObjects.type': 'Tenant' }",
            expected(|k| k.severity == "INFO"),
        ),
        ("{ eventType: { $in: [] } }", Vec::new()),
    ];
    for (filter, want) in &cases {
        let query = js(
            &tag,
            &format!("const f = {filter}; return {{ filter: {{ origin: tag, ...f }}, sort: {{ eventDate: 1, 'associatedObjects.id': 1 }} }}"),
        );
        let answer = list(&client, &query)
            .await
            .unwrap_or_else(|e| panic!("{filter}: {}", stringify(&e)));
        assert_eq!(&objects_of(&answer), want, "filter {filter}");
        assert_eq!(number(&answer, "totalCount"), want.len() as f64, "{filter}");
        assert_eq!(number(&answer, "resultCount"), want.len() as f64, "{filter}");
    }

    // Sort, max and offset.
    let query = js(
        &tag,
        "return { filter: { origin: tag }, sort: { code: -1 }, max: 3, offset: 2 }",
    );
    let page = list(&client, &query).await.unwrap();
    assert_eq!(objects_of(&page), ["o6", "o5", "o4"]);
    assert_eq!(number(&page, "totalCount"), 8.0);
    assert_eq!(number(&page, "resultCount"), 3.0);
    let query = js(
        &tag,
        "return { filter: { origin: tag }, sort: { severity: 1, eventDate: -1 } }",
    );
    let page = list(&client, &query).await.unwrap();
    assert_eq!(
        objects_of(&page),
        ["o4", "o2", "o5", "o8", "o6", "o1", "o7", "o3"],
        "severity ascending, then newest first"
    );

    // Filters no query could mean are refused before sending.
    for bad in [
        "{ filter: { severity: { $regex: 'E' } } }",
        "{ filter: { code: { $in: 5 } } }",
        "{ filter: { eventDate: { $gt: '27/01/2025' } } }",
        "{ filter: { eventDate: new Date(NaN) } }",
        "{ filter: { 'a..b': 1 } }",
        "{ filter: { tenant: { id: 'x' } } }",
        "{ filter: { code: Infinity } }",
        "{ sort: { eventDate: 'desc' } }",
        "{ max: 0 }",
        "{ max: -1 }",
    ] {
        let error = list(&client, &js(&tag, &format!("return {bad}")))
            .await
            .expect_err(bad);
        assert!(is_mws_error(&error), "{bad}: {}", stringify(&error));
        assert_eq!(text(&error, "kind"), "invalidQuery", "{bad}");
        assert!(!text(&error, "message").is_empty(), "{bad}");
    }
}

#[wasm_bindgen_test]
async fn mws_pages_walk_more_than_a_thousand_events() {
    install_decoders().await;
    let tag = unique("pages");
    let added = sim_mws(&format!("add?count=1234&origin={tag}")).await;
    let want: Vec<String> = Array::from(&get(&added, "ids"))
        .iter()
        .map(|i| i.as_string().unwrap())
        .collect();
    assert_eq!(want.len(), 1234);
    let client = client();
    let query = js(
        &tag,
        "return { filter: { origin: tag }, sort: { eventDate: 1, id: 1 }, max: 100 }",
    );
    let pages = call(&client, "pages", &[query]);
    let iterator: Function = Reflect::get(&pages, &js_sys::Symbol::async_iterator())
        .unwrap()
        .dyn_into()
        .expect("pages is async iterable");
    assert!(
        Object::is(&iterator.call0(&pages).unwrap(), &pages),
        "its own iterator"
    );
    let mut got = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let step = resolve(call(&pages, "next", &[])).await.unwrap();
        if get(&step, "done").is_truthy() {
            break;
        }
        let page = get(&step, "value");
        assert_eq!(number(&page, "totalCount"), 1234.0);
        sizes.push(number(&page, "resultCount") as usize);
        got.extend(ids_of(&page));
    }
    assert_eq!(sizes.len(), 13, "{sizes:?}");
    assert!(
        sizes[..12].iter().all(|&s| s == 100) && sizes[12] == 34,
        "{sizes:?}"
    );
    assert_eq!(got, want, "every event once, in order");
    let done = resolve(call(&pages, "next", &[])).await.unwrap();
    assert!(get(&done, "done").is_truthy(), "stays done");
}

// ---- create, errors, abort --------------------------------------------------------------------

#[wasm_bindgen_test]
async fn mws_create_refuses_each_restriction_before_sending_and_a_valid_one_is_stored() {
    install_decoders().await;
    let tag = unique("create");
    let client = client();
    let violations = [
        ("origin", "return { eventType: 'X', origin: tag + \"'s\", severity: 'INFO' }"),
        ("eventType", "return { eventType: 'say \"hi\"', origin: tag, severity: 'INFO' }"),
        (
            "associatedObjects[0].id",
            "return { eventType: 'X', origin: tag, severity: 'INFO', associatedObjects: [{ type: 'VM', id: \"vm'1\" }] }",
        ),
        (
            "associatedObjects[1].type",
            "return { eventType: 'X', origin: tag, severity: 'INFO', associatedObjects: [{ type: 'VM', id: 'vm1' }, { type: 'V\"M', id: 'vm2' }] }",
        ),
        ("severity", "return { eventType: 'X', origin: tag }"),
        ("eventDate", "return { eventType: 'X', origin: tag, severity: 'INFO', eventDate: 'yesterday' }"),
    ];
    for (field, body) in violations {
        let error = resolve(call(&client, "create", &[js(&tag, body)]))
            .await
            .expect_err(field);
        assert!(is_mws_error(&error), "{field}: {}", stringify(&error));
        assert_eq!(text(&error, "kind"), "invalidEvent", "{field}");
        assert_eq!(text(&error, "field"), field);
        assert!(
            text(&error, "message").contains(field),
            "{}",
            text(&error, "message")
        );
    }
    // Nothing of the above reached the server.
    let mine = js(
        &tag,
        "return { filter: { origin: { $in: [tag, tag + \"'s\"] } } }",
    );
    assert_eq!(number(&list(&client, &mine).await.unwrap(), "totalCount"), 0.0);

    let valid = js(
        &tag,
        "return { eventType: 'VM Provision', origin: tag, severity: 'WARN', code: 234881023, \
         message: 'The VM \"vm1\" was provisioned', arguments: ['vm1'], \
         eventDate: '2025-01-27 12:08:00 UTC', associatedObjects: [{ type: 'VM', id: 'vm1' }] }",
    );
    let created = resolve(call(&client, "create", &[valid])).await.unwrap();
    let id = text(&created, "id");
    assert_eq!(id.len(), 24, "an ObjectId: {}", stringify(&created));
    assert_eq!(text(&created, "message"), "The VM \"vm1\" was provisioned");
    let fetched = resolve(call(&client, "get", &[id.clone().into()])).await.unwrap();
    assert_eq!(text(&fetched, "id"), id);
    assert_eq!(text(&fetched, "origin"), tag);
    assert_eq!(text(&fetched, "eventDate"), "2025-01-27 12:08:00 UTC");
    assert_eq!(number(&fetched, "code"), 234881023.0);
    assert_eq!(number(&list(&client, &mine).await.unwrap(), "totalCount"), 1.0);
}

#[wasm_bindgen_test]
async fn mws_wrong_password_is_a_typed_401_that_never_shows_the_password() {
    install_decoders().await;
    let secret = "wrong-Secret-7731";
    let client = client_with(secret);
    let error = list(&client, &JsValue::UNDEFINED).await.expect_err("401");
    assert!(is_mws_error(&error));
    assert!(error.is_instance_of::<js_sys::Error>(), "a real Error");
    assert_eq!(text(&error, "name"), "MwsError");
    assert_eq!(text(&error, "kind"), "unauthorized");
    assert_eq!(number(&error, "status"), 401.0);
    assert_eq!(
        text(&error, "messages.0"),
        "You must be authenticated to access this area"
    );
    let shown = format!(
        "{} {} {}",
        text(&error, "message"),
        stringify(&error),
        Function::new_with_args("e", "return String(e) + ' ' + e.stack")
            .call1(&JsValue::UNDEFINED, &error)
            .unwrap()
            .as_string()
            .unwrap()
    );
    assert!(!shown.contains(secret), "{shown}");

    // The subscription gives up at once: the same request would fail the same way.
    let tag = unique("auth");
    let options = js(
        &tag,
        &format!(
            "return {{ url: {:?}, user: 'admin', password: {secret:?}, filter: {{ origin: tag }}, start: 'beginning' }}",
            http_base()
        ),
    );
    let sub = subscribe_mws(options).expect("subscribeMws");
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    states
        .wait_for(10_000, "closed", |r| {
            r.field("type").contains(&"closed".to_owned())
        })
        .await;
    assert_eq!(states.field("type"), ["connecting", "closed"]);
    let closed = states.all()[1].clone();
    assert_eq!(text(&closed, "why.kind"), "failed");
    assert_eq!(text(&closed, "why.error.kind"), "unauthorized");
    assert_eq!(number(&closed, "why.error.status"), 401.0);
    assert!(get(&sub, "closed").is_truthy());
    let stats = call(&sub, "stats", &[]);
    assert!(!stringify(&stats).contains(secret));
    assert!(!stringify(&closed).contains(secret));
}

#[wasm_bindgen_test]
async fn mws_errors_are_typed_by_status_with_the_servers_messages() {
    install_decoders().await;
    let tag = unique("status");
    let client = client();
    let query = js(&tag, "return { filter: { origin: tag } }");
    for (status, kind) in [
        (400, "badRequest"),
        (403, "forbidden"),
        (404, "notFound"),
        (405, "methodNotAllowed"),
        (500, "serverError"),
        (503, "unexpectedStatus"),
    ] {
        sim_mws(&format!("fail?count=1&status={status}&match={tag}")).await;
        let error = list(&client, &query).await.expect_err(kind);
        assert!(is_mws_error(&error), "{status}");
        assert_eq!(text(&error, "kind"), kind, "{status}");
        assert_eq!(number(&error, "status"), status as f64);
        assert_eq!(
            text(&error, "messages.0"),
            "Simulated failure (/_sim/mws/fail)",
            "{status}"
        );
    }
    assert!(list(&client, &query).await.is_ok(), "the failures are used up");
    // A real 404 from MWS: an unknown id.
    let error = resolve(call(&client, "get", &["000000000000000000000000".into()]))
        .await
        .expect_err("404");
    assert_eq!(text(&error, "kind"), "notFound");
    assert!(text(&error, "messages.0").contains("000000000000000000000000"));
    // Nobody listening: a transport error, without a status.
    let nowhere = JsMwsClient::new(js(
        "",
        "return { url: 'http://127.0.0.1:9', user: 'admin', password: 'admin' }",
    ))
    .unwrap();
    let error = list(&nowhere.into(), &JsValue::UNDEFINED)
        .await
        .expect_err("refused");
    assert_eq!(text(&error, "kind"), "transport");
    assert!(get(&error, "status").is_undefined());
    // Options that no request could fix throw at once.
    for bad in [
        "return { url: 'ftp://127.0.0.1' }",
        "return { url: 'http://admin:admin@127.0.0.1' }",
        "return { url: 'http://moab.example.com', user: 'admin', password: 'x' }",
        "return { url: 'https://moab.example.com', user: 'a:b', password: 'x' }",
        "return { url: 'https://moab.example.com', password: 'x' }",
    ] {
        let error = JsMwsClient::new(js("", bad)).err().expect(bad);
        assert_eq!(text(&error, "kind"), "invalidOptions", "{bad}");
        assert!(!text(&error, "message").contains("'x'"), "{bad}");
    }
}

#[wasm_bindgen_test]
async fn mws_abort_signal_cancels_calls_pages_and_the_subscription() {
    install_decoders().await;
    let tag = unique("abort");
    let client = client();
    let controller = js("", "return new AbortController()");
    let signal = get(&controller, "signal");
    call(&controller, "abort", &[js("", "return new Error('user left')")]);
    let options = js("", "return {}");
    Reflect::set(&options, &"signal".into(), &signal).unwrap();
    let error = resolve(call(&client, "list", &[JsValue::UNDEFINED, options.clone()]))
        .await
        .expect_err("aborted");
    assert_eq!(text(&error, "message"), "user left", "the signal's reason");
    let pages = call(&client, "pages", &[JsValue::UNDEFINED, options.clone()]);
    let error = resolve(call(&pages, "next", &[])).await.expect_err("aborted");
    assert_eq!(text(&error, "message"), "user left");
    let error = resolve(call(&client, "get", &["x".into(), options]))
        .await
        .expect_err("aborted");
    assert_eq!(text(&error, "message"), "user left");

    // A running subscription.
    sim_mws(&format!("add?count=3&origin={tag}")).await;
    let controller = js("", "return new AbortController()");
    let options = js(
        &tag,
        &format!(
            "return {{ url: {:?}, user: 'admin', password: 'admin', filter: {{ origin: tag }}, \
             start: 'beginning', pollIntervalMs: 50 }}",
            http_base()
        ),
    );
    Reflect::set(&options, &"signal".into(), &get(&controller, "signal")).unwrap();
    let sub = subscribe_mws(options).unwrap();
    let states = Recorder::new();
    let events = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    call(&sub, "onEvent", &[events.function()]);
    events.wait_for(10_000, "3 events", |r| r.len() == 3).await;
    let pending = call(&sub, "next", &[]);
    call(&controller, "abort", &[]);
    let step = resolve(pending).await.unwrap();
    assert!(get(&step, "done").is_truthy(), "a pending next() ends");
    assert!(get(&sub, "closed").is_truthy());
    let types = states.field("type");
    assert_eq!(types.first().map(String::as_str), Some("connecting"));
    assert_eq!(types.last().map(String::as_str), Some("closed"));
    assert_eq!(text(&states.all().last().unwrap().clone(), "why.kind"), "aborted");
    let seen = (states.len(), events.len());
    sim_mws(&format!("add?count=2&origin={tag}")).await;
    sleep(400).await;
    assert_eq!((states.len(), events.len()), seen, "nothing after the abort");

    // A signal aborted before the start: never polls.
    let controller = js("", "return new AbortController()");
    call(&controller, "abort", &[]);
    let options = js(
        &tag,
        &format!(
            "return {{ url: {:?}, filter: {{ origin: tag }}, start: 'beginning' }}",
            http_base()
        ),
    );
    Reflect::set(&options, &"signal".into(), &get(&controller, "signal")).unwrap();
    let sub = subscribe_mws(options).unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    sleep(200).await;
    assert_eq!(states.field("type"), ["closed"]);
    assert_eq!(number(&call(&sub, "stats", &[]), "requests"), 0.0);
}

// ---- the polling subscription -------------------------------------------------------------------

fn poll_options(tag: &str, extra: &str) -> JsValue {
    js(
        tag,
        &format!(
            "return {{ url: {:?}, user: 'admin', password: 'admin', filter: {{ origin: tag }}, \
             start: 'beginning', pollIntervalMs: 100, backoff: {{ baseMs: 50, maxMs: 400 }}, {extra} }}",
            http_base()
        ),
    )
}

/// Every event of `tag`, in (eventDate, id) order, read at the end through the client.
async fn all_ids(tag: &str) -> Vec<String> {
    let client = client();
    let query = js(
        tag,
        "return { filter: { origin: tag }, sort: { eventDate: 1, id: 1 }, max: 1000 }",
    );
    let pages = call(&client, "pages", &[query]);
    let mut ids = Vec::new();
    loop {
        let step = resolve(call(&pages, "next", &[]))
            .await
            .unwrap_or_else(|e| panic!("reading the whole list: {}", stringify(&e)));
        if get(&step, "done").is_truthy() {
            return ids;
        }
        ids.extend(ids_of(&get(&step, "value")));
    }
}

#[wasm_bindgen_test]
async fn mws_poll_delivers_5000_events_added_in_bursts_exactly_once_in_order_while_polls_fail() {
    install_decoders().await;
    let tag = unique("poll");
    let sub = subscribe_mws(poll_options(&tag, "pageSize: 100")).unwrap();
    let events = Recorder::new();
    let states = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    // One list request in five carrying this test's tag fails (500, then 503 from a proxy), 40 in all.
    sim_mws(&format!("fail?count=40&every=5&status=500&match={tag}")).await;
    // 5,000 events in 125 bursts of 40, 30 ms apart: each burst shares one second, and many
    // bursts share each second, so the poller's boundary second keeps growing under it.
    let answer = sim_mws(&format!("add?count=5000&burst=40&every_ms=30&origin={tag}")).await;
    assert_eq!(number(&answer, "bursts"), 125.0);
    events
        .wait_for(180_000, "5,000 events", |r| r.len() >= 5000)
        .await;
    sim_mws(&format!("fail?count=6&every=2&status=503&match={tag}")).await;
    // Some more polls, through more failures: nothing may come twice.
    sleep(1_500).await;
    // The failures left must not hit the reading of the whole list below.
    sim_mws(&format!("fail?count=0&match={tag}")).await;
    let delivered = events.field("id");
    let want = all_ids(&tag).await;
    assert_eq!(want.len(), 5000, "the simulator holds the 5,000");
    let unique_delivered: HashSet<&String> = delivered.iter().collect();
    assert_eq!(
        unique_delivered.len(),
        delivered.len(),
        "no event delivered twice"
    );
    assert_eq!(delivered.len(), 5000, "every event delivered");
    assert!(
        delivered == want,
        "delivered in (eventDate, id) order, as listed at the end"
    );
    let dates = events.field("eventDate");
    let seconds: HashSet<&String> = dates.iter().collect();
    assert!(
        seconds.len() < 1000,
        "several bursts per second ({} seconds for 5,000 events)",
        seconds.len()
    );

    let stats = call(&sub, "stats", &[]);
    assert!(
        number(&stats, "failures") >= 5.0,
        "polls failed: {}",
        stringify(&stats)
    );
    assert_eq!(number(&stats, "delivered"), 5000.0);
    assert_eq!(number(&stats, "received"), 5000.0);
    assert!(!get(&stats, "paused").is_truthy());
    assert!(
        number(&stats, "duplicates") > 0.0,
        "the boundary second was reread"
    );
    let types = states.field("type");
    assert_eq!(types[..2], ["connecting", "polling"], "{types:?}");
    let backing: Vec<JsValue> = states
        .all()
        .into_iter()
        .filter(|s| text(s, "type") == "backingOff")
        .collect();
    assert!(!backing.is_empty(), "failures were reported");
    for s in &backing {
        assert!(number(s, "attempt") >= 1.0);
        assert!(number(s, "delayMs") <= 400.0, "within the backoff window");
        assert!(matches!(
            text(s, "error.kind").as_str(),
            "serverError" | "unexpectedStatus"
        ));
    }
    assert!(
        !types.contains(&"closed".to_owned()),
        "retryable failures do not end it"
    );
    call(&sub, "close", &[]);
    assert!(get(&sub, "closed").is_truthy());
}

#[wasm_bindgen_test]
async fn mws_subscription_iterator_pauses_on_a_full_buffer_and_on_filters() {
    install_decoders().await;
    let tag = unique("iter");
    // Nothing pulls: polling stops once 5 events wait (plus the page that filled the buffer),
    // and resumes as the iterator pulls. Nothing is dropped.
    let sub = subscribe_mws(poll_options(&tag, "bufferCapacity: 5, pageSize: 4")).unwrap();
    let states = Recorder::new();
    call(&sub, "onState", &[states.function()]);
    let added = sim_mws(&format!("add?count=12&origin={tag}")).await;
    let ids: Vec<String> = Array::from(&get(&added, "ids"))
        .iter()
        .map(|i| i.as_string().unwrap())
        .collect();
    let mut waited = 0;
    while !get(&call(&sub, "stats", &[]), "paused").is_truthy() {
        assert!(
            waited < 10_000,
            "never paused: {}",
            stringify(&call(&sub, "stats", &[]))
        );
        sleep(50).await;
        waited += 50;
    }
    sleep(300).await;
    let stats = call(&sub, "stats", &[]);
    assert_eq!(
        number(&stats, "received"),
        8.0,
        "two pages of 4, then paused: {}",
        stringify(&stats)
    );
    assert_eq!(number(&stats, "buffered"), 8.0);
    let requests = number(&stats, "requests");
    sleep(400).await;
    assert_eq!(
        number(&call(&sub, "stats", &[]), "requests"),
        requests,
        "no polling while paused"
    );
    let mut pulled = Vec::new();
    for _ in 0..12 {
        let step = resolve(call(&sub, "next", &[])).await.unwrap();
        assert!(!get(&step, "done").is_truthy());
        pulled.push(text(&get(&step, "value"), "id"));
    }
    assert_eq!(pulled, ids, "every event once, in order");
    // Then `next()` waits for the next event found.
    let pending = call(&sub, "next", &[]);
    let more = sim_mws(&format!("add?count=1&origin={tag}")).await;
    let step = resolve(pending).await.unwrap();
    assert_eq!(text(&get(&step, "value"), "id"), text(&more, "ids.0"));
    let stats = call(&sub, "stats", &[]);
    assert_eq!(number(&stats, "received"), 13.0);
    assert_eq!(number(&stats, "delivered"), 13.0);
    assert!(!get(&stats, "paused").is_truthy());
    assert_eq!(states.field("type"), ["connecting", "polling"]);
    // `return()` (a `for await` left early) closes it.
    let done = resolve(call(&sub, "return", &[])).await.unwrap();
    assert!(get(&done, "done").is_truthy());
    assert!(get(&sub, "closed").is_truthy());

    // `on(eventType)` gets only its type; its unsubscribe function stops it.
    let tag = unique("on");
    let sub = subscribe_mws(poll_options(&tag, "")).unwrap();
    let provisions = Recorder::new();
    let everything = Recorder::new();
    let off = call(&sub, "on", &["VM Provision".into(), provisions.function()]);
    call(&sub, "onEvent", &[everything.function()]);
    sim_mws(&format!("add?count=3&origin={tag}&event_type=VM%20Provision")).await;
    sim_mws(&format!("add?count=2&origin={tag}&event_type=Node%20Down")).await;
    everything.wait_for(10_000, "5 events", |r| r.len() == 5).await;
    assert_eq!(provisions.field("eventType"), ["VM Provision"; 3]);
    Function::from(off).call0(&JsValue::UNDEFINED).unwrap();
    sim_mws(&format!("add?count=2&origin={tag}&event_type=VM%20Provision")).await;
    everything.wait_for(10_000, "7 events", |r| r.len() == 7).await;
    assert_eq!(provisions.len(), 3, "unsubscribed");
    call(&sub, "close", &[]);
    let after = everything.len();
    sim_mws(&format!("add?count=2&origin={tag}")).await;
    sleep(400).await;
    assert_eq!(everything.len(), after, "nothing after close()");
    let step = resolve(call(&sub, "next", &[])).await.unwrap();
    assert!(get(&step, "done").is_truthy());
}

#[wasm_bindgen_test]
async fn mws_requests_in_flight_are_aborted_and_timed_out() {
    install_decoders().await;
    let tag = unique("inflight");
    let client = client();
    // An abort while the answer is awaited, with a reason that is not an Error.
    sim_mws(&format!("fail?count=1&status=500&delay_ms=3000&match={tag}")).await;
    let controller = js("", "return new AbortController()");
    let options = js("", "return {}");
    Reflect::set(&options, &"signal".into(), &get(&controller, "signal")).unwrap();
    let query = js(&tag, "return { filter: { origin: tag } }");
    let started = js_sys::Date::now();
    let pending = call(&client, "list", &[query.clone(), options]);
    sleep(200).await;
    call(&controller, "abort", &["the user left".into()]);
    let error = resolve(pending).await.expect_err("aborted");
    assert_eq!(
        error.as_string().as_deref(),
        Some("the user left"),
        "the signal's reason"
    );
    assert!(
        js_sys::Date::now() - started < 2_500.0,
        "rejected at the abort, not at the answer"
    );

    // A poll unanswered within `requestTimeoutMs` is cancelled, backed off and retried.
    sim_mws(&format!("add?count=4&origin={tag}")).await;
    sim_mws(&format!("fail?count=1&status=500&delay_ms=5000&match={tag}")).await;
    let sub = subscribe_mws(poll_options(&tag, "requestTimeoutMs: 300")).unwrap();
    let events = Recorder::new();
    let states = Recorder::new();
    call(&sub, "onEvent", &[events.function()]);
    call(&sub, "onState", &[states.function()]);
    events.wait_for(4_000, "4 events", |r| r.len() == 4).await;
    let backing = states
        .all()
        .into_iter()
        .find(|s| text(s, "type") == "backingOff")
        .expect("the slow poll was given up");
    assert_eq!(text(&backing, "error.kind"), "transport");
    assert!(
        text(&backing, "error.message").contains("300 ms"),
        "{}",
        stringify(&backing)
    );
    call(&sub, "close", &[]);
}

#[wasm_bindgen_test]
async fn fetch_send_reports_status_body_location_and_refuses_bad_headers() {
    use infra_events::browser::fetch::{send, FetchFailure};
    let tag = unique("fetch");
    let url = format!("{}/mws/rest/events?api-version=3", http_base());
    let auth = "Basic YWRtaW46YWRtaW4="; // admin:admin
    let body = format!(r#"{{"eventType":"X","origin":"{tag}","severity":"INFO"}}"#);
    let headers = [("Authorization", auth), ("Content-Type", "application/json")];
    let reply = send("POST", &url, &headers, Some(&body), None).await.unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    let location = reply.location.expect("Location is exposed through CORS");
    assert!(location.contains("/mws/rest/events/"), "{location}");
    assert!(reply.body.contains(&tag));
    // An error status is a reply, not a failure.
    let reply = send("GET", &url, &[], None, None).await.unwrap();
    assert_eq!(reply.status, 401);
    assert!(reply.body.contains("You must be authenticated"));
    // A header value no browser can send is refused without quoting it.
    let failure = send("GET", &url, &[("Authorization", "Basic se\ncret")], None, None)
        .await
        .unwrap_err();
    match &failure {
        FetchFailure::Network(reason) => {
            assert!(
                reason.contains("Authorization") && !reason.contains("cret"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(!format!("{failure} {failure:?}").contains("cret"));
    // Nothing listening.
    let failure = send("GET", "http://127.0.0.1:9/", &[], None, None)
        .await
        .unwrap_err();
    assert!(matches!(failure, FetchFailure::Network(_)), "{failure:?}");
    // Already aborted.
    let controller = js("", "return new AbortController()");
    call(&controller, "abort", &[]);
    let signal: web_sys::AbortSignal = get(&controller, "signal").unchecked_into();
    let failure = send("GET", &url, &[], None, Some(&signal)).await.unwrap_err();
    assert_eq!(failure, FetchFailure::Aborted);
}

#[wasm_bindgen_test]
async fn mws_lookback_catches_a_back_dated_event_that_a_plain_watermark_misses() {
    install_decoders().await;
    let tag = unique("lookback");
    let added = sim_mws(&format!("add?count=3&origin={tag}")).await;
    let with_lookback = subscribe_mws(poll_options(&tag, "lookbackSecs: 30")).unwrap();
    let plain = subscribe_mws(poll_options(&tag, "")).unwrap();
    let late = Recorder::new();
    let strict = Recorder::new();
    call(&with_lookback, "onEvent", &[late.function()]);
    call(&plain, "onEvent", &[strict.function()]);
    late.wait_for(10_000, "3 events", |r| r.len() == 3).await;
    strict.wait_for(10_000, "3 events", |r| r.len() == 3).await;
    // An event that shows up dated 10 s before the newest one already read.
    let newest = text(&added, "ids.2");
    let client = client();
    let newest = resolve(call(&client, "get", &[newest.into()])).await.unwrap();
    let event = js(
        &tag,
        &format!(
            "const d = Date.parse({:?}.replace(' UTC', 'Z').replace(' ', 'T')); \
             return {{ eventType: 'Late', origin: tag, severity: 'WARN', eventDate: new Date(d - 10000) }}",
            text(&newest, "eventDate")
        ),
    );
    let created = resolve(call(&client, "create", &[event])).await.unwrap();
    late.wait_for(10_000, "the late event", |r| r.len() == 4).await;
    assert_eq!(text(&late.all()[3], "id"), text(&created, "id"));
    sleep(800).await;
    assert_eq!(late.len(), 4, "delivered once");
    assert_eq!(
        strict.len(),
        3,
        "without a lookback a back-dated event is not seen (documented)"
    );
    call(&with_lookback, "close", &[]);
    call(&plain, "close", &[]);
}

#[wasm_bindgen_test]
async fn mws_members_outside_the_model_reach_the_application_from_every_call() {
    install_decoders().await;
    let tag = unique("extra");
    let sub = subscribe_mws(poll_options(&tag, "")).unwrap();
    let delivered = Recorder::new();
    call(&sub, "onEvent", &[delivered.function()]);
    // `simExtra` is no member of MWS's model: the decoders check the rest and keep it.
    let added = sim_mws(&format!("add?count=3&origin={tag}&extra={tag}")).await;
    let ids: Vec<String> = Array::from(&get(&added, "ids"))
        .iter()
        .map(|i| i.as_string().unwrap())
        .collect();
    let kept = |event: &JsValue, what: &str| {
        assert_eq!(text(event, "simExtra.note"), tag, "{what}: {}", stringify(event));
    };

    let client = client();
    let page = list(&client, &js(&tag, "return { filter: { origin: tag } }"))
        .await
        .unwrap();
    assert_eq!(ids_of(&page), ids);
    for event in Array::from(&get(&page, "results")).iter() {
        kept(&event, "list()");
    }
    let one = resolve(call(&client, "get", &[ids[0].clone().into()]))
        .await
        .unwrap();
    kept(&one, "get()");
    let pages = call(
        &client,
        "pages",
        &[js(&tag, "return { filter: { origin: tag }, max: 2 }")],
    );
    let step = resolve(call(&pages, "next", &[])).await.unwrap();
    for event in Array::from(&get(&step, "value.results")).iter() {
        kept(&event, "pages()");
    }

    delivered.wait_for(10_000, "3 events", |r| r.len() == 3).await;
    assert_eq!(delivered.field("id"), ids);
    for event in delivered.all() {
        kept(&event, "subscribeMws");
    }
    call(&sub, "close", &[]);
}
