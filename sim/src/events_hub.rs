//! The Parallels DevOps Events Hub, as docs/events-hub-protocol.md describes the real server:
//! `GET /api/v1/ws/subscribe` (and the `/api/ws/subscribe` alias), the token endpoints, and the
//! REST unsubscribe/introspection endpoints.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::auth::{self, Principal};
use crate::clock::{self, Nanos};
use crate::control::Source;
use crate::gen_hub::{envelope, system_stats, HubEvent, HubWorld, BROADCAST_CHANNELS};
use crate::json::{Obj, J};
use crate::rng::{self, Rng};
use crate::stream::{Feed, Stream};
use crate::{query_pairs, ws, Sim};

/// Every `event_types` name the real server knows (S constants/event_emitter.go).
pub const EVENT_TYPES: [&str; 11] = [
    "global",
    "pdfm",
    "system",
    "system_logs",
    "health",
    "orchestrator",
    "stats",
    "reverse_proxy",
    "catalog_cache",
    "job_manager",
    "auth",
];

pub const WELCOME: &str = "WebSocket connection established subscribed to global by default";

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v1/ws/subscribe", get(subscribe))
        .route("/api/ws/subscribe", get(subscribe))
        .route("/api/v1/ws/unsubscribe", post(unsubscribe))
        .route("/api/v1/ws/clients", get(clients))
        .route("/api/v1/ws/stats", get(stats))
        .merge(
            // The login is called with `fetch` from pages, as prl-devops-ui does.
            Router::new()
                .route("/api/v1/auth/token", post(login))
                .route("/api/v1/auth/token/validate", post(validate))
                .layer(axum::middleware::from_fn(crate::cors::allow_any_origin)),
        )
}

/// Sockets currently open, for unsubscribe and introspection.
#[derive(Default)]
pub struct HubClients {
    clients: Mutex<HashMap<String, ClientEntry>>,
}

struct ClientEntry {
    user: String,
    connected_at: String,
    subscriptions: Arc<Mutex<Vec<String>>>,
}

/// Removes a client from the registry when its socket ends.
struct Registration {
    sim: Arc<Sim>,
    client_id: String,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.sim
            .hub_clients
            .clients
            .lock()
            .unwrap()
            .remove(&self.client_id);
    }
}

/// `event_types`: comma-separated, trimmed, lower-cased, unknown names dropped silently, `global`
/// always appended (once).
pub fn parse_event_types(raw: Option<&str>) -> Vec<String> {
    let mut subs: Vec<String> = Vec::new();
    for name in raw.unwrap_or("").split(',') {
        let name = name.trim().to_ascii_lowercase();
        if EVENT_TYPES.contains(&name.as_str()) && name != "global" && !subs.contains(&name) {
            subs.push(name);
        }
    }
    subs.push("global".into());
    subs
}

fn unauthorized(description: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "unauthorized_client", "error_description": description})),
    )
        .into_response()
}

fn first<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The real middleware chain (Token → ApiKey): a Bearer header; else an `X-Api-Key` header (which
/// makes query tokens ignored); else `access_token` or `authorization` (raw or `Bearer `-prefixed)
/// in the query; else, only with `--hub-token-subprotocol`, a token subprotocol.
pub fn authenticate(
    sim: &Sim,
    headers: &HeaderMap,
    query: &[(String, String)],
    offered: &[String],
) -> Result<Principal, Response> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or("");
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "));
        return match token {
            Some(token) => sim
                .auth
                .check_token(token)
                .map_err(|e| unauthorized(e.describe())),
            None => Err(unauthorized(
                "invalid authorization header, expected a Bearer token",
            )),
        };
    }
    if let Some(key) = headers.get("x-api-key") {
        return sim
            .auth
            .check_api_key(key.to_str().unwrap_or(""))
            .ok_or_else(|| unauthorized("invalid api key"));
    }
    let query_token = first(query, "access_token")
        .filter(|t| !t.is_empty())
        .or_else(|| {
            first(query, "authorization")
                .filter(|t| !t.is_empty())
                .map(|t| t.strip_prefix("Bearer ").unwrap_or(t))
        });
    if let Some(token) = query_token {
        // Quirk of the real server: the API-key middleware runs after a failed query token and
        // overwrites the error with its own.
        return sim
            .auth
            .check_token(token)
            .map_err(|_| unauthorized("API key must be in format base64(key:secret)"));
    }
    if sim.config.hub_token_subprotocol {
        if let Some(token) = auth::token_from_protocols(offered) {
            return sim
                .auth
                .check_token(&token)
                .map_err(|e| unauthorized(e.describe()));
        }
    }
    Err(unauthorized("no authorization header, api key or token found"))
}

async fn subscribe(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let query = query_pairs(req.uri().query());
    let offered = ws::offered_protocols(req.headers());
    let principal = match authenticate(&sim, req.headers(), &query, &offered) {
        Ok(p) => p,
        Err(response) => return response,
    };
    if !ws::is_upgrade(&req) {
        return ws::not_upgrade();
    }
    // The real upgrader selects no subprotocol, ever. With the test flag, the first offered
    // protocol that is not the token one is echoed (the token protocol never is).
    let selected = if sim.config.hub_token_subprotocol {
        offered
            .iter()
            .find(|p| !p.starts_with(auth::TOKEN_PROTOCOL_PREFIX))
            .cloned()
    } else {
        None
    };
    let subscriptions = parse_event_types(first(&query, "event_types"));
    let (ordinal, live) = sim.control.open(Source::Hub);
    let mut rng = rng::stream_rng(sim.control.seed(), "hub", ordinal);
    let client_id = rng::uuid(&mut rng);
    let shared_subs = Arc::new(Mutex::new(subscriptions));
    sim.hub_clients.clients.lock().unwrap().insert(
        client_id.clone(),
        ClientEntry {
            user: principal.display_name().to_owned(),
            connected_at: clock::rfc3339_nano(clock::now()),
            subscriptions: shared_subs.clone(),
        },
    );
    let registration = Registration {
        sim: sim.clone(),
        client_id: client_id.clone(),
    };
    let at = if sim.control.seed().is_some() {
        clock::SEEDED_EPOCH
    } else {
        clock::now()
    };
    let world = HubWorld::new(&mut rng, at);
    let feed = HubFeed {
        client_id,
        subscriptions: shared_subs,
        world,
    };
    let sim2 = sim.clone();
    ws::accept(req, selected.as_deref(), move |socket| async move {
        let _registration = registration;
        Stream::run(sim2, socket, feed, rng, live).await;
    })
}

pub struct HubFeed {
    client_id: String,
    subscriptions: Arc<Mutex<Vec<String>>>,
    world: HubWorld,
}

impl HubFeed {
    fn subscribed(&self, channel: &str) -> bool {
        self.subscriptions.lock().unwrap().iter().any(|s| s == channel)
    }

    fn broadcast_channels(&self) -> Vec<&'static str> {
        BROADCAST_CHANNELS
            .into_iter()
            .filter(|c| self.subscribed(c))
            .collect()
    }

    fn reply(
        &self,
        rng: &mut Rng,
        ts: Nanos,
        ref_id: Option<String>,
        event_type: &str,
        message: &str,
        body: Option<J>,
    ) -> String {
        let ref_id = Some(ref_id.unwrap_or_else(|| rng::hex(rng, 32)));
        envelope(
            rng::hex(rng, 32),
            ref_id,
            event_type,
            ts,
            message,
            body,
            Some(&self.client_id),
        )
        .to_json()
    }
}

/// A Go-flavoured description of why a client frame is not JSON, as `global`/`error` carries it.
fn go_json_error(text: &str, e: &serde_json::Error) -> String {
    let first = text.trim_start().chars().next();
    match first {
        None => "unexpected end of JSON input".into(),
        Some(c) if !matches!(c, '{' | '[' | '"' | '-' | '0'..='9' | 't' | 'f' | 'n') => {
            format!("invalid character '{c}' looking for beginning of value")
        }
        _ if e.is_eof() => "unexpected end of JSON input".into(),
        _ => format!("invalid JSON: {e}"),
    }
}

impl Feed for HubFeed {
    type Event = HubEvent;
    const SOURCE: Source = Source::Hub;
    const KEEPALIVE: Option<(std::time::Duration, std::time::Duration)> = Some((
        std::time::Duration::from_secs(30),
        std::time::Duration::from_secs(45),
    ));

    fn opening(&mut self, ts: Nanos, rng: &mut Rng) -> Vec<String> {
        let subs = self.subscriptions.lock().unwrap().clone();
        let body = Obj::new()
            .f("client_id", self.client_id.as_str())
            .f("subscriptions", subs);
        vec![envelope(
            rng::hex(rng, 32),
            None,
            "global",
            ts,
            WELCOME,
            Some(body.into()),
            None,
        )
        .to_json()]
    }

    fn scene(&mut self, rng: &mut Rng, at: Nanos) -> Vec<(f64, HubEvent)> {
        let channels = self.broadcast_channels();
        if channels.is_empty() {
            return Vec::new();
        }
        let channel = *rng::pick(rng, &channels);
        if channel == "job_manager" && rng::chance(rng, 0.2) {
            let host = self.world.random_host_id(rng);
            return self.world.job_scene(rng, at, Some(host));
        }
        self.world.scene(channel, rng, at)
    }

    fn periodic(&mut self, rng: &mut Rng, _at: Nanos) -> Option<(std::time::Duration, Option<HubEvent>)> {
        // `System Stats` every 5 s, to `stats` subscribers only (checked each time: unsubscribing
        // over REST takes effect on an open socket).
        let event = self
            .subscribed("stats")
            .then(|| HubEvent::new("stats", "System Stats", system_stats(rng)));
        Some((std::time::Duration::from_secs(5), event))
    }

    fn sample(&mut self, rng: &mut Rng, at: Nanos) -> HubEvent {
        match self.broadcast_channels().first() {
            Some(c) => self.world.one(c, rng, at),
            None => HubEvent::new("global", "error", Obj::new().f("error", "simulated fault")),
        }
    }

    fn oversized(&mut self, size: usize, rng: &mut Rng, at: Nanos) -> HubEvent {
        let mut event = self.sample(rng, at);
        let pad = "x".repeat(size);
        match &mut event.body {
            Some(J::Obj(o)) => o.set("padding", pad),
            _ => event.body = Some(Obj::new().f("padding", pad).into()),
        }
        event
    }

    fn render(&mut self, event: &HubEvent, ts: Nanos, rng: &mut Rng) -> String {
        if !(event.channel == "global" || self.subscribed(event.channel)) {
            // Unsubscribed (over REST) since the event was scheduled: nothing goes out.
            return String::new();
        }
        envelope(
            rng::hex(rng, 32),
            None,
            event.channel,
            ts,
            &event.message,
            event.body.clone(),
            None,
        )
        .to_json()
    }

    fn burst_frame(
        &mut self,
        mix: &[String],
        seq: u64,
        sent_at_ms: f64,
        ts: Nanos,
        rng: &mut Rng,
    ) -> Option<String> {
        let default = ["stats".to_owned()];
        let mix = if mix.is_empty() { &default[..] } else { mix };
        let usable: Vec<&str> = mix
            .iter()
            .map(String::as_str)
            .filter(|c| BROADCAST_CHANNELS.contains(c) && self.subscribed(c))
            .collect();
        if usable.is_empty() {
            return None;
        }
        let channel = usable[(seq % usable.len() as u64) as usize];
        if channel == "stats" {
            // The hot path of benchmarks: written straight into the frame, no intermediate tree.
            let mut s = String::with_capacity(400);
            s.push_str(r#"{"id":""#);
            rng::push_hex(&mut s, rng, 32);
            s.push_str(r#"","event_type":"stats","timestamp":""#);
            clock::write_rfc3339_nano(&mut s, ts);
            use rand::Rng as _;
            let g: u32 = rng.random_range(60..120);
            let _ = write!(
                s,
                r#"","message":"System Stats","body":{{"memory_bytes":{},"memory_alloc_bytes":{},"cpu_user_seconds":{},"cpu_system_seconds":{},"cpu_percent":{},"goroutines":{g},"goroutines_smoothed":{},"sent_at_ms":{sent_at_ms},"burst_seq":{seq}}}}}"#,
                rng.random_range(30_000_000_u32..60_000_000),
                rng.random_range(12_000_000_u32..25_000_000),
                f64::from(rng.random_range(40_000_u32..90_000)) / 100.0,
                f64::from(rng.random_range(5_000_u32..20_000)) / 100.0,
                f64::from(rng.random_range(5_u32..400)) / 100.0,
                g - 2,
            );
            return Some(s);
        }
        let static_channel = BROADCAST_CHANNELS.into_iter().find(|c| *c == channel)?;
        let mut event = self.world.one(static_channel, rng, ts);
        if event.channel == "system_logs" {
            if let Some(J::Obj(o)) = &mut event.body {
                o.set("message", format!("burst event {seq} sent_at_ms={sent_at_ms}"));
            }
        }
        match &mut event.body {
            Some(J::Obj(o)) => {
                o.set("sent_at_ms", sent_at_ms);
                o.set("burst_seq", seq);
            }
            _ => event.body = Some(Obj::new().f("sent_at_ms", sent_at_ms).f("burst_seq", seq).into()),
        }
        Some(
            envelope(
                rng::hex(rng, 32),
                None,
                event.channel,
                ts,
                &event.message,
                event.body,
                None,
            )
            .to_json(),
        )
    }

    fn on_text(&mut self, text: &str, ts: Nanos, rng: &mut Rng) -> Vec<String> {
        let error = |rng: &mut Rng, msg: String| {
            envelope(
                rng::hex(rng, 32),
                None,
                "global",
                ts,
                "error",
                Some(Obj::new().f("error", msg).into()),
                None,
            )
            .to_json()
        };
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return vec![error(rng, go_json_error(text, &e))],
        };
        let Some(object) = value.as_object() else {
            return vec![error(
                rng,
                "json: cannot unmarshal into Go value of type models.EventMessage".into(),
            )];
        };
        let event_type = object.get("event_type").and_then(Value::as_str).unwrap_or("");
        let message = object.get("message").and_then(Value::as_str).unwrap_or("");
        let id = object
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if !EVENT_TYPES.contains(&event_type) {
            return vec![error(rng, format!("invalid message type {event_type}"))];
        }
        match event_type {
            "health" if message == "ping" => vec![self.reply(rng, ts, id, "health", "pong", None)],
            "system" if message.eq_ignore_ascii_case("client-id") => {
                let body = Obj::new().f("client-id", self.client_id.as_str());
                vec![self.reply(rng, ts, id, "system", "client-id", Some(body.into()))]
            }
            // Other health/system messages get no reply; pdfm goes to the reverse proxy, silently.
            "health" | "system" | "pdfm" => Vec::new(),
            other => {
                let body = Obj::new().f("error", format!("no handlers registered for type {other}"));
                vec![self.reply(rng, ts, id, "global", "error", Some(body.into()))]
            }
        }
    }
}

// ---- REST -----------------------------------------------------------------------------------------

fn api_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"message": message, "code": status.as_u16()}))).into_response()
}

async fn login(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return api_error(StatusCode::BAD_REQUEST, "invalid request body");
    };
    match sim.auth.login(&body) {
        // The Go struct's order: email, token, expires_at.
        Some(l) => Json(
            Obj::new()
                .f("email", l.email)
                .f("token", l.token)
                .f("expires_at", l.expires_at),
        )
        .into_response(),
        None => api_error(StatusCode::UNAUTHORIZED, "invalid credentials"),
    }
}

async fn validate(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let token = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("token").and_then(Value::as_str).map(str::to_owned))
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return api_error(StatusCode::BAD_REQUEST, "token is required");
    };
    match sim.auth.check_token(&token) {
        Ok(_) => Json(json!({"valid": true})).into_response(),
        Err(e) => api_error(StatusCode::UNAUTHORIZED, e.describe()),
    }
}

fn rest_auth(sim: &Sim, req: &Request) -> Result<Principal, Response> {
    authenticate(sim, req.headers(), &query_pairs(req.uri().query()), &[])
}

fn diagnostics(status: StatusCode, path: &str, message: &str) -> Response {
    let now = clock::rfc3339_nano(clock::now());
    (
        status,
        Json(json!({
            "message": message,
            "diagnostics": {"operation": "HandleUnsubscribe", "start_time": now, "end_time": now, "path": path, "errors": [message], "warnings": []},
            "code": status.as_u16(),
        })),
    )
        .into_response()
}

async fn unsubscribe(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    if let Err(r) = rest_auth(&sim, &req) {
        return r;
    }
    let path = req.uri().path().to_owned();
    let Ok(bytes) = axum::body::to_bytes(req.into_body(), 1 << 20).await else {
        return diagnostics(StatusCode::BAD_REQUEST, &path, "invalid request body");
    };
    let Ok(body) = serde_json::from_slice::<Value>(&bytes) else {
        return diagnostics(StatusCode::BAD_REQUEST, &path, "invalid request body");
    };
    let client_id = body.get("client_id").and_then(Value::as_str).unwrap_or("");
    let types: Vec<String> = body
        .get("event_types")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|s| s.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let clients = sim.hub_clients.clients.lock().unwrap();
    let Some(entry) = clients.get(client_id) else {
        return diagnostics(
            StatusCode::BAD_REQUEST,
            &path,
            &format!("client {client_id} not found"),
        );
    };
    let mut subs = entry.subscriptions.lock().unwrap();
    let mut removed = Vec::new();
    let mut wanted_global = false;
    for t in &types {
        if t == "global" {
            wanted_global = true;
        } else if let Some(i) = subs.iter().position(|s| s == t) {
            subs.remove(i);
            removed.push(t.clone());
        }
    }
    match (removed.is_empty(), wanted_global) {
        (false, false) => StatusCode::OK.into_response(),
        (false, true) => Json(json!({
            "message": format!("cannot unsubscribe from global event type unsubscribed from: {}", removed.join(", ")),
            "code": 200,
        }))
        .into_response(),
        (true, true) => diagnostics(StatusCode::BAD_REQUEST, &path, "cannot unsubscribe from global event type"),
        (true, false) => diagnostics(StatusCode::BAD_REQUEST, &path, "client is not subscribed to any of the given event types"),
    }
}

async fn clients(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    if let Err(r) = rest_auth(&sim, &req) {
        return r;
    }
    let clients = sim.hub_clients.clients.lock().unwrap();
    let list: Vec<Value> = clients
        .iter()
        .map(|(id, c)| {
            json!({
                "id": id, "user_id": c.user, "username": c.user, "connected_at": c.connected_at,
                "last_ping_at": c.connected_at, "last_pong_at": c.connected_at,
                "event_subscriptions": *c.subscriptions.lock().unwrap(), "is_alive": true, "queue_depth": 0,
            })
        })
        .collect();
    Json(list).into_response()
}

async fn stats(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    if let Err(r) = rest_auth(&sim, &req) {
        return r;
    }
    let clients = sim.hub_clients.clients.lock().unwrap();
    let mut type_stats: HashMap<String, usize> = HashMap::new();
    let mut total = 0;
    for c in clients.values() {
        for s in c.subscriptions.lock().unwrap().iter() {
            *type_stats.entry(s.clone()).or_default() += 1;
            total += 1;
        }
    }
    let uptime = sim.started.elapsed();
    Json(json!({
        "total_clients": clients.len(), "total_subscriptions": total, "type_stats": type_stats,
        "clients": clients.len(), "messages_sent": 0, "start_time": sim.started_at, "uptime": format!("{:.0?}", uptime),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_trimmed_lowered_filtered_and_end_with_global() {
        assert_eq!(parse_event_types(None), vec!["global"]);
        assert_eq!(
            parse_event_types(Some(" PDFM , bogus,stats,pdfm,global")),
            vec!["pdfm", "stats", "global"]
        );
        assert_eq!(parse_event_types(Some("")), vec!["global"]);
    }
}
