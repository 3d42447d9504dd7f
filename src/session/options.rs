//! The knobs of a session. Defaults follow what the best clients converged on (research note
//! `peers.md`, sections 3 and 5); each field says why its default is what it is.
//!
//! Serde support (camelCase, every field optional) lets a driver read them from a JavaScript
//! object; the JavaScript-facing option type itself belongs to the driver, which adds the URL and
//! credentials.

use serde::{Deserialize, Serialize};

/// Reconnect delays: exponential backoff with full jitter,
/// `delay = uniform(0, min(max_ms, base_ms · factor^n))` for the n-th retry in a row (n from 0).
///
/// Full jitter (rather than ±x % around the curve) spreads the tabs of a fleet over the whole
/// window, so a server restart does not bring every client back in the same second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BackoffOptions {
    /// The ceiling of the first retry's window, in ms. Default 500.
    pub base_ms: u64,
    /// The largest window, in ms. Default 30,000: a server down for minutes is retried twice a
    /// minute per tab, not hammered.
    pub max_ms: u64,
    /// Growth of the window per retry. Default 2. Values below 1 (or not a number) are taken as 1.
    pub factor: f64,
}

impl Default for BackoffOptions {
    fn default() -> Self {
        BackoffOptions {
            base_ms: 500,
            max_ms: 30_000,
            factor: 2.0,
        }
    }
}

/// Everything a [`Session`](super::Session) can be told at creation. Times are milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SessionOptions {
    /// True when a token provider is configured: the session then asks for a fresh token
    /// ([`Action::FetchToken`](super::Action::FetchToken)) before every connect and reconnect, so a
    /// token that expired while the link was up is never reused. Default false.
    pub token_provider: bool,
    /// Reconnect delays.
    pub backoff: BackoffOptions,
    /// How many reconnects in a row may fail before the session gives up with
    /// `closed { why: attemptsExhausted }`. `None` (the default) retries forever: an SDK that
    /// silently stops retrying is the bug users of graphql-ws and SignalR keep reporting.
    /// `Some(0)` gives up at the first failure.
    pub max_attempts: Option<u32>,
    /// A session that has never had a connection open retries this many failed handshakes in a
    /// row, and gives up at the next with `closed { why: refused }`: a server that refuses the very first handshakes
    /// is refusing the request itself (an unknown LXD project or event type, a bad credential),
    /// and a browser cannot read why (it shows close code 1006), so retrying would go on without
    /// end and without a word. Once a connection has opened, failed handshakes are a server
    /// restarting and are retried as `max_attempts` says. Default 5; `None` retries forever.
    pub max_refused_handshakes: Option<u32>,
    /// A connection that stayed open this long resets the retry counter, so the next drop starts
    /// again from the shortest delay. A link that opens and drops at once keeps climbing instead of
    /// reconnecting in a tight loop. Default 5,000.
    pub stable_after_ms: u64,
    /// Each step of a connection attempt (getting the token, opening the socket) must finish
    /// within this time, or the attempt counts as failed. Browsers can leave a socket in
    /// CONNECTING for minutes. Default 10,000; `None` waits forever.
    pub connect_timeout_ms: Option<u64>,
    /// An open link with no frame at all for this long is taken as dead. For servers that are
    /// known to send something regularly (the Events Hub `stats` channel every 5 s, for
    /// instance). Default `None`: LXD and CloudEvents streams may be quiet for hours.
    pub idle_timeout_ms: Option<u64>,
    /// Sources with an application ping (the Events Hub `health` ping) send one this long after
    /// the previous one was answered, to measure the round trip and to find links that died
    /// without a close (browsers cannot send WebSocket pings). Default 20,000; `None` disables.
    pub ping_interval_ms: Option<u64>,
    /// A ping not answered within this time, with no other frame received meanwhile, means the
    /// link is dead: the socket is closed and a reconnect scheduled. Default 10,000.
    pub pong_timeout_ms: u64,
    /// How many recent event ids are remembered to drop duplicates; the oldest is forgotten
    /// first. Default 4,096. 0 disables deduplication.
    pub dedup_window: usize,
    /// How many events may wait for the application; beyond that the oldest are dropped,
    /// counted and reported (`overflow`). Default 4,096; 0 is taken as 1.
    pub buffer_capacity: usize,
    /// Text frames longer than this many bytes (UTF-8) are rejected as `frameTooLarge` instead of
    /// decoded. Default 4 MiB, far above a real event (a full VM object is tens of KB).
    /// `None` accepts any size.
    pub max_frame_bytes: Option<usize>,
    /// How many characters of a rejected frame an error event quotes. Default 1,024: enough to
    /// see what went wrong, small enough not to keep megabytes alive in an error log.
    pub error_text_chars: usize,
    /// Seed of the jitter generator. The browser driver fills it from `crypto.getRandomValues`,
    /// so tabs do not share a sequence; tests fix it so runs repeat. Default 0.
    pub seed: u64,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            token_provider: false,
            backoff: BackoffOptions::default(),
            max_attempts: None,
            max_refused_handshakes: Some(5),
            stable_after_ms: 5_000,
            connect_timeout_ms: Some(10_000),
            idle_timeout_ms: None,
            ping_interval_ms: Some(20_000),
            pong_timeout_ms: 10_000,
            dedup_window: 4_096,
            buffer_capacity: 4_096,
            max_frame_bytes: Some(4 * 1024 * 1024),
            error_text_chars: 1_024,
            seed: 0,
        }
    }
}
