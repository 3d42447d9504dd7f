//! The Parallels DevOps Events Hub: `GET <api>/v1/ws/subscribe?event_types=…`, a JWT in the
//! `access_token` (or `authorization`) query parameter, and the welcome frame's check.

use super::base::BaseUrl;
use super::credentials::{Credentials, ACCESS_TOKEN_PARAM, AUTHORIZATION_PARAM};
use super::percent::{clean_path_or_query, encode_component};
use super::target::TargetSpec;
use super::{ConnectTarget, EndpointError, Token};

/// Every channel the Events Hub knows. `global` is always subscribed and cannot be left.
pub const EVENTS_HUB_CHANNELS: &[&str] = &[
    "global",
    "pdfm",
    "system",
    "system_logs",
    "health",
    "orchestrator",
    "stats",
    "reverse_proxy",
    "catalog_cache",
    "job_manager",
    "auth",
];

/// The channel every client gets whether it asks or not.
pub const GLOBAL_CHANNEL: &str = "global";

/// The API prefix the server mounts its routes under by default (its `API_PREFIX` setting).
pub const DEFAULT_API_PREFIX: &str = "/api";

/// The subscribe route, after the API prefix.
pub const SUBSCRIBE_PATH: &str = "/v1/ws/subscribe";

/// The login route, after the API prefix.
pub const LOGIN_PATH: &str = "/v1/auth/token";

/// The token check route, after the API prefix.
pub const VALIDATE_PATH: &str = "/v1/auth/token/validate";

/// Options of an Events Hub endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsHubOptions {
    /// The channels to subscribe to. Names are trimmed, lower-cased and de-duplicated, as the
    /// server does; an item holding commas counts as several names. `global` needs not be listed
    /// (the server always adds it); an empty list subscribes to `global` alone.
    pub channels: Vec<String>,
    /// Where the token goes: `Query { name: "access_token" }` by default, or `"authorization"`;
    /// `None` if something else (a proxy) authenticates. A subprotocol is refused: the server never
    /// selects one.
    pub credentials: Credentials,
    /// Send the token over `ws://` to a host that is not loopback. Off by default.
    pub allow_insecure_transport: bool,
    /// The server's `API_PREFIX` (default `/api`), put between the base URL's path and
    /// `/v1/ws/subscribe`.
    pub api_prefix: String,
}

impl Default for EventsHubOptions {
    fn default() -> EventsHubOptions {
        EventsHubOptions {
            channels: Vec::new(),
            credentials: Credentials::access_token_query(),
            allow_insecure_transport: false,
            api_prefix: DEFAULT_API_PREFIX.to_owned(),
        }
    }
}

/// A validated Events Hub endpoint: everything but the token is fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsHubEndpoint {
    spec: TargetSpec,
    channels: Vec<String>,
    /// The path of the API root (`<base path><api prefix>`), under which the REST routes live.
    api_root: String,
}

impl EventsHubEndpoint {
    /// Validates `base` and `options`.
    ///
    /// `base` is the server's address as a person would write it (`https://devops.example.com`,
    /// `http://127.0.0.1:8080/`, `wss://proxy.example.com/devops`): any path it has is a prefix
    /// behind a proxy, and `<api prefix>/v1/ws/subscribe` is added after it. A base that already
    /// ends with the subscribe route (`…/v1/ws/subscribe`, or the unversioned `…/ws/subscribe`) is
    /// used as it is. A query in the base is kept (for a proxy), but may not set `event_types` or a
    /// credential.
    pub fn new(base: &str, options: EventsHubOptions) -> Result<EventsHubEndpoint, EndpointError> {
        let base = BaseUrl::parse(base)?;
        match &options.credentials {
            Credentials::Subprotocol { .. } => return Err(EndpointError::SubprotocolNotSupported),
            Credentials::Query { name } if name != ACCESS_TOKEN_PARAM && name != AUTHORIZATION_PARAM => {
                return Err(EndpointError::UnsupportedTokenParameter { name: name.clone() })
            }
            _ => {}
        }
        let prefix = base.path_prefix().to_owned();
        let (api_root, path) = if let Some(root) = prefix.strip_suffix(SUBSCRIBE_PATH) {
            (root.to_owned(), prefix.clone())
        } else if let Some(root) = prefix.strip_suffix("/ws/subscribe") {
            // The unversioned alias `/api/ws/subscribe`: its API root is the same `/api`.
            (root.to_owned(), prefix.clone())
        } else {
            let root = format!("{prefix}{}", normalize_api_prefix(&options.api_prefix));
            let path = format!("{root}{SUBSCRIBE_PATH}");
            (root, path)
        };
        let channels = normalize_channels(&options.channels);
        let mut params = Vec::new();
        if !channels.is_empty() {
            // Names are encoded one by one and joined by literal commas: the server splits on ','
            // after decoding, and a literal separator keeps the URL readable in logs.
            let value = channels
                .iter()
                .map(|c| encode_component(c))
                .collect::<Vec<_>>()
                .join(",");
            params.push(("event_types".to_owned(), value));
        }
        let spec = TargetSpec {
            base,
            path,
            params,
            reserved: &["event_types"],
            credentials: options.credentials,
            protocols: Vec::new(),
            allow_insecure_transport: options.allow_insecure_transport,
        };
        spec.validate()?;
        Ok(EventsHubEndpoint {
            spec,
            channels,
            api_root,
        })
    }

    /// The URL and protocols (none: the Events Hub selects no subprotocol) for one connection
    /// attempt. Called before every connect and reconnect with the current token.
    pub fn target(&self, token: Option<&Token>) -> Result<ConnectTarget, EndpointError> {
        self.spec.build(token)
    }

    /// The channels requested, normalized, without `global`.
    pub fn channels(&self) -> &[String] {
        &self.channels
    }

    /// The welcome check: the requested channels the welcome's `subscriptions` does not list.
    pub fn channels_not_granted(&self, granted: &[String]) -> Vec<String> {
        channels_not_granted(&self.channels, granted)
    }

    /// The base URL as parsed.
    pub fn base(&self) -> &BaseUrl {
        &self.spec.base
    }

    /// Whether tokens may go over an unencrypted transport to a host that is not loopback.
    pub fn allows_insecure_transport(&self) -> bool {
        self.spec.allow_insecure_transport
    }

    /// The `http(s)://` URL of a REST route under the API root, e.g. `rest_url(LOGIN_PATH)`.
    pub fn rest_url(&self, route: &str) -> String {
        format!("{}{}", self.spec.base.http_origin(), self.rest_path(route))
    }

    /// The path of a REST route under the API root (`/api/v1/auth/token`).
    pub fn rest_path(&self, route: &str) -> String {
        format!("{}{route}", self.api_root)
    }
}

fn normalize_api_prefix(prefix: &str) -> String {
    let prefix = prefix.trim().trim_end_matches('/');
    if prefix.is_empty() {
        String::new()
    } else if prefix.starts_with('/') {
        clean_path_or_query(prefix, false)
    } else {
        clean_path_or_query(&format!("/{prefix}"), false)
    }
}

/// The channel names as the server will read them: each item split on `,`, trimmed, lower-cased;
/// empty names and `global` (always added by the server) dropped; duplicates dropped, first
/// occurrence kept.
pub fn normalize_channels<S: AsRef<str>>(channels: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in channels {
        for name in item.as_ref().split(',') {
            let name = name.trim().to_lowercase();
            if !name.is_empty() && name != GLOBAL_CHANNEL && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// Requested channels (normalized as by [`normalize_channels`]) that are not among `granted`, the
/// welcome frame's `subscriptions`. The server drops names it does not know without a word, so
/// this is how a typo or a channel of a newer server shows up. `global` is never reported: the
/// server always grants it.
pub fn channels_not_granted<S: AsRef<str>>(requested: &[S], granted: &[String]) -> Vec<String> {
    normalize_channels(requested)
        .into_iter()
        .filter(|c| !granted.iter().any(|g| g.trim().eq_ignore_ascii_case(c)))
        .collect()
}

/// Requested channels (normalized) that this SDK does not know as Events Hub channels; the server
/// will ignore them unless it is newer than the SDK.
pub fn unknown_channels<S: AsRef<str>>(requested: &[S]) -> Vec<String> {
    normalize_channels(requested)
        .into_iter()
        .filter(|c| !EVENTS_HUB_CHANNELS.contains(&c.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_the_server() {
        assert_eq!(
            normalize_channels(&[" PDFM ", "health,stats", "pdfm", "", "GLOBAL", " , "]),
            vec!["pdfm", "health", "stats"]
        );
    }

    #[test]
    fn welcome_check() {
        let granted = vec!["pdfm".to_owned(), "global".to_owned()];
        assert_eq!(
            channels_not_granted(&["pdfm", "pdfmm", "global", "Health"], &granted),
            vec!["pdfmm", "health"]
        );
        assert!(channels_not_granted::<&str>(&[], &granted).is_empty());
    }

    #[test]
    fn full_subscribe_url_as_base() {
        let e =
            EventsHubEndpoint::new("https://h/x/api/v1/ws/subscribe/", EventsHubOptions::default()).unwrap();
        let t = e.target(Some(&Token::new("t"))).unwrap();
        assert_eq!(t.expose_url(), "wss://h/x/api/v1/ws/subscribe?access_token=t");
        assert_eq!(e.rest_url(LOGIN_PATH), "https://h/x/api/v1/auth/token");
    }
}
