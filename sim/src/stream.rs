//! The life of one event socket, shared by the Events Hub, LXD and CloudEvents endpoints: the
//! trickle of realistic events, bursts, injected faults, silence and drops. Each source plugs in
//! through `Feed`, which knows its own event shapes; this file knows only about timing and frames.

use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{sleep_until, Instant};
use tokio_tungstenite::tungstenite::Message;

use crate::clock::{self, Nanos};
use crate::control::{Broadcast, BurstSpec, Command, FaultKind, LiveGuard, OnConnect, Source};
use crate::rng::{self, Rng};
use crate::ws::{self, Socket};
use crate::Sim;
use rand::{Rng as _, SeedableRng as _};

/// A source's event shapes and socket manners.
pub trait Feed: Send + 'static {
    type Event: Send + 'static;
    const SOURCE: Source;
    /// A WebSocket ping sent right after the upgrade (LXD sends `keepalive`).
    const INITIAL_PING: Option<&'static [u8]> = None;
    /// Interval of server pings, and how long without a pong before the socket is dropped
    /// (the Events Hub: 30 s and 45 s).
    const KEEPALIVE: Option<(Duration, Duration)> = None;

    /// Frames sent first, before any event (the Events Hub's welcome).
    fn opening(&mut self, _ts: Nanos, _rng: &mut Rng) -> Vec<String> {
        Vec::new()
    }
    /// The next group of trickle events, each with its offset in seconds from the group's start
    /// (a job's updates, the second half of MetalSoft's degraded pair, …). May be empty.
    fn scene(&mut self, rng: &mut Rng, at: Nanos) -> Vec<(f64, Self::Event)>;
    /// A repeating event and its period (the Events Hub's `System Stats` every 5 s); `None` inside
    /// skips this slot, `None` outside ends the repetition.
    fn periodic(&mut self, _rng: &mut Rng, _at: Nanos) -> Option<(Duration, Option<Self::Event>)> {
        None
    }
    /// Any one valid event for this socket, used to build faulty frames.
    fn sample(&mut self, rng: &mut Rng, at: Nanos) -> Self::Event;
    /// A valid event of about `size` bytes.
    fn oversized(&mut self, size: usize, rng: &mut Rng, at: Nanos) -> Self::Event;
    /// The text of one frame; an empty string sends nothing (e.g. a channel unsubscribed since).
    fn render(&mut self, event: &Self::Event, ts: Nanos, rng: &mut Rng) -> String;
    /// One burst frame carrying `sent_at_ms` and `seq`; `None` if the mix does not apply to this
    /// socket (e.g. a channel it did not subscribe to).
    fn burst_frame(
        &mut self,
        mix: &[String],
        seq: u64,
        sent_at_ms: f64,
        ts: Nanos,
        rng: &mut Rng,
    ) -> Option<String>;
    /// Replies to a text frame from the client.
    fn on_text(&mut self, _text: &str, _ts: Nanos, _rng: &mut Rng) -> Vec<String> {
        Vec::new()
    }
}

struct Scheduled<E> {
    due: u64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl<E> Eq for Scheduled<E> {}
impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Scheduled<E> {
    // Reversed: BinaryHeap is a max-heap and the earliest event must come out first.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

struct BurstRun {
    spec: BurstSpec,
    started: Instant,
    start_offset: u64,
    ends: Instant,
    sent: u64,
}

/// Frames written per wake-up during a burst before the loop looks at its inbox again.
const BURST_BATCH: u64 = 512;
/// A silence with no end still ends the socket after this long, so abandoned sockets are freed.
const MAX_SILENCE: Duration = Duration::from_secs(600);

enum Flow {
    Continue,
    Stop,
}

pub struct Stream<F: Feed> {
    feed: F,
    socket: Socket,
    /// Draws for the world's changes (scenes); ids and everything sent at a time that depends on
    /// the wall clock draw from `frame_rng`, so a seeded run replays the same frames whatever the
    /// timing of the loop.
    rng: Rng,
    frame_rng: Rng,
    sim: Arc<Sim>,
    start: Instant,
    seeded: bool,
    queue: BinaryHeap<Scheduled<F::Event>>,
    seq: u64,
    /// Offset (ns from the start) of the next trickle scene; `None` when the trickle is off.
    next_scene: Option<u64>,
    next_periodic: Option<u64>,
    burst: Option<BurstRun>,
    on_connect: OnConnect,
    trickled: u64,
    faults_done: usize,
    silent_at: Option<Instant>,
    last_frame: Option<String>,
    last_pong: Instant,
    next_ping: Option<Instant>,
    dirty: bool,
}

impl<F: Feed> Stream<F> {
    /// Runs a socket until the client leaves or a control command ends it. `ordinal` numbers the
    /// sockets of this source (for seeding); `_live` keeps it counted as open.
    pub async fn run(sim: Arc<Sim>, socket: Socket, feed: F, mut rng: Rng, _live: LiveGuard) {
        let on_connect = sim.control.on_connect.lock().unwrap().clone();
        let start = Instant::now();
        let seeded = sim.control.seed().is_some();
        let trickle = sim.config.rate > 0.0;
        let frame_rng = Rng::seed_from_u64(rng.random());
        let mut stream = Stream {
            feed,
            socket,
            rng,
            frame_rng,
            start,
            seeded,
            queue: BinaryHeap::new(),
            seq: 0,
            next_scene: trickle.then_some(0),
            next_periodic: trickle.then_some(0),
            burst: None,
            silent_at: on_connect.silent_after.map(|d| start + d),
            on_connect,
            trickled: 0,
            faults_done: 0,
            last_frame: None,
            last_pong: start,
            next_ping: F::KEEPALIVE.map(|(every, _)| start + every),
            dirty: false,
            sim,
        };
        stream.main().await;
    }

    fn offset_now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// The time stamp of something sent at `offset`: virtual (replayable) with a seed, else now.
    fn stamp(&self, offset: u64) -> Nanos {
        if self.seeded {
            clock::SEEDED_EPOCH + offset
        } else {
            clock::now()
        }
    }

    async fn send(&mut self, message: Message) -> bool {
        self.dirty = true;
        self.socket.feed(message).await.is_ok()
    }

    async fn send_text(&mut self, text: String) -> bool {
        self.last_frame = Some(text.clone());
        self.send(Message::text(text)).await
    }

    async fn main(&mut self) {
        let mut inbox = self.sim.control.subscribe();
        if let Some(payload) = F::INITIAL_PING {
            if !self.send(Message::Ping(payload.to_vec().into())).await {
                return;
            }
        }
        let ts = self.stamp(0);
        for frame in self.feed.opening(ts, &mut self.frame_rng) {
            if !self.send_text(frame).await {
                return;
            }
        }
        if let Some((target, spec)) = self.on_connect.burst.clone() {
            if target.matches(F::SOURCE) {
                self.start_burst(spec);
            }
        }
        loop {
            if self.dirty {
                if self.socket.flush().await.is_err() {
                    return;
                }
                self.dirty = false;
            }
            let wake = self.next_wake();
            let flow = tokio::select! {
                biased;
                command = inbox.recv() => match command {
                    Ok(Broadcast { target, command }) if target.matches(F::SOURCE) => self.obey(command, &mut inbox).await,
                    Ok(_) | Err(RecvError::Lagged(_)) => Flow::Continue,
                    Err(RecvError::Closed) => Flow::Stop,
                },
                message = self.socket.next() => self.receive(message).await,
                _ = sleep_until(wake) => self.tick().await,
            };
            if let Flow::Stop = flow {
                return;
            }
        }
    }

    fn next_wake(&self) -> Instant {
        let at = |offset: u64| self.start + Duration::from_nanos(offset);
        let mut wake = self.start + Duration::from_secs(86_400 * 365);
        let mut consider = |t: Instant| wake = wake.min(t);
        // The trickle pauses during a burst, so only the burst's own pace counts then.
        if self.burst.is_none() {
            if let Some(s) = &self.queue.peek() {
                consider(at(s.due));
            }
            if let Some(n) = self.next_scene {
                consider(at(n));
            }
            if let Some(n) = self.next_periodic {
                consider(at(n));
            }
        }
        if let Some(b) = &self.burst {
            let next = b.started + Duration::from_secs_f64(b.sent as f64 / b.spec.rate);
            consider(next.min(b.ends));
        }
        if let Some(t) = self.next_ping {
            consider(t);
        }
        if let Some(t) = self.silent_at {
            consider(t);
        }
        wake
    }

    async fn receive(
        &mut self,
        message: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Flow {
        let text = match message {
            Some(Ok(Message::Text(t))) => t.as_str().to_owned(),
            // The real hub decodes whatever bytes arrive, whatever the frame type.
            Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
            Some(Ok(Message::Pong(_))) => {
                self.last_pong = Instant::now();
                return Flow::Continue;
            }
            // tungstenite queues the pong / close reply itself; the next flush sends it.
            Some(Ok(Message::Ping(_) | Message::Close(_) | Message::Frame(_))) => {
                self.dirty = true;
                return Flow::Continue;
            }
            Some(Err(_)) | None => return Flow::Stop,
        };
        let ts = self.stamp(self.offset_now());
        for reply in self.feed.on_text(&text, ts, &mut self.frame_rng) {
            if !self.send_text(reply).await {
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    async fn obey(
        &mut self,
        command: Command,
        inbox: &mut tokio::sync::broadcast::Receiver<Broadcast>,
    ) -> Flow {
        match command {
            Command::Drop => Flow::Stop,
            Command::Silence(d) => self.be_silent(d, inbox).await,
            Command::Fault { kind, count, size } => {
                for _ in 0..count {
                    if let Flow::Stop = self.fault(kind, size).await {
                        return Flow::Stop;
                    }
                }
                Flow::Continue
            }
            Command::Burst(spec) => {
                self.start_burst(spec);
                Flow::Continue
            }
            Command::Inject(text) => {
                if self.send_text(text.to_string()).await {
                    Flow::Continue
                } else {
                    Flow::Stop
                }
            }
        }
    }

    /// Half-open: neither read nor write (so not even pongs go out) until the time is up or a drop.
    async fn be_silent(
        &mut self,
        d: Option<Duration>,
        inbox: &mut tokio::sync::broadcast::Receiver<Broadcast>,
    ) -> Flow {
        let until = Instant::now() + d.unwrap_or(MAX_SILENCE).min(MAX_SILENCE);
        loop {
            tokio::select! {
                command = inbox.recv() => match command {
                    Ok(Broadcast { target, command: Command::Drop }) if target.matches(F::SOURCE) => return Flow::Stop,
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return Flow::Stop,
                },
                _ = sleep_until(until) => break,
            }
        }
        if d.is_none() {
            return Flow::Stop;
        }
        // Resume: the pong deadline restarts, and the trickle does not replay the gap.
        self.last_pong = Instant::now();
        let now = self.offset_now();
        self.next_scene = self.next_scene.map(|n| n.max(now));
        self.next_periodic = self.next_periodic.map(|n| n.max(now));
        Flow::Continue
    }

    fn start_burst(&mut self, spec: BurstSpec) {
        let started = Instant::now();
        self.burst = Some(BurstRun {
            ends: started + Duration::from_secs_f64(spec.secs),
            spec,
            started,
            start_offset: self.offset_now(),
            sent: 0,
        });
    }

    async fn tick(&mut self) -> Flow {
        let now = Instant::now();
        let offset = self.offset_now();

        if let Some(t) = self.silent_at {
            if now >= t {
                self.silent_at = None;
                let mut inbox = self.sim.control.subscribe();
                return self.be_silent(None, &mut inbox).await;
            }
        }

        if let Some(t) = self.next_ping {
            if now >= t {
                let (every, deadline) = F::KEEPALIVE.expect("pings only with KEEPALIVE");
                if now.duration_since(self.last_pong) > deadline {
                    // The real hub's read deadline: no pong in time, the TCP connection is dropped.
                    return Flow::Stop;
                }
                if !self.send(Message::Ping(Vec::new().into())).await {
                    return Flow::Stop;
                }
                self.next_ping = Some(now + every);
            }
        }

        if self.burst.is_some() {
            return self.burst_step(now).await;
        }

        // Every periodic slot and scene that is due is generated, in time order, before any event
        // is sent: events then come out in the same order however late this tick runs.
        loop {
            let periodic = self.next_periodic.filter(|n| *n <= offset);
            let scene = self.next_scene.filter(|n| *n <= offset);
            match (periodic, scene) {
                (Some(p), s) if s.is_none_or(|s| p <= s) => self.periodic_slot(p),
                (_, Some(s)) => self.scene_slot(s, offset),
                _ => break,
            }
        }

        while self.queue.peek().is_some_and(|s| s.due <= offset) {
            let item = self.queue.pop().expect("peeked");
            let ts = self.stamp(item.due);
            let frame = self.feed.render(&item.event, ts, &mut self.frame_rng);
            if frame.is_empty() {
                continue;
            }
            if !self.send_text(frame).await {
                return Flow::Stop;
            }
            self.trickled += 1;
            if let Flow::Stop = self.scheduled_fault().await {
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    fn periodic_slot(&mut self, n: u64) {
        let at = self.stamp(n);
        match self.feed.periodic(&mut self.rng, at) {
            Some((period, event)) => {
                if let Some(event) = event {
                    self.push(n, event);
                }
                self.next_periodic = Some(n + period.as_nanos() as u64);
            }
            None => self.next_periodic = None,
        }
    }

    fn scene_slot(&mut self, n: u64, offset: u64) {
        let at = self.stamp(n);
        let scene = self.feed.scene(&mut self.rng, at);
        let events = scene.len().max(1) as f64;
        for (delay, event) in scene {
            self.push(n + (delay * 1e9) as u64, event);
        }
        // A scene of k events waits k/rate on average, so the rate is events per second.
        let wait = rng::exp_secs(&mut self.rng, events / self.sim.config.rate);
        // After a stall, restart from now rather than replaying every missed scene.
        let next = n + (wait * 1e9) as u64;
        self.next_scene = Some(if next + 1_000_000_000 < offset {
            offset
        } else {
            next
        });
    }

    fn push(&mut self, due: u64, event: F::Event) {
        self.seq += 1;
        self.queue.push(Scheduled {
            due,
            seq: self.seq,
            event,
        });
    }

    /// `--fault`: one fault every `fault_every` trickle events, the kinds taken in turn.
    async fn scheduled_fault(&mut self) -> Flow {
        let on = &self.on_connect;
        if on.faults.is_empty()
            || on.fault_every == 0
            || !self.trickled.is_multiple_of(u64::from(on.fault_every))
        {
            return Flow::Continue;
        }
        let kind = on.faults[self.faults_done % on.faults.len()];
        self.faults_done += 1;
        self.fault(kind, crate::control::DEFAULT_OVERSIZED_BYTES).await
    }

    async fn burst_step(&mut self, now: Instant) -> Flow {
        let run = self.burst.as_mut().expect("burst running");
        if now >= run.ends {
            self.burst = None;
            let offset = self.offset_now();
            self.next_scene = self.next_scene.map(|n| n.max(offset));
            return Flow::Continue;
        }
        let total = (run.spec.rate * run.spec.secs).ceil() as u64;
        let due = ((now.duration_since(run.started).as_secs_f64() * run.spec.rate) as u64 + 1).min(total);
        let n = due.saturating_sub(run.sent).min(BURST_BATCH);
        let interval_ns = 1e9 / run.spec.rate;
        let mix = run.spec.mix.clone();
        for _ in 0..n {
            let run = self.burst.as_mut().expect("burst running");
            let seq = run.sent;
            run.sent += 1;
            let offset = run.start_offset + (seq as f64 * interval_ns) as u64;
            let ts = self.stamp(offset);
            let frame = self
                .feed
                .burst_frame(&mix, seq, clock::now_ms_f64(), ts, &mut self.frame_rng);
            let Some(frame) = frame else {
                // Nothing in the mix applies to this socket: no burst here.
                self.burst = None;
                return Flow::Continue;
            };
            self.dirty = true;
            if self.socket.feed(Message::text(frame)).await.is_err() {
                return Flow::Stop;
            }
        }
        if self.burst.as_ref().is_some_and(|b| b.sent >= total) {
            self.burst = None;
        }
        Flow::Continue
    }

    fn fresh_frame(&mut self, ts: Nanos) -> String {
        let event = self.feed.sample(&mut self.frame_rng, ts);
        self.feed.render(&event, ts, &mut self.frame_rng)
    }

    async fn fault(&mut self, kind: FaultKind, size: usize) -> Flow {
        let ts = self.stamp(self.offset_now());
        let ok = match kind {
            FaultKind::Malformed => {
                let frame = self.fresh_frame(ts);
                self.send(Message::text(malformed(&frame))).await
            }
            FaultKind::Truncated => {
                let frame = self.fresh_frame(ts);
                self.send(Message::text(first_half(&frame).to_owned())).await
            }
            FaultKind::TruncatedFrame => {
                let frame = self.fresh_frame(ts);
                let _ = ws::write_truncated_frame(&mut self.socket, frame.as_bytes()).await;
                return Flow::Stop;
            }
            FaultKind::Binary => {
                let frame = self.fresh_frame(ts);
                self.send(Message::binary(frame.into_bytes())).await
            }
            FaultKind::Oversized => {
                let event = self.feed.oversized(size, &mut self.frame_rng, ts);
                let frame = self.feed.render(&event, ts, &mut self.frame_rng);
                self.send_text(frame).await
            }
            FaultKind::Duplicate => {
                let frame = match self.last_frame.clone() {
                    Some(f) => f,
                    None => {
                        let f = self.fresh_frame(ts);
                        self.send_text(f.clone()).await;
                        f
                    }
                };
                self.send_text(frame).await
            }
            FaultKind::OutOfOrder => {
                // The second event is stamped two seconds before the first.
                let newer = self.fresh_frame(ts);
                let older = self.fresh_frame(ts.saturating_sub(2 * clock::NANOS_PER_SEC));
                self.send_text(newer).await && self.send_text(older).await
            }
        };
        if ok {
            Flow::Continue
        } else {
            Flow::Stop
        }
    }
}

/// Valid JSON made invalid by a trailing comma before the final brace (LXD's "\n" kept).
pub fn malformed(frame: &str) -> String {
    let (body, nl) = match frame.strip_suffix('\n') {
        Some(b) => (b, "\n"),
        None => (frame, ""),
    };
    match body.strip_suffix('}') {
        Some(head) => format!("{head},}}{nl}"),
        None => format!("{body},{nl}"),
    }
}

/// The first half of a frame, cut on a character boundary.
pub fn first_half(frame: &str) -> &str {
    let mut cut = frame.len() / 2;
    while !frame.is_char_boundary(cut) {
        cut -= 1;
    }
    &frame[..cut]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faulty_frames_are_invalid_json() {
        let f = r#"{"a":{"b":1}}"#;
        assert!(serde_json::from_str::<serde_json::Value>(&malformed(f)).is_err());
        assert!(serde_json::from_str::<serde_json::Value>(first_half(f)).is_err());
        assert_eq!(malformed("{\"a\":1}\n"), "{\"a\":1,}\n");
        assert_eq!(first_half("aé"), "a");
    }
}
