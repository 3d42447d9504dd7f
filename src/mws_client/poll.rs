//! A gap-free, duplicate-free polling subscription to MWS events, as a sans-IO state machine.
//!
//! MWS has no push channel for events over HTTP: the only way to follow them is to ask again and
//! again. Asking "what is newer than the last event I saw?" is harder than it looks, because
//! `eventDate` has one-second resolution:
//!
//! - `eventDate > last` loses the events that arrive later within the last second seen;
//! - `eventDate >= last` repeats every event of that second at every poll;
//! - a poll that reads only the first page and moves on loses the rest, and offsets move when
//!   events arrive while the pages are read.
//!
//! # How
//!
//! - **Watermark and boundary ids.** The poller keeps a watermark, the newest `eventDate` it has
//!   read, and the ids of the events it delivered in that second. Each poll asks
//!   `eventDate >= watermark` (plus the application's filter), sorted by `eventDate` then `id`
//!   ascending, so the order is total and the same at every request; kept ids are skipped.
//! - **Every page before the watermark moves.** A poll reads pages of [`PollOptions::page_size`]
//!   until `totalCount` is reached, and only then moves the watermark to the newest `eventDate`
//!   read and forgets the ids older than it.
//! - **Pages that shift.** After the first page, each page is asked from the second of the last
//!   event read (`eventDate >= that second`, `offset` = how many of that second were read), so
//!   older events (and their removal by the server's retention) cannot move the offsets. If a page
//!   still starts at or before the last event read, the list moved under the reader (an event was
//!   inserted before it within that second): the poller rereads that second from its start,
//!   skipping by id what it already delivered.
//! - **Failures.** A failed request (no response, 5xx, an unreadable body, no answer within
//!   [`PollOptions::request_timeout_ms`]) ends the poll; the next one comes after a full-jitter
//!   backoff (uniform in `0..=min(max, base·2^(n-1))`, from the seeded generator: the poller draws
//!   no randomness of its own) and starts again from the same watermark. Events delivered before
//!   the failure are remembered by id and not delivered again. A 400, 401, 403, 404 or 405 ends
//!   the subscription: the same request would fail the same way.
//! - **Lookback** ([`PollOptions::lookback_secs`], off by default). Each poll first asks for the
//!   newest matching event (one small request), and the next poll reads from that date minus the
//!   lookback (or the newest date read, if earlier), keeping the ids delivered since. Bounding the
//!   window by the newest event *at the start* of the poll matters: pages read while events keep
//!   coming move the newest date read past the moment a late event appeared.
//! - **Time** is an input: every call carries the wall clock (`Date.now()`); waits are measured on
//!   a private line that only moves forward, so a clock stepped back does not stall polling.
//!
//! # The guarantee
//!
//! Every event that matches the filter is delivered exactly once if, when it becomes visible on
//! the server, its `eventDate` is not older than the newest matching event already there (or,
//! with a lookback, older by at most `lookback_secs`). Events come in `(eventDate, id)` order
//! within a poll and with non-decreasing `eventDate` from poll to poll (without a lookback); an
//! event that appears late within a second already delivered (MWS instances whose ids do not grow
//! in step) comes after that second's earlier events rather than never.
//!
//! # Its limits
//!
//! - **Late or back-dated events.** An event that becomes visible with an `eventDate` before the
//!   newest one already read is not seen: created with an explicit older `eventDate`, stamped by a
//!   producer whose clock is behind, or committed to the database after newer ones were read. A
//!   lookback catches them up to that lateness and delivers them after the newer ones.
//! - **Clock skew** between the browser and MWS does not matter: every bound comes from the
//!   server's own dates, never from the browser's clock. [`StartAt::Date`] takes a date in the
//!   server's time.
//! - **Retention.** Events deleted by the server before a poll reads them are not delivered, and a
//!   deletion inside the second being paged can make a page skip one.
//! - **Memory.** The ids kept are those of the boundary second (or the lookback window), plus those
//!   delivered during a poll that failed, until the next poll completes.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use super::client::MwsClient;
use super::date::{is_mws_date, MwsDate};
use super::error::MwsError;
use super::http::HttpRequest;
#[cfg(not(target_arch = "wasm32"))]
use super::http::HttpResponse;
use super::query::{Filter, ListQuery, Operand, Operator, QueryError, QueryValue, SortOrder};
use crate::model::mws::{MwsEvent, MwsEventList};
use crate::session::{Clock, SplitMix64};

/// Milliseconds of the wall clock (`Date.now()`), or of any fixed origin in tests.
pub use crate::session::Millis;

/// How many times one poll may reread a second whose pages shifted before it goes on without
/// rereading (a server that ignores `offset` would otherwise be asked forever).
const MAX_REWINDS_PER_POLL: u32 = 16;

/// Where the subscription starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StartAt {
    /// Only events that appear after the start: the first poll asks for the newest event, then
    /// reads that second and remembers it without delivering. Needs no clock.
    #[default]
    Latest,
    /// Every event that matches the filter, oldest first.
    Beginning,
    /// Events dated at or after this date (in MWS's time).
    Date(MwsDate),
    /// Where an earlier subscription stopped ([`Poller::checkpoint`]).
    Checkpoint(PollCheckpoint),
}

/// Enough to resume a subscription without a gap or a repeat: where the next poll reads from and
/// the ids already delivered from there on. Take it after handing every popped event to the
/// application.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PollCheckpoint {
    /// The newest `eventDate` read, in MWS's form; `None` before anything was read.
    pub watermark: Option<String>,
    /// The `eventDate` the next poll reads from: the watermark, or before it with a lookback.
    pub from: Option<String>,
    /// `(id, eventDate)` of the events delivered (or skipped at the start) from `from` on.
    pub seen: Vec<(String, String)>,
}

/// The subscription's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOptions {
    /// Pause between the end of one poll and the start of the next, in ms.
    pub interval_ms: u64,
    /// Events per page (`max`), at least 1.
    pub page_size: u64,
    /// Where to start.
    pub start: StartAt,
    /// How late (in seconds behind the newest event on the server) an event may appear and still
    /// be delivered; costs one more request per poll (see the module's lookback). 0: only the
    /// boundary second is reread, and polls deliver in strict `eventDate` order.
    pub lookback_secs: u32,
    /// First backoff window after a failure, in ms.
    pub backoff_base_ms: u64,
    /// Largest backoff window, in ms.
    pub backoff_max_ms: u64,
    /// A request without an answer after this many ms is cancelled and counts as a failure; 0:
    /// wait for ever (fetch has no timeout of its own).
    pub request_timeout_ms: u64,
    /// Seed of the backoff jitter. The browser driver draws it from `crypto.getRandomValues`;
    /// tests fix it to replay a run.
    pub jitter_seed: u64,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions {
            interval_ms: 5_000,
            page_size: 100,
            start: StartAt::Latest,
            lookback_secs: 0,
            backoff_base_ms: 1_000,
            backoff_max_ms: 60_000,
            request_timeout_ms: 30_000,
            jitter_seed: 0,
        }
    }
}

/// Why a poller could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollConfigError {
    /// The filter cannot be written.
    Query(QueryError),
    /// `page_size` is 0.
    ZeroPageSize,
    /// The filter's `eventDate` `$gte`, or a checkpoint's watermark, is not a date in MWS's form
    /// (the poller has to compare it with the server's dates).
    InvalidDateBound,
}

impl fmt::Display for PollConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PollConfigError::Query(e) => write!(f, "invalid MWS filter: {e}"),
            PollConfigError::ZeroPageSize => f.write_str("page_size must be at least 1"),
            PollConfigError::InvalidDateBound => f.write_str(
                "the eventDate lower bound must be a date such as \"2025-01-27 12:08:00 UTC\" (use MwsDate)",
            ),
        }
    }
}

impl std::error::Error for PollConfigError {}

/// What the poller needs of an event: its identity and its date. The driver decides what an event
/// is: natively the Rust model, in the browser MWS's own JavaScript object, which is handed to the
/// application as it is.
pub trait PolledEvent: Clone + fmt::Debug {
    /// MWS's `id`.
    fn id(&self) -> &str;
    /// MWS's `eventDate`, `yyyy-MM-dd HH:mm:ss UTC`.
    fn event_date(&self) -> &str;
}

impl PolledEvent for MwsEvent {
    fn id(&self) -> &str {
        &self.id
    }

    fn event_date(&self) -> &str {
        &self.event_date
    }
}

/// A page of a list answer, already checked by the driver (the body of `GET /rest/events`).
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage<E> {
    /// `totalCount`: how many events match in all.
    pub total_count: u64,
    /// `resultCount`: how many are on this page.
    pub result_count: u64,
    /// `results`, in the server's order.
    pub events: Vec<E>,
}

impl From<MwsEventList> for EventPage<MwsEvent> {
    fn from(list: MwsEventList) -> Self {
        EventPage {
            total_count: list.total_count,
            result_count: list.result_count,
            events: list.results,
        }
    }
}

/// Names one request, so a late answer to a request the poller gave up on is not taken for the
/// current one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u32);

/// Something that happened, fed to [`Poller::handle`] with the current time.
#[derive(Debug, Clone, PartialEq)]
pub enum PollInput<E = MwsEvent> {
    /// Begin polling. Inputs other than `Close` and `Abort` before it are ignored.
    Start,
    /// The answer to a [`PollAction::Fetch`], as the driver read it: the page, or the error its
    /// status ([`check_status`](super::check_status) with [`READ_OK`](super::READ_OK)) or its
    /// body made.
    Answer {
        /// The request answered.
        request: RequestId,
        /// The checked page, or why there is none.
        page: Result<EventPage<E>, MwsError>,
    },
    /// A [`PollAction::Fetch`] got no answer (fetch rejected: network, CORS, abort).
    TransportError {
        /// The request that failed.
        request: RequestId,
        /// Why, in words. Must not contain a secret.
        reason: String,
    },
    /// Only time passed: the driver's timer for [`Poller::next_deadline`] fired.
    Tick,
    /// Poll now instead of at the next interval (the page became visible, the network is back, the
    /// application asked). Ignored while a poll runs.
    PollNow,
    /// The application's `close()`. Final.
    Close,
    /// The application's `AbortSignal` fired. Final.
    Abort,
}

#[cfg(not(target_arch = "wasm32"))]
impl PollInput<MwsEvent> {
    /// The answer `response` to `request`, read with the Rust decoders.
    pub fn response(request: RequestId, response: &HttpResponse) -> PollInput<MwsEvent> {
        PollInput::Answer {
            request,
            page: response.list().map(EventPage::from),
        }
    }
}

/// Something the driver must do, taken with [`Poller::poll_action`] until `None`, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollAction {
    /// Perform this request and report its `Response` or `TransportError` with `request`.
    Fetch {
        /// The id to report the answer with.
        request: RequestId,
        /// What to send.
        http: HttpRequest,
    },
    /// Abort this request (its `AbortController`) and report nothing more for it.
    Cancel {
        /// The request to abort.
        request: RequestId,
    },
    /// Tell the application.
    Emit(PollNotice),
}

/// What the application is told, besides its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollNotice {
    /// The first poll completed: from here on, every new event is delivered as it is found.
    Live {
        /// The watermark reached.
        watermark: Option<String>,
    },
    /// A poll failed; the next attempt comes after `delay_ms`, from the same watermark.
    Retrying {
        /// Failures in a row so far (1 for the first).
        attempt: u32,
        /// The delay chosen (full jitter), in ms.
        delay_ms: u64,
        /// What failed.
        error: MwsError,
    },
    /// The subscription ended; nothing follows.
    Closed {
        /// Why.
        reason: PollCloseReason,
    },
}

/// Why a subscription ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollCloseReason {
    /// The application closed it.
    Closed,
    /// The application's `AbortSignal` fired.
    Aborted,
    /// A failure no retry can cure (400, 401, 403, 404, 405).
    Failed(MwsError),
}

/// Where the subscription is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollState {
    /// Created, not started.
    Idle,
    /// A request is out.
    Polling,
    /// Waiting for the next interval.
    Waiting,
    /// Waiting out a backoff after a failure.
    BackingOff,
    /// Ended for good.
    Closed,
}

/// Counters, for the application's stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PollStats {
    /// Polls completed (every page read).
    pub polls: u64,
    /// Requests sent.
    pub requests: u64,
    /// Pages read successfully.
    pub pages: u64,
    /// Events delivered.
    pub delivered: u64,
    /// Events read again (boundary second, lookback, reread pages) and skipped by id.
    pub duplicates: u64,
    /// Events that existed at the start and were not delivered ([`StartAt::Latest`]).
    pub skipped_at_start: u64,
    /// Events the server returned from before the poll's lower bound (it ignored the filter),
    /// ignored.
    pub out_of_range: u64,
    /// Seconds reread because the list shifted while it was paged.
    pub rewinds: u64,
    /// Failed requests.
    pub failures: u64,
    /// Failed requests since the last completed poll.
    pub consecutive_failures: u32,
}

/// One poll in progress: where the next page starts.
#[derive(Debug, Clone)]
struct Cycle {
    /// The newest matching `eventDate` on the server when the poll began (`Some(None)`: none), asked
    /// first when there is a lookback; `None` until then.
    head: Option<Option<String>>,
    /// The lower bound of the whole poll; events below it cannot be deduplicated and are ignored.
    min_date: Option<String>,
    /// The next page asks `eventDate >= floor`…
    floor: Option<String>,
    /// …from this offset (events of the floor's second already read).
    skip: u64,
    /// `(eventDate, id)` of the last event of the last page, to see the list shift.
    last_key: Option<(String, String)>,
    rewinds: u32,
    /// The newest `eventDate` read in this poll.
    max_date: Option<String>,
}

/// What a request asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// The newest event, where a [`StartAt::Latest`] subscription begins.
    Start,
    /// The newest event, before a poll with a lookback.
    Head,
    /// A page of a poll.
    Page,
}

#[derive(Debug, Clone, Copy)]
struct InFlight {
    id: RequestId,
    deadline: Option<u64>,
    ask: Ask,
}

/// The polling subscription. See the [module documentation](self) for the guarantee.
///
/// ```text
/// poller.handle(PollInput::Start, Date.now());
/// loop {
///     while let Some(event) = poller.pop_event() { /* callbacks, or the iterator's queue */ }
///     while let Some(action) = poller.poll_action() { /* Fetch → fetch(); Cancel → abort; Emit → tell */ }
///     wait for a fetch to settle (handle Response / TransportError) or for next_deadline() (handle Tick)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Poller<E: PolledEvent = MwsEvent> {
    client: MwsClient,
    /// The application's filter, without its `eventDate` `$gte` (kept in `lower_bound`).
    filter: Filter,
    lower_bound: Option<String>,
    options: PollOptions,
    rng: SplitMix64,
    clock: Option<Clock>,
    state: PollState,
    needs_probe: bool,
    /// The next poll to complete only records what exists ([`StartAt::Latest`]).
    baseline: bool,
    /// The newest `eventDate` read.
    watermark: Option<String>,
    /// Where the next poll reads from (before the application's own lower bound).
    resume_from: Option<String>,
    /// Ids delivered (or skipped at the start) from `resume_from` on → their `eventDate`.
    seen: HashMap<String, String>,
    cycle: Option<Cycle>,
    in_flight: Option<InFlight>,
    next_request: u32,
    /// When the next request goes, on the clock's line; `None` while one is out or when closed.
    wake_at: Option<u64>,
    live: bool,
    stats: PollStats,
    last_error: Option<MwsError>,
    events: VecDeque<E>,
    actions: VecDeque<PollAction>,
}

impl<E: PolledEvent> Poller<E> {
    /// A subscription to the events that match `filter`.
    ///
    /// The filter may bound `eventDate` itself; a `$gte` on it must be an [`MwsDate`] (or a
    /// string in MWS's form), as the poller merges it with its watermark.
    pub fn new(
        client: MwsClient,
        filter: Filter,
        options: PollOptions,
    ) -> Result<Poller<E>, PollConfigError> {
        if options.page_size == 0 {
            return Err(PollConfigError::ZeroPageSize);
        }
        filter.to_json().map_err(PollConfigError::Query)?;
        let mut filter = filter;
        let mut lower_bound = match filter.remove("eventDate", Operator::Gte) {
            None => None,
            Some(Operand::One(QueryValue::Str(s))) if is_mws_date(&s) => Some(s),
            Some(_) => return Err(PollConfigError::InvalidDateBound),
        };
        let (mut needs_probe, mut watermark, mut resume_from, mut seen) = (false, None, None, HashMap::new());
        match &options.start {
            StartAt::Latest => needs_probe = true,
            StartAt::Beginning => {}
            StartAt::Date(date) => lower_bound = later(lower_bound, Some(date.to_string())),
            StartAt::Checkpoint(checkpoint) => {
                let dates = [&checkpoint.watermark, &checkpoint.from];
                if dates
                    .iter()
                    .any(|d| d.as_deref().is_some_and(|d| !is_mws_date(d)))
                {
                    return Err(PollConfigError::InvalidDateBound);
                }
                watermark = checkpoint.watermark.clone();
                // A checkpoint written without `from` resumes from its watermark.
                resume_from = checkpoint.from.clone().or_else(|| checkpoint.watermark.clone());
                seen = checkpoint.seen.iter().cloned().collect();
            }
        }
        Ok(Poller {
            client,
            filter,
            lower_bound,
            rng: SplitMix64::new(options.jitter_seed),
            options,
            clock: None,
            state: PollState::Idle,
            needs_probe,
            baseline: false,
            watermark,
            resume_from,
            seen,
            cycle: None,
            in_flight: None,
            next_request: 0,
            wake_at: None,
            live: false,
            stats: PollStats::default(),
            last_error: None,
            events: VecDeque::new(),
            actions: VecDeque::new(),
        })
    }

    /// Takes in what happened at `now`, then does what is due.
    pub fn handle(&mut self, input: PollInput<E>, now: Millis) {
        let clock = self.clock.get_or_insert(Clock::new(now));
        clock.advance(now);
        if self.state == PollState::Closed {
            return;
        }
        match input {
            PollInput::Start => {
                if self.state == PollState::Idle {
                    self.state = PollState::Waiting;
                    self.wake_at = Some(self.mono());
                }
            }
            _ if self.state == PollState::Idle && !matches!(input, PollInput::Close | PollInput::Abort) => {}
            PollInput::Answer { request, page } => {
                if let Some(flight) = self.take_flight(request) {
                    self.on_answer(flight, page);
                }
            }
            PollInput::TransportError { request, reason } => {
                if self.take_flight(request).is_some() {
                    self.fail(MwsError::Transport(reason));
                }
            }
            PollInput::Tick => {}
            PollInput::PollNow => {
                if self.in_flight.is_none() {
                    self.wake_at = Some(self.mono());
                }
            }
            PollInput::Close => self.close(PollCloseReason::Closed),
            PollInput::Abort => self.close(PollCloseReason::Aborted),
        }
        self.drive();
    }

    /// The next thing for the driver to do, in order; `None` when there is nothing.
    pub fn poll_action(&mut self) -> Option<PollAction> {
        self.actions.pop_front()
    }

    /// The next event to deliver, in order; `None` when there is none.
    pub fn pop_event(&mut self) -> Option<E> {
        self.events.pop_front()
    }

    /// When to feed [`PollInput::Tick`] (wall clock, as given to `handle`): the next poll, the end
    /// of a backoff or a request's timeout. `None` when nothing is scheduled.
    pub fn next_deadline(&self) -> Option<Millis> {
        let clock = self.clock?;
        let due = match self.in_flight {
            Some(flight) => flight.deadline,
            None => self.wake_at,
        }?;
        Some(clock.to_wall(due))
    }

    /// Where the subscription is.
    pub fn state(&self) -> PollState {
        self.state
    }

    /// The counters.
    pub fn stats(&self) -> PollStats {
        self.stats
    }

    /// The latest `eventDate` read completely.
    pub fn watermark(&self) -> Option<&str> {
        self.watermark.as_deref()
    }

    /// The last failure, cured or not.
    pub fn last_error(&self) -> Option<&MwsError> {
        self.last_error.as_ref()
    }

    /// Where to resume from later with [`StartAt::Checkpoint`]. Events still waiting in
    /// [`Poller::pop_event`] count as delivered: take the checkpoint after popping them.
    pub fn checkpoint(&self) -> PollCheckpoint {
        let mut seen: Vec<(String, String)> = self.seen.iter().map(|(i, d)| (i.clone(), d.clone())).collect();
        seen.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        PollCheckpoint {
            watermark: self.watermark.clone(),
            from: self.resume_from.clone(),
            seen,
        }
    }

    fn mono(&self) -> u64 {
        self.clock.map_or(0, |c| c.mono())
    }

    fn take_flight(&mut self, request: RequestId) -> Option<InFlight> {
        match self.in_flight {
            Some(flight) if flight.id == request => self.in_flight.take(),
            _ => None,
        }
    }

    /// Acts on whatever is due: a request that timed out, the next request.
    fn drive(&mut self) {
        if self.state == PollState::Closed {
            return;
        }
        let now = self.mono();
        if let Some(flight) = self.in_flight {
            if flight.deadline.is_some_and(|d| d <= now) {
                self.in_flight = None;
                self.actions.push_back(PollAction::Cancel { request: flight.id });
                self.fail(MwsError::Transport(format!(
                    "no answer within {} ms",
                    self.options.request_timeout_ms
                )));
            } else {
                return;
            }
        }
        if self.wake_at.is_some_and(|at| at <= self.mono()) {
            self.send();
        }
    }

    fn send(&mut self) {
        if self.cycle.is_none() && !self.needs_probe {
            let floor = later(self.resume_from.clone(), self.lower_bound.clone());
            self.cycle = Some(Cycle {
                // Without a lookback the head is not needed (see `commit`).
                head: (self.options.lookback_secs == 0).then_some(None),
                min_date: floor.clone(),
                floor,
                skip: 0,
                last_key: None,
                rewinds: 0,
                max_date: None,
            });
        }
        let (ask, query) = match &self.cycle {
            None => (Ask::Start, self.newest_query()),
            Some(cycle) if cycle.head.is_none() => (Ask::Head, self.newest_query()),
            Some(cycle) => {
                let mut filter = self.filter.clone();
                if let Some(floor) = &cycle.floor {
                    filter.set(
                        "eventDate",
                        Operator::Gte,
                        Operand::One(QueryValue::Str(floor.clone())),
                    );
                }
                let mut query = ListQuery::new(filter)
                    .sort("eventDate", SortOrder::Ascending)
                    .sort("id", SortOrder::Ascending)
                    .max(self.options.page_size);
                query.offset = (cycle.skip > 0).then_some(cycle.skip);
                (Ask::Page, query)
            }
        };
        // The filter was written once in `new`, the bound is an MWS date and the page size is at
        // least 1, so the request can always be written.
        let http = self.client.list(&query).expect("checked in Poller::new");
        let id = RequestId(self.next_request);
        self.next_request = self.next_request.wrapping_add(1);
        let timeout = self.options.request_timeout_ms;
        self.in_flight = Some(InFlight {
            id,
            deadline: (timeout > 0).then(|| self.mono().saturating_add(timeout)),
            ask,
        });
        self.wake_at = None;
        self.state = PollState::Polling;
        self.stats.requests += 1;
        self.actions.push_back(PollAction::Fetch { request: id, http });
    }

    /// The newest matching event: one event, sorted backwards.
    fn newest_query(&self) -> ListQuery {
        let mut filter = self.filter.clone();
        if let Some(bound) = &self.lower_bound {
            filter.set(
                "eventDate",
                Operator::Gte,
                Operand::One(QueryValue::Str(bound.clone())),
            );
        }
        ListQuery::new(filter)
            .sort("eventDate", SortOrder::Descending)
            .sort("id", SortOrder::Descending)
            .max(1)
    }

    fn on_answer(&mut self, flight: InFlight, page: Result<EventPage<E>, MwsError>) {
        let page = match page {
            Ok(page) => page,
            Err(e) => return self.fail(e),
        };
        self.stats.pages += 1;
        self.wake_at = Some(self.mono());
        let newest = page.events.first().map(|e| e.event_date().to_owned());
        match flight.ask {
            Ask::Start => {
                self.needs_probe = false;
                // What exists is read once without being delivered, from its newest second (and
                // the lookback before it); nothing yet: whatever comes from now on is new.
                self.baseline = newest.is_some();
                self.resume_from = newest.as_deref().map(|d| self.minus_lookback(d));
                self.watermark = newest;
            }
            Ask::Head => {
                if let Some(cycle) = self.cycle.as_mut() {
                    cycle.head = Some(newest);
                }
            }
            Ask::Page => self.on_page(page),
        }
    }

    fn on_page(&mut self, page: EventPage<E>) {
        let cycle = self.cycle.as_mut().expect("a page answers a poll in progress");
        if let (Some(first), Some((date, id))) = (page.events.first(), &cycle.last_key) {
            let shifted = (first.event_date(), first.id()) <= (date.as_str(), id.as_str());
            if shifted && cycle.rewinds < MAX_REWINDS_PER_POLL {
                // Something was inserted before the offset: reread the floor's second from its
                // start rather than deliver this page ahead of the inserted event.
                cycle.rewinds += 1;
                cycle.skip = 0;
                cycle.last_key = None;
                self.stats.rewinds += 1;
                return;
            }
        }
        let result_count = page.events.len() as u64;
        let end = cycle.skip + result_count;
        let complete = result_count == 0 || end >= page.total_count;
        if let Some(last) = page.events.last() {
            if cycle.floor.as_deref() == Some(last.event_date()) {
                cycle.skip = end;
            } else {
                cycle.skip = page
                    .events
                    .iter()
                    .filter(|e| e.event_date() == last.event_date())
                    .count() as u64;
                cycle.floor = Some(last.event_date().to_owned());
            }
            cycle.last_key = Some((last.event_date().to_owned(), last.id().to_owned()));
        }
        let min_date = cycle.min_date.clone();
        for event in page.events {
            if min_date.as_deref().is_some_and(|min| event.event_date() < min) {
                self.stats.out_of_range += 1;
                continue;
            }
            let cycle = self.cycle.as_mut().expect("in progress");
            if cycle.max_date.as_deref().is_none_or(|m| event.event_date() > m) {
                cycle.max_date = Some(event.event_date().to_owned());
            }
            if self.seen.contains_key(event.id()) {
                self.stats.duplicates += 1;
                continue;
            }
            self.seen
                .insert(event.id().to_owned(), event.event_date().to_owned());
            if self.baseline {
                self.stats.skipped_at_start += 1;
            } else {
                self.stats.delivered += 1;
                self.events.push_back(event);
            }
        }
        if complete {
            self.commit();
        }
    }

    /// Every page of the poll was read: move the watermark and where the next poll reads from,
    /// forget the ids before that.
    fn commit(&mut self) {
        let cycle = self.cycle.take().expect("a poll in progress");
        let top = later(self.watermark.take(), cycle.max_date);
        self.watermark = top.clone();
        let next = if self.options.lookback_secs == 0 {
            // An event that appears during a poll dated its second or later sorts after what the
            // poll had read (or makes it reread): only the newest second needs reading again.
            top
        } else {
            // An event at most `lookback` late when it appears is dated no earlier than the newest
            // event then on the server minus the lookback, and the newest at the start of this
            // poll bounds that from below. The newest read may be later: pages went on while
            // events appeared. Nothing matched at the start: read again from this poll's start.
            match cycle.head.flatten() {
                Some(head) => {
                    let newest_known = match top {
                        Some(top) if top < head => top,
                        _ => head,
                    };
                    later(cycle.min_date, Some(self.minus_lookback(&newest_known)))
                }
                None => cycle.min_date,
            }
        };
        self.resume_from = later(self.resume_from.take(), next);
        if let Some(from) = &self.resume_from {
            self.seen.retain(|_, date| date.as_str() >= from.as_str());
        }
        self.baseline = false;
        self.stats.polls += 1;
        self.stats.consecutive_failures = 0;
        self.state = PollState::Waiting;
        self.wake_at = Some(self.mono().saturating_add(self.options.interval_ms));
        if !self.live {
            self.live = true;
            self.actions.push_back(PollAction::Emit(PollNotice::Live {
                watermark: self.watermark.clone(),
            }));
        }
    }

    /// `date` minus the lookback (the date itself if it cannot be read or moved).
    fn minus_lookback(&self, date: &str) -> String {
        if self.options.lookback_secs == 0 {
            return date.to_owned();
        }
        MwsDate::parse(date)
            .ok()
            .and_then(|d| d.plus_secs(-i64::from(self.options.lookback_secs)))
            .map_or_else(|| date.to_owned(), |d| d.to_string())
    }

    fn fail(&mut self, error: MwsError) {
        self.stats.failures += 1;
        self.last_error = Some(error.clone());
        if !error.is_retryable() {
            return self.close(PollCloseReason::Failed(error));
        }
        self.stats.consecutive_failures += 1;
        let attempt = self.stats.consecutive_failures;
        let window = self
            .options
            .backoff_base_ms
            .saturating_mul(1u64 << (attempt - 1).min(62))
            .min(self.options.backoff_max_ms);
        let delay_ms = self.rng.up_to(window);
        // The poll starts again from the same watermark; what it delivered is remembered by id.
        self.cycle = None;
        self.state = PollState::BackingOff;
        self.wake_at = Some(self.mono().saturating_add(delay_ms));
        self.actions.push_back(PollAction::Emit(PollNotice::Retrying {
            attempt,
            delay_ms,
            error,
        }));
    }

    fn close(&mut self, reason: PollCloseReason) {
        if let Some(flight) = self.in_flight.take() {
            self.actions.push_back(PollAction::Cancel { request: flight.id });
        }
        self.state = PollState::Closed;
        self.wake_at = None;
        self.cycle = None;
        self.actions
            .push_back(PollAction::Emit(PollNotice::Closed { reason }));
    }
}

/// The later of two optional MWS dates (strings in MWS's fixed-width form compare as dates).
fn later(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b > a { b } else { a }),
        (a, None) => a,
        (None, b) => b,
    }
}
