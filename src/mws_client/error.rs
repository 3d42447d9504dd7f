//! What can go wrong with a request to MWS, typed by HTTP status as MWS documents it (every error
//! has status ≥ 400 and the body `{"messages":["…", …]}`).

use std::fmt;

#[cfg(not(target_arch = "wasm32"))]
use crate::decode::mws::decode_mws_error;
use crate::decode::{head, DecodeError};

/// What the server said with an error status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerMessages {
    /// MWS's `messages`, in order; empty when the body was not MWS's error JSON.
    pub messages: Vec<String>,
    /// The first characters of a body that was not MWS's error JSON (an HTML page from a proxy,
    /// an empty body), so a log shows what came; `None` when `messages` were read.
    pub body_head: Option<String>,
}

impl ServerMessages {
    /// Reads an error body: MWS's `{"messages":[…]}`, else keeps the body's head.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_body(body: &str) -> ServerMessages {
        match decode_mws_error(body) {
            Ok(e) => ServerMessages::read(e.messages),
            Err(_) => ServerMessages::unreadable(body),
        }
    }

    /// MWS's `messages`, read from its error JSON.
    pub fn read(messages: Vec<String>) -> ServerMessages {
        ServerMessages {
            messages,
            body_head: None,
        }
    }

    /// A body that was not MWS's error JSON: its head is kept (`body` may be only its start).
    pub fn unreadable(body: &str) -> ServerMessages {
        ServerMessages {
            messages: Vec::new(),
            body_head: Some(head(body)),
        }
    }
}

impl fmt::Display for ServerMessages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.body_head, self.messages.as_slice()) {
            (Some(h), _) if h.is_empty() => f.write_str("(empty body)"),
            (Some(h), _) => write!(f, "body starts {h:?}"),
            (None, []) => f.write_str("(no messages)"),
            (None, messages) => f.write_str(&messages.join("; ")),
        }
    }
}

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MwsError {
    /// 400: the request was invalid (a bad query or sort, invalid create parameters, a missing
    /// `api-version`). Retrying the same request cannot help.
    BadRequest(ServerMessages),
    /// 401: credentials missing or wrong.
    Unauthorized(ServerMessages),
    /// 403: valid credentials without the permission (an application account's grid).
    Forbidden(ServerMessages),
    /// 404: no such resource (an unknown event id, or a base URL that is not MWS).
    NotFound(ServerMessages),
    /// 405: the method is not supported on this resource.
    MethodNotAllowed(ServerMessages),
    /// 500: MWS failed; its log has the details.
    ServerError(ServerMessages),
    /// Any other status that is not the expected success (502/503/504 from a proxy, 429, a
    /// 3xx, a 2xx other than the one expected).
    UnexpectedStatus {
        /// The status.
        status: u16,
        /// What the body said.
        messages: ServerMessages,
    },
    /// The expected success status, but a body that is not the expected JSON.
    Decode(DecodeError),
    /// No response: the network failed, CORS refused it, it timed out or was aborted. The
    /// driver's words; they must not contain a secret.
    Transport(String),
}

impl MwsError {
    /// The error for a response with `status` and `body` that was not the success expected.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_status(status: u16, body: &str) -> MwsError {
        MwsError::with_messages(status, ServerMessages::from_body(body))
    }

    /// The error for a response with `status` that was not the success expected, with what its
    /// body said (read by whoever has the body: the Rust decoder here, the browser's elsewhere).
    pub fn with_messages(status: u16, m: ServerMessages) -> MwsError {
        match status {
            400 => MwsError::BadRequest(m),
            401 => MwsError::Unauthorized(m),
            403 => MwsError::Forbidden(m),
            404 => MwsError::NotFound(m),
            405 => MwsError::MethodNotAllowed(m),
            500 => MwsError::ServerError(m),
            _ => MwsError::UnexpectedStatus { status, messages: m },
        }
    }

    /// The HTTP status, when there was a response with an unexpected status.
    pub fn status(&self) -> Option<u16> {
        match self {
            MwsError::BadRequest(_) => Some(400),
            MwsError::Unauthorized(_) => Some(401),
            MwsError::Forbidden(_) => Some(403),
            MwsError::NotFound(_) => Some(404),
            MwsError::MethodNotAllowed(_) => Some(405),
            MwsError::ServerError(_) => Some(500),
            MwsError::UnexpectedStatus { status, .. } => Some(*status),
            MwsError::Decode(_) | MwsError::Transport(_) => None,
        }
    }

    /// MWS's `messages` (empty when there were none).
    pub fn messages(&self) -> &[String] {
        match self {
            MwsError::BadRequest(m)
            | MwsError::Unauthorized(m)
            | MwsError::Forbidden(m)
            | MwsError::NotFound(m)
            | MwsError::MethodNotAllowed(m)
            | MwsError::ServerError(m)
            | MwsError::UnexpectedStatus { messages: m, .. } => &m.messages,
            MwsError::Decode(_) | MwsError::Transport(_) => &[],
        }
    }

    /// Whether the same request may succeed later: no response, a server-side failure (5xx),
    /// 408, 429, or a body that could not be read (a proxy's error page served with 200). The
    /// other 4xx need a change by the application (credentials, permission, query) first.
    pub fn is_retryable(&self) -> bool {
        match self {
            MwsError::Transport(_) | MwsError::ServerError(_) | MwsError::Decode(_) => true,
            MwsError::UnexpectedStatus { status, .. } => {
                !(400..500).contains(status) || matches!(status, 408 | 429)
            }
            MwsError::BadRequest(_)
            | MwsError::Unauthorized(_)
            | MwsError::Forbidden(_)
            | MwsError::NotFound(_)
            | MwsError::MethodNotAllowed(_) => false,
        }
    }
}

impl fmt::Display for MwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MwsError::BadRequest(m) => write!(f, "MWS refused the request (400 Bad Request): {m}"),
            MwsError::Unauthorized(m) => {
                write!(f, "MWS needs valid credentials (401 Unauthorized): {m}")
            }
            MwsError::Forbidden(m) => write!(f, "the MWS account lacks the permission (403 Forbidden): {m}"),
            MwsError::NotFound(m) => write!(f, "not found on MWS (404 Not Found): {m}"),
            MwsError::MethodNotAllowed(m) => write!(f, "method not allowed by MWS (405): {m}"),
            MwsError::ServerError(m) => write!(f, "MWS failed (500 Internal Server Error): {m}"),
            MwsError::UnexpectedStatus { status, messages } => {
                write!(f, "unexpected HTTP status {status} from MWS: {messages}")
            }
            MwsError::Decode(e) => write!(f, "unreadable MWS response: {e}"),
            MwsError::Transport(reason) => write!(f, "no response from MWS: {reason}"),
        }
    }
}

impl std::error::Error for MwsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MwsError::Decode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DecodeError> for MwsError {
    fn from(e: DecodeError) -> Self {
        MwsError::Decode(e)
    }
}
