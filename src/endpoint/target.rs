//! What the driver needs to open one socket: the URL and the subprotocols, built from an endpoint
//! and the current token, with a redacted rendering of each for logs.

use std::fmt;

use super::base::BaseUrl;
use super::credentials::{
    is_valid_subprotocol, token_subprotocol, Credentials, ACCESS_TOKEN_PARAM, AUTHORIZATION_PARAM,
};
use super::percent::{decoded_name, encode_component};
use super::secret::REDACTED;
use super::{EndpointError, Secret};

/// Query parameter names whose values [`redact_url`] always hides, and that a base URL may not set
/// itself (a token there would escape the transport check and end up in logs). Compared
/// case-insensitively.
pub const CREDENTIAL_PARAMS: &[&str] = &[
    ACCESS_TOKEN_PARAM,
    AUTHORIZATION_PARAM,
    "token",
    "api_key",
    "apikey",
    "jwt",
    "password",
    "secret",
];

/// The URL and subprotocols for one connection attempt.
///
/// The URL and the protocol list may contain the token: they are reached through
/// [`ConnectTarget::expose_url`] and [`ConnectTarget::expose_protocols`], for the `WebSocket`
/// constructor only. `Debug` and `Display` show the redacted forms (`access_token=***`,
/// `base64url.bearer.authorization.k8s.io.***`).
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectTarget {
    url: String,
    redacted_url: String,
    protocols: Vec<String>,
    redacted_protocols: Vec<String>,
    expected_protocol: Option<String>,
    sends_token: bool,
}

impl ConnectTarget {
    /// The URL to open, token included when the credentials put it in the query. Never log it:
    /// log [`ConnectTarget::redacted_url`].
    pub fn expose_url(&self) -> &str {
        &self.url
    }

    /// The subprotocols to offer, in order (the source's own protocol first, then the token
    /// protocol if any). Empty when none is offered.
    pub fn expose_protocols(&self) -> &[String] {
        &self.protocols
    }

    /// The URL with the token's value replaced by `***`.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }

    /// The subprotocols with the token part replaced by `***`.
    pub fn redacted_protocols(&self) -> &[String] {
        &self.redacted_protocols
    }

    /// The protocol the server must select (`cloudevents.json` for CloudEvents), or `None` when
    /// the server selects none. After `open`, the driver compares it with `WebSocket.protocol`.
    pub fn expected_protocol(&self) -> Option<&str> {
        self.expected_protocol.as_deref()
    }

    /// Whether this attempt carries a token.
    pub fn sends_token(&self) -> bool {
        self.sends_token
    }
}

impl fmt::Debug for ConnectTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectTarget")
            .field("url", &self.redacted_url)
            .field("protocols", &self.redacted_protocols)
            .field("expected_protocol", &self.expected_protocol)
            .field("sends_token", &self.sends_token)
            .finish()
    }
}

impl fmt::Display for ConnectTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted_url)?;
        if !self.redacted_protocols.is_empty() {
            write!(f, " (protocols: {})", self.redacted_protocols.join(", "))?;
        }
        Ok(())
    }
}

/// Everything about a connection that does not change between attempts; only the token does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TargetSpec {
    pub base: BaseUrl,
    /// The whole path, starting with `/`.
    pub path: String,
    /// The endpoint's parameters: name and already-encoded value.
    pub params: Vec<(String, String)>,
    /// Parameters the endpoint owns even when its options leave them out: the base URL's query may
    /// not set them either (LXD would refuse `project` next to `all-projects`, say).
    pub reserved: &'static [&'static str],
    pub credentials: Credentials,
    /// The source's own subprotocols, offered first; the server selects one of them.
    pub protocols: Vec<String>,
    pub allow_insecure_transport: bool,
}

impl TargetSpec {
    /// Checks what does not depend on the token, so a bad configuration fails when the endpoint is
    /// made rather than at the first connect.
    pub fn validate(&self) -> Result<(), EndpointError> {
        self.credentials.validate()?;
        if self.credentials.sends_token() {
            self.base.check_transport(self.allow_insecure_transport)?;
        }
        if matches!(self.credentials, Credentials::Subprotocol { .. }) && self.protocols.is_empty() {
            return Err(EndpointError::NoCompanionProtocol);
        }
        for (i, p) in self.protocols.iter().enumerate() {
            if !is_valid_subprotocol(p) {
                return Err(EndpointError::InvalidSubprotocol);
            }
            if self.protocols[..i].contains(p) {
                return Err(EndpointError::DuplicateSubprotocol);
            }
        }
        if let Some(query) = self.base.query() {
            let token_param = match &self.credentials {
                Credentials::Query { name } => Some(name.as_str()),
                _ => None,
            };
            for pair in query.split('&') {
                let name = decoded_name(pair.split('=').next().unwrap_or(""));
                let is_credential = CREDENTIAL_PARAMS.iter().any(|c| c.eq_ignore_ascii_case(&name))
                    || token_param.is_some_and(|t| t.eq_ignore_ascii_case(&name));
                if is_credential {
                    return Err(EndpointError::CredentialInBaseUrl { name });
                }
                if self.params.iter().any(|(own, _)| own == &name) || self.reserved.contains(&name.as_str()) {
                    return Err(EndpointError::ConflictingQueryParameter { name });
                }
            }
        }
        Ok(())
    }

    /// The URL and protocols for one attempt with this token.
    pub fn build(&self, token: Option<&Secret>) -> Result<ConnectTarget, EndpointError> {
        self.validate()?;
        let token = match (self.credentials.sends_token(), token) {
            (false, None) => None,
            (false, Some(_)) => return Err(EndpointError::UnusedToken),
            (true, None) => return Err(EndpointError::MissingToken),
            (true, Some(t)) if t.is_empty() => return Err(EndpointError::EmptyToken),
            (true, Some(t)) => Some(t),
        };

        let mut query = Vec::new();
        let mut redacted_query = Vec::new();
        // The base URL's own query (a proxy's parameters) comes first, as the user wrote it.
        if let Some(q) = self.base.query() {
            query.push(q.to_owned());
            redacted_query.push(redact_pairs(q, &[]));
        }
        for (name, value) in &self.params {
            let pair = format!("{}={value}", encode_component(name));
            query.push(pair.clone());
            redacted_query.push(pair);
        }
        let mut protocols = self.protocols.clone();
        let mut redacted_protocols = self.protocols.clone();
        match (&self.credentials, token) {
            (Credentials::Query { name }, Some(token)) => {
                let name = encode_component(name);
                query.push(format!("{name}={}", encode_component(token.expose_secret())));
                redacted_query.push(format!("{name}={REDACTED}"));
            }
            (Credentials::Subprotocol { prefix }, Some(token)) => {
                let protocol = token_subprotocol(prefix, token)?;
                if protocols.iter().any(|p| p == protocol.expose_secret()) {
                    return Err(EndpointError::DuplicateSubprotocol);
                }
                protocols.push(protocol.expose_secret().to_owned());
                redacted_protocols.push(format!("{prefix}{REDACTED}"));
            }
            _ => {}
        }

        let origin_and_path = format!("{}{}", self.base.ws_origin(), self.path);
        let with_query = |parts: &[String]| {
            if parts.is_empty() {
                origin_and_path.clone()
            } else {
                format!("{origin_and_path}?{}", parts.join("&"))
            }
        };
        Ok(ConnectTarget {
            url: with_query(&query),
            redacted_url: with_query(&redacted_query),
            expected_protocol: self.protocols.first().cloned(),
            protocols,
            redacted_protocols,
            sends_token: token.is_some(),
        })
    }
}

/// A URL fit for a log line: the values of credential parameters ([`CREDENTIAL_PARAMS`] and
/// `extra_names`, compared case-insensitively, in the query and in the fragment) and any
/// `user:password@` become `***`. Everything else is left as it is.
pub fn redact_url(url: &str, extra_names: &[&str]) -> String {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (before_query, query) = match before_fragment.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (before_fragment, None),
    };
    let mut out = redact_userinfo(before_query);
    if let Some(q) = query {
        out.push('?');
        out.push_str(&redact_pairs(q, extra_names));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&redact_pairs(f, extra_names));
    }
    out
}

fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find('/')
        .map_or(url.len(), |i| authority_start + i);
    match url[authority_start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}{REDACTED}{}",
            &url[..authority_start],
            &url[authority_start + at..]
        ),
        None => url.to_owned(),
    }
}

fn redact_pairs(pairs: &str, extra_names: &[&str]) -> String {
    pairs
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) => {
                let decoded = decoded_name(name);
                let secret = CREDENTIAL_PARAMS
                    .iter()
                    .chain(extra_names)
                    .any(|c| c.eq_ignore_ascii_case(&decoded));
                if secret {
                    format!("{name}={REDACTED}")
                } else {
                    pair.to_owned()
                }
            }
            None => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials_userinfo_and_fragment() {
        assert_eq!(
            redact_url(
                "wss://u:p@h/x?a=1&access_token=abc&Authorization=Bearer%20x#jwt=z&k=v",
                &["k"]
            ),
            "wss://***@h/x?a=1&access_token=***&Authorization=***#jwt=***&k=***"
        );
        assert_eq!(
            redact_url("ws://h/p?access%5Ftoken=abc", &[]),
            "ws://h/p?access%5Ftoken=***"
        );
        assert_eq!(redact_url("ws://h/p?x=1", &[]), "ws://h/p?x=1");
    }
}
