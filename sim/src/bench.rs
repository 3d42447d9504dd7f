//! The burst benchmark (`sim --bench-burst`): one plain tokio-tungstenite client on loopback
//! receives an Events Hub burst of small `System Stats` events as fast as the simulator can send
//! them, and the achieved rate is printed as `sim_burst_events_per_s: N`.

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::auth::{Principal, EMAIL, USERNAME};
use crate::control::{BurstSpec, OnConnect, Source, Target};
use crate::{clock, Config};

#[derive(Debug, Clone)]
pub struct BurstResult {
    pub events: u64,
    pub bytes: u64,
    pub secs: f64,
    pub events_per_s: f64,
    /// Send-to-receive latency from the events' `sent_at_ms`, sampled (milliseconds).
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
}

impl BurstResult {
    pub fn report(&self) -> String {
        format!(
            "sim_burst_events_per_s: {:.0}\nsim_burst_events: {}\nsim_burst_mb_per_s: {:.1}\nsim_burst_latency_p50_ms: {:.2}\nsim_burst_latency_p99_ms: {:.2}",
            self.events_per_s,
            self.events,
            self.bytes as f64 / self.secs / 1e6,
            self.latency_p50_ms,
            self.latency_p99_ms
        )
    }
}

/// Starts a simulator in this process whose Events Hub sockets burst at `rate` events/s for
/// `secs`, connects one client, and measures what arrives.
pub async fn run(secs: f64, rate: f64) -> std::io::Result<BurstResult> {
    let mut config = Config::new("www", "pkg");
    config.rate = 0.0;
    config.mws_history = 0;
    config.on_connect = OnConnect {
        burst: Some((
            Target::One(Source::Hub),
            BurstSpec {
                rate,
                secs,
                mix: vec!["stats".into()],
            },
        )),
        ..OnConnect::default()
    };
    let (addr, sim, server) = crate::bind_sim(&config, 0).await?;
    tokio::spawn(server);
    let token = sim
        .auth
        .issue(Principal::User {
            email: EMAIL.into(),
            username: USERNAME.into(),
        })
        .token;
    let url = format!("ws://{addr}/api/v1/ws/subscribe?event_types=stats&access_token={token}");
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut socket, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    // The welcome frame comes first.
    let _ = socket.next().await;
    let mut events = 0_u64;
    let mut bytes = 0_u64;
    let mut first: Option<Instant> = None;
    let mut last = Instant::now();
    let mut latencies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs_f64(secs + 5.0);
    while Instant::now() < deadline {
        let next = tokio::time::timeout(Duration::from_millis(500), socket.next()).await;
        let Ok(Some(Ok(message))) = next else {
            break;
        };
        if let Message::Text(text) = message {
            let now = Instant::now();
            first.get_or_insert(now);
            last = now;
            events += 1;
            bytes += text.len() as u64;
            if events.is_multiple_of(997) {
                if let Some(sent) = sent_at_ms(text.as_str()) {
                    latencies.push(clock::now_ms_f64() - sent);
                }
            }
        }
    }
    let secs = first
        .map_or(0.0, |f| last.duration_since(f).as_secs_f64())
        .max(1e-6);
    latencies.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    Ok(BurstResult {
        events,
        bytes,
        secs,
        events_per_s: events as f64 / secs,
        latency_p50_ms: pct(0.5),
        latency_p99_ms: pct(0.99),
    })
}

/// The `sent_at_ms` number in a burst frame, without parsing the whole JSON.
pub fn sent_at_ms(frame: &str) -> Option<f64> {
    let start = frame.find("\"sent_at_ms\":")? + "\"sent_at_ms\":".len();
    let rest = frame[start..].trim_start_matches('"');
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    rest[..end].parse().ok()
}
