//! How a token travels on a browser WebSocket, which cannot set an `Authorization` header: in a
//! query parameter, in a token subprotocol, or not at all (cookies, TLS client certificates).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::{EndpointError, Secret};

/// The Kubernetes convention for a bearer token carried as a WebSocket subprotocol: this prefix,
/// then the token in base64url without padding.
pub const DEFAULT_TOKEN_PROTOCOL_PREFIX: &str = "base64url.bearer.authorization.k8s.io.";

/// The query parameter the Events Hub reads a token from first.
pub const ACCESS_TOKEN_PARAM: &str = "access_token";

/// The Events Hub's other token parameter (the one prl-devops-ui uses).
pub const AUTHORIZATION_PARAM: &str = "authorization";

/// Where the token goes when the socket opens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Credentials {
    /// No token is sent: the browser brings its own credentials (a same-origin cookie, a TLS client
    /// certificate, as for LXD), or the server needs none.
    #[default]
    None,
    /// The raw token, percent-encoded, as the query parameter `name` (`access_token`, or
    /// `authorization` for the Events Hub).
    Query { name: String },
    /// The token as a subprotocol, `<prefix><base64url(token), no padding>`, offered after the
    /// source's own protocol (for CloudEvents, `cloudevents.json`), because the server must select
    /// one protocol it knows and a token protocol is never selected.
    Subprotocol { prefix: String },
}

impl Credentials {
    /// `Query { name: "access_token" }`.
    pub fn access_token_query() -> Credentials {
        Credentials::Query {
            name: ACCESS_TOKEN_PARAM.to_owned(),
        }
    }

    /// `Subprotocol` with the Kubernetes prefix.
    pub fn kubernetes_subprotocol() -> Credentials {
        Credentials::Subprotocol {
            prefix: DEFAULT_TOKEN_PROTOCOL_PREFIX.to_owned(),
        }
    }

    /// Whether a token travels at all.
    pub fn sends_token(&self) -> bool {
        !matches!(self, Credentials::None)
    }

    /// Checks what can be checked before any token exists: a usable parameter name, a prefix made
    /// only of characters a subprotocol may hold.
    pub(crate) fn validate(&self) -> Result<(), EndpointError> {
        match self {
            Credentials::None => Ok(()),
            Credentials::Query { name } => {
                if name.is_empty() {
                    Err(EndpointError::InvalidParameterName)
                } else {
                    Ok(())
                }
            }
            Credentials::Subprotocol { prefix } => {
                if is_token_chars(prefix) {
                    Ok(())
                } else {
                    Err(EndpointError::InvalidSubprotocolPrefix)
                }
            }
        }
    }
}

/// RFC 7230 `tchar`: what RFC 6455 allows in a subprotocol name. A browser's `WebSocket`
/// constructor throws a `SyntaxError` for anything else (a `/` or `=` from standard base64 is the
/// classic bug), so this is checked before the driver gets the list.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// Whether every byte of `text` is a `tchar` (the empty string is, vacuously).
pub fn is_token_chars(text: &str) -> bool {
    text.bytes().all(is_tchar)
}

/// A subprotocol name must be a non-empty run of `tchar`s.
pub fn is_valid_subprotocol(text: &str) -> bool {
    !text.is_empty() && is_token_chars(text)
}

/// The token subprotocol: `prefix` + base64url(token) without padding. Fails with a typed error
/// (that never contains the token) if the result is not a valid subprotocol name.
pub fn token_subprotocol(prefix: &str, token: &Secret) -> Result<Secret, EndpointError> {
    let protocol = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(token.expose_secret()));
    if is_valid_subprotocol(&protocol) {
        Ok(Secret::new(protocol))
    } else {
        Err(EndpointError::InvalidSubprotocol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_vector() {
        // base64url("abc?>") is "YWJjPz4" (standard base64 would be "YWJjPz4=").
        let p = token_subprotocol(DEFAULT_TOKEN_PROTOCOL_PREFIX, &Secret::new("abc?>")).unwrap();
        assert_eq!(p.expose_secret(), "base64url.bearer.authorization.k8s.io.YWJjPz4");
        // Bytes that give '+' and '/' in standard base64 give '-' and '_' here.
        let p = token_subprotocol("", &Secret::new("\u{ff}\u{ff}")).unwrap();
        assert_eq!(p.expose_secret(), "w7_Dvw");
    }

    #[test]
    fn prefix_checked() {
        assert_eq!(
            Credentials::Subprotocol {
                prefix: "bad prefix.".into()
            }
            .validate(),
            Err(EndpointError::InvalidSubprotocolPrefix)
        );
        assert_eq!(
            token_subprotocol("a/b.", &Secret::new("t")),
            Err(EndpointError::InvalidSubprotocol)
        );
        assert!(Credentials::kubernetes_subprotocol().validate().is_ok());
    }
}
