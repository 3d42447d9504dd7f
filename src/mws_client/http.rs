//! HTTP requests and responses as plain values. The client builds an [`HttpRequest`]; the driver
//! performs it. Natively it hands back an [`HttpResponse`], which the Rust decoders read into a
//! typed result. The browser driver keeps the body as the browser's own string, checks it with
//! the package's JavaScript decoders, and uses only [`check_status`] from here, so the same
//! statuses mean the same errors on both sides. Nothing here does I/O.

use std::fmt;

use base64::Engine as _;

use super::error::{MwsError, ServerMessages};
#[cfg(not(target_arch = "wasm32"))]
use crate::decode::mws::{decode_mws_event, decode_mws_event_list};
#[cfg(not(target_arch = "wasm32"))]
use crate::model::mws::{MwsEvent, MwsEventList};

/// The methods the events resource supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// List events or get one.
    Get,
    /// Create an event.
    Post,
}

impl HttpMethod {
    /// `"GET"` or `"POST"`, for `fetch`'s `method`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// HTTP Basic credentials of an MWS user or application account.
///
/// `Debug` shows the user name and never the password; there is no `Display`. The encoded header
/// value, which holds the password, is only made by [`BasicAuth::header_value`] for the driver.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    user: String,
    password: String,
}

/// Why credentials were refused. Carries no part of the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsError {
    /// The user name is empty.
    EmptyUser,
    /// The user name contains `:`, which Basic auth uses to separate it from the password
    /// (RFC 7617 §2): the server would split it elsewhere.
    ColonInUser,
    /// A control character (newline, tab, NUL…) in the user name or password: no server reads it
    /// the same way, and a newline would forge log lines.
    ControlCharacter {
        /// `"user"` or `"password"`.
        field: &'static str,
    },
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::EmptyUser => f.write_str("the MWS user name is empty"),
            CredentialsError::ColonInUser => {
                f.write_str("the MWS user name contains ':', which HTTP Basic auth cannot carry")
            }
            CredentialsError::ControlCharacter { field } => {
                write!(f, "the MWS {field} contains a control character")
            }
        }
    }
}

impl std::error::Error for CredentialsError {}

impl BasicAuth {
    /// Credentials for `user` (a user or an application account) with `password`.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Result<BasicAuth, CredentialsError> {
        let (user, password) = (user.into(), password.into());
        if user.is_empty() {
            return Err(CredentialsError::EmptyUser);
        }
        if user.contains(':') {
            return Err(CredentialsError::ColonInUser);
        }
        if user.chars().any(char::is_control) {
            return Err(CredentialsError::ControlCharacter { field: "user" });
        }
        if password.chars().any(char::is_control) {
            return Err(CredentialsError::ControlCharacter { field: "password" });
        }
        Ok(BasicAuth { user, password })
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// `Basic base64(user:password)`, the `Authorization` header value (UTF-8, RFC 7617).
    pub fn header_value(&self) -> String {
        let pair = format!("{}:{}", self.user, self.password);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
    }
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("user", &self.user)
            .field("password", &"***")
            .finish()
    }
}

/// A request for the driver to perform.
///
/// `Debug` shows `Authorization: Basic ***`; [`HttpRequest::headers`] gives the real value, for the
/// driver only.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    method: HttpMethod,
    base: String,
    path_and_query: String,
    body: Option<String>,
    auth: Option<BasicAuth>,
}

impl HttpRequest {
    pub(crate) fn new(
        method: HttpMethod,
        base: &str,
        path_and_query: String,
        body: Option<String>,
        auth: Option<BasicAuth>,
    ) -> HttpRequest {
        HttpRequest {
            method,
            base: base.to_owned(),
            path_and_query,
            body,
            auth,
        }
    }

    /// The method.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The full URL: the client's base URL followed by [`HttpRequest::path_and_query`]. Relative
    /// (starting with `/`) when the base was a same-origin path. Holds no credentials.
    pub fn url(&self) -> String {
        format!("{}{}", self.base, self.path_and_query)
    }

    /// `/mws/rest/events…?api-version=3…`, percent-encoded.
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }

    /// The JSON body of a POST.
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// Every header to send, `Authorization` included with its real value.
    ///
    /// `Accept` is a CORS-safelisted header; `Authorization` and a JSON `Content-Type` make the
    /// browser send a preflight, which MWS (or the proxy in front of it) must answer.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![("Accept", "application/json".to_owned())];
        if self.body.is_some() {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        if let Some(auth) = &self.auth {
            headers.push(("Authorization", auth.header_value()));
        }
        headers
    }

    /// Whether the request carries credentials.
    pub fn has_credentials(&self) -> bool {
        self.auth.is_some()
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url())
            .field("body", &self.body)
            .field(
                "authorization",
                &self
                    .auth
                    .as_ref()
                    .map(|a| format!("Basic *** (user {:?})", a.user)),
            )
            .finish()
    }
}

/// What the driver got back: the status and the body as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status (`Response.status`).
    pub status: u16,
    /// The body (`await Response.text()`).
    pub body: String,
}

impl HttpResponse {
    /// A response with this status and body.
    pub fn new(status: u16, body: impl Into<String>) -> HttpResponse {
        HttpResponse {
            status,
            body: body.into(),
        }
    }

    /// Reads the answer to a list request: 200 with `{totalCount, resultCount, results}`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn list(&self) -> Result<MwsEventList, MwsError> {
        self.expect(READ_OK)?;
        Ok(decode_mws_event_list(&self.body)?)
    }

    /// Reads the answer to a get-one request: 200 with the event.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn event(&self) -> Result<MwsEvent, MwsError> {
        self.expect(READ_OK)?;
        Ok(decode_mws_event(&self.body)?)
    }

    /// Reads the answer to a create: 201 (or 200) with the stored event, its `id` and `version`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn created(&self) -> Result<MwsEvent, MwsError> {
        self.expect(CREATE_OK)?;
        Ok(decode_mws_event(&self.body)?)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn expect(&self, ok: &[u16]) -> Result<(), MwsError> {
        check_status(self.status, ok, || ServerMessages::from_body(&self.body))
    }
}

/// The statuses of an answer to a list or get-one request that carry what was asked.
pub const READ_OK: &[u16] = &[200];

/// The statuses of an answer to a create that carry the stored event.
pub const CREATE_OK: &[u16] = &[201, 200];

/// Whether `status` is one of `ok`; otherwise the error for it, with what `messages` reads from
/// the body (called only then, so a success body is never read as an error).
pub fn check_status(
    status: u16,
    ok: &[u16],
    messages: impl FnOnce() -> ServerMessages,
) -> Result<(), MwsError> {
    if ok.contains(&status) {
        Ok(())
    } else {
        Err(MwsError::with_messages(status, messages()))
    }
}
