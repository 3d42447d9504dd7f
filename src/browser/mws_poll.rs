//! The browser driver of an MWS polling subscription: it runs a sans-IO [`Poller`] with `fetch`
//! (one `AbortController` per request), one timer, the `online` / `visibilitychange` / `abort`
//! listeners, and hands events and state events to the application through an [`Outlet`], the
//! same delivery as the WebSocket subscriptions.
//!
//! Unlike a socket, MWS keeps its events: so when the application does not take them (an async
//! iterator pulled slowly), the driver does not drop any. An answer that comes while the buffer
//! holds `bufferCapacity` events is checked, then kept from the poller, with no timer running,
//! until the application has pulled enough; the poller, which has not seen it, neither moves its
//! watermark nor polls again.
//! The buffer therefore holds at most `bufferCapacity` events plus one page.
//!
//! Each answer is checked by the package's `decodeMwsEventList` on the browser's own string
//! ([`super::mws_answer`]); the poller gets each event's id and date, the application MWS's own
//! object.
//!
//! Ownership follows the WebSocket driver's rules: every closure given to the browser is owned
//! here and removed when the subscription ends (no `Closure::forget`), a closure is never freed
//! while it may be running (freed on a later microtask), and no application code runs while the
//! driver's state is borrowed.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::{Function, Promise};
use serde::Serialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::delivery::{Out, Outlet};
use super::driver::to_js;
use super::fetch::{self, AbortController, FetchFailure};
use super::mws_answer::{self, Body, JsMwsEvent};
use super::page::{drop_later, now, PageHooks, PageSignal};
use crate::mws_client::{
    HttpRequest, MwsError, PollAction, PollCloseReason, PollInput, PollNotice, PollStats, Poller, RequestId,
    READ_OK,
};

/// A failed MWS request, as the application sees it (in state events, and on the errors thrown).
/// Never holds a credential: MWS's own messages, the status, and the browser's words.
#[derive(Debug, Clone, PartialEq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MwsErrorInfo {
    /// What failed: the status class (`badRequest` 400, `unauthorized` 401, `forbidden` 403,
    /// `notFound` 404, `methodNotAllowed` 405, `serverError` 500, `unexpectedStatus` any other),
    /// `decode` (a success status with a body that is not MWS's JSON) or `transport` (no answer).
    #[tsify(
        type = r#""badRequest" | "unauthorized" | "forbidden" | "notFound" | "methodNotAllowed" | "serverError" | "unexpectedStatus" | "decode" | "transport""#
    )]
    pub kind: &'static str,
    /// The HTTP status, when there was a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub status: Option<u16>,
    /// The whole explanation, in words.
    pub message: String,
    /// MWS's `messages`, in order (empty when the body had none).
    pub messages: Vec<String>,
}

impl MwsErrorInfo {
    /// The application's view of `error`.
    pub fn of(error: &MwsError) -> MwsErrorInfo {
        let kind = match error {
            MwsError::BadRequest(_) => "badRequest",
            MwsError::Unauthorized(_) => "unauthorized",
            MwsError::Forbidden(_) => "forbidden",
            MwsError::NotFound(_) => "notFound",
            MwsError::MethodNotAllowed(_) => "methodNotAllowed",
            MwsError::ServerError(_) => "serverError",
            MwsError::UnexpectedStatus { .. } => "unexpectedStatus",
            MwsError::Decode(_) => "decode",
            MwsError::Transport(_) => "transport",
        };
        MwsErrorInfo {
            kind,
            status: error.status(),
            message: error.to_string(),
            messages: error.messages().to_vec(),
        }
    }
}

/// What an MWS polling subscription tells `onState`, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Tsify)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum MwsPollEvent {
    /// The subscription starts: its first request goes now.
    Connecting,
    /// The first poll read every page: from here on, each new event is delivered as a poll finds
    /// it, every `pollIntervalMs`.
    Polling {
        /// The newest `eventDate` read, `yyyy-MM-dd HH:mm:ss UTC` (null: nothing matched yet).
        watermark: Option<String>,
    },
    /// A request failed (no answer, 5xx, 408, 429, an unreadable body, no answer within
    /// `requestTimeoutMs`); the poll starts again after `delayMs`, from the same watermark, so
    /// nothing is lost or repeated.
    BackingOff {
        /// Failures in a row (1 for the first).
        attempt: u32,
        /// The delay chosen (full jitter), in ms.
        delay_ms: u64,
        /// What failed.
        error: MwsErrorInfo,
    },
    /// The subscription ended; nothing follows. Not reported for `close()` itself.
    Closed {
        /// Why.
        why: MwsCloseWhy,
    },
}

/// Why an MWS polling subscription ended.
#[derive(Debug, Clone, PartialEq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum MwsCloseWhy {
    /// The `AbortSignal` fired.
    Aborted,
    /// A failure that the same request would meet again (400, 401, 403, 404, 405).
    Failed {
        /// What failed.
        error: MwsErrorInfo,
    },
}

/// The counters of an MWS polling subscription. `received == delivered + buffered` (plus
/// `discarded` after the end): nothing is dropped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MwsSubscriptionStats {
    /// Polls completed (every page read).
    pub polls: u64,
    /// Requests sent.
    pub requests: u64,
    /// Pages read.
    pub pages: u64,
    /// New events found by the polls.
    pub received: u64,
    /// Events handed to the application.
    pub delivered: u64,
    /// Events still in the buffer when the subscription ended, thrown away with it.
    pub discarded: u64,
    /// Events waiting in the buffer now.
    pub buffered: u64,
    /// True while polling waits for the application to pull from a full buffer.
    pub paused: bool,
    /// Events read again (the boundary second, reread pages) and skipped by id.
    pub duplicates: u64,
    /// Events that existed at the start and were not delivered (`start: "latest"`).
    pub skipped_at_start: u64,
    /// Seconds reread because the list shifted while it was paged.
    pub rewinds: u64,
    /// Failed requests.
    pub failures: u64,
    /// Failed requests since the last completed poll.
    pub consecutive_failures: u32,
    /// The newest `eventDate` read completely (null before the first poll).
    pub watermark: Option<String>,
}

struct Shared {
    poller: Poller<JsMwsEvent>,
    outlet: Outlet,
    /// Events (MWS's objects) found and not yet handed out, oldest first: at most `capacity` plus
    /// one page.
    buffer: VecDeque<JsValue>,
    capacity: usize,
    /// An answer that came while the buffer was full, not yet given to the poller.
    parked: Option<PollInput<JsMwsEvent>>,
    stats: MwsSubscriptionStats,
    /// Requests out, each with the controller that cancels it.
    flights: Vec<(RequestId, AbortController)>,
    /// The timer and the page listeners; `None` until installed (right after creation).
    hooks: Option<PageHooks>,
    ended: bool,
    /// Keeps the subscription running while the application holds no reference to it, as an
    /// open socket would, until it ends.
    keep_alive: Option<Rc<RefCell<Shared>>>,
}

/// A running MWS polling subscription. Cheap to clone (shared state).
#[derive(Clone)]
pub struct PollDriver(Rc<RefCell<Shared>>);

impl PollDriver {
    /// Starts `poller` on a later microtask (callbacks registered right after creation see the
    /// first `connecting`). Polling pauses while `buffer_capacity` events (at least 1) wait for
    /// the application; `signal` is an optional `AbortSignal`.
    pub fn start(poller: Poller<JsMwsEvent>, buffer_capacity: usize, signal: Option<JsValue>) -> PollDriver {
        let shared = Rc::new(RefCell::new(Shared {
            poller,
            outlet: Outlet::new("eventType"),
            buffer: VecDeque::new(),
            capacity: buffer_capacity.max(1),
            parked: None,
            stats: MwsSubscriptionStats::default(),
            flights: Vec::new(),
            hooks: None,
            ended: false,
            keep_alive: None,
        }));
        shared.borrow_mut().keep_alive = Some(shared.clone());
        let weak = Rc::downgrade(&shared);
        let w = weak.clone();
        // Back online, or the page shown again: poll now rather than at the next interval.
        let on_signal = move |signal| match signal {
            PageSignal::Online | PageSignal::Visible { hidden: false } => feed(&w, PollInput::PollNow),
            PageSignal::Visible { hidden: true } => {}
            PageSignal::Abort => {
                if let Some(rc) = w.upgrade() {
                    PollDriver(rc).abort();
                }
            }
        };
        let w = weak.clone();
        let on_tick = move || {
            if let Some(rc) = w.upgrade() {
                if let Some(hooks) = rc.borrow_mut().hooks.as_mut() {
                    hooks.fired();
                }
            }
            feed(&w, PollInput::Tick);
        };
        let (hooks, already_aborted) = PageHooks::install(signal, on_signal, on_tick);
        shared.borrow_mut().hooks = Some(hooks);
        let driver = PollDriver(shared);
        let d = driver.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if already_aborted {
                d.abort();
            } else {
                let outlet = d.0.borrow().outlet.clone();
                outlet.dispatch(vec![Out::State(to_js(&MwsPollEvent::Connecting))]);
                feed(&Rc::downgrade(&d.0), PollInput::Start);
            }
        });
        driver
    }

    /// Registers a callback for events whose `eventType` is `key`, or for every event (`None`).
    /// Returns the id to unsubscribe with.
    pub fn on_event(&self, key: Option<String>, callback: Function) -> u64 {
        let outlet = self.0.borrow().outlet.clone();
        let id = outlet.add_event_callback(key, callback);
        if id != 0 {
            // Events may be waiting for a consumer.
            let d = self.clone();
            wasm_bindgen_futures::spawn_local(async move { pump(&d.0) });
        }
        id
    }

    /// Registers a callback for state events.
    pub fn on_state(&self, callback: Function) -> u64 {
        let outlet = self.0.borrow().outlet.clone();
        outlet.add_state_callback(callback)
    }

    /// The function that removes callback `id` (see [`Outlet::unsubscriber`]).
    pub fn unsubscriber(&self, id: u64) -> Function {
        self.0.borrow().outlet.unsubscriber(id)
    }

    /// The counters.
    pub fn stats(&self) -> MwsSubscriptionStats {
        let sh = self.0.borrow();
        let mut stats = sh.stats.clone();
        let p: PollStats = sh.poller.stats();
        stats.polls = p.polls;
        stats.requests = p.requests;
        stats.pages = p.pages;
        stats.duplicates = p.duplicates;
        stats.skipped_at_start = p.skipped_at_start;
        stats.rewinds = p.rewinds;
        stats.failures = p.failures;
        stats.consecutive_failures = p.consecutive_failures;
        stats.buffered = sh.buffer.len() as u64;
        stats.paused = sh.parked.is_some();
        stats.watermark = sh.poller.watermark().map(str::to_owned);
        stats
    }

    /// Polls now instead of at the end of the interval (ignored while a poll runs).
    pub fn poll_now(&self) {
        feed(&Rc::downgrade(&self.0), PollInput::PollNow);
    }

    /// Whether the subscription has ended.
    pub fn is_ended(&self) -> bool {
        self.0.borrow().ended
    }

    /// `next()` of the async iterator: a promise of `{value, done}`.
    pub fn next(&self) -> Promise {
        let outlet = self.0.borrow().outlet.clone();
        let (promise, waits) = outlet.next();
        if waits {
            pump(&self.0);
        }
        promise
    }

    /// The application's `close()`: final; nothing fires after it.
    pub fn close(&self) {
        self.finish(PollInput::Close, false);
    }

    /// The `AbortSignal` fired: final; `closed { why: aborted }` is the last state event.
    pub fn abort(&self) {
        self.finish(PollInput::Abort, true);
    }

    fn finish(&self, input: PollInput<JsMwsEvent>, tell: bool) {
        let mut outs = Vec::new();
        {
            let mut sh = self.0.borrow_mut();
            if sh.ended {
                return;
            }
            sh.poller.handle(input, now());
            while let Some(action) = sh.poller.poll_action() {
                match action {
                    PollAction::Cancel { request } => sh.cancel(request),
                    PollAction::Emit(notice) if tell => outs.extend(state_event(&notice)),
                    _ => {}
                }
            }
        }
        let outlet = self.0.borrow().outlet.clone();
        outlet.dispatch(outs);
        teardown(&self.0);
    }
}

impl Shared {
    fn cancel(&mut self, request: RequestId) {
        if let Some(at) = self.flights.iter().position(|(id, _)| *id == request) {
            let (_, controller) = self.flights.swap_remove(at);
            controller.abort();
        }
    }

    fn disarm(&mut self) {
        if let Some(hooks) = self.hooks.as_mut() {
            hooks.disarm();
        }
    }

    /// Sets the timer for the poller's next deadline.
    fn arm(&mut self) {
        self.disarm();
        // While an answer is parked its request is over for the browser: no timeout may cancel it.
        if self.ended || self.parked.is_some() {
            return;
        }
        if let (Some(deadline), Some(hooks)) = (self.poller.next_deadline(), self.hooks.as_mut()) {
            hooks.arm(deadline.saturating_sub(now()));
        }
    }

    /// Moves what the poller found into the buffer.
    fn take_found(&mut self) {
        while let Some(event) = self.poller.pop_event() {
            self.stats.received += 1;
            self.buffer.push_back(event.into_object());
        }
    }

    /// Whether the buffer is full, so that a page must wait for the application.
    fn full(&self) -> bool {
        self.buffer.len() >= self.capacity
    }
}

/// The state event for a notice of the poller (`None`: `close()`, which is not reported).
fn state_event(notice: &PollNotice) -> Option<Out> {
    let event = match notice {
        PollNotice::Live { watermark } => MwsPollEvent::Polling {
            watermark: watermark.clone(),
        },
        PollNotice::Retrying {
            attempt,
            delay_ms,
            error,
        } => MwsPollEvent::BackingOff {
            attempt: *attempt,
            delay_ms: *delay_ms,
            error: MwsErrorInfo::of(error),
        },
        PollNotice::Closed { reason } => MwsPollEvent::Closed {
            why: match reason {
                PollCloseReason::Closed => return None,
                PollCloseReason::Aborted => MwsCloseWhy::Aborted,
                PollCloseReason::Failed(error) => MwsCloseWhy::Failed {
                    error: MwsErrorInfo::of(error),
                },
            },
        },
    };
    Some(Out::State(to_js(&event)))
}

/// Feeds one input, then runs the driver.
fn feed(weak: &Weak<RefCell<Shared>>, input: PollInput<JsMwsEvent>) {
    let Some(rc) = weak.upgrade() else { return };
    {
        let mut sh = rc.borrow_mut();
        if sh.ended {
            return;
        }
        if let PollInput::Answer { request, .. } | PollInput::TransportError { request, .. } = &input {
            let request = *request;
            sh.flights.retain(|(id, _)| *id != request);
        }
        if matches!(input, PollInput::Answer { .. }) && sh.full() {
            sh.parked = Some(input);
            sh.disarm();
            return;
        }
        sh.poller.handle(input, now());
    }
    pump(&rc);
}

/// Runs the poller until it has nothing more to say: buffers what it found, hands events out,
/// performs its actions, reports state events, then arms the timer.
fn pump(rc: &Rc<RefCell<Shared>>) {
    let weak = Rc::downgrade(rc);
    loop {
        let mut outs = Vec::new();
        let over;
        let outlet;
        {
            let mut sh = rc.borrow_mut();
            if sh.ended {
                return;
            }
            outlet = sh.outlet.clone();
            sh.take_found();
            // Events first: within one input they come before the state changes it caused.
            let wanted = outlet.wanted();
            loop {
                while outs.len() < wanted {
                    let Some(event) = sh.buffer.pop_front() else { break };
                    sh.stats.delivered += 1;
                    outs.push(Out::Event(event));
                }
                // Room again: the parked answer goes to the poller now.
                if sh.full() {
                    break;
                }
                let Some(input) = sh.parked.take() else { break };
                sh.poller.handle(input, now());
                sh.take_found();
            }
            let mut closed = false;
            while let Some(action) = sh.poller.poll_action() {
                match action {
                    PollAction::Fetch { request, http } => {
                        let controller = start_fetch(&weak, request, http);
                        sh.flights.push((request, controller));
                    }
                    PollAction::Cancel { request } => sh.cancel(request),
                    PollAction::Emit(notice) => {
                        closed |= matches!(notice, PollNotice::Closed { .. });
                        outs.extend(state_event(&notice));
                    }
                }
            }
            over = closed;
            if !over {
                sh.arm();
            }
        }
        let idle = outs.is_empty();
        outlet.dispatch(outs);
        if over {
            teardown(rc);
            return;
        }
        let more = {
            let sh = rc.borrow();
            !sh.ended && outlet.has_consumers() && !sh.buffer.is_empty()
        };
        if idle || !more {
            return;
        }
    }
}

/// Sends one request of the poller and feeds its answer back; the controller returned cancels
/// it, after which nothing is fed for it.
fn start_fetch(weak: &Weak<RefCell<Shared>>, request: RequestId, http: HttpRequest) -> AbortController {
    let controller = AbortController::new();
    let signal = controller.signal();
    let weak = weak.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let headers = http.headers();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = fetch::send_js(
            http.method().as_str(),
            &http.url(),
            &headers,
            http.body(),
            Some(&signal),
        )
        .await;
        let input = match answer {
            Ok(reply) => PollInput::Answer {
                request,
                page: mws_answer::read(&reply, READ_OK, Body::EventList)
                    .and_then(|list| mws_answer::page(&list)),
            },
            // Cancelled by the poller (a timeout) or by the end of the subscription.
            Err(FetchFailure::Aborted) => return,
            Err(FetchFailure::Network(reason)) => PollInput::TransportError { request, reason },
        };
        feed(&weak, input);
    });
    controller
}

/// Ends the subscription: cancels the requests out, removes every listener and the timer,
/// forgets every callback, and ends pending `next()` calls.
fn teardown(rc: &Rc<RefCell<Shared>>) {
    let outlet = {
        let mut sh = rc.borrow_mut();
        sh.ended = true;
        for (_, controller) in std::mem::take(&mut sh.flights) {
            controller.abort();
        }
        if let Some(hooks) = sh.hooks.as_mut() {
            hooks.remove();
        }
        sh.stats.discarded += sh.buffer.len() as u64;
        sh.buffer.clear();
        sh.parked = None;
        if let Some(me) = sh.keep_alive.take() {
            drop_later(me);
        }
        sh.outlet.clone()
    };
    outlet.end();
}
