//! Moab Web Services events (`/mws/rest/events`, API version 3): a store that grows over time so
//! polling sees new events, Mongo-style queries, sort, paging, create with MWS's restrictions,
//! HTTP Basic auth, `{messages:[…]}` errors, and CORS so a page on another origin can poll it.
//! Two controls of its own (`/_sim/mws/add`, `/_sim/mws/fail`) add events in bursts and make list
//! requests fail, for tests of polling clients.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use rand::Rng as _;
use serde_json::{json, Map, Value};

use crate::clock::{self, Nanos};
use crate::json::{Obj, J};
use crate::mws_query::{self, Sort};
use crate::rng::{self, pick, Rng};
use crate::{auth, query_pairs, Sim};

/// The store keeps the newest events up to this many.
const MAX_EVENTS: usize = 50_000;
pub const SEVERITIES: [&str; 4] = ["INFO", "WARN", "ERROR", "FATAL"];

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/mws/rest/events",
            get(list).post(create).fallback(method_not_allowed),
        )
        .route("/mws/rest/events/{id}", get(one).fallback(method_not_allowed))
        .route("/_sim/mws/add", post(add))
        .route("/_sim/mws/fail", post(fail))
        .layer(middleware::from_fn(crate::cors::allow_any_origin))
}

struct Stored {
    /// The GET shape, in MWS's key order.
    obj: Obj,
    /// The same event for matching and sorting.
    value: Value,
}

pub struct MwsStore {
    inner: RwLock<Inner>,
    /// At most one plan per `matching`, so tests that run side by side keep their own.
    failures: Mutex<Vec<FailPlan>>,
}

/// List requests to fail (`/_sim/mws/fail`): one in every `every` of those whose `query` contains
/// `matching`, until `remaining` have failed.
#[derive(Debug, Default)]
struct FailPlan {
    remaining: u64,
    every: u64,
    seen: u64,
    status: u16,
    /// How long a failing request waits before it answers (a slow proxy, a hung MWS).
    delay: Duration,
    matching: Option<String>,
}

impl FailPlan {
    /// Whether this list request (its raw `query`) fails, with which status and after how long.
    fn strike(&mut self, query: Option<&str>) -> Option<(u16, Duration)> {
        if self.remaining == 0 {
            return None;
        }
        if let Some(m) = &self.matching {
            if !query.is_some_and(|q| q.contains(m.as_str())) {
                return None;
            }
        }
        self.seen += 1;
        if !self.seen.is_multiple_of(self.every.max(1)) {
            return None;
        }
        self.remaining -= 1;
        Some((self.status, self.delay))
    }
}

struct Inner {
    events: Vec<Stored>,
    rng: Rng,
    counter: u32,
    machine: String,
}

impl MwsStore {
    /// A store with `history` events spread over the hour before `now`.
    pub fn new(seed: Option<u64>, history: usize) -> MwsStore {
        let mut rng = rng::stream_rng(seed, "mws", 0);
        let machine = rng::hex(&mut rng, 5);
        let store = MwsStore {
            inner: RwLock::new(Inner {
                events: Vec::new(),
                rng,
                counter: 0,
                machine,
            }),
            failures: Mutex::new(Vec::new()),
        };
        let now = if seed.is_some() {
            clock::SEEDED_EPOCH
        } else {
            clock::now()
        };
        for i in 0..history {
            let at = now - ((history - i) as u64 * 3600 / history.max(1) as u64) * clock::NANOS_PER_SEC;
            store.generate(at);
        }
        store
    }

    pub fn len(&self) -> usize {
        self.inner.read().unwrap().events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds one realistic event dated `at`.
    pub fn generate(&self, at: Nanos) {
        let mut inner = self.inner.write().unwrap();
        let event = random_event(&mut inner.rng);
        let id = inner.object_id(at);
        inner.insert(event, id, clock::mws_date(at));
    }

    /// Adds `count` events all dated `at` (one second), with these fields fixed where given.
    /// Returns their ids, in the order stored.
    fn add_burst(&self, at: Nanos, count: usize, fixed: &Fixed) -> Vec<String> {
        let mut inner = self.inner.write().unwrap();
        let date = clock::mws_date(at);
        (0..count)
            .map(|_| {
                let mut event = random_event(&mut inner.rng);
                if let Some(origin) = &fixed.origin {
                    event.origin = origin.clone();
                }
                if let Some(event_type) = &fixed.event_type {
                    event.event_type = event_type.clone();
                }
                if let Some(severity) = &fixed.severity {
                    event.severity = severity.clone();
                }
                event.extra = fixed.extra.clone();
                let id = inner.object_id(at);
                inner.insert(event, id.clone(), date.clone());
                id
            })
            .collect()
    }

    /// Keeps adding events (about `rate / 3` per second) so pollers see new ones.
    pub async fn grow(self: Arc<Self>, rate: f64, seed: Option<u64>) {
        if rate <= 0.0 {
            return;
        }
        let mut rng = rng::stream_rng(seed, "mws-clock", 0);
        loop {
            tokio::time::sleep(Duration::from_secs_f64(rng::exp_secs(&mut rng, 3.0 / rate))).await;
            self.generate(clock::now());
        }
    }
}

/// An event before it is stored: what POST accepts and the generator produces.
#[derive(Debug)]
struct NewEvent {
    arguments: Vec<String>,
    associated: Vec<(String, String)>,
    code: i64,
    event_type: String,
    message: Option<String>,
    origin: String,
    severity: String,
    /// A member MWS's model does not have (`/_sim/mws/add?extra=`), for clients that must keep
    /// what they do not know.
    extra: Option<String>,
}

impl Inner {
    /// A MongoDB ObjectId: seconds, machine+process bytes, counter (so ids sort by creation).
    fn object_id(&mut self, at: Nanos) -> String {
        self.counter = self.counter.wrapping_add(1);
        format!(
            "{:08x}{}{:06x}",
            at / clock::NANOS_PER_SEC,
            self.machine,
            self.counter & 0xff_ffff
        )
    }

    fn insert(&mut self, e: NewEvent, id: String, date: String) -> &Stored {
        let associated: Vec<J> = e
            .associated
            .iter()
            .map(|(t, i)| Obj::new().f("type", t.as_str()).f("id", i.as_str()).into())
            .collect();
        let obj = Obj::new()
            .f("arguments", e.arguments)
            .f("associatedObjects", associated)
            .f("code", e.code)
            .f("eventDate", date)
            .f("eventType", e.event_type)
            .f("message", e.message)
            .f("origin", e.origin)
            .f("severity", e.severity)
            .f("id", id)
            .opt("simExtra", e.extra.map(|note| Obj::new().f("note", note)));
        let value = J::Obj(obj.clone()).to_value();
        if self.events.len() >= MAX_EVENTS {
            self.events.remove(0);
        }
        self.events.push(Stored { obj, value });
        self.events.last().expect("just pushed")
    }
}

fn random_event(rng: &mut Rng) -> NewEvent {
    let n = rng.random_range(1..40);
    let oid = rng::hex(rng, 12);
    let (event_type, origin, severity, code, kind, object, message): (
        &str,
        &str,
        &str,
        i64,
        &str,
        String,
        Option<String>,
    ) = match rng.random_range(0..10) {
        0 => (
            "VM Provision",
            "CSA Plugin",
            "INFO",
            234_881_023,
            "VM",
            format!("vm{n}"),
            None,
        ),
        1 => (
            "Service Create",
            "MWS/ServiceEvents/CREATE_1ID",
            "INFO",
            33_554_944,
            "Service",
            oid.clone(),
            Some(format!("The service '{oid}' was created")),
        ),
        2 => (
            "Service Delete",
            "MWS/ServiceEvents/DELETE_1ID",
            "INFO",
            33_554_946,
            "Service",
            oid.clone(),
            Some(format!("The service '{oid}' was deleted")),
        ),
        3 => (
            "Job Submit",
            "MWS/JobEvents/SUBMIT",
            "INFO",
            33_555_200,
            "Job",
            format!("Moab.{}", 1000 + n),
            Some(format!("Job Moab.{} was submitted", 1000 + n)),
        ),
        4 => (
            "Job Cancel",
            "MWS/JobEvents/CANCEL",
            "WARN",
            50_332_417,
            "Job",
            format!("Moab.{}", 1000 + n),
            Some(format!("Job Moab.{} was cancelled by admin", 1000 + n)),
        ),
        5 => (
            "Node Down",
            "MSysMainLoop.c, MNodeCheckState",
            "ERROR",
            16_777_619,
            "Node",
            format!("node{n:02}"),
            Some(format!("Node node{n:02} is down: no heartbeat for 300 seconds")),
        ),
        6 => (
            "Reservation Create",
            "MWS/ReservationEvents/CREATE",
            "INFO",
            33_555_456,
            "Reservation",
            format!("system.{n}"),
            Some(format!("Reservation system.{n} was created")),
        ),
        7 => (
            "License Expiring",
            "MWS/LicenseEvents/EXPIRING",
            "WARN",
            50_333_697,
            "License",
            "moab".into(),
            Some("The Moab license expires in 14 days".into()),
        ),
        8 => (
            "Scheduler Failure",
            "MSysMainLoop.c",
            "FATAL",
            83_886_081,
            "scheduler",
            "Moab".into(),
            Some("The scheduler stopped: unable to contact the resource manager".into()),
        ),
        _ => (
            "Scheduler Start",
            "Moab",
            "INFO",
            16_777_216,
            "scheduler",
            "Moab".into(),
            Some("Moab scheduler started".into()),
        ),
    };
    let arguments = if kind == "scheduler" || kind == "License" {
        Vec::new()
    } else {
        vec![object.clone()]
    };
    let severity = if rng::chance(rng, 0.05) {
        *pick(rng, &SEVERITIES)
    } else {
        severity
    };
    NewEvent {
        arguments,
        associated: vec![(kind.into(), object)],
        code,
        event_type: event_type.into(),
        message,
        origin: origin.into(),
        severity: severity.into(),
        extra: None,
    }
}

// ---- HTTP ------------------------------------------------------------------------------------------

fn messages(status: StatusCode, messages: &[&str]) -> Response {
    let mut r = (status, axum::Json(json!({ "messages": messages }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        // No WWW-Authenticate: it would make browsers pop up their own login dialog.
        r.headers_mut().remove(header::WWW_AUTHENTICATE);
    }
    r
}

async fn method_not_allowed() -> Response {
    messages(
        StatusCode::METHOD_NOT_ALLOWED,
        &["The specified HTTP method is not allowed for the requested resource"],
    )
}

/// Basic auth, then `api-version=3` (or `latest`); returns the query pairs.
fn check(headers: &HeaderMap, query: Option<&str>) -> Result<Vec<(String, String)>, Response> {
    if !auth::basic_ok(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())) {
        return Err(messages(
            StatusCode::UNAUTHORIZED,
            &["You must be authenticated to access this area"],
        ));
    }
    let pairs = query_pairs(query);
    match pairs
        .iter()
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.as_str())
    {
        Some("3" | "latest") => Ok(pairs),
        None => Err(messages(
            StatusCode::BAD_REQUEST,
            &[
                "The api-version parameter is required",
                "Add api-version=3 to the request",
            ],
        )),
        Some(_) => Err(messages(
            StatusCode::BAD_REQUEST,
            &["The events resource requires API version 3", "Use api-version=3"],
        )),
    }
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn non_negative(pairs: &[(String, String)], key: &str) -> Result<Option<usize>, Response> {
    match param(pairs, key) {
        None | Some("") => Ok(None),
        Some(v) => v.parse::<usize>().map(Some).map_err(|_| {
            messages(
                StatusCode::BAD_REQUEST,
                &[&format!(
                    "Invalid value for {key}: {v:?} is not a non-negative integer"
                )],
            )
        }),
    }
}

/// `fields` / `exclude-fields` (top-level names) and `pretty`.
fn render(pairs: &[(String, String)], body: J) -> Response {
    let pretty = param(pairs, "pretty") == Some("true");
    let text = if pretty {
        serde_json::to_string_pretty(&body)
    } else {
        serde_json::to_string(&body)
    };
    let mut r = text.expect("J serializes").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    r
}

fn project(pairs: &[(String, String)], obj: &Obj) -> Obj {
    let list = |k: &str| -> Option<Vec<String>> {
        param(pairs, k).map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
    };
    let mut out = obj.clone();
    if let Some(fields) = list("fields") {
        out.0.retain(|(k, _)| fields.iter().any(|f| f == k));
    }
    if let Some(excluded) = list("exclude-fields") {
        out.0.retain(|(k, _)| !excluded.iter().any(|f| f == k));
    }
    out
}

async fn list(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let pairs = match check(req.headers(), req.uri().query()) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let struck = {
        let mut plans = sim.mws.failures.lock().unwrap();
        let query = param(&pairs, "query");
        let struck = plans.iter_mut().find_map(|plan| plan.strike(query));
        plans.retain(|plan| plan.remaining > 0);
        struck
    };
    if let Some((status, delay)) = struck {
        tokio::time::sleep(delay).await;
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return messages(status, &["Simulated failure (/_sim/mws/fail)"]);
    }
    let query: Option<Value> = match param(&pairs, "query").filter(|q| !q.trim().is_empty()) {
        None => None,
        Some(q) => match mws_query::relaxed_json::<Value>(q) {
            Ok(v) => match mws_query::validate(&v) {
                Ok(()) => Some(v),
                Err(e) => return messages(StatusCode::BAD_REQUEST, &[&e]),
            },
            Err(e) => return messages(StatusCode::BAD_REQUEST, &[&format!("Invalid query: {e}")]),
        },
    };
    let sort = match param(&pairs, "sort")
        .filter(|s| !s.trim().is_empty())
        .map(Sort::parse)
        .transpose()
    {
        Ok(s) => s,
        Err(e) => return messages(StatusCode::BAD_REQUEST, &[&e]),
    };
    let (max, offset) = match (non_negative(&pairs, "max"), non_negative(&pairs, "offset")) {
        (Ok(m), Ok(o)) => (m, o.unwrap_or(0)),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let inner = sim.mws.inner.read().unwrap();
    let mut hits: Vec<&Stored> = inner
        .events
        .iter()
        .filter(|e| query.as_ref().is_none_or(|q| mws_query::matches(&e.value, q)))
        .collect();
    if let Some(sort) = &sort {
        // Stable: equal keys keep creation order.
        hits.sort_by(|a, b| sort.compare(&a.value, &b.value));
    }
    let total = hits.len();
    let page: Vec<J> = hits
        .into_iter()
        .skip(offset)
        .take(max.unwrap_or(usize::MAX))
        .map(|e| J::Obj(project(&pairs, &e.obj)))
        .collect();
    let body = Obj::new()
        .f("totalCount", total)
        .f("resultCount", page.len())
        .f("results", J::Arr(page));
    render(&pairs, body.into())
}

async fn one(State(sim): State<Arc<Sim>>, Path(id): Path<String>, req: Request) -> Response {
    let pairs = match check(req.headers(), req.uri().query()) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let inner = sim.mws.inner.read().unwrap();
    match inner.events.iter().find(|e| e.value["id"] == id.as_str()) {
        Some(e) => render(&pairs, J::Obj(project(&pairs, &e.obj))),
        None => messages(
            StatusCode::NOT_FOUND,
            &[&format!("The resource with id '{id}' was not found")],
        ),
    }
}

fn has_quote(s: &str) -> bool {
    s.contains('\'') || s.contains('"')
}

/// Validates a POST body against MWS's documented rules; every problem is reported.
fn parse_new(body: &Value) -> Result<(NewEvent, Option<String>), Vec<String>> {
    let Some(map) = body.as_object() else {
        return Err(vec![
            "The request body must be a JSON object describing the event".into(),
        ]);
    };
    let mut errors = Vec::new();
    let text = |map: &Map<String, Value>, key: &str, errors: &mut Vec<String>| -> String {
        match map.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                errors.push(format!("The {key} field is required"));
                String::new()
            }
            Some(_) => {
                errors.push(format!("The {key} field must be a string"));
                String::new()
            }
        }
    };
    let event_type = text(map, "eventType", &mut errors);
    let origin = text(map, "origin", &mut errors);
    let severity = text(map, "severity", &mut errors);
    if !severity.is_empty() && !SEVERITIES.contains(&severity.as_str()) {
        errors.push(format!(
            "Invalid severity {severity:?}: use one of INFO, WARN, ERROR, FATAL"
        ));
    }
    for (key, value) in [("eventType", &event_type), ("origin", &origin)] {
        if has_quote(value) {
            errors.push(format!(
                "The {key} field cannot contain single quotes (') or double quotes (\")"
            ));
        }
    }
    let code = match map.get("code") {
        None | Some(Value::Null) => 0,
        Some(v) => v.as_i64().unwrap_or_else(|| {
            errors.push("The code field must be an integer".into());
            0
        }),
    };
    let message = match map.get("message") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push("The message field must be a string".into());
            None
        }
    };
    let arguments = match map.get("arguments") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
            a.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        Some(_) => {
            errors.push("The arguments field must be an array of strings".into());
            Vec::new()
        }
    };
    let mut associated = Vec::new();
    match map.get("associatedObjects") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let t = item.get("type").and_then(Value::as_str).unwrap_or("");
                let id = item.get("id").and_then(Value::as_str).unwrap_or("");
                if t.is_empty() || id.is_empty() {
                    errors.push(format!("associatedObjects[{i}] needs a type and an id"));
                }
                if has_quote(t) {
                    errors.push(format!(
                        "associatedObjects[{i}].type cannot contain single quotes (') or double quotes (\")"
                    ));
                }
                if has_quote(id) {
                    errors.push(format!(
                        "associatedObjects[{i}].id cannot contain single quotes (') or double quotes (\")"
                    ));
                }
                associated.push((t.to_owned(), id.to_owned()));
            }
        }
        Some(_) => errors.push("The associatedObjects field must be an array".into()),
    }
    let date = match map.get("eventDate") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if clock::parse_date_secs(s).is_some() => {
            let secs = clock::parse_date_secs(s).expect("checked") as u64;
            Some(clock::mws_date(secs * clock::NANOS_PER_SEC))
        }
        Some(_) => {
            errors.push("The eventDate field must be a date such as \"2024-06-10 17:13:31 UTC\"".into());
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        NewEvent {
            arguments,
            associated,
            code,
            event_type,
            message,
            origin,
            severity,
            extra: None,
        },
        date,
    ))
}

async fn create(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    if let Err(r) = check(req.headers(), req.uri().query()) {
        return r;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let Ok(bytes) = axum::body::to_bytes(req.into_body(), 1 << 20).await else {
        return messages(StatusCode::BAD_REQUEST, &["The request body could not be read"]);
    };
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return messages(
                StatusCode::BAD_REQUEST,
                &[&format!("The request body is not valid JSON: {e}")],
            )
        }
    };
    let (event, date) = match parse_new(&body) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let refs: Vec<&str> = errors.iter().map(String::as_str).collect();
            return messages(StatusCode::BAD_REQUEST, &refs);
        }
    };
    let mut inner = sim.mws.inner.write().unwrap();
    let now = clock::now();
    let id = inner.object_id(now);
    let stored = inner.insert(event, id.clone(), date.unwrap_or_else(|| clock::mws_date(now)));
    // The create answer is the stored object re-marshalled with its persistence fields, keys sorted.
    let mut created = stored.value.clone();
    created["version"] = json!(0);
    if let Some(items) = created["associatedObjects"].as_array_mut() {
        for item in items {
            item["_id"] = item["id"].clone();
            item["version"] = json!(0);
        }
    }
    let mut r = (StatusCode::CREATED, axum::Json(created)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("http://{host}/mws/rest/events/{id}")) {
        r.headers_mut().insert(header::LOCATION, location);
    }
    r
}

// ---- controls -------------------------------------------------------------------------------------

/// Fields every added event gets (the rest is random), so a test can filter on its own events.
#[derive(Debug, Default, Clone)]
struct Fixed {
    origin: Option<String>,
    event_type: Option<String>,
    severity: Option<String>,
    /// The `note` of a `simExtra` member added to each event.
    extra: Option<String>,
}

fn control_error(message: String) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({ "error": message }))).into_response()
}

fn count_param(
    pairs: &[(String, String)],
    key: &str,
    default: Option<u64>,
    max: u64,
) -> Result<u64, Response> {
    match param(pairs, key) {
        None | Some("") => default.ok_or_else(|| control_error(format!("{key} is required"))),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(control_error(format!(
                "{key}: expected an integer from 0 to {max}, got {v:?}"
            ))),
        },
    }
}

/// `POST /_sim/mws/add?count=N[&burst=B&every_ms=T][&origin=&event_type=&severity=][&extra=]`:
/// adds `count` events in bursts of `burst` (default: all at once), `every_ms` apart; `extra`
/// gives each a member outside MWS's model, `"simExtra": {"note": extra}`. The events of one burst
/// share one `eventDate` second, and bursts less than a second apart share it too. Answers
/// `{"added":N,"ids":[…]}` when done at once, else `{"scheduled":N,"bursts":n}` at once.
async fn add(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let pairs = query_pairs(req.uri().query());
    let parsed = (|| {
        let count = count_param(&pairs, "count", None, MAX_EVENTS as u64)?;
        let burst = count_param(&pairs, "burst", Some(count), MAX_EVENTS as u64)?.max(1);
        let every_ms = count_param(&pairs, "every_ms", Some(0), 600_000)?;
        let text = |k: &str| param(&pairs, k).filter(|v| !v.is_empty()).map(str::to_owned);
        let fixed = Fixed {
            origin: text("origin"),
            event_type: text("event_type"),
            severity: text("severity"),
            extra: text("extra"),
        };
        if let Some(severity) = &fixed.severity {
            if !SEVERITIES.contains(&severity.as_str()) {
                return Err(control_error(format!(
                    "severity {severity:?}: use INFO, WARN, ERROR or FATAL"
                )));
            }
        }
        Ok((count as usize, burst as usize, every_ms, fixed))
    })();
    let (count, burst, every_ms, fixed) = match parsed {
        Ok(p) => p,
        Err(r) => return r,
    };
    let bursts = count.div_ceil(burst);
    if every_ms == 0 || bursts <= 1 {
        let ids = sim.mws.add_burst(clock::now(), count, &fixed);
        return cors_any(axum::Json(json!({ "added": ids.len(), "ids": ids })).into_response());
    }
    let store = sim.mws.clone();
    tokio::spawn(async move {
        let mut left = count;
        while left > 0 {
            let n = left.min(burst);
            store.add_burst(clock::now(), n, &fixed);
            left -= n;
            if left > 0 {
                tokio::time::sleep(Duration::from_millis(every_ms)).await;
            }
        }
    });
    cors_any(axum::Json(json!({ "scheduled": count, "bursts": bursts })).into_response())
}

/// `POST /_sim/mws/fail?count=N[&status=500][&every=K][&match=TEXT][&delay_ms=T]`: the next `count`
/// list requests (one in every `every`; only those whose `query` contains `match`, when given) fail
/// with `status` and MWS's error body, after waiting `delay_ms`. Plans with different `match` run
/// side by side; a new one replaces the one with the same `match`, and `count=0` cancels it.
/// Answers `{"failing":N}`.
async fn fail(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let pairs = query_pairs(req.uri().query());
    let parsed = (|| {
        let count = count_param(&pairs, "count", None, 1_000_000)?;
        let status = count_param(&pairs, "status", Some(500), 599)?;
        if status < 400 {
            return Err(control_error(format!("status {status}: use 400 to 599")));
        }
        let every = count_param(&pairs, "every", Some(1), 1_000_000)?.max(1);
        let delay_ms = count_param(&pairs, "delay_ms", Some(0), 600_000)?;
        Ok((count, status as u16, every, Duration::from_millis(delay_ms)))
    })();
    let (count, status, every, delay) = match parsed {
        Ok(p) => p,
        Err(r) => return r,
    };
    let matching = param(&pairs, "match")
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    let mut plans = sim.mws.failures.lock().unwrap();
    plans.retain(|plan| plan.matching != matching);
    if count > 0 {
        plans.push(FailPlan {
            remaining: count,
            every,
            seen: 0,
            status,
            delay,
            matching,
        });
    }
    cors_any(axum::Json(json!({ "failing": count })).into_response())
}

/// Control answers are readable from any origin (the `cors` layer only answers pages that send
/// an `Origin`, which a `no-cors` request may not).
fn cors_any(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .or_insert(HeaderValue::from_static("*"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_restrictions() {
        let ok = json!({"eventType": "VM Provision", "origin": "CSA Plugin", "severity": "INFO", "code": 234881023,
                        "eventDate": "2024-06-10 17:13:31 UTC", "associatedObjects": [{"type": "VM", "id": "vm1"}],
                        "arguments": ["vm1"], "message": "The virtual machine \"vm1\" was provisioned"});
        assert!(parse_new(&ok).is_ok(), "quotes are fine in message");
        let mut bad = ok.clone();
        bad["origin"] = json!("CSA 'Plugin'");
        bad["associatedObjects"] = json!([{"type": "V\"M", "id": "vm'1"}]);
        let errors = parse_new(&bad).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(parse_new(&json!({"origin": "x"})).unwrap_err().len() >= 2);
        assert!(parse_new(&json!([])).is_err());
    }

    #[test]
    fn store_ids_sort_by_creation() {
        let store = MwsStore::new(Some(1), 5);
        let inner = store.inner.read().unwrap();
        let ids: Vec<&str> = inner
            .events
            .iter()
            .map(|e| e.value["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 5);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ids[0].len(), 24);
    }
}
