//! The Events Hub's built-in token provider, sans-IO: it says which HTTP request to make and reads
//! the answer; the driver does the `fetch`. Time is an input (unix milliseconds, `Date.now()`).
//!
//! The server issues short-lived JWTs (15 minutes by default) from `POST <api>/v1/auth/token` and
//! has no refresh route: a client logs in again. A socket checks its token only at the upgrade, so
//! what matters is that every connect and reconnect carries a token that is not about to expire;
//! the cache renews it a margin before `expires_at`.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;

use super::events_hub::{EventsHubEndpoint, LOGIN_PATH, VALIDATE_PATH};
use super::secret::scrub;
use super::{EndpointError, Secret, Token};

/// Renew a token this long before its `expires_at` by default, so that a reconnect never offers
/// one that expires during the handshake, even with a few seconds of clock difference.
pub const DEFAULT_RENEW_MARGIN_MS: u64 = 60_000;

/// How long a token whose `expires_at` had already passed by the local clock when it arrived is
/// still used. The server had just issued it, so only the clocks disagree; without this grace the
/// cache would ask for a new login at once, forever.
pub const SKEWED_TOKEN_GRACE_MS: u64 = 10_000;

/// How far the local clock may step back before a cached token is no longer trusted (its age can
/// no longer be known).
pub const CLOCK_BACKWARD_TOLERANCE_MS: u64 = 1_000;

/// How much of a server's error text an error quotes.
pub const ERROR_DETAIL_CHARS: usize = 200;

/// Who logs in. The body is `{email, password}`, `{username, password}` or `{api_key}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginCredentials {
    Email {
        email: String,
        password: Secret,
    },
    Username {
        username: String,
        password: Secret,
    },
    /// The API key in its wire form, standard padded base64 of `key:secret` (what the server's
    /// key creation returns as `encoded`); see [`LoginCredentials::api_key_from_parts`].
    ApiKey(Secret),
}

impl LoginCredentials {
    /// An API key from its id (or name) and secret, encoded as the server expects:
    /// base64 (standard alphabet, padded) of `key:secret`.
    pub fn api_key_from_parts(key: &str, secret: &Secret) -> LoginCredentials {
        LoginCredentials::ApiKey(Secret::new(
            STANDARD.encode(format!("{key}:{}", secret.expose_secret())),
        ))
    }

    fn secret(&self) -> &Secret {
        match self {
            LoginCredentials::Email { password, .. } | LoginCredentials::Username { password, .. } => {
                password
            }
            LoginCredentials::ApiKey(key) => key,
        }
    }

    fn body(&self) -> Secret {
        let body = match self {
            LoginCredentials::Email { email, password } => {
                serde_json::json!({"email": email, "password": password.expose_secret()})
            }
            LoginCredentials::Username { username, password } => {
                serde_json::json!({"username": username, "password": password.expose_secret()})
            }
            LoginCredentials::ApiKey(key) => serde_json::json!({"api_key": key.expose_secret()}),
        };
        Secret::new(body.to_string())
    }
}

/// An HTTP request for the driver to make with `fetch`. Its body holds a secret (a password, an
/// API key or a token), so `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    method: &'static str,
    url: String,
    path: String,
    body: Secret,
}

impl HttpRequest {
    /// Always `POST` for the routes here.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// The absolute `http(s)://` URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The path alone (`/api/v1/auth/token`), for logs and for tests.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The `Content-Type` header to send.
    pub fn content_type(&self) -> &'static str {
        "application/json"
    }

    /// The JSON body, secret included. For `fetch` only; never log it.
    pub fn expose_body(&self) -> &str {
        self.body.expose_secret()
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("body", &self.body)
            .finish()
    }
}

/// Why a login (or a token check) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    /// The server refused the credentials (HTTP 400, 401 or 403). Retrying with the same
    /// credentials will not help; report it to the application.
    Unauthorized { status: u16, detail: String },
    /// The request did not get an answer (`status: None`: network error, CORS, offline) or got an
    /// HTTP status that says nothing about the credentials (5xx, 404, 429, …). Worth retrying with
    /// backoff.
    Transport { status: Option<u16>, detail: String },
    /// A success status whose body is not what the server sends (`{email, token, expires_at}`, or
    /// `{valid}` for the check): a proxy or a different server answered.
    MalformedResponse { reason: String },
}

impl LoginError {
    /// The server said the credentials or the token are not good.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, LoginError::Unauthorized { .. })
    }
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginError::Unauthorized { status, detail } => {
                write!(f, "the Events Hub refused the credentials (HTTP {status})")?;
                if !detail.is_empty() {
                    write!(f, ": {detail}")?;
                }
                Ok(())
            }
            LoginError::Transport { status: None, detail } => {
                write!(f, "the Events Hub could not be reached")?;
                if !detail.is_empty() {
                    write!(f, ": {detail}")?;
                }
                Ok(())
            }
            LoginError::Transport {
                status: Some(status),
                detail,
            } => {
                write!(f, "the Events Hub answered HTTP {status}")?;
                if !detail.is_empty() {
                    write!(f, ": {detail}")?;
                }
                Ok(())
            }
            LoginError::MalformedResponse { reason } => {
                write!(f, "unexpected answer from the Events Hub: {reason}")
            }
        }
    }
}

impl std::error::Error for LoginError {}

/// What the driver does next to have a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginStep {
    /// Use this token for the connect about to happen.
    Ready(Token),
    /// Make this request, then pass the answer to [`LoginTokenCache::handle_login_response`].
    Login(HttpRequest),
}

/// The body of a successful login.
#[derive(Deserialize)]
struct LoginResponse {
    #[serde(default)]
    email: String,
    token: String,
    /// Unix seconds.
    expires_at: u64,
}

#[derive(Deserialize)]
struct ValidateResponse {
    valid: bool,
}

#[derive(Clone, PartialEq, Eq)]
struct CachedToken {
    token: Token,
    email: String,
    expires_at_ms: u64,
    received_at_ms: u64,
    renew_at_ms: u64,
    skewed: bool,
}

/// The outcome of `POST <api>/v1/auth/token/validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenValidity {
    /// The server accepts the token: a socket that closed before opening failed for another
    /// reason (network, proxy, server down).
    Valid,
    /// The server refuses it (expired, revoked, user deleted): log in again.
    Invalid,
}

/// Holds the last token from `POST <api>/v1/auth/token` and decides when to log in again.
///
/// Use: before every connect, call [`LoginTokenCache::next`] with the time. `Ready(token)` ⇒ use it;
/// `Login(request)` ⇒ fetch it and hand the status and body text to
/// [`LoginTokenCache::handle_login_response`], which returns the new token. If a socket closes
/// before opening, [`LoginTokenCache::validate_request`] and [`parse_validate_response`] tell a
/// refused token (then [`LoginTokenCache::invalidate`]) from a network failure.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginTokenCache {
    credentials: LoginCredentials,
    login_url: String,
    login_path: String,
    validate_url: String,
    validate_path: String,
    renew_margin_ms: u64,
    cached: Option<CachedToken>,
}

impl fmt::Debug for LoginTokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginTokenCache")
            .field("credentials", &self.credentials)
            .field("login_url", &self.login_url)
            .field("renew_margin_ms", &self.renew_margin_ms)
            .field("token", &self.cached.as_ref().map(|c| &c.token))
            .field("expires_at_ms", &self.expires_at_ms())
            .field("renew_at_ms", &self.renew_at_ms())
            .finish()
    }
}

impl LoginTokenCache {
    /// A cache logging in to the server of `endpoint` with `credentials`. The login sends a
    /// password or an API key, so it is held to the same transport rule as the token: `https://`,
    /// or `http://` to a loopback host, unless the endpoint allows insecure transport.
    pub fn new(
        endpoint: &EventsHubEndpoint,
        credentials: LoginCredentials,
    ) -> Result<LoginTokenCache, EndpointError> {
        endpoint
            .base()
            .check_transport(endpoint.allows_insecure_transport())?;
        Ok(LoginTokenCache {
            credentials,
            login_url: endpoint.rest_url(LOGIN_PATH),
            login_path: endpoint.rest_path(LOGIN_PATH),
            validate_url: endpoint.rest_url(VALIDATE_PATH),
            validate_path: endpoint.rest_path(VALIDATE_PATH),
            renew_margin_ms: DEFAULT_RENEW_MARGIN_MS,
            cached: None,
        })
    }

    /// Renews a token this many milliseconds before it expires (default 60 s).
    pub fn with_renew_margin_ms(mut self, margin_ms: u64) -> LoginTokenCache {
        self.renew_margin_ms = margin_ms;
        if let Some(c) = &mut self.cached {
            c.renew_at_ms = renew_at(c.received_at_ms, c.expires_at_ms, margin_ms).0;
        }
        self
    }

    /// The token to connect with now, or the login to make first.
    pub fn next(&self, now_ms: u64) -> LoginStep {
        match self.current(now_ms) {
            Some(token) => LoginStep::Ready(token.clone()),
            None => LoginStep::Login(self.login_request()),
        }
    }

    /// The cached token if it is still good at `now_ms`: not yet at its renewal time, and `now_ms`
    /// not before the moment it arrived (give or take a second: after a clock jumps back, the
    /// token's age is unknown, so it is not trusted).
    pub fn current(&self, now_ms: u64) -> Option<&Token> {
        let c = self.cached.as_ref()?;
        let after_receipt = now_ms.saturating_add(CLOCK_BACKWARD_TOLERANCE_MS) >= c.received_at_ms;
        (after_receipt && now_ms < c.renew_at_ms).then_some(&c.token)
    }

    /// `POST <api>/v1/auth/token` with the credentials.
    pub fn login_request(&self) -> HttpRequest {
        HttpRequest {
            method: "POST",
            url: self.login_url.clone(),
            path: self.login_path.clone(),
            body: self.credentials.body(),
        }
    }

    /// Reads the login answer (`status` and body text) received at `now_ms`. On success the token
    /// is cached and returned; on a refusal the cached token is dropped.
    pub fn handle_login_response(
        &mut self,
        status: u16,
        body: &str,
        now_ms: u64,
    ) -> Result<Token, LoginError> {
        if !(200..300).contains(&status) {
            let error = classify_failure(status, body, &[self.credentials.secret()]);
            if error.is_auth_failure() {
                self.cached = None;
            }
            return Err(error);
        }
        let parsed: LoginResponse =
            serde_json::from_str(body).map_err(|e| LoginError::MalformedResponse {
                reason: describe_serde_error(&e, "{email, token, expires_at}"),
            })?;
        if parsed.token.is_empty() {
            return Err(LoginError::MalformedResponse {
                reason: "the login answer's token is empty".to_owned(),
            });
        }
        let expires_at_ms = parsed.expires_at.saturating_mul(1000);
        let (renew_at_ms, skewed) = renew_at(now_ms, expires_at_ms, self.renew_margin_ms);
        let token = Token::new(parsed.token);
        self.cached = Some(CachedToken {
            token: token.clone(),
            email: parsed.email,
            expires_at_ms,
            received_at_ms: now_ms,
            renew_at_ms,
            skewed,
        });
        Ok(token)
    }

    /// The login request failed without an answer (`fetch` rejected: offline, DNS, CORS). `detail`
    /// is the driver's description (the JS error's message); it is scrubbed of the credentials.
    pub fn handle_login_failure(&mut self, detail: &str) -> LoginError {
        LoginError::Transport {
            status: None,
            detail: truncate(&scrub(detail, &[self.credentials.secret()]), ERROR_DETAIL_CHARS),
        }
    }

    /// Forgets the cached token: the server refused it (the validate route said so, or the user's
    /// rights changed), so the next [`LoginTokenCache::next`] logs in again.
    pub fn invalidate(&mut self) {
        self.cached = None;
    }

    /// `POST <api>/v1/auth/token/validate {"token"}` for `token`.
    pub fn validate_request(&self, token: &Token) -> HttpRequest {
        HttpRequest {
            method: "POST",
            url: self.validate_url.clone(),
            path: self.validate_path.clone(),
            body: Secret::new(serde_json::json!({"token": token.expose_secret()}).to_string()),
        }
    }

    /// Reads the answer to [`LoginTokenCache::validate_request`] for `token`; when the server
    /// refuses the cached token, it is forgotten, so the next [`LoginTokenCache::next`] logs in.
    pub fn handle_validate_response(
        &mut self,
        token: &Token,
        status: u16,
        body: &str,
    ) -> Result<TokenValidity, LoginError> {
        let validity = parse_validate_response(token, status, body)?;
        if validity == TokenValidity::Invalid && self.cached.as_ref().is_some_and(|c| &c.token == token) {
            self.cached = None;
        }
        Ok(validity)
    }

    /// `expires_at` of the cached token, in unix milliseconds (by the server's clock).
    pub fn expires_at_ms(&self) -> Option<u64> {
        self.cached.as_ref().map(|c| c.expires_at_ms)
    }

    /// When the cached token stops being handed out (unix milliseconds, local clock). A driver may
    /// log in ahead of this time so that a reconnect does not wait for the login.
    pub fn renew_at_ms(&self) -> Option<u64> {
        self.cached.as_ref().map(|c| c.renew_at_ms)
    }

    /// The `email` of the last login.
    pub fn email(&self) -> Option<&str> {
        self.cached.as_ref().map(|c| c.email.as_str())
    }

    /// The last token had already expired by the local clock when it arrived: the local clock is
    /// probably ahead of the server's by more than the token's lifetime. Tokens are then renewed
    /// before almost every connect; worth a warning.
    pub fn clock_skew_suspected(&self) -> bool {
        self.cached.as_ref().is_some_and(|c| c.skewed)
    }
}

/// When to stop using a token received at `received_ms` that expires at `expires_ms`: a margin
/// before expiry, but never before half its lifetime (a short-lived token would otherwise be
/// renewed at once); an already expired one (skewed clocks) gets a short grace.
fn renew_at(received_ms: u64, expires_ms: u64, margin_ms: u64) -> (u64, bool) {
    if expires_ms <= received_ms {
        return (received_ms.saturating_add(SKEWED_TOKEN_GRACE_MS), true);
    }
    let half_life = received_ms + (expires_ms - received_ms) / 2;
    (expires_ms.saturating_sub(margin_ms).max(half_life), false)
}

/// Reads the answer of `POST <api>/v1/auth/token/validate` for `token` (the token checked, so
/// that an error quoting the server never quotes it).
///
/// 2xx `{"valid":true}` ⇒ `Valid`; 2xx `{"valid":false}` or 400/401/403 ⇒ `Invalid`; anything
/// else ⇒ a transport error (the check itself failed, so nothing is known about the token).
pub fn parse_validate_response(token: &Token, status: u16, body: &str) -> Result<TokenValidity, LoginError> {
    if (200..300).contains(&status) {
        let parsed: ValidateResponse =
            serde_json::from_str(body).map_err(|e| LoginError::MalformedResponse {
                reason: describe_serde_error(&e, "{valid}"),
            })?;
        return Ok(if parsed.valid {
            TokenValidity::Valid
        } else {
            TokenValidity::Invalid
        });
    }
    match classify_failure(status, body, &[token]) {
        LoginError::Unauthorized { .. } => Ok(TokenValidity::Invalid),
        other => Err(other),
    }
}

/// 400, 401 and 403 are the server refusing what it was sent; every other status says nothing
/// about the credentials.
fn classify_failure(status: u16, body: &str, secrets: &[&Secret]) -> LoginError {
    let detail = truncate(&scrub(&server_message(body), secrets), ERROR_DETAIL_CHARS);
    if matches!(status, 400 | 401 | 403) {
        LoginError::Unauthorized { status, detail }
    } else {
        LoginError::Transport {
            status: Some(status),
            detail,
        }
    }
}

/// The human part of an error body: `error_description`, `message` or `error` of a JSON object
/// (the server's two error shapes), else the text itself.
fn server_message(body: &str) -> String {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(body) {
        for key in ["error_description", "message", "error"] {
            if let Some(serde_json::Value::String(text)) = map.get(key) {
                return text.clone();
            }
        }
    }
    body.trim().to_owned()
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// serde's messages quote the offending value (`invalid type: string "…"`), which could be a
/// secret; only the kind of error, the position and a missing field's name are kept.
fn describe_serde_error(e: &serde_json::Error, expected: &str) -> String {
    let message = e.to_string();
    if message.starts_with("missing field") {
        let field = message.split('`').nth(1).unwrap_or("?");
        return format!("expected {expected}, field {field} is missing");
    }
    let kind = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "wrong field type",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!(
        "expected {expected}: {kind} at line {}, column {}",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::EventsHubOptions;

    fn cache() -> LoginTokenCache {
        let e = EventsHubEndpoint::new("http://127.0.0.1:8080", EventsHubOptions::default()).unwrap();
        LoginTokenCache::new(
            &e,
            LoginCredentials::Username {
                username: "admin".into(),
                password: Secret::new("pw"),
            },
        )
        .unwrap()
    }

    #[test]
    fn renewal_rules() {
        assert_eq!(renew_at(0, 900_000, 60_000), (840_000, false));
        assert_eq!(renew_at(0, 60_000, 60_000), (30_000, false));
        assert_eq!(renew_at(5_000, 5_000, 60_000), (15_000, true));
    }

    #[test]
    fn serde_errors_do_not_quote_values() {
        let mut c = cache();
        let err = c
            .handle_login_response(200, r#"{"email":"a","token":"t","expires_at":"sekrit"}"#, 0)
            .unwrap_err();
        assert!(!err.to_string().contains("sekrit"), "{err}");
        let err = c
            .handle_login_response(200, r#"{"email":"a","expires_at":1}"#, 0)
            .unwrap_err();
        assert!(err.to_string().contains("token is missing"), "{err}");
    }
}
