//! LXD and Incus: `GET /1.0/events?type=…&project=…` or `&all-projects=true`. The browser's own
//! credentials (a TLS client certificate, a same-origin session) authenticate, so by default no
//! token is sent.

use super::base::BaseUrl;
use super::credentials::Credentials;
use super::percent::encode_component;
use super::target::TargetSpec;
use super::{ConnectTarget, EndpointError, Token};

/// The event route, after the base URL's path.
pub const LXD_EVENTS_PATH: &str = "/1.0/events";

/// Event types the daemons accept: LXD 5 knows the first three, Incus 6 adds `network-acl`.
pub const LXD_EVENT_TYPES: &[&str] = &["lifecycle", "operation", "logging", "network-acl"];

/// Options of an LXD/Incus endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LxdOptions {
    /// Event types (`lifecycle`, `operation`, `logging`, `network-acl`); trimmed, lower-cased,
    /// de-duplicated; empty means every type.
    pub types: Vec<String>,
    /// Only this project's events (the daemon's default is the `default` project).
    pub project: Option<String>,
    /// Events of every project. Cannot be combined with `project`.
    pub all_projects: bool,
    /// Let through event types not in [`LXD_EVENT_TYPES`], for a daemon newer than this SDK. Off by
    /// default because a daemon answers an unknown type with an HTTP error before the upgrade,
    /// which a browser only sees as close code 1006.
    pub allow_unknown_types: bool,
    /// `None` by default (TLS client certificate or same-origin session). A token subprotocol is
    /// refused: the daemon selects no subprotocol.
    pub credentials: Credentials,
    /// Send a token over `ws://` to a host that is not loopback.
    pub allow_insecure_transport: bool,
}

/// A validated LXD/Incus endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LxdEndpoint {
    spec: TargetSpec,
    types: Vec<String>,
}

impl LxdEndpoint {
    /// Validates `base` (the daemon's address; any path is a prefix behind a proxy, and
    /// `/1.0/events` follows it, unless the base already ends with `/1.0/events`) and `options`.
    pub fn new(base: &str, options: LxdOptions) -> Result<LxdEndpoint, EndpointError> {
        let base = BaseUrl::parse(base)?;
        let project = options
            .project
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if project.is_some() && options.all_projects {
            return Err(EndpointError::ProjectWithAllProjects);
        }
        let mut types: Vec<String> = Vec::new();
        for item in &options.types {
            for name in item.split(',') {
                let name = name.trim().to_lowercase();
                if name.is_empty() || types.contains(&name) {
                    continue;
                }
                let word = name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !word {
                    return Err(EndpointError::InvalidLxdEventType { name });
                }
                if !options.allow_unknown_types && !LXD_EVENT_TYPES.contains(&name.as_str()) {
                    return Err(EndpointError::UnknownLxdEventType { name });
                }
                types.push(name);
            }
        }
        let prefix = base.path_prefix();
        let path = if prefix.ends_with(LXD_EVENTS_PATH) {
            prefix.to_owned()
        } else {
            format!("{prefix}{LXD_EVENTS_PATH}")
        };
        let mut params = Vec::new();
        if !types.is_empty() {
            params.push(("type".to_owned(), types.join(",")));
        }
        if let Some(project) = project {
            params.push(("project".to_owned(), encode_component(project)));
        }
        if options.all_projects {
            params.push(("all-projects".to_owned(), "true".to_owned()));
        }
        let spec = TargetSpec {
            base,
            path,
            params,
            reserved: &["type", "project", "all-projects"],
            credentials: options.credentials,
            protocols: Vec::new(),
            allow_insecure_transport: options.allow_insecure_transport,
        };
        spec.validate()?;
        Ok(LxdEndpoint { spec, types })
    }

    /// The URL and protocols (none) for one connection attempt; `token` only if the credentials
    /// send one.
    pub fn target(&self, token: Option<&Token>) -> Result<ConnectTarget, EndpointError> {
        self.spec.build(token)
    }

    /// The event types requested, normalized (empty: all).
    pub fn types(&self) -> &[String] {
        &self.types
    }

    /// The base URL as parsed.
    pub fn base(&self) -> &BaseUrl {
        &self.spec.base
    }
}
