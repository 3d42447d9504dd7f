//! A typed client for Moab Web Services (MWS) events, REST API version 3, and a gap-free polling
//! subscription on top of it.
//!
//! Plain Rust with no I/O, no clock and no randomness of its own (sans-IO): the client builds
//! [`HttpRequest`] values; the driver performs them and reads the answers. Natively the answers
//! are [`HttpResponse`] values read by the Rust decoders; the browser driver performs the requests
//! with `fetch` and checks the bodies with the package's JavaScript decoders, so no body crosses
//! into wasm, and feeds the poller the pages it read ([`EventPage`], over any [`PolledEvent`]).
//! Time and the jitter seed are inputs. So the whole client, the paging and the polling run in
//! native tests against an in-memory server and the simulator.
//!
//! - [`MwsClient`]: base URL and HTTP Basic credentials ([`BasicAuth`], never shown by `Debug`);
//!   requests for list ([`ListQuery`]), get one and create ([`NewMwsEvent`], MWS's restrictions
//!   checked before sending). `api-version=3` is always sent.
//! - [`Filter`]: MWS's MongoDB-syntax `query` — equality on any field including dotted paths,
//!   `$ne`, `$in`, `$lt`/`$lte`/`$gt`/`$gte` — written in the order built; dates as
//!   [`MwsDate`] (`yyyy-MM-dd HH:mm:ss UTC`, from unix milliseconds or a checked string).
//! - [`MwsError`]: failures typed by status (400, 401, 403, 404, 405, 500, other) with MWS's
//!   `messages`, plus unreadable bodies and transport failures.
//! - [`PageCursor`] / [`PagePlan`]: every page of a list (`offset += resultCount` until
//!   `offset >= totalCount`).
//! - [`Poller`]: the polling subscription, every matching event delivered once and in order;
//!   [`poll`] documents the guarantee and its limits (late and back-dated events, clock skew).
//!
//! # In a browser
//!
//! MWS's documentation says nothing about CORS, so assume MWS sends no `Access-Control-*` headers.
//! A page on another origin needs a proxy in front of MWS that answers the preflight (`OPTIONS`,
//! sent because of `Authorization` and the JSON `Content-Type`), allows the headers
//! `Authorization` and `Content-Type`, names the page's exact origin with
//! `Access-Control-Allow-Credentials: true`, and exposes `Location`; or a same-origin proxy (a base
//! URL that is a path, such as `/hpc`). A 401 carrying `WWW-Authenticate: Basic` makes browsers
//! show their own login dialog: the proxy should remove that header.

mod client;
mod date;
mod encode;
mod error;
mod http;
mod pages;
pub mod poll;
mod query;

pub use client::{ConfigError, CreateError, MwsClient, MwsClientOptions, NewMwsEvent};
pub use date::{is_mws_date, DateError, MwsDate};
pub use encode::percent_encode;
pub use error::{MwsError, ServerMessages};
pub use http::{
    check_status, BasicAuth, CredentialsError, HttpMethod, HttpRequest, HttpResponse, CREATE_OK, READ_OK,
};
pub use pages::{PageCursor, PagePlan};
pub use poll::{
    EventPage, Millis, PollAction, PollCheckpoint, PollCloseReason, PollConfigError, PollInput, PollNotice,
    PollOptions, PollState, PollStats, PolledEvent, Poller, RequestId, StartAt,
};
pub use query::{Filter, ListQuery, Operand, Operator, QueryError, QueryValue, SortOrder, EVENTS_PATH};
