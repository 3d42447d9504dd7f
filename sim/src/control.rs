//! Fault injection and load control, shared by the HTTP control API (`/_sim/*`) and the CLI flags.
//!
//! Open event sockets each hold a receiver of `Broadcast`s (drop, silence, fault, burst); settings
//! that apply to sockets opened later (`OnConnect`) live behind a mutex. Refusing connections is done
//! by the listener itself (`listener.rs`), before any HTTP is read.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::broadcast;

use crate::Sim;

/// The streaming sources (MWS is polled, so it has no sockets to disturb).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Hub,
    Lxd,
    CloudEvents,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Hub, Source::Lxd, Source::CloudEvents];

    pub fn name(self) -> &'static str {
        match self {
            Source::Hub => "hub",
            Source::Lxd => "lxd",
            Source::CloudEvents => "cloudevents",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Which sources a command is for: `all` or one source name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    All,
    One(Source),
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, String> {
        match s {
            "" | "all" => Ok(Target::All),
            "hub" | "events-hub" => Ok(Target::One(Source::Hub)),
            "lxd" => Ok(Target::One(Source::Lxd)),
            "cloudevents" | "ce" => Ok(Target::One(Source::CloudEvents)),
            other => Err(format!("unknown source {other:?} (all, hub, lxd, cloudevents)")),
        }
    }

    pub fn matches(self, source: Source) -> bool {
        self == Target::All || self == Target::One(source)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// A text frame that is not valid JSON (a trailing comma).
    Malformed,
    /// A text frame holding the first half of an event's JSON.
    Truncated,
    /// A WebSocket frame cut short on the wire: its header announces the whole event, half of the
    /// payload follows, then the TCP connection closes.
    TruncatedFrame,
    /// A valid event sent as a binary frame.
    Binary,
    /// A valid event padded to `size` bytes (default 4 MiB).
    Oversized,
    /// The previous frame again, same id and all.
    Duplicate,
    /// Two events whose time stamps run backwards.
    OutOfOrder,
}

impl FaultKind {
    pub const ALL: [FaultKind; 7] = [
        FaultKind::Malformed,
        FaultKind::Truncated,
        FaultKind::TruncatedFrame,
        FaultKind::Binary,
        FaultKind::Oversized,
        FaultKind::Duplicate,
        FaultKind::OutOfOrder,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Malformed => "malformed",
            FaultKind::Truncated => "truncated",
            FaultKind::TruncatedFrame => "truncated-frame",
            FaultKind::Binary => "binary",
            FaultKind::Oversized => "oversized",
            FaultKind::Duplicate => "duplicate",
            FaultKind::OutOfOrder => "out-of-order",
        }
    }

    pub fn parse(s: &str) -> Result<FaultKind, String> {
        FaultKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            let names: Vec<_> = FaultKind::ALL.iter().map(|k| k.name()).collect();
            format!("unknown fault {s:?} ({})", names.join(", "))
        })
    }
}

pub const DEFAULT_OVERSIZED_BYTES: usize = 4 << 20;

/// A burst: `rate` events/s of `mix` for `secs` seconds, each event carrying its send time.
#[derive(Debug, Clone, PartialEq)]
pub struct BurstSpec {
    pub rate: f64,
    pub secs: f64,
    /// Source-specific names (Events Hub channels, LXD types, CloudEvents types or categories);
    /// empty means the source's default small event.
    pub mix: Vec<String>,
}

impl BurstSpec {
    /// Parses `rate=200000,secs=5,mix=stats+system_logs` (the CLI form; `+` or `|` separate mix items).
    pub fn parse(spec: &str) -> Result<(Target, BurstSpec), String> {
        let mut burst = BurstSpec {
            rate: 10_000.0,
            secs: 5.0,
            mix: Vec::new(),
        };
        let mut target = Target::All;
        for part in spec.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("burst: expected key=value, got {part:?}"))?;
            match k {
                "rate" => burst.rate = parse_positive(k, v)?,
                "secs" => burst.secs = parse_positive(k, v)?,
                "mix" => burst.mix = split_mix(v),
                "source" => target = Target::parse(v)?,
                other => return Err(format!("burst: unknown key {other:?} (rate, secs, mix, source)")),
            }
        }
        Ok((target, burst))
    }
}

fn split_mix(v: &str) -> Vec<String> {
    v.split(['+', '|', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_positive(key: &str, v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("{key}: expected a positive number, got {v:?}")),
    }
}

#[derive(Debug, Clone)]
pub enum Command {
    /// Close the TCP connection at once, with no close frame (the client sees 1006).
    Drop,
    /// Stop reading and writing without closing (half-open); `None` = until dropped (at most 10 min).
    Silence(Option<Duration>),
    Fault {
        kind: FaultKind,
        count: u32,
        size: usize,
    },
    Burst(BurstSpec),
    /// Send this text as one frame, as it is (`/_sim/inject`).
    Inject(Arc<str>),
}

#[derive(Debug, Clone)]
pub struct Broadcast {
    pub target: Target,
    pub command: Command,
}

/// What every socket opened from now on does by itself (CLI flags, or `on=connect` in the API).
#[derive(Debug, Clone, Default)]
pub struct OnConnect {
    pub burst: Option<(Target, BurstSpec)>,
    /// Faults injected in turn, one every `fault_every` trickle events.
    pub faults: Vec<FaultKind>,
    pub fault_every: u32,
    pub silent_after: Option<Duration>,
}

pub struct Control {
    tx: broadcast::Sender<Broadcast>,
    refuse_until: Mutex<Option<Instant>>,
    pub on_connect: Mutex<OnConnect>,
    live: [AtomicUsize; 3],
    opened: [AtomicU64; 3],
    seed: Mutex<Option<u64>>,
}

impl Control {
    pub fn new(seed: Option<u64>, on_connect: OnConnect) -> Control {
        Control {
            tx: broadcast::channel(256).0,
            refuse_until: Mutex::new(None),
            on_connect: Mutex::new(on_connect),
            live: Default::default(),
            opened: Default::default(),
            seed: Mutex::new(seed),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Broadcast> {
        self.tx.subscribe()
    }

    /// Sends a command to the open sockets of `target`; returns how many sockets were open.
    pub fn send(&self, target: Target, command: Command) -> usize {
        let _ = self.tx.send(Broadcast { target, command });
        Source::ALL
            .iter()
            .filter(|s| target.matches(**s))
            .map(|s| self.live(*s))
            .sum()
    }

    pub fn refuse_for(&self, d: Duration) {
        *self.refuse_until.lock().unwrap() = Some(Instant::now() + d);
    }

    pub fn refusing(&self) -> bool {
        let mut until = self.refuse_until.lock().unwrap();
        match *until {
            Some(t) if Instant::now() < t => true,
            Some(_) => {
                *until = None;
                false
            }
            None => false,
        }
    }

    pub fn seed(&self) -> Option<u64> {
        *self.seed.lock().unwrap()
    }

    /// Sets the seed and restarts the per-source socket ordinals, so the next sockets replay.
    pub fn reseed(&self, seed: Option<u64>) {
        *self.seed.lock().unwrap() = seed;
        for n in &self.opened {
            n.store(0, Ordering::SeqCst);
        }
    }

    /// Registers a new socket: returns its ordinal for `source` (for seeding) and a guard that
    /// keeps it counted as live.
    pub fn open(self: &Arc<Self>, source: Source) -> (u64, LiveGuard) {
        let ordinal = self.opened[source.index()].fetch_add(1, Ordering::SeqCst);
        self.live[source.index()].fetch_add(1, Ordering::SeqCst);
        (
            ordinal,
            LiveGuard {
                control: self.clone(),
                source,
            },
        )
    }

    pub fn live(&self, source: Source) -> usize {
        self.live[source.index()].load(Ordering::SeqCst)
    }
}

pub struct LiveGuard {
    control: Arc<Control>,
    source: Source,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.control.live[self.source.index()].fetch_sub(1, Ordering::SeqCst);
    }
}

// ---- HTTP API ------------------------------------------------------------------------------------

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/status", get(status))
        .route("/drop", post(drop_all))
        .route("/refuse", post(refuse))
        .route("/silence", post(silence))
        .route("/fault", post(fault))
        .route("/burst", post(burst))
        .route("/inject", post(crate::inject::inject))
        .route("/tokens/reject", post(tokens_reject))
        .route("/tokens/expire", post(tokens_expire))
        .route("/seed", post(seed))
        .route("/reset", post(reset))
}

type Params = Query<std::collections::HashMap<String, String>>;

fn bad(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

fn target(p: &Params) -> Result<Target, Response> {
    Target::parse(p.get("source").map_or("all", String::as_str)).map_err(bad)
}

fn secs(p: &Params, key: &str) -> Result<Option<Duration>, Response> {
    match p.get(key) {
        None => Ok(None),
        Some(v) => match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(Duration::from_secs_f64(x))),
            _ => Err(bad(format!("{key}: expected seconds, got {v:?}"))),
        },
    }
}

fn on_connect_requested(p: &Params) -> bool {
    p.get("on").is_some_and(|v| v == "connect")
}

async fn status(State(sim): State<Arc<Sim>>) -> Response {
    let c = &sim.control;
    let on = c.on_connect.lock().unwrap().clone();
    Json(json!({
        "live": { "hub": c.live(Source::Hub), "lxd": c.live(Source::Lxd), "cloudevents": c.live(Source::CloudEvents) },
        "refusing": c.refusing(),
        "seed": c.seed(),
        "rate": sim.config.rate,
        "tokens_rejected": sim.auth.rejecting(),
        "mws_events": sim.mws.len(),
        "on_connect": {
            "burst": on.burst.as_ref().map(|(_, b)| json!({"rate": b.rate, "secs": b.secs, "mix": b.mix})),
            "faults": on.faults.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "fault_every": on.fault_every,
            "silent_after": on.silent_after.map(|d| d.as_secs_f64()),
        },
    }))
    .into_response()
}

async fn drop_all(State(sim): State<Arc<Sim>>, p: Params) -> Response {
    let target = match target(&p) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let n = sim.control.send(target, Command::Drop);
    Json(json!({ "dropped": n })).into_response()
}

async fn refuse(State(sim): State<Arc<Sim>>, p: Params) -> Response {
    let d = match secs(&p, "secs") {
        Ok(d) => d.unwrap_or(Duration::from_secs(5)),
        Err(r) => return r,
    };
    sim.control.refuse_for(d);
    Json(json!({ "refusing_for_secs": d.as_secs_f64() })).into_response()
}

async fn silence(State(sim): State<Arc<Sim>>, p: Params) -> Response {
    let (target, d) = match (target(&p), secs(&p, "secs")) {
        (Ok(t), Ok(d)) => (t, d),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if on_connect_requested(&p) {
        sim.control.on_connect.lock().unwrap().silent_after = Some(d.unwrap_or(Duration::ZERO));
        return Json(json!({ "on_connect": true })).into_response();
    }
    let n = sim.control.send(target, Command::Silence(d));
    Json(json!({ "silenced": n })).into_response()
}

async fn fault(State(sim): State<Arc<Sim>>, p: Params) -> Response {
    let target = match target(&p) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let kinds: Result<Vec<FaultKind>, String> = p
        .get("kind")
        .map_or("malformed", String::as_str)
        .split(',')
        .map(FaultKind::parse)
        .collect();
    let kinds = match kinds {
        Ok(k) => k,
        Err(e) => return bad(e),
    };
    let count = match p.get("count").map(|v| v.parse::<u32>()) {
        None => 1,
        Some(Ok(n)) if n > 0 && n <= 10_000 => n,
        Some(_) => return bad("count: expected 1..10000".into()),
    };
    let size = match p.get("size").map(|v| v.parse::<usize>()) {
        None => DEFAULT_OVERSIZED_BYTES,
        Some(Ok(n)) if n <= 256 << 20 => n,
        Some(_) => return bad("size: expected bytes, at most 256 MiB".into()),
    };
    if on_connect_requested(&p) {
        let mut on = sim.control.on_connect.lock().unwrap();
        on.faults = kinds;
        on.fault_every = match p.get("every").map(|v| v.parse::<u32>()) {
            None => 5,
            Some(Ok(n)) if n > 0 => n,
            Some(_) => return bad("every: expected a positive integer".into()),
        };
        return Json(json!({ "on_connect": true })).into_response();
    }
    let mut n = 0;
    for kind in kinds {
        n = sim.control.send(target, Command::Fault { kind, count, size });
    }
    Json(json!({ "sockets": n })).into_response()
}

async fn burst(State(sim): State<Arc<Sim>>, p: Params) -> Response {
    let mut spec = String::new();
    for key in ["rate", "secs", "mix", "source"] {
        if let Some(v) = p.get(key) {
            spec.push_str(&format!("{key}={},", v.replace(',', "+")));
        }
    }
    let (target, burst) = match BurstSpec::parse(&spec) {
        Ok(b) => b,
        Err(e) => return bad(e),
    };
    if on_connect_requested(&p) {
        sim.control.on_connect.lock().unwrap().burst = Some((target, burst));
        return Json(json!({ "on_connect": true })).into_response();
    }
    let n = sim.control.send(target, Command::Burst(burst));
    Json(json!({ "sockets": n })).into_response()
}

async fn tokens_reject(State(sim): State<Arc<Sim>>, p: Params) -> Response {
    let on = !matches!(p.get("on").map(String::as_str), Some("false" | "0" | "off"));
    sim.auth.set_rejecting(on);
    Json(json!({ "rejecting": on })).into_response()
}

async fn tokens_expire(State(sim): State<Arc<Sim>>) -> Response {
    let n = sim.auth.expire_all();
    Json(json!({ "expired": n })).into_response()
}

async fn seed(State(sim): State<Arc<Sim>>, p: Params) -> Response {
    let seed = match p.get("value").map(|v| v.parse::<u64>()) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(_)) => return bad("value: expected an unsigned integer".into()),
    };
    sim.control.reseed(seed);
    Json(json!({ "seed": seed })).into_response()
}

async fn reset(State(sim): State<Arc<Sim>>) -> Response {
    *sim.control.on_connect.lock().unwrap() = OnConnect::default();
    *sim.control.refuse_until.lock().unwrap() = None;
    sim.auth.set_rejecting(false);
    Json(json!({ "reset": true })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_burst_specs() {
        let (t, b) = BurstSpec::parse("rate=200000,secs=2,mix=stats+system_logs,source=hub").unwrap();
        assert_eq!(t, Target::One(Source::Hub));
        assert_eq!(
            b,
            BurstSpec {
                rate: 200_000.0,
                secs: 2.0,
                mix: vec!["stats".into(), "system_logs".into()]
            }
        );
        assert!(BurstSpec::parse("rate=-1").is_err());
        assert!(BurstSpec::parse("speed=1").is_err());
        assert_eq!(FaultKind::parse("out-of-order"), Ok(FaultKind::OutOfOrder));
        assert!(FaultKind::parse("nope").is_err());
    }
}
