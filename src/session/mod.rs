//! A live subscription as a sans-IO state machine: reconnects, deadlines, deduplication, the
//! delivery buffer and the connection-level auth decisions, with no I/O, no timer and no
//! randomness of its own (the model is quinn-proto and rustls).
//!
//! The browser driver owns the socket, the timer and the token provider. It feeds every
//! happening to [`Session::handle`] with the current wall-clock time, then performs what the
//! session asks:
//!
//! ```text
//! session.handle(input, Date.now());
//! while let Some(event) = session.pop_event() { /* callbacks, or leave it for the iterator */ }
//! while let Some(action) = session.poll_action() { /* FetchToken, OpenSocket, SendText, CloseSocket, Emit */ }
//! arm one timer at session.next_deadline(); when it fires: handle(Input::Tick, Date.now())
//! ```
//!
//! Why this shape:
//! - Time is an input, compared on every input: in a background tab timers may fire once a
//!   minute, yet any input (a frame, `visibilitychange`, a late timer) carries the true time and
//!   every deadline already past is acted on at once, so a throttled timer cannot hide a dead
//!   socket. Tests drive a fake clock and run thousands of reconnects in milliseconds.
//! - Events are pulled ([`Session::pop_event`]), not pushed: the buffer between the socket and
//!   the application is the session's own, bounded, with every drop counted and reported.
//!   Callbacks drain it after each input; an async iterator pulls when it is awaited. Within one
//!   `handle` call, events accepted come before the state changes the same call caused, so popping
//!   events first keeps the order.
//! - Each connection attempt has a [`ConnId`]; socket inputs carry it, so a late event from a
//!   socket the session gave up on is ignored rather than taken for the new socket's.
//! - The session never holds a token: it asks for one ([`Action::FetchToken`]) before every
//!   connect and reconnect, and the driver puts it in the URL or protocols it builds. Nothing
//!   here can log or emit a secret.
//! - What differs between servers is behind [`Source`]: the decoder, the deduplication key, the
//!   application ping, the welcome check.

// Every public item is documented: the driver and the generated TypeScript lean on it.
#![warn(missing_docs)]

mod backoff;
mod buffer;
mod clock;
mod dedup;
mod io;
mod options;
mod source;

use crate::decode::DecodeError;
use std::collections::VecDeque;

pub use backoff::{Backoff, SplitMix64};
pub use buffer::DeliveryBuffer;
pub use clock::Millis;
// The poller of `mws_client` keeps time the same way.
pub(crate) use clock::Clock;
pub use dedup::DedupWindow;
pub use io::{
    Action, CloseReason, ConnId, Delivery, DisconnectCause, FrameError, Input, SessionEvent, SessionState,
    SessionStats, CLOSE_GIVING_UP, CLOSE_NORMAL,
};
pub use options::{BackoffOptions, SessionOptions};
#[cfg(feature = "cloudevents")]
pub use source::CloudEvents;
#[cfg(feature = "events-hub")]
pub use source::EventsHub;
#[cfg(feature = "lxd")]
pub use source::Lxd;
pub use source::{Decoded, Role, Source};

/// Every application ping id starts with this, so a pong to one of the session's pings is told
/// apart from any other `health` frame, and consumed.
pub const PING_ID_PREFIX: &str = "infra-events-ping-";

/// How many deadline steps one input may run. Each step moves the session forward (an attempt
/// starts, a ping goes out, a link is declared dead), so a handful suffices; the bound only stops
/// a degenerate configuration (zero timeouts and zero delays) from looping inside one call. What
/// is left is still due, and `next_deadline` says so.
const MAX_DEADLINE_STEPS: usize = 16;

/// One subscription's connection logic. See the module documentation for how a driver runs it.
pub struct Session<S: Source> {
    source: S,
    options: SessionOptions,
    backoff: Backoff,
    rng: SplitMix64,
    clock: Clock,
    phase: Phase,
    actions: VecDeque<Action>,
    buffer: DeliveryBuffer<Delivery<S::Event>>,
    dedup: DedupWindow,
    /// Counters; `dropped` and `buffered` are read from the buffer when asked.
    stats: SessionStats,
    /// Retries in a row since the last stable connection (or the start).
    retries: u32,
    /// Attempts in a row whose socket closed before opening.
    never_opened: u32,
    /// Whether any connection has opened in this session's life.
    ever_opened: bool,
    next_conn: u32,
    next_ping: u64,
    /// Whether the source has an application ping and the options ask for it.
    pings: bool,
    /// When the last lost connection was last known alive (wall clock); taken by the next
    /// `open`, which is then a reconnect and owes the application a `resync`.
    gap_started_at: Option<Millis>,
}

#[derive(Debug)]
enum Phase {
    Idle,
    FetchingToken { conn: ConnId, since: u64 },
    Connecting { conn: ConnId, since: u64 },
    Open(Link),
    Waiting { until: u64 },
    Closed,
}

/// An open socket's liveness bookkeeping (monotonic times unless named `_wall`).
#[derive(Debug)]
struct Link {
    conn: ConnId,
    opened_at: u64,
    last_frame: u64,
    last_frame_wall: Millis,
    /// When the next ping is due; `None` while one is outstanding or pings are off.
    next_ping_at: Option<u64>,
    ping: Option<Ping>,
}

#[derive(Debug)]
struct Ping {
    id: String,
    sent_at: u64,
    /// A frame arrived after the ping was sent. The Events Hub drops the oldest messages of a
    /// client's 2,048-message queue under load, so the pong itself may be lost while the link
    /// is plainly alive: any frame counts as proof of life.
    heard_since: bool,
}

impl<S: Source> Session<S> {
    /// A session for `source`, not started yet (feed [`Input::Start`]). `now` is the wall clock.
    pub fn new(source: S, options: SessionOptions, now: Millis) -> Self {
        let pings = options.ping_interval_ms.is_some() && source.ping_frame(PING_ID_PREFIX).is_some();
        Session {
            backoff: Backoff::new(options.backoff),
            rng: SplitMix64::new(options.seed),
            clock: Clock::new(now),
            phase: Phase::Idle,
            actions: VecDeque::new(),
            buffer: DeliveryBuffer::new(options.buffer_capacity),
            dedup: DedupWindow::new(options.dedup_window),
            stats: SessionStats::default(),
            retries: 0,
            never_opened: 0,
            ever_opened: false,
            next_conn: 0,
            next_ping: 0,
            pings,
            gap_started_at: None,
            source,
            options,
        }
    }

    /// Takes in one input at wall-clock time `now`. Deadlines already past are acted on first
    /// (so a tab waking from sleep sees its dead link before anything else), except for frames,
    /// which are evidence of life and are taken in before any deadline is judged. After `Close`,
    /// `Abort`, `Fail` or a final give-up, every input is ignored.
    pub fn handle(&mut self, input: Input, now: Millis) {
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        self.clock.advance(now);
        match input {
            Input::Close => return self.end(CloseReason::Closed, "closed by the application"),
            Input::Abort => return self.end(CloseReason::Aborted, "aborted by the application"),
            Input::Fail { reason } => return self.end(CloseReason::Failed { reason }, "failed"),
            _ => {}
        }
        if !matches!(input, Input::TextFrame { .. } | Input::BinaryFrame { .. }) {
            self.run_deadlines();
        }
        self.apply(input);
        self.run_deadlines();
    }

    /// The next thing the driver must do, in order; `None` when there is nothing (yet).
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The oldest event waiting for the application.
    pub fn pop_event(&mut self) -> Option<Delivery<S::Event>> {
        let delivery = self.buffer.pop()?;
        self.stats.delivered += 1;
        Some(delivery)
    }

    /// How many events wait in the buffer.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// When the driver's single timer should fire (wall clock), or `None` when nothing is timed.
    /// A time at or before now means "feed `Tick` at once". Recompute after every input: any
    /// input may move it.
    pub fn next_deadline(&self) -> Option<Millis> {
        let deadline = match &self.phase {
            Phase::Idle | Phase::Closed => None,
            Phase::Waiting { until } => Some(*until),
            Phase::FetchingToken { since, .. } | Phase::Connecting { since, .. } => {
                self.options.connect_timeout_ms.map(|t| since.saturating_add(t))
            }
            Phase::Open(link) => [
                self.options
                    .idle_timeout_ms
                    .map(|t| link.last_frame.saturating_add(t)),
                link.next_ping_at,
                link.ping
                    .as_ref()
                    .map(|p| p.sent_at.saturating_add(self.options.pong_timeout_ms)),
            ]
            .into_iter()
            .flatten()
            .min(),
        }?;
        Some(self.clock.to_wall(deadline))
    }

    /// How many events were accepted so far (`stats().accepted`, without building the rest):
    /// the next accepted event's [`Delivery::seq`].
    pub fn accepted(&self) -> u64 {
        self.stats.accepted
    }

    /// The counters. They balance at every moment (see [`SessionStats`]).
    pub fn stats(&self) -> SessionStats {
        SessionStats {
            dropped: self.buffer.dropped(),
            buffered: self.buffer.len() as u64,
            ..self.stats.clone()
        }
    }

    /// Where the session is.
    pub fn state(&self) -> SessionState {
        match self.phase {
            Phase::Idle => SessionState::Idle,
            Phase::FetchingToken { .. } => SessionState::FetchingToken,
            Phase::Connecting { .. } => SessionState::Connecting,
            Phase::Open(_) => SessionState::Open,
            Phase::Waiting { .. } => SessionState::Waiting,
            Phase::Closed => SessionState::Closed,
        }
    }

    /// True once the session has ended; only the actions already queued remain to be taken.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// The source this session decodes with.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The options the session was made with.
    pub fn options(&self) -> &SessionOptions {
        &self.options
    }

    fn apply(&mut self, input: Input) {
        match input {
            Input::Start => {
                if matches!(self.phase, Phase::Idle) {
                    self.begin_attempt();
                }
            }
            Input::TokenReady { conn } => {
                if matches!(self.phase, Phase::FetchingToken { conn: c, .. } if c == conn) {
                    self.open_socket(conn);
                }
            }
            Input::TokenFailed { conn, reason } => {
                if matches!(self.phase, Phase::FetchingToken { conn: c, .. } if c == conn) {
                    self.retry(DisconnectCause::TokenFailed { reason });
                }
            }
            Input::SocketOpened { conn, protocol } => {
                if matches!(self.phase, Phase::Connecting { conn: c, .. } if c == conn) {
                    self.opened(conn, protocol);
                }
            }
            Input::TextFrame { conn, text } => {
                if self.is_open(conn) {
                    self.on_text(text);
                }
            }
            Input::BinaryFrame { conn, len } => {
                if self.is_open(conn) {
                    self.heard();
                    self.stats.decode_errors += 1;
                    self.emit(SessionEvent::FrameError {
                        error: FrameError::Binary { len },
                    });
                }
            }
            Input::SocketError { conn } => {
                if self.socket_conn() == Some(conn) {
                    // The driver must drop the socket now: its `close` may never come.
                    self.close_socket(conn, "socket error");
                    self.socket_gone(1006, String::new(), false);
                }
            }
            Input::SocketClosed {
                conn,
                code,
                reason,
                was_clean,
            } => {
                if self.socket_conn() == Some(conn) {
                    self.socket_gone(code, reason, was_clean);
                }
            }
            Input::Tick => {}
            Input::Online => self.fast_path(),
            Input::Visible { hidden } => {
                if !hidden {
                    self.fast_path();
                }
            }
            Input::Close | Input::Abort | Input::Fail { .. } => {}
        }
    }

    /// The network came back or the page became visible: a link that is down is retried now,
    /// without waiting out the delay; a link that looks up is probed with a ping, as a laptop
    /// waking from sleep or a proxy can leave a socket OPEN that nothing comes through.
    fn fast_path(&mut self) {
        let now = self.clock.mono();
        match &mut self.phase {
            Phase::Waiting { until } => *until = now,
            Phase::Open(link) if self.pings && link.ping.is_none() => {
                Self::send_ping(&self.source, &mut self.actions, &mut self.next_ping, link, now);
            }
            _ => {}
        }
    }

    fn is_open(&self, conn: ConnId) -> bool {
        matches!(&self.phase, Phase::Open(link) if link.conn == conn)
    }

    /// The socket the driver holds for the session, if any.
    fn socket_conn(&self) -> Option<ConnId> {
        match &self.phase {
            Phase::Connecting { conn, .. } => Some(*conn),
            Phase::Open(link) => Some(link.conn),
            _ => None,
        }
    }

    fn begin_attempt(&mut self) {
        let conn = ConnId(self.next_conn);
        self.next_conn = self.next_conn.wrapping_add(1);
        self.emit(SessionEvent::Connecting {
            attempt: self.retries,
        });
        if self.options.token_provider {
            self.actions.push_back(Action::FetchToken { conn });
            self.phase = Phase::FetchingToken {
                conn,
                since: self.clock.mono(),
            };
        } else {
            self.open_socket(conn);
        }
    }

    fn open_socket(&mut self, conn: ConnId) {
        self.stats.connect_attempts += 1;
        self.actions.push_back(Action::OpenSocket {
            conn,
            attempt: self.retries,
        });
        self.phase = Phase::Connecting {
            conn,
            since: self.clock.mono(),
        };
    }

    fn opened(&mut self, conn: ConnId, protocol: String) {
        let now = self.clock.mono();
        self.never_opened = 0;
        self.ever_opened = true;
        self.phase = Phase::Open(Link {
            conn,
            opened_at: now,
            last_frame: now,
            last_frame_wall: self.clock.wall(),
            next_ping_at: self
                .options
                .ping_interval_ms
                .filter(|_| self.pings)
                .map(|t| now.saturating_add(t)),
            ping: None,
        });
        self.emit(SessionEvent::Open {
            attempt: self.retries,
            protocol,
        });
        if let Some(gap_started_at) = self.gap_started_at.take() {
            self.stats.reconnects += 1;
            self.emit(SessionEvent::Resync {
                gap_started_at,
                gap_ended_at: self.clock.wall(),
            });
        }
    }

    /// The socket closed (or failed) on its own.
    fn socket_gone(&mut self, code: u16, reason: String, was_clean: bool) {
        let cause = match &self.phase {
            Phase::Open(link) => DisconnectCause::Lost {
                code,
                reason,
                was_clean,
                open_for_ms: self.clock.mono() - link.opened_at,
            },
            _ => {
                self.never_opened += 1;
                DisconnectCause::NeverOpened {
                    code,
                    reason,
                    consecutive: self.never_opened,
                }
            }
        };
        self.retry(cause);
    }

    /// The current attempt or link failed (any socket already closed or asked to close):
    /// schedule the next attempt, or give up when the attempts are exhausted.
    fn retry(&mut self, cause: DisconnectCause) {
        let now = self.clock.mono();
        if let Phase::Open(link) = &self.phase {
            self.gap_started_at = Some(link.last_frame_wall);
            if now - link.opened_at >= self.options.stable_after_ms {
                self.retries = 0;
            }
        }
        if let (DisconnectCause::NeverOpened { .. }, false, Some(limit)) =
            (&cause, self.ever_opened, self.options.max_refused_handshakes)
        {
            if self.never_opened > limit {
                let why = CloseReason::Refused {
                    attempts: self.never_opened,
                    last: cause,
                };
                self.finish(why);
                return;
            }
        }
        if let Some(max) = self.options.max_attempts {
            if self.retries >= max {
                let why = CloseReason::AttemptsExhausted {
                    attempts: self.retries,
                    last: cause,
                };
                self.finish(why);
                return;
            }
        }
        self.retries = self.retries.saturating_add(1);
        let delay_ms = self.backoff.delay(self.retries - 1, &mut self.rng);
        self.phase = Phase::Waiting {
            until: now.saturating_add(delay_ms),
        };
        self.emit(SessionEvent::Reconnecting {
            attempt: self.retries,
            delay_ms,
            cause,
        });
    }

    /// The application (or the driver) ends the session: actions not yet taken are moot, the
    /// socket if any is closed, and `closed` is the last word.
    fn end(&mut self, why: CloseReason, close_reason: &str) {
        self.actions.clear();
        if let Some(conn) = self.socket_conn() {
            self.actions.push_back(Action::CloseSocket {
                conn,
                code: CLOSE_NORMAL,
                reason: close_reason.to_owned(),
            });
        }
        self.finish(why);
    }

    fn finish(&mut self, why: CloseReason) {
        self.stats.discarded += self.buffer.clear() as u64;
        self.phase = Phase::Closed;
        self.emit(SessionEvent::Closed { why });
    }

    fn close_socket(&mut self, conn: ConnId, reason: &str) {
        self.actions.push_back(Action::CloseSocket {
            conn,
            code: CLOSE_GIVING_UP,
            reason: reason.to_owned(),
        });
    }

    /// Acts on every deadline already past.
    fn run_deadlines(&mut self) {
        for _ in 0..MAX_DEADLINE_STEPS {
            if !self.deadline_step() {
                return;
            }
        }
    }

    /// Acts on one past deadline; false when none is past.
    fn deadline_step(&mut self) -> bool {
        let now = self.clock.mono();
        let timeout = self.options.connect_timeout_ms;
        match &mut self.phase {
            Phase::Waiting { until } if *until <= now => self.begin_attempt(),
            Phase::FetchingToken { since, .. } if timeout.is_some_and(|t| since.saturating_add(t) <= now) => {
                let waited_ms = now - *since;
                self.retry(DisconnectCause::TokenTimeout { waited_ms });
            }
            Phase::Connecting { conn, since } if timeout.is_some_and(|t| since.saturating_add(t) <= now) => {
                let (conn, waited_ms) = (*conn, now - *since);
                self.close_socket(conn, "connect timeout");
                self.retry(DisconnectCause::ConnectTimeout { waited_ms });
            }
            Phase::Open(link) => {
                let conn = link.conn;
                if let Some(idle) = self.options.idle_timeout_ms {
                    if link.last_frame.saturating_add(idle) <= now {
                        let idle_ms = now - link.last_frame;
                        self.close_socket(conn, "idle timeout");
                        self.retry(DisconnectCause::IdleTimeout { idle_ms });
                        return true;
                    }
                }
                if let Some(ping) = &link.ping {
                    if ping.sent_at.saturating_add(self.options.pong_timeout_ms) <= now {
                        if ping.heard_since {
                            // Alive after all; keep the cadence from the unanswered ping.
                            let next = ping
                                .sent_at
                                .saturating_add(self.options.ping_interval_ms.unwrap_or(0));
                            link.ping = None;
                            link.next_ping_at = Some(next.max(now));
                            return true;
                        }
                        let waited_ms = now - ping.sent_at;
                        self.close_socket(conn, "ping timeout");
                        self.retry(DisconnectCause::PingTimeout { waited_ms });
                        return true;
                    }
                }
                match link.next_ping_at {
                    Some(at) if at <= now && link.ping.is_none() => {
                        Self::send_ping(&self.source, &mut self.actions, &mut self.next_ping, link, now);
                    }
                    _ => return false,
                }
            }
            _ => return false,
        }
        true
    }

    /// Sends a ping on `link` (an associated function, as the link is borrowed out of the phase).
    fn send_ping(source: &S, actions: &mut VecDeque<Action>, counter: &mut u64, link: &mut Link, now: u64) {
        let id = format!("{PING_ID_PREFIX}{counter}");
        *counter += 1;
        let Some(text) = source.ping_frame(&id) else {
            link.next_ping_at = None;
            return;
        };
        actions.push_back(Action::SendText {
            conn: link.conn,
            text,
        });
        link.ping = Some(Ping {
            id,
            sent_at: now,
            heard_since: false,
        });
        link.next_ping_at = None;
    }

    /// A frame arrived on the open link: it is alive.
    fn heard(&mut self) {
        let (now, wall) = (self.clock.mono(), self.clock.wall());
        self.stats.received += 1;
        if let Phase::Open(link) = &mut self.phase {
            link.last_frame = now;
            link.last_frame_wall = wall;
            if let Some(ping) = &mut link.ping {
                ping.heard_since = true;
            }
        }
    }

    fn on_text(&mut self, text: String) {
        if self.frame_fits(text.len(), || text.as_str()) {
            let decoded = self.source.decode(&text);
            self.take_frame(text.len(), || text.as_str(), decoded);
        }
    }

    /// A text frame of `len` bytes that the driver checked itself: a browser validates the object
    /// its own `JSON.parse` built, so the frame's text never enters wasm. `check` runs only for a
    /// frame the session takes (open link, within `maxFrameBytes`); `text` gives the frame's text
    /// for an error report, and is only called for a frame that is refused.
    pub fn handle_checked<T: AsRef<str>>(
        &mut self,
        conn: ConnId,
        len: usize,
        text: impl Fn() -> T,
        check: impl FnOnce() -> Result<Decoded<S::Event>, DecodeError>,
        now: Millis,
    ) {
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        self.clock.advance(now);
        if self.is_open(conn) && self.frame_fits(len, &text) {
            let decoded = check();
            self.take_frame(len, &text, decoded);
        }
        self.run_deadlines();
    }

    /// Counts the frame as a sign of life; false (and a `frameError`) when it is over the limit.
    fn frame_fits<T: AsRef<str>>(&mut self, len: usize, text: impl Fn() -> T) -> bool {
        self.heard();
        if let Some(limit) = self.options.max_frame_bytes {
            if len > limit {
                self.stats.decode_errors += 1;
                let shown = text();
                let (head, _) = cut(shown.as_ref(), self.options.error_text_chars);
                let error = FrameError::TooLarge {
                    len,
                    limit,
                    head: head.to_owned(),
                };
                self.emit(SessionEvent::FrameError { error });
                return false;
            }
        }
        true
    }

    fn take_frame<T: AsRef<str>>(
        &mut self,
        len: usize,
        text: impl Fn() -> T,
        decoded: Result<Decoded<S::Event>, DecodeError>,
    ) {
        let decoded = match decoded {
            Ok(decoded) => decoded,
            Err(error) => {
                self.stats.decode_errors += 1;
                let shown = text();
                let (shown, truncated) = cut(shown.as_ref(), self.options.error_text_chars);
                let error = FrameError::Decode {
                    error,
                    text: shown.to_owned(),
                    truncated,
                    len,
                };
                self.emit(SessionEvent::FrameError { error });
                return;
            }
        };
        match decoded.role {
            Role::Pong { ref_id } if ref_id.starts_with(PING_ID_PREFIX) => {
                self.stats.control += 1;
                self.on_pong(&ref_id);
                return;
            }
            Role::Welcome { not_granted } if !not_granted.is_empty() => {
                self.emit(SessionEvent::ChannelsNotGranted {
                    channels: not_granted,
                });
            }
            _ => {}
        }
        if let Some(key) = &decoded.key {
            if !self.dedup.insert(key) {
                self.stats.duplicates += 1;
                return;
            }
        }
        let delivery = Delivery {
            seq: self.stats.accepted,
            event: decoded.event,
            received_at: self.clock.wall(),
        };
        self.stats.accepted += 1;
        self.stats.last_event_at = Some(delivery.received_at);
        if self.buffer.push(delivery).is_some() {
            self.overflowed();
        }
    }

    fn on_pong(&mut self, ref_id: &str) {
        let now = self.clock.mono();
        let interval = self.options.ping_interval_ms.unwrap_or(0);
        if let Phase::Open(link) = &mut self.phase {
            if let Some(ping) = link.ping.take_if(|p| p.id == ref_id) {
                self.stats.last_ping_rtt_ms = Some(now - ping.sent_at);
                link.next_ping_at = Some(ping.sent_at.saturating_add(interval).max(now));
            }
        }
    }

    /// One event was dropped. Drops that come before the driver polls are folded into one
    /// `overflow` event, so a stalled consumer does not turn every frame into two messages.
    fn overflowed(&mut self) {
        let total = self.buffer.dropped();
        if let Some(Action::Emit(SessionEvent::Overflow {
            dropped,
            total_dropped,
        })) = self.actions.back_mut()
        {
            *dropped += 1;
            *total_dropped = total;
            return;
        }
        self.emit(SessionEvent::Overflow {
            dropped: 1,
            total_dropped: total,
        });
    }

    fn emit(&mut self, event: SessionEvent) {
        self.actions.push_back(Action::Emit(event));
    }
}

impl<S: Source> std::fmt::Debug for Session<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("state", &self.state())
            .field("retries", &self.retries)
            .field("buffered", &self.buffer.len())
            .field("pending_actions", &self.actions.len())
            .finish_non_exhaustive()
    }
}

/// The first `chars` characters of `text`, cut on a character boundary, and whether it was cut.
fn cut(text: &str, chars: usize) -> (&str, bool) {
    match text.char_indices().nth(chars) {
        Some((end, _)) => (&text[..end], true),
        None => (text, false),
    }
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn cut_keeps_whole_characters() {
        assert_eq!(cut("héllo", 2), ("hé", true));
        assert_eq!(cut("héllo", 5), ("héllo", false));
        assert_eq!(cut("héllo", 50), ("héllo", false));
        assert_eq!(cut("", 0), ("", false));
        assert_eq!(cut("ab", 0), ("", true));
    }
}
