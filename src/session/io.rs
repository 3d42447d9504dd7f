//! The session's vocabulary: what goes in ([`Input`]), what comes out ([`Action`], [`Delivery`]),
//! and what the application is told ([`SessionEvent`], [`SessionStats`]).
//!
//! The application-facing types serialise to camelCase objects discriminated by `type` (events)
//! or `kind` (causes, reasons, frame errors), and carry generated TypeScript declarations, so the
//! driver can hand them to JavaScript as they are. None of them can hold a token: the session
//! never sees one.

use std::fmt;

use serde::Serialize;
use tsify::Tsify;

use super::clock::Millis;
use crate::decode::DecodeError;

/// Names one connection attempt: the token fetched for it, the socket opened for it, and every
/// frame that socket delivers. The driver tags each socket input with the id it was given, so a
/// late event from a socket the session already gave up on cannot be taken for one of the
/// current socket's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ConnId(pub u32);

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Something that happened, fed to [`Session::handle`](super::Session::handle) with the current
/// time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Begin connecting. Inputs other than `Close`, `Abort` and `Fail` before it are ignored.
    Start,
    /// The token asked for by [`Action::FetchToken`] is ready; the driver keeps it and puts it in
    /// the URL or protocols it builds for the socket. The session never holds the token.
    TokenReady {
        /// The attempt it was fetched for.
        conn: ConnId,
    },
    /// The token provider failed. Retried with backoff.
    TokenFailed {
        /// The attempt it was fetched for.
        conn: ConnId,
        /// Why, in words, for the application. Must not contain the token or a password.
        reason: String,
    },
    /// The socket's `open` event.
    SocketOpened {
        /// The attempt the socket belongs to.
        conn: ConnId,
        /// The subprotocol the server selected (`WebSocket.protocol`), empty if none.
        protocol: String,
    },
    /// A text message.
    TextFrame {
        /// The socket it came from.
        conn: ConnId,
        /// Its data.
        text: String,
    },
    /// A binary message, which none of these protocols sends. Only its length is passed, so a
    /// large one is not copied into wasm for nothing.
    BinaryFrame {
        /// The socket it came from.
        conn: ConnId,
        /// Its size in bytes.
        len: usize,
    },
    /// The socket's `error` event. Browsers follow it with `close` (1006); the session does not
    /// wait for that and treats the socket as closed with 1006 at once, since some runtimes
    /// (Node 20) never send the `close`.
    SocketError {
        /// The socket it came from.
        conn: ConnId,
    },
    /// The socket's `close` event (or the constructor throwing, reported as 1006).
    SocketClosed {
        /// The socket it came from.
        conn: ConnId,
        /// `CloseEvent.code`.
        code: u16,
        /// `CloseEvent.reason`.
        reason: String,
        /// `CloseEvent.wasClean`.
        was_clean: bool,
    },
    /// Nothing but time passed: the driver's timer for [`Session::next_deadline`](super::Session::next_deadline) fired.
    Tick,
    /// The browser's `online` event: the network is back, so a pending retry goes now.
    Online,
    /// The page's `visibilitychange`. Becoming visible while the link is down retries at once;
    /// while it is up, probes it with a ping, as sleep and proxies leave sockets that look open.
    Visible {
        /// `document.hidden`.
        hidden: bool,
    },
    /// The driver found an error no retry can cure (an invalid URL, a token refused for an
    /// insecure transport): the session ends with `closed { why: failed }`.
    Fail {
        /// Why, in words. Must not contain a secret.
        reason: String,
    },
    /// The application's `close()`. Final.
    Close,
    /// The application's `AbortSignal` fired. Final.
    Abort,
}

/// Something the driver must do, taken with [`Session::poll_action`](super::Session::poll_action)
/// until `None`, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Get a token (call the provider) and report `TokenReady` or `TokenFailed` for `conn`.
    FetchToken {
        /// The attempt the token is for.
        conn: ConnId,
    },
    /// Open a socket now (URL and protocols from the endpoint module, with the token just
    /// fetched) and tag its events with `conn`. If the constructor throws, report
    /// `SocketClosed { code: 1006, .. }` for a transient failure or `Fail` for a permanent one.
    OpenSocket {
        /// The id to tag the socket's inputs with.
        conn: ConnId,
        /// How many retries in a row this is: 0 for the first connection and after a stable one.
        attempt: u32,
    },
    /// Send a text frame (the application ping).
    SendText {
        /// The socket to send on; if it is no longer the driver's current socket, do nothing.
        conn: ConnId,
        /// The frame.
        text: String,
    },
    /// Close the socket and forget it: detach its listeners, feed nothing more from it. A `conn`
    /// the driver has no socket for (never opened, already gone) is a no-op.
    CloseSocket {
        /// The socket to close.
        conn: ConnId,
        /// A code browsers accept in `close()`: 1000 or 4000–4999.
        code: u16,
        /// At most 123 bytes of UTF-8, as `close()` requires.
        reason: String,
    },
    /// Tell the application (state change, resync, overflow, frame error…).
    Emit(SessionEvent),
}

/// A close code for `close()` from the application or an abort.
pub const CLOSE_NORMAL: u16 = 1000;
/// A close code for a socket the session gave up on (timeout, dead link). Browsers only let a
/// page send 1000 or 3000–4999; 4000 is the first private-use code.
pub const CLOSE_GIVING_UP: u16 = 4000;

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum SessionState {
    /// Created, not started.
    Idle,
    /// Waiting for a token.
    FetchingToken,
    /// Waiting for the socket to open.
    Connecting,
    /// The socket is open.
    Open,
    /// Waiting out a reconnect delay.
    Waiting,
    /// Ended for good.
    Closed,
}

/// What the application is told, in order, besides its events.
#[derive(Debug, Clone, PartialEq, Serialize, Tsify)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SessionEvent {
    /// An attempt to connect begins.
    Connecting {
        /// Retries in a row so far (0 for the first attempt and after a stable connection).
        attempt: u32,
    },
    /// The socket opened; events flow.
    Open {
        /// The retry count of the attempt that succeeded.
        attempt: u32,
        /// The subprotocol the server selected, empty if none.
        protocol: String,
    },
    /// The link is down; the next attempt comes after `delay_ms`.
    Reconnecting {
        /// The number of the coming retry (1 for the first retry in a row).
        attempt: u32,
        /// The delay chosen (full jitter), in ms.
        delay_ms: u64,
        /// Why the link went down.
        cause: DisconnectCause,
    },
    /// The session ended; nothing follows.
    Closed {
        /// Why.
        why: CloseReason,
    },
    /// A reconnect succeeded. None of these servers replays what was sent while the link was
    /// down, so events in between are lost: reload the state over REST. Emitted once per
    /// reconnect, after its `open`.
    Resync {
        /// Wall-clock ms when the previous connection was last known alive (its last frame, or
        /// its opening if it had none): events from then on may be missing.
        gap_started_at: u64,
        /// Wall-clock ms when the new connection opened.
        gap_ended_at: u64,
    },
    /// The delivery buffer was full and its oldest events were dropped.
    Overflow {
        /// How many were dropped since the previous `overflow` event.
        dropped: u64,
        /// How many were dropped in the session's lifetime.
        total_dropped: u64,
    },
    /// A frame was rejected; the stream goes on.
    FrameError {
        /// What was wrong.
        error: FrameError,
    },
    /// Events Hub: channels asked for that the welcome does not list (the server drops unknown
    /// names silently). Checked on every connection.
    ChannelsNotGranted {
        /// The missing channels, lower-cased as the server compares them.
        channels: Vec<String>,
    },
}

/// Why a link went down or an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum DisconnectCause {
    /// The token provider failed.
    TokenFailed {
        /// The provider's reason.
        reason: String,
    },
    /// The token provider did not answer within `connectTimeoutMs`.
    TokenTimeout {
        /// How long the session waited, in ms.
        waited_ms: u64,
    },
    /// The socket did not open within `connectTimeoutMs`.
    ConnectTimeout {
        /// How long the session waited, in ms.
        waited_ms: u64,
    },
    /// The socket closed (or failed) before it opened. Browsers hide the HTTP status, so a
    /// refused credential (401) looks like this too: when `consecutive` keeps growing, check the
    /// credentials (the Events Hub has `/api/v1/auth/token/validate` for that).
    NeverOpened {
        /// `CloseEvent.code` (1006 for a failed handshake or an `error` event).
        code: u16,
        /// `CloseEvent.reason`.
        reason: String,
        /// Attempts in a row that failed before opening, this one included.
        consecutive: u32,
    },
    /// An open socket closed.
    Lost {
        /// `CloseEvent.code` (1006 when the connection dropped without a close frame).
        code: u16,
        /// `CloseEvent.reason`.
        reason: String,
        /// `CloseEvent.wasClean`.
        was_clean: bool,
        /// How long it had been open, in ms.
        open_for_ms: u64,
    },
    /// A ping went unanswered, and nothing else arrived, for `pongTimeoutMs`.
    PingTimeout {
        /// How long since the ping was sent, in ms.
        waited_ms: u64,
    },
    /// No frame for `idleTimeoutMs`.
    IdleTimeout {
        /// How long since the last frame (or the opening), in ms.
        idle_ms: u64,
    },
}

/// Why a session ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum CloseReason {
    /// The application called `close()`.
    Closed,
    /// The application's `AbortSignal` fired.
    Aborted,
    /// `maxAttempts` retries in a row failed.
    AttemptsExhausted {
        /// How many retries were made.
        attempts: u32,
        /// Why the last one failed.
        last: DisconnectCause,
    },
    /// The first handshakes all failed (more than `maxRefusedHandshakes` in a row) and no
    /// connection ever opened: the server refuses this request. Browsers hide the HTTP answer; LXD refuses an
    /// unknown project or event type this way, the Events Hub a bad token.
    Refused {
        /// Handshakes that failed in a row.
        attempts: u32,
        /// How the last one failed.
        last: DisconnectCause,
    },
    /// The driver reported an error no retry can cure.
    Failed {
        /// Why.
        reason: String,
    },
}

/// A rejected frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum FrameError {
    /// The text is not a valid event of the source.
    Decode {
        /// The decoder's error (kind, path, position).
        error: DecodeError,
        /// The frame's text, cut to `errorTextChars` characters.
        text: String,
        /// True when `text` was cut.
        truncated: bool,
        /// The frame's full size in bytes (UTF-8).
        len: usize,
    },
    /// A binary frame, where the protocol sends text only.
    Binary {
        /// Its size in bytes.
        len: usize,
    },
    /// A text frame over `maxFrameBytes`, not decoded.
    TooLarge {
        /// Its size in bytes (UTF-8).
        len: usize,
        /// The limit.
        limit: usize,
        /// Its first `errorTextChars` characters.
        head: String,
    },
}

/// An event accepted for the application, taken with
/// [`Session::pop_event`](super::Session::pop_event).
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery<E> {
    /// Position among the accepted events, from 0. A gap between two deliveries is the number of
    /// events the buffer dropped in between.
    pub seq: u64,
    /// The typed event.
    pub event: E,
    /// Wall-clock ms when the frame arrived.
    pub received_at: Millis,
}

/// Counters of a session's life, from `stats()`.
///
/// They always balance: `received == accepted + duplicates + decodeErrors + control`, and
/// `accepted == delivered + dropped + discarded + buffered`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SessionStats {
    /// Frames received on open sockets (text and binary).
    pub received: u64,
    /// Events put in the delivery buffer.
    pub accepted: u64,
    /// Events handed to the application.
    pub delivered: u64,
    /// Events dropped because the buffer was full.
    pub dropped: u64,
    /// Events still in the buffer when the session closed, thrown away with it.
    pub discarded: u64,
    /// Events waiting in the buffer now.
    pub buffered: u64,
    /// Events not delivered because their id was delivered recently.
    pub duplicates: u64,
    /// Frames rejected: undecodable, binary or too large.
    pub decode_errors: u64,
    /// Frames for the session itself (pongs to its pings), not delivered.
    pub control: u64,
    /// Connections re-established after one was lost (one `resync` each).
    pub reconnects: u64,
    /// Sockets asked for, the first included.
    pub connect_attempts: u64,
    /// Wall-clock ms of the last accepted event.
    pub last_event_at: Option<u64>,
    /// Round trip of the last answered ping, in ms.
    pub last_ping_rtt_ms: Option<u64>,
}
