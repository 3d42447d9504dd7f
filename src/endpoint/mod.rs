//! Where and how a subscription connects: URLs built from a user-given base, credentials placed
//! where a browser can put them, secrets kept out of every log, and the Events Hub's login.
//!
//! Plain Rust, no I/O and no clock: the browser driver calls an endpoint's `target(token)` before
//! every connect and reconnect (the token may have changed), opens the socket with the URL and
//! subprotocols it gets, and does the HTTP requests [`LoginTokenCache`] asks for, passing the time
//! in.
//!
//! - [`EventsHubEndpoint`]: `…/api/v1/ws/subscribe?event_types=…`, the JWT in `access_token` (or
//!   `authorization`); [`LoginTokenCache`] gets and renews the JWT; [`channels_not_granted`] checks
//!   the welcome frame.
//! - [`LxdEndpoint`]: `…/1.0/events?type=…&project=…|all-projects=true`, no token by default.
//! - [`CloudEventsEndpoint`]: the application's URL, `cloudevents.json` offered, a token in the
//!   query or as a Kubernetes-style subprotocol if asked.
//!
//! Rules every endpoint keeps:
//! - a token never travels over `ws://` (nor a password over `http://`) to a host that is not
//!   loopback, unless `allow_insecure_transport` says so ([`EndpointError::InsecureTransport`]);
//! - a token never shows in `Debug`, `Display` or an error: it is a [`Secret`], and URLs and
//!   protocol lists that carry it have redacted renderings ([`ConnectTarget::redacted_url`]);
//! - a configuration the server or browser would refuse is a typed error when the endpoint is
//!   built, since the browser reports a refused handshake only as close code 1006.

// With only the MWS source enabled, the shared builder has no user.
#![cfg_attr(
    not(any(feature = "events-hub", feature = "lxd", feature = "cloudevents")),
    allow(dead_code)
)]

mod base;
#[cfg(feature = "cloudevents")]
mod cloudevents;
mod credentials;
mod error;
#[cfg(feature = "events-hub")]
mod events_hub;
#[cfg(feature = "events-hub")]
mod login;
#[cfg(feature = "lxd")]
mod lxd;
mod percent;
mod secret;
mod target;

pub use base::{BaseUrl, BaseUrlError, Host};
#[cfg(feature = "cloudevents")]
pub use cloudevents::{CloudEventsEndpoint, CloudEventsOptions, CLOUDEVENTS_JSON_PROTOCOL};
pub use credentials::{
    is_tchar, is_valid_subprotocol, token_subprotocol, Credentials, ACCESS_TOKEN_PARAM, AUTHORIZATION_PARAM,
    DEFAULT_TOKEN_PROTOCOL_PREFIX,
};
pub use error::EndpointError;
#[cfg(feature = "events-hub")]
pub use events_hub::{
    channels_not_granted, normalize_channels, unknown_channels, EventsHubEndpoint, EventsHubOptions,
    DEFAULT_API_PREFIX, EVENTS_HUB_CHANNELS, GLOBAL_CHANNEL, LOGIN_PATH, SUBSCRIBE_PATH, VALIDATE_PATH,
};
#[cfg(feature = "events-hub")]
pub use login::{
    parse_validate_response, HttpRequest, LoginCredentials, LoginError, LoginStep, LoginTokenCache,
    TokenValidity, CLOCK_BACKWARD_TOLERANCE_MS, DEFAULT_RENEW_MARGIN_MS, ERROR_DETAIL_CHARS,
    SKEWED_TOKEN_GRACE_MS,
};
#[cfg(feature = "lxd")]
pub use lxd::{LxdEndpoint, LxdOptions, LXD_EVENTS_PATH, LXD_EVENT_TYPES};
pub use percent::{decode_component, encode_component, PercentDecodeError};
pub use secret::{scrub, Secret, Token, REDACTED};
pub use target::{redact_url, ConnectTarget, CREDENTIAL_PARAMS};

/// An endpoint of any source, for a driver that handles them all the same way.
#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    #[cfg(feature = "events-hub")]
    EventsHub(EventsHubEndpoint),
    #[cfg(feature = "lxd")]
    Lxd(LxdEndpoint),
    #[cfg(feature = "cloudevents")]
    CloudEvents(CloudEventsEndpoint),
}

#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
impl Endpoint {
    /// The URL and subprotocols for the next connection attempt, with the current token (`None`
    /// when the credentials send none). Called before every connect and reconnect.
    pub fn target(&self, token: Option<&Token>) -> Result<ConnectTarget, EndpointError> {
        match self {
            #[cfg(feature = "events-hub")]
            Endpoint::EventsHub(e) => e.target(token),
            #[cfg(feature = "lxd")]
            Endpoint::Lxd(e) => e.target(token),
            #[cfg(feature = "cloudevents")]
            Endpoint::CloudEvents(e) => e.target(token),
        }
    }

    /// The base URL as parsed.
    pub fn base(&self) -> &BaseUrl {
        match self {
            #[cfg(feature = "events-hub")]
            Endpoint::EventsHub(e) => e.base(),
            #[cfg(feature = "lxd")]
            Endpoint::Lxd(e) => e.base(),
            #[cfg(feature = "cloudevents")]
            Endpoint::CloudEvents(e) => e.base(),
        }
    }
}
