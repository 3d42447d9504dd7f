//! The simulator as a library, so tests can start it in-process on a loopback port.
//!
//! One origin serves the demo's static files and four servers: the Events Hub (`events_hub.rs`),
//! LXD (`lxd.rs`), CloudEvents/MetalSoft (`cloudevents.rs`) and MWS (`mws.rs`), plus the control
//! API (`control.rs`). Event sockets share one loop (`stream.rs`); each source's event shapes live in
//! its `gen_*.rs`.

// Handlers and their helpers return `Result<_, Response>`: the error is the HTTP answer itself,
// built once on a cold path, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use tokio::net::TcpListener;

pub mod auth;
pub mod bench;
pub mod clock;
pub mod cloudevents;
pub mod control;
pub mod cors;
pub mod events_hub;
pub mod gen_hub;
pub mod gen_lxd;
pub mod gen_metalsoft;
pub mod inject;
pub mod json;
mod listener;
pub mod lxd;
pub mod mws;
pub mod mws_query;
pub mod rng;
mod smoke;
mod static_files;
pub mod stream;
pub mod ws;

/// Everything the simulator can be told at start (see `sim --help`).
#[derive(Debug, Clone)]
pub struct Config {
    /// The demo page, served at `/`.
    pub www_dir: PathBuf,
    /// The built npm package, served at `/pkg/`.
    pub pkg_dir: PathBuf,
    /// Trickle events per second on each event socket (0: none; replies and bursts still work).
    pub rate: f64,
    /// Replay seed; `None` seeds from the OS and stamps frames with the wall clock.
    pub seed: Option<u64>,
    /// Lifetime of tokens from `POST /api/v1/auth/token` (the real default is 15 minutes).
    pub token_lifetime: Duration,
    /// Let the Events Hub take a token subprotocol (the real server never does).
    pub hub_token_subprotocol: bool,
    /// What sockets opened from now on do by themselves (CLI fault/burst/silence flags).
    pub on_connect: control::OnConnect,
    /// Refuse connections for this long after start.
    pub refuse_for: Option<Duration>,
    /// Drop every event socket this often.
    pub drop_every: Option<Duration>,
    /// Start with every token rejected.
    pub reject_tokens: bool,
    /// MWS events present at start (spread over the previous hour).
    pub mws_history: usize,
}

impl Config {
    pub fn new(www_dir: impl Into<PathBuf>, pkg_dir: impl Into<PathBuf>) -> Config {
        Config {
            www_dir: www_dir.into(),
            pkg_dir: pkg_dir.into(),
            rate: 3.0,
            seed: None,
            token_lifetime: Duration::from_secs(15 * 60),
            hub_token_subprotocol: false,
            on_connect: control::OnConnect::default(),
            refuse_for: None,
            drop_every: None,
            reject_tokens: false,
            mws_history: 40,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new("www", "pkg")
    }
}

/// State shared by every handler.
pub struct Sim {
    pub config: Config,
    pub auth: auth::Auth,
    pub control: Arc<control::Control>,
    pub mws: Arc<mws::MwsStore>,
    pub hub_clients: events_hub::HubClients,
    pub started: Instant,
    pub started_at: String,
}

impl Sim {
    pub fn new(config: Config) -> Arc<Sim> {
        let control = Arc::new(control::Control::new(config.seed, config.on_connect.clone()));
        let auth = auth::Auth::new(config.token_lifetime, config.seed);
        auth.set_rejecting(config.reject_tokens);
        if let Some(d) = config.refuse_for {
            control.refuse_for(d);
        }
        Arc::new(Sim {
            mws: Arc::new(mws::MwsStore::new(config.seed, config.mws_history)),
            auth,
            control,
            hub_clients: events_hub::HubClients::default(),
            started: Instant::now(),
            started_at: clock::rfc3339_nano(clock::now()),
            config,
        })
    }
}

/// Query string pairs, percent- and `+`-decoded, in order (handlers read the first occurrence).
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The whole origin with fresh state (no background tasks: those start in `bind_sim`).
pub fn router(config: &Config) -> Router {
    app(config, Sim::new(config.clone()))
}

fn app(config: &Config, sim: Arc<Sim>) -> Router {
    let servers = Router::new()
        .merge(events_hub::router())
        .merge(lxd::router())
        .merge(cloudevents::router())
        .merge(mws::router())
        .nest(
            "/_sim",
            control::router().layer(axum::middleware::from_fn(cors::allow_any_origin)),
        )
        .with_state(sim);
    Router::new()
        .nest("/_test", smoke::router())
        .merge(servers)
        // With CORS: tests running on the test runner's origin import the package's modules.
        .merge(static_files::router(config).layer(axum::middleware::from_fn(cors::allow_any_origin)))
}

/// Binds 127.0.0.1:`port` (0 picks a free port) and returns the bound address with the server future.
pub async fn bind(
    config: &Config,
    port: u16,
) -> std::io::Result<(SocketAddr, impl std::future::Future<Output = std::io::Result<()>>)> {
    let (addr, _, server) = bind_sim(config, port).await?;
    Ok((addr, server))
}

/// Like `bind`, also returning the shared state (for in-process tests and the benchmark).
pub async fn bind_sim(
    config: &Config,
    port: u16,
) -> std::io::Result<(
    SocketAddr,
    Arc<Sim>,
    impl std::future::Future<Output = std::io::Result<()>>,
)> {
    let inner = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = inner.local_addr()?;
    let sim = Sim::new(config.clone());
    let app = app(config, sim.clone());
    tokio::spawn(sim.mws.clone().grow(config.rate, config.seed));
    if let Some(every) = config.drop_every {
        let control = sim.control.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                control.send(control::Target::All, control::Command::Drop);
            }
        });
    }
    let listener = listener::SimListener {
        inner,
        control: sim.control.clone(),
    };
    Ok((addr, sim, async move { axum::serve(listener, app).await }))
}
