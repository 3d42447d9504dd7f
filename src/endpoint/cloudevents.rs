//! CloudEvents over the WebSocket binding: the URL is the application's own (the binding fixes no
//! path), the subprotocol `cloudevents.json` is always offered, and a token may ride along in the
//! query or as a second, token subprotocol.

use super::base::BaseUrl;
use super::credentials::Credentials;
use super::target::TargetSpec;
use super::{ConnectTarget, EndpointError, Token};

/// The structured JSON format's subprotocol, the one every binding implementation must support.
pub const CLOUDEVENTS_JSON_PROTOCOL: &str = "cloudevents.json";

/// Options of a CloudEvents endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CloudEventsOptions {
    /// `None` by default. `Subprotocol` offers the token after `cloudevents.json` (the server
    /// selects `cloudevents.json`); `Query { name }` adds it to the URL's query.
    pub credentials: Credentials,
    /// Send a token over `ws://` to a host that is not loopback.
    pub allow_insecure_transport: bool,
}

/// A validated CloudEvents endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudEventsEndpoint {
    spec: TargetSpec,
}

impl CloudEventsEndpoint {
    /// Validates `url`, used as it is (path and query kept; `http(s)` becomes `ws(s)`), and
    /// `options`.
    pub fn new(url: &str, options: CloudEventsOptions) -> Result<CloudEventsEndpoint, EndpointError> {
        let base = BaseUrl::parse(url)?;
        let path = if base.path().is_empty() {
            "/".to_owned()
        } else {
            base.path().to_owned()
        };
        let spec = TargetSpec {
            base,
            path,
            params: Vec::new(),
            reserved: &[],
            credentials: options.credentials,
            protocols: vec![CLOUDEVENTS_JSON_PROTOCOL.to_owned()],
            allow_insecure_transport: options.allow_insecure_transport,
        };
        spec.validate()?;
        Ok(CloudEventsEndpoint { spec })
    }

    /// The URL and protocols (`cloudevents.json` first, then the token protocol if any) for one
    /// connection attempt.
    pub fn target(&self, token: Option<&Token>) -> Result<ConnectTarget, EndpointError> {
        self.spec.build(token)
    }

    /// The base URL as parsed.
    pub fn base(&self) -> &BaseUrl {
        &self.spec.base
    }
}
