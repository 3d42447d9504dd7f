#![cfg(not(target_arch = "wasm32"))]
#![cfg(feature = "events-hub")]
//! Property tests: long random sequences of inputs, times and options, with the invariants the
//! session promises checked after every step.

use std::collections::{BTreeSet, HashMap};

use infra_events::session::*;
use proptest::prelude::*;
use serde_json::json;

const T0: Millis = 1_000_000;

/// One thing the fake driver may do.
#[derive(Debug, Clone)]
enum Step {
    Start,
    TokenReady {
        stale: bool,
    },
    TokenFailed {
        stale: bool,
    },
    Opened {
        stale: bool,
    },
    /// An event whose id comes from a small pool, so repeats are frequent.
    Event {
        id: u8,
        stale: bool,
    },
    Welcome,
    /// A pong: to the session's last ping, or to someone else's.
    Pong {
        ours: bool,
    },
    Garbage,
    Binary,
    Huge,
    SocketError {
        stale: bool,
    },
    SocketClosed {
        code: u16,
        stale: bool,
    },
    Tick,
    /// Feed `Tick` at exactly the session's next deadline.
    TickAtDeadline,
    Online,
    Visible {
        hidden: bool,
    },
    Close,
    Abort,
    Fail,
    Pop {
        n: u8,
    },
    Advance {
        ms: u32,
    },
    /// The wall clock steps back.
    Back {
        ms: u32,
    },
}

fn step() -> impl Strategy<Value = Step> {
    // The final inputs (close, abort, fail) are not in this pool: a run places at most one of
    // them at a chosen point, so most of each run happens while the session is alive.
    prop_oneof![
        2 => Just(Step::Start),
        6 => prop::bool::weighted(0.2).prop_map(|stale| Step::TokenReady { stale }),
        1 => any::<bool>().prop_map(|stale| Step::TokenFailed { stale }),
        10 => prop::bool::weighted(0.15).prop_map(|stale| Step::Opened { stale }),
        30 => (0u8..40, prop::bool::weighted(0.1)).prop_map(|(id, stale)| Step::Event { id, stale }),
        2 => Just(Step::Welcome),
        4 => prop::bool::weighted(0.8).prop_map(|ours| Step::Pong { ours }),
        1 => Just(Step::Garbage),
        1 => Just(Step::Binary),
        1 => Just(Step::Huge),
        1 => any::<bool>().prop_map(|stale| Step::SocketError { stale }),
        4 => (prop_oneof![Just(1000u16), Just(1001), Just(1006)], prop::bool::weighted(0.2))
            .prop_map(|(code, stale)| Step::SocketClosed { code, stale }),
        4 => Just(Step::Tick),
        8 => Just(Step::TickAtDeadline),
        2 => Just(Step::Online),
        2 => any::<bool>().prop_map(|hidden| Step::Visible { hidden }),
        8 => (0u8..6).prop_map(|n| Step::Pop { n }),
        10 => prop_oneof![0u32..50, 0u32..5_000, 0u32..120_000].prop_map(|ms| Step::Advance { ms }),
        1 => (0u32..100_000).prop_map(|ms| Step::Back { ms }),
    ]
}

/// The final input of a run, if any, and where it goes.
fn ending() -> impl Strategy<Value = Option<(prop::sample::Index, Step)>> {
    prop::option::weighted(
        0.7,
        (
            any::<prop::sample::Index>(),
            prop_oneof![Just(Step::Close), Just(Step::Abort), Just(Step::Fail)],
        ),
    )
}

fn options() -> impl Strategy<Value = SessionOptions> {
    (
        (
            any::<bool>(),
            0u64..2_000,
            0u64..40_000,
            1.0f64..4.0,
            prop::option::weighted(0.2, 0u32..10),
        ),
        (
            0u64..20_000,
            prop::option::of(0u64..20_000),
            prop::option::of(1u64..30_000),
        ),
        (
            prop::option::of(1u64..30_000),
            0u64..15_000,
            0usize..12,
            0usize..8,
            any::<u64>(),
        ),
    )
        .prop_map(
            |(
                (token_provider, base_ms, max_ms, factor, max_attempts),
                (stable_after_ms, connect_timeout_ms, idle_timeout_ms),
                (ping_interval_ms, pong_timeout_ms, dedup_window, buffer_capacity, seed),
            )| SessionOptions {
                token_provider,
                backoff: BackoffOptions {
                    base_ms,
                    max_ms,
                    factor,
                },
                max_attempts,
                max_refused_handshakes: None,
                stable_after_ms,
                connect_timeout_ms,
                idle_timeout_ms,
                ping_interval_ms,
                pong_timeout_ms,
                dedup_window,
                buffer_capacity,
                max_frame_bytes: Some(2_000),
                error_text_chars: 16,
                seed,
            },
        )
}

fn hub_event(id: &str) -> String {
    json!({"id": id, "event_type": "pdfm", "timestamp": "2026-08-18T09:15:10.774012Z",
           "message": "VM_REMOVED", "body": {"vm_id": "bcc8b374-d6c3-487e-b6ee-b546a9e28793"}})
    .to_string()
}

fn text_id(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["id"].as_str().unwrap().to_owned()
}

/// The wire's `id` of a decoded event, read back from its serialisation.
fn event_id(event: &infra_events::model::events_hub::HubEvent) -> String {
    serde_json::to_value(event).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The fake driver and everything it has seen, checked as it goes.
struct Run {
    session: Session<EventsHub>,
    options: SessionOptions,
    now: Millis,
    /// The attempt the driver is working on (last FetchToken or OpenSocket).
    conn: Option<ConnId>,
    opened: BTreeSet<ConnId>,
    last_ping: Option<String>,
    closed: bool,
    frames: u32,
    popped: u64,
    opens: u64,
    resyncs: u64,
    /// seq of the last delivery of each id.
    delivered_at: HashMap<String, u64>,
    last_seq: Option<u64>,
}

impl Run {
    fn new(options: SessionOptions) -> Self {
        Run {
            session: Session::new(EventsHub::new(["pdfm", "stats"]), options.clone(), T0),
            options,
            now: T0,
            conn: None,
            opened: BTreeSet::new(),
            last_ping: None,
            closed: false,
            frames: 0,
            popped: 0,
            opens: 0,
            resyncs: 0,
            delivered_at: HashMap::new(),
            last_seq: None,
        }
    }

    fn target(&self, stale: bool) -> ConnId {
        let current = self.conn.unwrap_or(ConnId(0));
        if stale {
            ConnId(current.0.wrapping_sub(1))
        } else {
            current
        }
    }

    fn frame(&mut self) -> u32 {
        self.frames += 1;
        self.frames
    }

    fn input_for(&mut self, step: &Step) -> Option<Input> {
        Some(match *step {
            Step::Start => Input::Start,
            Step::TokenReady { stale } => Input::TokenReady {
                conn: self.target(stale),
            },
            Step::TokenFailed { stale } => Input::TokenFailed {
                conn: self.target(stale),
                reason: "provider failed".to_owned(),
            },
            Step::Opened { stale } => Input::SocketOpened {
                conn: self.target(stale),
                protocol: String::new(),
            },
            Step::Event { id, stale } => Input::TextFrame {
                conn: self.target(stale),
                text: hub_event(&format!("id-{id}")),
            },
            Step::Welcome => {
                let n = self.frame();
                Input::TextFrame {
                    conn: self.target(false),
                    text: json!({"id": format!("welcome-{n}"), "event_type": "global",
                        "timestamp": "2026-08-18T09:14:02.318245Z",
                        "message": "WebSocket connection established subscribed to global by default",
                        "body": {"client_id": "c", "subscriptions": ["pdfm", "global"]}})
                    .to_string(),
                }
            }
            Step::Pong { ours } => {
                let n = self.frame();
                let ref_id = match (&self.last_ping, ours) {
                    (Some(id), true) => id.clone(),
                    _ => format!("other-{n}"),
                };
                Input::TextFrame {
                    conn: self.target(false),
                    text: json!({"id": format!("pong-{n}"), "ref_id": ref_id, "event_type": "health",
                        "timestamp": "2026-08-18T09:14:32.500113Z", "message": "pong", "client_id": "c"})
                    .to_string(),
                }
            }
            Step::Garbage => Input::TextFrame {
                conn: self.target(false),
                text: "{\"id\": nope".to_owned(),
            },
            Step::Binary => Input::BinaryFrame {
                conn: self.target(false),
                len: 10,
            },
            Step::Huge => Input::TextFrame {
                conn: self.target(false),
                text: hub_event(&"h".repeat(3_000)),
            },
            Step::SocketError { stale } => Input::SocketError {
                conn: self.target(stale),
            },
            Step::SocketClosed { code, stale } => Input::SocketClosed {
                conn: self.target(stale),
                code,
                reason: String::new(),
                was_clean: code != 1006,
            },
            Step::Tick => Input::Tick,
            Step::TickAtDeadline => {
                if let Some(deadline) = self.session.next_deadline() {
                    self.now = self.now.max(deadline);
                }
                Input::Tick
            }
            Step::Online => Input::Online,
            Step::Visible { hidden } => Input::Visible { hidden },
            Step::Close => Input::Close,
            Step::Abort => Input::Abort,
            Step::Fail => Input::Fail {
                reason: "bad configuration".to_owned(),
            },
            Step::Pop { n } => {
                for _ in 0..n {
                    self.pop();
                }
                return None;
            }
            Step::Advance { ms } => {
                self.now += u64::from(ms);
                return None;
            }
            Step::Back { ms } => {
                self.now = self.now.saturating_sub(u64::from(ms));
                return None;
            }
        })
    }

    fn pop(&mut self) {
        let Some(delivery) = self.session.pop_event() else {
            return;
        };
        assert!(!self.closed, "an event came out after the session closed");
        self.popped += 1;
        if let Some(last) = self.last_seq {
            assert!(delivery.seq > last, "deliveries in order");
        }
        self.last_seq = Some(delivery.seq);
        let id = event_id(&delivery.event);
        if let Some(previous) = self.delivered_at.insert(id.clone(), delivery.seq) {
            let window = self.options.dedup_window as u64;
            assert!(
                window == 0 || delivery.seq - previous > window,
                "{id} delivered again at seq {} after {previous}, inside a window of {window}",
                delivery.seq
            );
        }
    }

    fn step(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let Some(input) = self.input_for(step) else {
            self.check_stats()?;
            return Ok(());
        };
        let final_input = matches!(input, Input::Close | Input::Abort | Input::Fail { .. });
        let was_closed = self.closed;
        self.session.handle(input, self.now);
        let mut actions = Vec::new();
        while let Some(action) = self.session.poll_action() {
            actions.push(action);
        }
        if was_closed {
            prop_assert!(actions.is_empty(), "action after close: {actions:?}");
            prop_assert!(self.session.next_deadline().is_none());
            prop_assert!(self.session.pop_event().is_none());
            return Ok(());
        }
        if final_input {
            // Only the final close of the socket, then `closed`.
            let n = actions.len();
            prop_assert!((1..=2).contains(&n), "{actions:?}");
            prop_assert!(
                matches!(actions[n - 1], Action::Emit(SessionEvent::Closed { .. })),
                "{actions:?}"
            );
            if n == 2 {
                prop_assert!(
                    matches!(
                        actions[0],
                        Action::CloseSocket {
                            code: CLOSE_NORMAL,
                            ..
                        }
                    ),
                    "{actions:?}"
                );
            }
        }
        for (i, action) in actions.iter().enumerate() {
            self.check_action(action, i + 1 == actions.len())?;
        }
        self.check_stats()
    }

    fn check_action(&mut self, action: &Action, last: bool) -> Result<(), TestCaseError> {
        prop_assert!(!self.closed, "{action:?} after closed");
        match action {
            Action::FetchToken { conn } => {
                prop_assert!(self.options.token_provider);
                prop_assert!(self.conn.is_none_or(|c| conn.0 > c.0), "fresh id per attempt");
                self.conn = Some(*conn);
            }
            Action::OpenSocket { conn, .. } => {
                if self.options.token_provider {
                    prop_assert_eq!(Some(*conn), self.conn, "the socket uses the token's attempt");
                } else {
                    prop_assert!(self.conn.is_none_or(|c| conn.0 > c.0));
                }
                prop_assert!(self.opened.insert(*conn), "a socket opened twice");
                self.conn = Some(*conn);
            }
            Action::SendText { conn, text } => {
                prop_assert_eq!(Some(*conn), self.conn);
                prop_assert!(self.options.ping_interval_ms.is_some());
                let id = text_id(text);
                prop_assert!(id.starts_with(PING_ID_PREFIX));
                self.last_ping = Some(id);
            }
            Action::CloseSocket { conn, .. } => {
                prop_assert!(self.opened.contains(conn), "closing a socket never opened");
            }
            Action::Emit(SessionEvent::Reconnecting {
                attempt, delay_ms, ..
            }) => {
                prop_assert!(*attempt >= 1);
                if let Some(max) = self.options.max_attempts {
                    prop_assert!(*attempt <= max);
                }
                let b = &self.options.backoff;
                let window = (b.base_ms as f64 * b.factor.powi(*attempt as i32 - 1)).min(b.max_ms as f64);
                prop_assert!(
                    (*delay_ms as f64) <= window.floor() + 0.5,
                    "attempt {} delay {} window {}",
                    attempt,
                    delay_ms,
                    window
                );
            }
            Action::Emit(SessionEvent::Open { .. }) => self.opens += 1,
            Action::Emit(SessionEvent::Closed { .. }) => {
                prop_assert!(last, "closed is the last word");
                self.closed = true;
            }
            Action::Emit(SessionEvent::Resync {
                gap_started_at,
                gap_ended_at,
            }) => {
                prop_assert_eq!(*gap_ended_at, self.now);
                // The wall clock may have stepped back during the gap; otherwise it is ordered.
                let _ = gap_started_at;
                self.resyncs += 1;
                // Every open after the first follows a lost link, and only those resync.
                prop_assert_eq!(self.resyncs + 1, self.opens);
            }
            Action::Emit(SessionEvent::Overflow {
                dropped,
                total_dropped,
            }) => {
                prop_assert!(*dropped >= 1 && dropped <= total_dropped);
            }
            Action::Emit(_) => {}
        }
        Ok(())
    }

    fn check_stats(&self) -> Result<(), TestCaseError> {
        let s = self.session.stats();
        prop_assert_eq!(
            s.received,
            s.accepted + s.duplicates + s.decode_errors + s.control,
            "{:?}",
            s
        );
        prop_assert_eq!(
            s.accepted,
            s.delivered + s.dropped + s.discarded + s.buffered,
            "{:?}",
            s
        );
        prop_assert_eq!(s.delivered, self.popped);
        prop_assert_eq!(self.session.accepted(), s.accepted);
        prop_assert_eq!(s.reconnects, self.resyncs, "one resync per reconnect");
        prop_assert_eq!(
            self.resyncs,
            self.opens.saturating_sub(1),
            "a resync for every open but the first"
        );
        prop_assert!(s.buffered as usize <= self.options.buffer_capacity.max(1));
        prop_assert_eq!(s.connect_attempts, self.opened.len() as u64);
        if self.closed {
            prop_assert_eq!(s.buffered, 0);
            prop_assert_eq!(self.session.state(), SessionState::Closed);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_over_random_runs(
        options in options(),
        mut steps in prop::collection::vec(step(), 1..400),
        end in ending(),
    ) {
        if let Some((at, step)) = end {
            steps.insert(at.index(steps.len() + 1), step);
        }
        let mut run = Run::new(options);
        for step in &steps {
            run.step(step)?;
        }
        // Whatever happened, a close now is final and leaves nothing.
        run.step(&Step::Close)?;
        prop_assert!(run.closed);
        for step in [Step::Start, Step::Opened { stale: false }, Step::Event { id: 1, stale: false },
                     Step::TickAtDeadline, Step::Online, Step::Visible { hidden: false }] {
            run.step(&Step::Advance { ms: 100_000 })?;
            run.step(&step)?;
        }
    }

    #[test]
    fn reconnects_never_stop_without_a_limit(seed in any::<u64>(), drops in 1usize..200) {
        // With no attempt limit, any number of failures in a row keeps the session retrying,
        // each delay within the capped window.
        let options = SessionOptions {
            seed,
            ping_interval_ms: None,
            max_refused_handshakes: None,
            ..SessionOptions::default()
        };
        let mut run = Run::new(options);
        run.step(&Step::Start)?;
        for _ in 0..drops {
            run.step(&Step::SocketClosed { code: 1006, stale: false })?;
            // A zero delay has already started the next attempt.
            if run.session.state() == SessionState::Waiting {
                run.step(&Step::TickAtDeadline)?;
            }
        }
        prop_assert!(!run.closed);
        prop_assert_eq!(run.session.stats().connect_attempts, drops as u64 + 1);
    }
}
