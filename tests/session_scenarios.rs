#![cfg(not(target_arch = "wasm32"))]
#![cfg(all(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
//! The session state machine driven through whole scenarios with a fake clock: connect, welcome,
//! events, drops and reconnects, dead links, the fast paths, the limits, and the end.

use infra_events::session::*;
use serde_json::json;

const T0: Millis = 1_700_000_000_000;
const CLIENT: &str = "1a2ac654-564c-4e9e-abab-ad4e390b74f9";

// ---------------------------------------------------------------------------------------------
// Frames

fn hub_event(id: &str) -> String {
    json!({"id": id, "event_type": "pdfm", "timestamp": "2026-08-18T09:15:10.774012Z",
           "message": "VM_REMOVED", "body": {"vm_id": "bcc8b374-d6c3-487e-b6ee-b546a9e28793"}})
    .to_string()
}

fn welcome(id: &str, subscriptions: &[&str]) -> String {
    json!({"id": id, "event_type": "global", "timestamp": "2026-08-18T09:14:02.318245Z",
           "message": "WebSocket connection established subscribed to global by default",
           "body": {"client_id": CLIENT, "subscriptions": subscriptions}})
    .to_string()
}

fn pong(id: &str, ref_id: &str) -> String {
    json!({"id": id, "ref_id": ref_id, "event_type": "health",
           "timestamp": "2026-08-18T09:14:32.500113Z", "message": "pong", "client_id": CLIENT})
    .to_string()
}

fn lxd_event() -> String {
    json!({"type": "lifecycle", "timestamp": "2026-11-21T06:28:15.625846972Z",
           "metadata": {"action": "config-updated", "source": "/1.0",
                        "requestor": {"username": "root", "protocol": "unix", "address": "@"}},
           "location": "none", "project": "default"})
    .to_string()
}

fn cloud_event(source: &str, id: &str) -> String {
    json!({"id": id, "source": source, "specversion": "1.0", "type": "com.example.other"}).to_string()
}

// ---------------------------------------------------------------------------------------------
// A fake driver

/// Plays the browser driver: keeps the clock, performs nothing but records every action, and
/// remembers the socket it was last told to open.
struct Driver<S: Source> {
    session: Session<S>,
    now: Millis,
    conn: Option<ConnId>,
    /// Every action ever taken, in order.
    log: Vec<Action>,
}

impl<S: Source> Driver<S> {
    fn new(source: S, options: SessionOptions) -> Self {
        Driver {
            session: Session::new(source, options, T0),
            now: T0,
            conn: None,
            log: Vec::new(),
        }
    }

    /// Feeds `input` at the current time and returns the actions it caused.
    fn feed(&mut self, input: Input) -> Vec<Action> {
        self.session.handle(input, self.now);
        let mut out = Vec::new();
        while let Some(action) = self.session.poll_action() {
            if let Action::OpenSocket { conn, .. } | Action::FetchToken { conn } = &action {
                self.conn = Some(*conn);
            }
            out.push(action.clone());
            self.log.push(action);
        }
        out
    }

    fn at(&mut self, t: Millis) -> &mut Self {
        assert!(t >= self.now, "the fake clock only moves forward here");
        self.now = t;
        self
    }

    fn advance(&mut self, ms: u64) -> &mut Self {
        self.now += ms;
        self
    }

    fn conn(&self) -> ConnId {
        self.conn.expect("a socket was asked for")
    }

    fn start(&mut self) -> Vec<Action> {
        self.feed(Input::Start)
    }

    fn open(&mut self) -> Vec<Action> {
        let conn = self.conn();
        self.feed(Input::SocketOpened {
            conn,
            protocol: String::new(),
        })
    }

    fn text(&mut self, text: impl Into<String>) -> Vec<Action> {
        let conn = self.conn();
        self.feed(Input::TextFrame {
            conn,
            text: text.into(),
        })
    }

    fn drop_link(&mut self) -> Vec<Action> {
        let conn = self.conn();
        self.feed(Input::SocketClosed {
            conn,
            code: 1006,
            reason: String::new(),
            was_clean: false,
        })
    }

    fn tick(&mut self) -> Vec<Action> {
        self.feed(Input::Tick)
    }

    /// Waits out a reconnect delay, if the session is waiting one (a zero delay was already
    /// taken within the input that caused it).
    fn wait_out(&mut self) -> Vec<Action> {
        if self.session.state() == SessionState::Waiting {
            self.tick_at_deadline()
        } else {
            Vec::new()
        }
    }

    /// Moves the clock to the session's next deadline and ticks.
    fn tick_at_deadline(&mut self) -> Vec<Action> {
        let deadline = self.session.next_deadline().expect("a deadline");
        self.now = self.now.max(deadline);
        self.tick()
    }

    fn pop_all(&mut self) -> Vec<Delivery<S::Event>> {
        std::iter::from_fn(|| self.session.pop_event()).collect()
    }

    fn emitted(&self) -> Vec<&SessionEvent> {
        self.log
            .iter()
            .filter_map(|a| match a {
                Action::Emit(e) => Some(e),
                _ => None,
            })
            .collect()
    }
}

fn emits(actions: &[Action]) -> Vec<SessionEvent> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

fn reconnecting(actions: &[Action]) -> Option<(u32, u64, DisconnectCause)> {
    emits(actions).into_iter().find_map(|e| match e {
        SessionEvent::Reconnecting {
            attempt,
            delay_ms,
            cause,
        } => Some((attempt, delay_ms, cause)),
        _ => None,
    })
}

fn opens_socket(actions: &[Action]) -> bool {
    actions.iter().any(|a| matches!(a, Action::OpenSocket { .. }))
}

fn hub() -> EventsHub {
    EventsHub::new(["pdfm", "orchestrator"])
}

fn no_ping() -> SessionOptions {
    SessionOptions {
        ping_interval_ms: None,
        ..SessionOptions::default()
    }
}

fn hub_ids(deliveries: &[Delivery<infra_events::model::events_hub::HubEvent>]) -> Vec<String> {
    deliveries
        .iter()
        .map(|d| {
            serde_json::to_value(&d.event).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The stats balance (the invariant the proptest checks at random, here at fixed points).
fn assert_balanced(stats: &SessionStats) {
    assert_eq!(
        stats.received,
        stats.accepted + stats.duplicates + stats.decode_errors + stats.control,
        "{stats:?}"
    );
    assert_eq!(
        stats.accepted,
        stats.delivered + stats.dropped + stats.discarded + stats.buffered,
        "{stats:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Connect, welcome, events

#[test]
fn connect_welcome_and_events_in_order() {
    let mut d = Driver::new(hub(), no_ping());
    assert_eq!(d.session.state(), SessionState::Idle);
    assert_eq!(d.session.next_deadline(), None);
    let started = d.start();
    assert_eq!(
        started,
        [
            Action::Emit(SessionEvent::Connecting { attempt: 0 }),
            Action::OpenSocket {
                conn: ConnId(0),
                attempt: 0
            },
        ]
    );
    assert_eq!(d.session.state(), SessionState::Connecting);
    assert_eq!(d.session.next_deadline(), Some(T0 + 10_000), "connect timeout");

    d.advance(40);
    assert_eq!(
        d.open(),
        [Action::Emit(SessionEvent::Open {
            attempt: 0,
            protocol: String::new()
        })]
    );
    assert_eq!(d.session.state(), SessionState::Open);
    assert_eq!(d.session.next_deadline(), None, "no ping, no idle deadline");

    assert!(d
        .text(welcome("w", &["pdfm", "orchestrator", "global"]))
        .is_empty());
    for i in 0..3 {
        d.advance(10);
        assert!(d.text(hub_event(&format!("e{i}"))).is_empty());
    }
    let delivered = d.pop_all();
    assert_eq!(hub_ids(&delivered), ["w", "e0", "e1", "e2"]);
    assert_eq!(delivered.iter().map(|x| x.seq).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_eq!(delivered[3].received_at, T0 + 70);
    let stats = d.session.stats();
    assert_eq!(
        (stats.received, stats.accepted, stats.delivered, stats.buffered),
        (4, 4, 4, 0)
    );
    assert_eq!(stats.last_event_at, Some(T0 + 70));
    assert_eq!(stats.connect_attempts, 1);
    assert_eq!(stats.reconnects, 0);
    assert!(
        !d.emitted()
            .iter()
            .any(|e| matches!(e, SessionEvent::Resync { .. })),
        "no resync on the first connection"
    );
    assert_balanced(&stats);
}

#[test]
fn typed_events_come_out_typed() {
    use infra_events::model::events_hub::{HubEvent, HubPdfmMessage};
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    d.open();
    d.text(hub_event("e"));
    let delivery = d.session.pop_event().unwrap();
    match delivery.event {
        HubEvent::Pdfm(frame) => assert!(matches!(frame.payload, HubPdfmMessage::VmRemoved(_))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_token_is_fetched_before_every_connect_and_reconnect() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            token_provider: true,
            ..no_ping()
        },
    );
    let started = d.start();
    assert_eq!(
        started,
        [
            Action::Emit(SessionEvent::Connecting { attempt: 0 }),
            Action::FetchToken { conn: ConnId(0) }
        ]
    );
    assert_eq!(d.session.state(), SessionState::FetchingToken);
    assert_eq!(
        d.feed(Input::TokenReady { conn: ConnId(0) }),
        [Action::OpenSocket {
            conn: ConnId(0),
            attempt: 0
        }]
    );
    d.open();
    d.drop_link();
    let again = d.tick_at_deadline();
    assert_eq!(
        again,
        [
            Action::Emit(SessionEvent::Connecting { attempt: 1 }),
            Action::FetchToken { conn: ConnId(1) }
        ],
        "a fresh token for the reconnect, not the old one"
    );

    // The provider fails: reported with its reason and retried with backoff.
    let failed = d.feed(Input::TokenFailed {
        conn: ConnId(1),
        reason: "login refused (401)".to_owned(),
    });
    let (attempt, delay, cause) = reconnecting(&failed).unwrap();
    assert_eq!(attempt, 2);
    assert!(delay <= 1_000);
    assert_eq!(
        cause,
        DisconnectCause::TokenFailed {
            reason: "login refused (401)".to_owned()
        }
    );
    assert!(!opens_socket(&failed));
    let next = d.tick_at_deadline();
    assert_eq!(next.last(), Some(&Action::FetchToken { conn: ConnId(2) }));
    // A late answer for the abandoned attempt changes nothing.
    assert!(d.feed(Input::TokenReady { conn: ConnId(1) }).is_empty());
    assert_eq!(d.session.state(), SessionState::FetchingToken);
}

#[test]
fn a_token_provider_that_hangs_times_out() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            token_provider: true,
            ..no_ping()
        },
    );
    d.start();
    assert_eq!(d.session.next_deadline(), Some(T0 + 10_000));
    d.at(T0 + 9_999);
    assert!(d.tick().is_empty());
    d.at(T0 + 10_000);
    let out = d.tick();
    assert_eq!(
        reconnecting(&out).unwrap().2,
        DisconnectCause::TokenTimeout { waited_ms: 10_000 }
    );
    assert!(
        d.feed(Input::TokenReady { conn: ConnId(0) }).is_empty(),
        "too late"
    );
}

// ---------------------------------------------------------------------------------------------
// Drops, reconnects, resync

#[test]
fn a_drop_reconnects_after_the_delay_and_resyncs_once() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    d.open();
    d.advance(1_000);
    d.text(hub_event("a"));
    let last_frame_at = d.now;
    d.advance(1_000);
    let dropped = d.drop_link();
    let (attempt, delay, cause) = reconnecting(&dropped).unwrap();
    assert_eq!(attempt, 1);
    assert!(delay <= 500, "first retry within the base window: {delay}");
    assert_eq!(
        cause,
        DisconnectCause::Lost {
            code: 1006,
            reason: String::new(),
            was_clean: false,
            open_for_ms: 2_000
        }
    );
    assert_eq!(d.session.state(), SessionState::Waiting);
    let dropped_at = d.now;
    assert_eq!(d.session.next_deadline(), Some(dropped_at + delay));

    if delay > 0 {
        d.at(dropped_at + delay - 1);
        assert!(d.tick().is_empty(), "nothing before the delay is over");
    }
    d.at(dropped_at + delay);
    let reconnect = d.tick();
    assert_eq!(
        reconnect,
        [
            Action::Emit(SessionEvent::Connecting { attempt: 1 }),
            Action::OpenSocket {
                conn: ConnId(1),
                attempt: 1
            }
        ]
    );
    d.advance(30);
    let opened = d.open();
    assert_eq!(
        emits(&opened),
        [
            SessionEvent::Open {
                attempt: 1,
                protocol: String::new()
            },
            SessionEvent::Resync {
                gap_started_at: last_frame_at,
                gap_ended_at: d.now
            }
        ]
    );
    d.advance(10);
    d.text(hub_event("b"));
    let resyncs = d
        .emitted()
        .iter()
        .filter(|e| matches!(e, SessionEvent::Resync { .. }))
        .count();
    assert_eq!(resyncs, 1);
    assert_eq!(d.session.stats().reconnects, 1);
    assert_eq!(hub_ids(&d.pop_all()), ["a", "b"]);
}

#[test]
fn the_gap_starts_at_the_opening_when_no_frame_came() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    d.advance(100);
    d.open();
    let opened_at = d.now;
    d.advance(3_000);
    d.drop_link();
    d.wait_out();
    d.open();
    let gap = d.emitted().into_iter().find_map(|e| match e {
        SessionEvent::Resync { gap_started_at, .. } => Some(*gap_started_at),
        _ => None,
    });
    assert_eq!(gap, Some(opened_at));
}

#[test]
fn failed_attempts_between_two_connections_still_give_one_resync() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    d.open();
    d.text(hub_event("a"));
    let alive_at = d.now;
    d.advance(100);
    d.drop_link();
    for _ in 0..5 {
        d.wait_out();
        d.drop_link(); // closes before opening
    }
    d.wait_out();
    let opened = d.open();
    let resyncs: Vec<SessionEvent> = emits(&opened)
        .into_iter()
        .filter(|e| matches!(e, SessionEvent::Resync { .. }))
        .collect();
    assert_eq!(
        resyncs,
        [SessionEvent::Resync {
            gap_started_at: alive_at,
            gap_ended_at: d.now
        }]
    );
    assert_eq!(d.session.stats().reconnects, 1);
    assert_eq!(d.session.stats().connect_attempts, 7);
}

#[test]
fn a_hundred_drops_give_a_hundred_reconnects_and_resyncs_and_no_duplicate() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    let mut next_id = 0u32;
    let mut delivered: Vec<String> = Vec::new();
    for round in 0..=100 {
        d.open();
        d.text(welcome(
            &format!("welcome-{round}"),
            &["pdfm", "orchestrator", "global"],
        ));
        // The server repeats the last three events of the previous connection, then sends new
        // ones: the repeats must not be delivered twice.
        for id in next_id.saturating_sub(3)..next_id + 5 {
            d.advance(7);
            d.text(hub_event(&format!("ev-{id}")));
        }
        next_id += 5;
        delivered.extend(hub_ids(&d.pop_all()));
        if round == 100 {
            break;
        }
        d.drop_link();
        d.wait_out();
    }
    let emitted = d.emitted();
    let count = |f: fn(&SessionEvent) -> bool| emitted.iter().filter(|e| f(e)).count();
    assert_eq!(count(|e| matches!(e, SessionEvent::Reconnecting { .. })), 100);
    assert_eq!(count(|e| matches!(e, SessionEvent::Resync { .. })), 100);
    assert_eq!(count(|e| matches!(e, SessionEvent::Open { .. })), 101);
    let stats = d.session.stats();
    assert_eq!(stats.reconnects, 100);
    assert_eq!(stats.connect_attempts, 101);

    let mut unique = delivered.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), delivered.len(), "a duplicate was delivered");
    assert_eq!(
        delivered.len(),
        101 + 505,
        "every welcome and every new event, once"
    );
    assert_eq!(stats.duplicates, 100 * 3);
    assert_balanced(&stats);
}

#[test]
fn quick_drops_climb_the_backoff_and_a_stable_link_resets_it() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    let mut windows = Vec::new();
    for _ in 0..8 {
        d.open();
        d.advance(1_000); // up, but not for the 5 s that count as stable
        let (attempt, delay, _) = reconnecting(&d.drop_link()).unwrap();
        let window = (500u64 << (attempt - 1)).min(30_000);
        assert!(delay <= window, "attempt {attempt}: {delay} > {window}");
        windows.push(attempt);
        d.wait_out();
    }
    assert_eq!(windows, [1, 2, 3, 4, 5, 6, 7, 8]);

    d.open();
    d.advance(4_999);
    let (attempt, _, _) = reconnecting(&d.drop_link()).unwrap();
    assert_eq!(attempt, 9, "4.999 s is not stable yet");
    d.wait_out();
    d.open();
    d.advance(5_000);
    let (attempt, delay, _) = reconnecting(&d.drop_link()).unwrap();
    assert_eq!(attempt, 1, "5 s up resets the counter");
    assert!(delay <= 500);
}

#[test]
fn the_reset_time_is_an_option() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            stable_after_ms: 60_000,
            ..no_ping()
        },
    );
    d.start();
    d.open();
    d.advance(10_000);
    d.drop_link();
    d.wait_out();
    d.open();
    d.advance(59_000);
    assert_eq!(reconnecting(&d.drop_link()).unwrap().0, 2);
    d.wait_out();
    d.open();
    d.advance(60_000);
    assert_eq!(reconnecting(&d.drop_link()).unwrap().0, 1);
}

#[test]
fn delays_follow_the_configured_curve() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            backoff: BackoffOptions {
                base_ms: 100,
                max_ms: 1_000,
                factor: 3.0,
            },
            seed: 99,
            max_refused_handshakes: None,
            ..no_ping()
        },
    );
    d.start();
    let mut max_seen = 0;
    for _ in 0..200 {
        let (attempt, delay, _) = reconnecting(&d.drop_link()).unwrap();
        let window = (100.0 * 3f64.powi(attempt as i32 - 1)).min(1_000.0) as u64;
        assert!(delay <= window, "attempt {attempt}: {delay}");
        max_seen = max_seen.max(delay);
        d.wait_out();
    }
    assert!(max_seen > 900, "the full window is used: {max_seen}");
}

#[test]
fn sockets_that_never_open_are_reported_with_a_running_count() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    for expected in 1..=4 {
        let conn = d.conn();
        let out = d.feed(Input::SocketClosed {
            conn,
            code: 1006,
            reason: String::new(),
            was_clean: false,
        });
        assert_eq!(
            reconnecting(&out).unwrap().2,
            DisconnectCause::NeverOpened {
                code: 1006,
                reason: String::new(),
                consecutive: expected
            }
        );
        d.wait_out();
    }
    // An error event counts the same, and asks the driver to let go of the socket.
    let conn = d.conn();
    let out = d.feed(Input::SocketError { conn });
    assert_eq!(
        out[0],
        Action::CloseSocket {
            conn,
            code: CLOSE_GIVING_UP,
            reason: "socket error".to_owned()
        }
    );
    assert!(matches!(
        reconnecting(&out).unwrap().2,
        DisconnectCause::NeverOpened { consecutive: 5, .. }
    ));
    // Its `close` coming after is about a socket already given up.
    assert!(d
        .feed(Input::SocketClosed {
            conn,
            code: 1006,
            reason: String::new(),
            was_clean: false
        })
        .is_empty());
    // Opening once resets the count.
    d.wait_out();
    d.open();
    d.drop_link();
    d.wait_out();
    let out = d.drop_link();
    assert!(matches!(
        reconnecting(&out).unwrap().2,
        DisconnectCause::NeverOpened { consecutive: 1, .. }
    ));
}

#[test]
fn a_socket_stuck_connecting_is_given_up() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    d.at(T0 + 10_000);
    let out = d.tick();
    assert_eq!(
        out[0],
        Action::CloseSocket {
            conn: ConnId(0),
            code: CLOSE_GIVING_UP,
            reason: "connect timeout".to_owned()
        }
    );
    assert_eq!(
        reconnecting(&out).unwrap().2,
        DisconnectCause::ConnectTimeout { waited_ms: 10_000 }
    );
    // The stale socket opening late is ignored.
    assert!(d
        .feed(Input::SocketOpened {
            conn: ConnId(0),
            protocol: String::new()
        })
        .is_empty());
    assert_eq!(d.session.state(), SessionState::Waiting);
}

// ---------------------------------------------------------------------------------------------
// Dead links

fn ping_id(actions: &[Action]) -> Option<String> {
    actions.iter().find_map(|a| match a {
        Action::SendText { text, .. } => {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(v["event_type"], "health");
            assert_eq!(v["message"], "ping");
            Some(v["id"].as_str().unwrap().to_owned())
        }
        _ => None,
    })
}

#[test]
fn a_half_open_link_is_found_by_the_ping_within_its_deadline() {
    let mut d = Driver::new(hub(), SessionOptions::default());
    d.start();
    d.open();
    let opened = d.now;
    assert_eq!(d.session.next_deadline(), Some(opened + 20_000));
    d.at(opened + 19_999);
    assert!(d.tick().is_empty());
    d.at(opened + 20_000);
    let sent = d.tick();
    let id = ping_id(&sent).expect("a ping");
    assert!(id.starts_with(PING_ID_PREFIX));
    assert_eq!(
        sent,
        [Action::SendText {
            conn: ConnId(0),
            text: json!({"event_type": "health", "message": "ping", "id": id}).to_string()
        }]
    );
    assert_eq!(d.session.next_deadline(), Some(opened + 30_000));
    d.at(opened + 29_999);
    assert!(d.tick().is_empty());
    d.at(opened + 30_000);
    let dead = d.tick();
    assert_eq!(
        dead[0],
        Action::CloseSocket {
            conn: ConnId(0),
            code: CLOSE_GIVING_UP,
            reason: "ping timeout".to_owned()
        }
    );
    assert_eq!(
        reconnecting(&dead).unwrap().2,
        DisconnectCause::PingTimeout { waited_ms: 10_000 }
    );
    // Whatever the old socket says now is ignored.
    assert!(d
        .feed(Input::TextFrame {
            conn: ConnId(0),
            text: pong("late", &id)
        })
        .is_empty());
    assert_eq!(d.session.stats().received, 0);
}

#[test]
fn a_pong_measures_the_round_trip_and_is_not_delivered() {
    let mut d = Driver::new(hub(), SessionOptions::default());
    d.start();
    d.open();
    let opened = d.now;
    d.at(opened + 20_000);
    let id = ping_id(&d.tick()).unwrap();
    d.at(opened + 20_150);
    assert!(d.text(pong("p1", &id)).is_empty());
    let stats = d.session.stats();
    assert_eq!(stats.last_ping_rtt_ms, Some(150));
    assert_eq!((stats.control, stats.accepted), (1, 0));
    assert!(d.pop_all().is_empty());
    assert_eq!(
        d.session.next_deadline(),
        Some(opened + 40_000),
        "the cadence holds"
    );
    d.at(opened + 40_000);
    let second = ping_id(&d.tick()).unwrap();
    assert_ne!(id, second, "every ping has its own id");
    // A pong to a ping this session did not send is an ordinary event.
    d.text(pong("p2", "someone-else"));
    assert_eq!(d.pop_all().len(), 1);
}

#[test]
fn a_lost_pong_on_a_busy_link_is_not_a_dead_link() {
    let mut d = Driver::new(hub(), SessionOptions::default());
    d.start();
    d.open();
    let opened = d.now;
    d.at(opened + 20_000);
    ping_id(&d.tick()).unwrap();
    d.at(opened + 25_000);
    d.text(hub_event("busy"));
    d.at(opened + 30_000);
    let out = d.tick();
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(d.session.state(), SessionState::Open);
    assert_eq!(
        d.session.next_deadline(),
        Some(opened + 40_000),
        "the next ping keeps the cadence of the unanswered one"
    );
    assert_eq!(
        d.session.stats().last_ping_rtt_ms,
        None,
        "no round trip was measured"
    );
}

#[test]
fn a_throttled_timer_does_not_hide_a_dead_link() {
    // The tab went to the background after the ping: its timer never fired. The next input of
    // any kind, here the tab becoming visible ten minutes later, finds the link dead and, being
    // a visibility change, retries at once.
    let mut d = Driver::new(hub(), SessionOptions::default());
    d.start();
    d.open();
    d.feed(Input::Visible { hidden: true });
    d.at(T0 + 20_000);
    ping_id(&d.tick()).unwrap();
    d.at(T0 + 600_000);
    let out = d.feed(Input::Visible { hidden: false });
    assert_eq!(
        reconnecting(&out).unwrap().2,
        DisconnectCause::PingTimeout { waited_ms: 580_000 }
    );
    assert!(
        opens_socket(&out),
        "visible and down: retried without waiting: {out:?}"
    );
    assert_eq!(d.session.state(), SessionState::Connecting);
}

#[test]
fn an_idle_deadline_finds_a_silent_link_for_any_source() {
    let mut d = Driver::new(
        Lxd,
        SessionOptions {
            idle_timeout_ms: Some(15_000),
            ..SessionOptions::default()
        },
    );
    d.start();
    d.open();
    assert_eq!(
        d.session.next_deadline(),
        Some(T0 + 15_000),
        "LXD has no ping; idle only"
    );
    d.at(T0 + 10_000);
    d.text(lxd_event());
    assert_eq!(d.session.next_deadline(), Some(T0 + 25_000), "a frame moves it");
    d.at(T0 + 24_999);
    assert!(d.tick().is_empty());
    d.at(T0 + 25_000);
    let out = d.tick();
    assert_eq!(
        out[0],
        Action::CloseSocket {
            conn: ConnId(0),
            code: CLOSE_GIVING_UP,
            reason: "idle timeout".to_owned()
        }
    );
    assert_eq!(
        reconnecting(&out).unwrap().2,
        DisconnectCause::IdleTimeout { idle_ms: 15_000 }
    );
}

#[test]
fn a_late_frame_is_taken_before_the_deadline_is_judged() {
    // Timers were throttled, and the frame that arrives after the idle deadline is itself the
    // proof that the link lives: it is delivered and the link kept.
    let mut d = Driver::new(
        Lxd,
        SessionOptions {
            idle_timeout_ms: Some(15_000),
            ..SessionOptions::default()
        },
    );
    d.start();
    d.open();
    d.at(T0 + 40_000);
    assert!(d.text(lxd_event()).is_empty());
    assert_eq!(d.session.state(), SessionState::Open);
    assert_eq!(d.pop_all().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Fast paths

/// A session waiting out a long delay: its link dropped quickly many times.
fn waiting_long() -> Driver<EventsHub> {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            backoff: BackoffOptions {
                base_ms: 30_000,
                max_ms: 30_000,
                factor: 1.0,
            },
            seed: 3,
            ..no_ping()
        },
    );
    d.start();
    d.open();
    let (_, delay, _) = reconnecting(&d.drop_link()).unwrap();
    assert!(delay > 1_000, "the seed gives a long wait: {delay}");
    d
}

#[test]
fn online_retries_at_once() {
    let mut d = waiting_long();
    d.advance(100);
    let out = d.feed(Input::Online);
    assert_eq!(
        out,
        [
            Action::Emit(SessionEvent::Connecting { attempt: 1 }),
            Action::OpenSocket {
                conn: ConnId(1),
                attempt: 1
            }
        ]
    );
}

#[test]
fn becoming_visible_retries_at_once_but_becoming_hidden_does_not() {
    let mut d = waiting_long();
    d.advance(100);
    assert!(d.feed(Input::Visible { hidden: true }).is_empty());
    assert_eq!(d.session.state(), SessionState::Waiting);
    let out = d.feed(Input::Visible { hidden: false });
    assert!(opens_socket(&out));
}

#[test]
fn becoming_visible_or_online_probes_an_open_link() {
    let mut d = Driver::new(hub(), SessionOptions::default());
    d.start();
    d.open();
    d.advance(1_000);
    let out = d.feed(Input::Visible { hidden: false });
    let id = ping_id(&out).expect("a probe");
    assert!(d.feed(Input::Online).is_empty(), "one ping outstanding at a time");
    d.advance(200);
    d.text(pong("p", &id));
    assert_eq!(d.session.stats().last_ping_rtt_ms, Some(200));
    assert!(ping_id(&d.feed(Input::Online)).is_some());
}

#[test]
fn fast_paths_do_nothing_while_connecting() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    assert!(d.feed(Input::Online).is_empty());
    assert!(d.feed(Input::Visible { hidden: false }).is_empty());
    assert_eq!(d.session.state(), SessionState::Connecting);
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn max_attempts_end_the_session() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            max_attempts: Some(3),
            ..no_ping()
        },
    );
    d.start();
    for attempt in 1..=3 {
        let out = d.drop_link();
        assert_eq!(reconnecting(&out).unwrap().0, attempt);
        d.wait_out();
    }
    let out = d.drop_link();
    assert_eq!(
        out,
        [Action::Emit(SessionEvent::Closed {
            why: CloseReason::AttemptsExhausted {
                attempts: 3,
                last: DisconnectCause::NeverOpened {
                    code: 1006,
                    reason: String::new(),
                    consecutive: 4
                }
            }
        })]
    );
    assert!(d.session.is_closed());
    assert_eq!(d.session.next_deadline(), None);
    assert!(d.feed(Input::Online).is_empty());
    d.advance(1_000_000);
    assert!(d.tick().is_empty());
    assert_eq!(d.session.stats().connect_attempts, 4);
}

#[test]
fn max_attempts_count_retries_in_a_row_only() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            max_attempts: Some(1),
            ..no_ping()
        },
    );
    d.start();
    for _ in 0..5 {
        d.open();
        d.advance(5_000); // stable: the counter resets
        assert_eq!(reconnecting(&d.drop_link()).unwrap().0, 1);
        d.wait_out();
    }
    assert!(!d.session.is_closed());
    d.drop_link();
    assert!(
        d.session.is_closed(),
        "two failures in a row with one retry allowed"
    );
}

#[test]
fn max_attempts_zero_gives_up_at_the_first_failure() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            max_attempts: Some(0),
            ..no_ping()
        },
    );
    d.start();
    d.open();
    d.advance(60_000);
    let out = d.drop_link();
    assert!(matches!(
        emits(&out)[..],
        [SessionEvent::Closed {
            why: CloseReason::AttemptsExhausted { attempts: 0, .. }
        }]
    ));
}

#[test]
fn duplicates_are_dropped_within_the_window_only() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            dedup_window: 3,
            ..no_ping()
        },
    );
    d.start();
    d.open();
    for id in ["a", "b", "a", "c", "b"] {
        d.text(hub_event(id));
    }
    assert_eq!(hub_ids(&d.pop_all()), ["a", "b", "c"]);
    d.text(hub_event("d")); // evicts a
    d.text(hub_event("a"));
    d.text(hub_event("c"));
    assert_eq!(hub_ids(&d.pop_all()), ["d", "a"]);
    let stats = d.session.stats();
    assert_eq!(stats.duplicates, 3);
    assert_balanced(&stats);
}

#[test]
fn dedup_can_be_turned_off() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            dedup_window: 0,
            ..no_ping()
        },
    );
    d.start();
    d.open();
    d.text(hub_event("a"));
    d.text(hub_event("a"));
    assert_eq!(d.pop_all().len(), 2);
}

#[test]
fn cloudevents_deduplicate_on_source_and_id_lxd_not_at_all() {
    let mut d = Driver::new(CloudEvents, no_ping());
    d.start();
    d.open();
    d.text(cloud_event("https://a.example/x", "1"));
    d.text(cloud_event("https://b.example/x", "1"));
    d.text(cloud_event("https://a.example/x", "1"));
    d.text(cloud_event("https://a.example/x", "2"));
    assert_eq!(d.pop_all().len(), 3);
    assert_eq!(d.session.stats().duplicates, 1);

    let mut l = Driver::new(Lxd, no_ping());
    l.start();
    l.open();
    l.text(lxd_event());
    l.text(lxd_event());
    assert_eq!(
        l.pop_all().len(),
        2,
        "LXD events have no id: identical frames are two events"
    );
}

#[test]
fn overflow_drops_the_oldest_counts_and_reports_it() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            buffer_capacity: 3,
            ..no_ping()
        },
    );
    d.start();
    d.open();
    let mut overflow = Vec::new();
    for i in 0..5 {
        overflow.extend(emits(&d.text(hub_event(&format!("e{i}")))));
    }
    assert_eq!(
        overflow,
        [
            SessionEvent::Overflow {
                dropped: 1,
                total_dropped: 1
            },
            SessionEvent::Overflow {
                dropped: 1,
                total_dropped: 2
            }
        ]
    );
    let delivered = d.pop_all();
    assert_eq!(hub_ids(&delivered), ["e2", "e3", "e4"], "the newest are kept");
    assert_eq!(delivered[0].seq, 2, "the seq gap shows what was lost");
    let stats = d.session.stats();
    assert_eq!((stats.accepted, stats.delivered, stats.dropped), (5, 3, 2));
    assert_balanced(&stats);
}

#[test]
fn drops_between_two_polls_fold_into_one_overflow_event() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            buffer_capacity: 2,
            ..no_ping()
        },
    );
    d.start();
    d.open();
    let conn = d.conn();
    for i in 0..10 {
        // The driver feeds a burst without polling in between.
        d.session.handle(
            Input::TextFrame {
                conn,
                text: hub_event(&format!("e{i}")),
            },
            d.now,
        );
    }
    let out = d.tick();
    assert_eq!(
        emits(&out),
        [SessionEvent::Overflow {
            dropped: 8,
            total_dropped: 8
        }]
    );
}

// ---------------------------------------------------------------------------------------------
// Bad frames

#[test]
fn bad_frames_are_typed_errors_and_the_stream_goes_on() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            error_text_chars: 10,
            max_frame_bytes: Some(400),
            ..no_ping()
        },
    );
    d.start();
    d.open();

    let garbage = "{\"id\": not json at all, and rather long";
    let out = emits(&d.text(garbage));
    let [SessionEvent::FrameError {
        error:
            FrameError::Decode {
                error,
                text,
                truncated,
                len,
            },
    }] = &out[..]
    else {
        panic!("{out:?}")
    };
    assert_eq!(error.kind, infra_events::decode::DecodeErrorKind::Syntax);
    assert_eq!(text, "{\"id\": not");
    assert!(*truncated);
    assert_eq!(*len, garbage.len());

    let conn = d.conn();
    let out = emits(&d.feed(Input::BinaryFrame { conn, len: 12 }));
    assert_eq!(
        out,
        [SessionEvent::FrameError {
            error: FrameError::Binary { len: 12 }
        }]
    );

    let big = hub_event(&"x".repeat(500));
    let out = emits(&d.text(big.clone()));
    assert_eq!(
        out,
        [SessionEvent::FrameError {
            error: FrameError::TooLarge {
                len: big.len(),
                limit: 400,
                head: big.chars().take(10).collect()
            }
        }]
    );

    let short = "{}";
    let out = emits(&d.text(short));
    assert!(
        matches!(&out[..], [SessionEvent::FrameError { error: FrameError::Decode { text, truncated: false, .. } }] if text == short)
    );

    d.text(hub_event("fine"));
    assert_eq!(hub_ids(&d.pop_all()), ["fine"]);
    let stats = d.session.stats();
    assert_eq!(stats.decode_errors, 4);
    assert_eq!(stats.received, 5);
    assert_eq!(d.session.state(), SessionState::Open);
    assert_balanced(&stats);
}

#[test]
fn an_unknown_message_is_an_event_not_an_error() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    d.open();
    d.text(
        json!({"id": "u", "event_type": "pdfm", "timestamp": "2026-08-18T09:15:10.774012Z",
               "message": "VM_TELEPORTED", "body": {"vm_id": "x"}})
        .to_string(),
    );
    let got = d.pop_all();
    assert_eq!(got.len(), 1);
    assert!(got[0].event.is_unknown());
    assert_eq!(d.session.stats().decode_errors, 0);
}

// ---------------------------------------------------------------------------------------------
// Welcome check

#[test]
fn channels_not_granted_are_reported_on_every_connection() {
    let mut d = Driver::new(EventsHub::new(["pdfm", "Stats", "typo"]), no_ping());
    d.start();
    d.open();
    let out = emits(&d.text(welcome("w1", &["pdfm", "stats", "global"])));
    assert_eq!(
        out,
        [SessionEvent::ChannelsNotGranted {
            channels: vec!["typo".to_owned()]
        }]
    );
    assert_eq!(hub_ids(&d.pop_all()), ["w1"], "the welcome is still delivered");
    d.drop_link();
    d.wait_out();
    d.open();
    let out = emits(&d.text(welcome("w2", &["pdfm", "stats", "global"])));
    assert_eq!(out.len(), 1);

    let mut all = Driver::new(EventsHub::new(["pdfm"]), no_ping());
    all.start();
    all.open();
    assert!(all.text(welcome("w", &["pdfm", "global"])).is_empty());
}

// ---------------------------------------------------------------------------------------------
// The end

#[test]
fn close_with_pending_state_leaves_nothing_behind() {
    let mut d = Driver::new(hub(), SessionOptions::default());
    d.start();
    d.open();
    for i in 0..4 {
        d.text(hub_event(&format!("e{i}")));
    }
    d.session.pop_event();
    // Something is queued and not yet polled when the application closes.
    d.session.handle(Input::Visible { hidden: false }, d.now);
    let out = d.feed(Input::Close);
    assert_eq!(
        out,
        [
            Action::CloseSocket {
                conn: ConnId(0),
                code: CLOSE_NORMAL,
                reason: "closed by the application".to_owned()
            },
            Action::Emit(SessionEvent::Closed {
                why: CloseReason::Closed
            })
        ],
        "the ping queued before close is never sent"
    );
    assert!(d.session.pop_event().is_none(), "no event after close");
    let stats = d.session.stats();
    assert_eq!((stats.delivered, stats.discarded, stats.buffered), (1, 3, 0));
    assert_balanced(&stats);
    assert_eq!(d.session.next_deadline(), None);
    assert_eq!(d.session.state(), SessionState::Closed);

    let conn = d.conn();
    let later = [
        Input::Start,
        Input::TextFrame {
            conn,
            text: hub_event("after"),
        },
        Input::SocketClosed {
            conn,
            code: 1000,
            reason: String::new(),
            was_clean: true,
        },
        Input::Online,
        Input::Visible { hidden: false },
        Input::Tick,
        Input::Abort,
        Input::Close,
    ];
    for input in later {
        d.advance(60_000);
        assert!(d.feed(input).is_empty());
    }
    assert!(d.session.pop_event().is_none());
    assert_eq!(d.session.stats(), stats, "nothing counted after close");
}

#[test]
fn abort_while_waiting_ends_without_a_socket_to_close() {
    let mut d = waiting_long();
    let out = d.feed(Input::Abort);
    assert_eq!(
        out,
        [Action::Emit(SessionEvent::Closed {
            why: CloseReason::Aborted
        })]
    );
    d.advance(60_000);
    assert!(d.tick().is_empty());
    assert_eq!(d.session.next_deadline(), None);
}

#[test]
fn abort_while_fetching_a_token_ignores_the_token() {
    let mut d = Driver::new(
        hub(),
        SessionOptions {
            token_provider: true,
            ..no_ping()
        },
    );
    d.start();
    assert_eq!(
        d.feed(Input::Abort),
        [Action::Emit(SessionEvent::Closed {
            why: CloseReason::Aborted
        })]
    );
    assert!(d.feed(Input::TokenReady { conn: ConnId(0) }).is_empty());
}

#[test]
fn close_while_connecting_closes_the_socket() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    let out = d.feed(Input::Close);
    assert_eq!(out.len(), 2);
    assert!(matches!(
        out[0],
        Action::CloseSocket {
            conn: ConnId(0),
            code: CLOSE_NORMAL,
            ..
        }
    ));
}

#[test]
fn close_before_start_is_final_too() {
    let mut d = Driver::new(hub(), no_ping());
    assert_eq!(
        d.feed(Input::Close),
        [Action::Emit(SessionEvent::Closed {
            why: CloseReason::Closed
        })]
    );
    assert!(d.start().is_empty());
}

#[test]
fn a_permanent_failure_from_the_driver_ends_the_session() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    d.open();
    let out = d.feed(Input::Fail {
        reason: "a token is never sent over ws:// to example.com".to_owned(),
    });
    assert_eq!(
        emits(&out),
        [SessionEvent::Closed {
            why: CloseReason::Failed {
                reason: "a token is never sent over ws:// to example.com".to_owned()
            }
        }]
    );
    assert!(d.feed(Input::Online).is_empty());
}

#[test]
fn inputs_before_start_are_ignored() {
    let mut d = Driver::new(hub(), SessionOptions::default());
    for input in [
        Input::Tick,
        Input::Online,
        Input::Visible { hidden: false },
        Input::TokenReady { conn: ConnId(0) },
        Input::SocketOpened {
            conn: ConnId(0),
            protocol: String::new(),
        },
        Input::TextFrame {
            conn: ConnId(0),
            text: hub_event("a"),
        },
    ] {
        assert!(d.feed(input).is_empty());
    }
    assert_eq!(d.session.state(), SessionState::Idle);
    assert_eq!(d.start().len(), 2);
    assert!(d.start().is_empty(), "a second start is ignored");
}

#[test]
fn a_clock_stepping_back_fires_nothing() {
    let mut d = Driver::new(hub(), SessionOptions::default());
    d.start();
    d.open();
    d.at(T0 + 10_000);
    d.tick();
    // The wall clock jumps an hour back: the ping, due 10 s from now, stays 10 s away.
    d.now = T0 - 3_600_000;
    assert!(d.tick().is_empty());
    assert_eq!(d.session.next_deadline(), Some(d.now + 10_000));
    d.now += 10_000;
    assert!(ping_id(&d.tick()).is_some());
}

#[test]
fn a_clock_jumping_forward_acts_on_every_deadline_passed() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    d.open();
    d.drop_link();
    // A laptop sleeps through the delay: the first input after waking retries.
    d.at(T0 + 3_600_000);
    assert!(opens_socket(&d.tick()));
}

// ---------------------------------------------------------------------------------------------
// The shape the driver hands to JavaScript

#[test]
fn session_events_serialise_as_tagged_camel_case_objects() {
    let event = SessionEvent::Reconnecting {
        attempt: 2,
        delay_ms: 740,
        cause: DisconnectCause::Lost {
            code: 1006,
            reason: String::new(),
            was_clean: false,
            open_for_ms: 12,
        },
    };
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        json!({"type": "reconnecting", "attempt": 2, "delayMs": 740,
               "cause": {"kind": "lost", "code": 1006, "reason": "", "wasClean": false, "openForMs": 12}})
    );
    assert_eq!(
        serde_json::to_value(SessionEvent::Resync {
            gap_started_at: 1,
            gap_ended_at: 2
        })
        .unwrap(),
        json!({"type": "resync", "gapStartedAt": 1, "gapEndedAt": 2})
    );
    assert_eq!(
        serde_json::to_value(SessionEvent::Closed {
            why: CloseReason::AttemptsExhausted {
                attempts: 3,
                last: DisconnectCause::PingTimeout { waited_ms: 10 }
            }
        })
        .unwrap(),
        json!({"type": "closed", "why": {"kind": "attemptsExhausted", "attempts": 3,
               "last": {"kind": "pingTimeout", "waitedMs": 10}}})
    );
    assert_eq!(
        serde_json::to_value(SessionEvent::FrameError {
            error: FrameError::Binary { len: 3 }
        })
        .unwrap(),
        json!({"type": "frameError", "error": {"kind": "binary", "len": 3}})
    );
    let stats = serde_json::to_value(SessionStats::default()).unwrap();
    assert_eq!(stats["lastPingRttMs"], serde_json::Value::Null);
    assert_eq!(stats["decodeErrors"], 0);
}

#[test]
fn options_read_from_a_partial_camel_case_object() {
    let options: SessionOptions = serde_json::from_value(json!({
        "maxAttempts": 5, "idleTimeoutMs": 45000, "backoff": {"maxMs": 10000}
    }))
    .unwrap();
    assert_eq!(options.max_attempts, Some(5));
    assert_eq!(options.idle_timeout_ms, Some(45_000));
    assert_eq!(options.backoff.max_ms, 10_000);
    assert_eq!(options.backoff.base_ms, 500, "unnamed fields keep their defaults");
    assert_eq!(options.buffer_capacity, SessionOptions::default().buffer_capacity);
}

#[test]
fn handshakes_refused_from_the_start_end_the_session_as_refused() {
    // The default allows 5 failed handshakes in a row before any connection opened; the 6th ends.
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    for consecutive in 1..=5 {
        let out = d.drop_link();
        assert!(matches!(
            reconnecting(&out).unwrap().2,
            DisconnectCause::NeverOpened { consecutive: c, .. } if c == consecutive
        ));
        d.wait_out();
    }
    let out = d.drop_link();
    assert_eq!(
        out,
        [Action::Emit(SessionEvent::Closed {
            why: CloseReason::Refused {
                attempts: 6,
                last: DisconnectCause::NeverOpened {
                    code: 1006,
                    reason: String::new(),
                    consecutive: 6
                }
            }
        })]
    );
    assert!(d.session.is_closed());
    assert_eq!(d.session.next_deadline(), None);
}

#[test]
fn refused_handshakes_after_a_connection_opened_are_a_restart_and_retried() {
    let mut d = Driver::new(hub(), no_ping());
    d.start();
    d.open();
    d.drop_link();
    d.wait_out();
    for consecutive in 1..=20 {
        let out = d.drop_link();
        assert!(matches!(
            reconnecting(&out).unwrap().2,
            DisconnectCause::NeverOpened { consecutive: c, .. } if c == consecutive
        ));
        d.wait_out();
    }
    assert!(!d.session.is_closed());
}

// ---------------------------------------------------------------------------------------------
// Frames checked by the driver (the browser validates JSON.parse's object; no text in wasm)

#[test]
fn checked_frames_take_the_same_path_as_text_frames() {
    use infra_events::decode::events_hub::decode_hub_event;
    use infra_events::session::{Decoded, Role};
    use std::cell::Cell;

    let mut d = Driver::new(
        hub(),
        SessionOptions {
            error_text_chars: 5,
            max_frame_bytes: Some(400),
            ..no_ping()
        },
    );
    d.start();
    d.open();
    let conn = d.conn();
    let decoded = |id: &str| Decoded {
        event: decode_hub_event(&hub_event(id)).unwrap(),
        key: Some(id.to_owned()),
        role: Role::Event,
    };

    // Accepted: delivered once, deduplicated by the key the driver gave.
    for _ in 0..2 {
        let text_asked = Cell::new(0);
        d.session.handle_checked(
            conn,
            10,
            || {
                text_asked.set(text_asked.get() + 1);
                "unused"
            },
            || Ok(decoded("a")),
            d.now,
        );
        assert_eq!(
            text_asked.get(),
            0,
            "the text is only asked for to report a refusal"
        );
    }
    let delivered: Vec<_> = std::iter::from_fn(|| d.session.pop_event()).collect();
    assert_eq!(hub_ids(&delivered), ["a"]);
    assert_eq!(d.session.stats().duplicates, 1);

    // Refused by the driver's check: a frameError quoting the head of the text.
    let garbage = "not json";
    d.session.handle_checked(
        conn,
        garbage.len(),
        || garbage,
        || Err(decode_hub_event(garbage).unwrap_err()),
        d.now,
    );
    let out = emits(&std::iter::from_fn(|| d.session.poll_action()).collect::<Vec<_>>());
    assert!(
        matches!(&out[..], [SessionEvent::FrameError { error: FrameError::Decode { text, truncated: true, len: 8, .. } }] if text == "not j"),
        "{out:?}"
    );

    // Over the limit: refused without running the check.
    let checked = Cell::new(false);
    d.session.handle_checked(
        conn,
        401,
        || "x".repeat(401),
        || {
            checked.set(true);
            Ok(decoded("b"))
        },
        d.now,
    );
    assert!(!checked.get(), "a frame over maxFrameBytes is not checked");
    let out = emits(&std::iter::from_fn(|| d.session.poll_action()).collect::<Vec<_>>());
    assert!(
        matches!(
            &out[..],
            [SessionEvent::FrameError {
                error: FrameError::TooLarge {
                    len: 401,
                    limit: 400,
                    ..
                }
            }]
        ),
        "{out:?}"
    );

    // A frame of a socket that is not the open one is not taken at all.
    let before = d.session.stats().received;
    d.drop_link();
    d.session
        .handle_checked(conn, 10, || "", || Ok(decoded("c")), d.now);
    assert_eq!(d.session.stats().received, before);
}
