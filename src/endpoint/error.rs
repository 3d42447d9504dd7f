//! Why an endpoint could not be built. Every message says what to change; none contains a token,
//! a password or the text of a base URL (which may hold either).

use std::fmt;

use super::base::BaseUrlError;

/// An endpoint or connect target that cannot be built. These are configuration mistakes: they are
/// reported before any connection is attempted, because a browser would only show the failed
/// handshake as close code 1006, with no reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointError {
    /// The base URL cannot be used.
    InvalidBase(BaseUrlError),
    /// A token would travel unencrypted (`ws://` or `http://`) to a host that is not loopback.
    /// Anyone on the path could read and reuse it; use `wss://`/`https://`, or set
    /// `allow_insecure_transport` if the network is trusted.
    InsecureTransport { host: String },
    /// LXD refuses `project` together with `all-projects` (HTTP 400/500 before the upgrade).
    ProjectWithAllProjects,
    /// An LXD event type that is not a lower-case word (`lifecycle`, `operation`, `logging`, …).
    InvalidLxdEventType { name: String },
    /// An LXD event type the daemon does not list; LXD answers an unknown type with an HTTP error
    /// before the upgrade, which the browser cannot read. `allow_unknown_types` lets it through.
    UnknownLxdEventType { name: String },
    /// The Events Hub never selects a subprotocol, so a browser offering one fails the handshake.
    SubprotocolNotSupported,
    /// A source whose server selects no subprotocol cannot carry a token subprotocol: there is no
    /// real protocol to offer with it, and the browser fails a handshake whose offer gets no answer.
    NoCompanionProtocol,
    /// The Events Hub reads a token only from `access_token` or `authorization`.
    UnsupportedTokenParameter { name: String },
    /// A query credential with an empty parameter name.
    InvalidParameterName,
    /// The token subprotocol prefix has characters a subprotocol name cannot hold (RFC 7230
    /// `tchar`: letters, digits and ``!#$%&'*+-.^_`|~``).
    InvalidSubprotocolPrefix,
    /// The token subprotocol is not a valid subprotocol name.
    InvalidSubprotocol,
    /// The same subprotocol offered twice; the browser's `WebSocket` constructor throws on it.
    DuplicateSubprotocol,
    /// The base URL's query already sets a parameter this endpoint sets itself.
    ConflictingQueryParameter { name: String },
    /// The base URL's query carries a credential (`access_token`, `authorization`, …). Tokens go
    /// in the credentials option, where they are kept out of logs and checked against the
    /// transport.
    CredentialInBaseUrl { name: String },
    /// The credentials say a token travels, but none was given.
    MissingToken,
    /// The token is the empty string.
    EmptyToken,
    /// A token was given but the credentials say none travels (`Credentials::None`): probably a
    /// configuration mistake, so it is refused rather than silently dropped.
    UnusedToken,
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::InvalidBase(e) => write!(f, "{e}"),
            EndpointError::InsecureTransport { host } => write!(
                f,
                "refusing to send a token unencrypted (ws:// or http://) to {host}, which is not a \
                 loopback host: anyone on the network path could read it; use wss:// or https://, \
                 or set allowInsecureTransport if this network is trusted"
            ),
            EndpointError::ProjectWithAllProjects => f.write_str(
                "LXD cannot filter on a project and on all projects at once: set project or \
                 allProjects, not both",
            ),
            EndpointError::InvalidLxdEventType { name } => write!(
                f,
                "LXD event type {name:?} is not valid: types are lower-case words such as \
                 lifecycle, operation, logging"
            ),
            EndpointError::UnknownLxdEventType { name } => write!(
                f,
                "LXD event type {name:?} is not one of lifecycle, operation, logging, network-acl; \
                 the daemon would refuse the connection (set allowUnknownTypes for newer daemons)"
            ),
            EndpointError::SubprotocolNotSupported => f.write_str(
                "the Events Hub never selects a WebSocket subprotocol, so a token subprotocol \
                 would fail the handshake; use the access_token or authorization query parameter",
            ),
            EndpointError::NoCompanionProtocol => f.write_str(
                "this source's server selects no subprotocol, so a token subprotocol cannot be \
                 offered (the handshake would fail); use a query parameter or no token",
            ),
            EndpointError::UnsupportedTokenParameter { name } => write!(
                f,
                "the Events Hub reads a token only from access_token or authorization, not {name:?}"
            ),
            EndpointError::InvalidParameterName => f.write_str("the token query parameter's name is empty"),
            EndpointError::InvalidSubprotocolPrefix => {
                f.write_str("the token subprotocol prefix may hold only letters, digits and !#$%&'*+-.^_`|~")
            }
            EndpointError::InvalidSubprotocol => {
                f.write_str("the token subprotocol is not a valid subprotocol name")
            }
            EndpointError::DuplicateSubprotocol => {
                f.write_str("the same subprotocol is offered twice, which browsers refuse")
            }
            EndpointError::ConflictingQueryParameter { name } => write!(
                f,
                "the base URL's query already sets {name:?}, which this endpoint sets from its \
                 options; remove it from the URL"
            ),
            EndpointError::CredentialInBaseUrl { name } => write!(
                f,
                "the base URL's query carries the credential parameter {name:?}; pass the token \
                 through the token option instead"
            ),
            EndpointError::MissingToken => {
                f.write_str("the credentials say a token is sent, but no token was provided")
            }
            EndpointError::EmptyToken => f.write_str("the token is empty"),
            EndpointError::UnusedToken => f.write_str(
                "a token was provided but the credentials say none is sent; choose a query \
                 parameter or a subprotocol, or provide no token",
            ),
        }
    }
}

impl std::error::Error for EndpointError {}

impl From<BaseUrlError> for EndpointError {
    fn from(e: BaseUrlError) -> EndpointError {
        EndpointError::InvalidBase(e)
    }
}
