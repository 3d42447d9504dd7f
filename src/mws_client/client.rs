//! The client: where MWS is, the credentials, and the requests for list, get-one and create.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{json, Map, Value};

use super::date::MwsDate;
use super::encode::push_encoded;
use super::http::{BasicAuth, HttpMethod, HttpRequest};
use super::pages::PageCursor;
use super::query::{ListQuery, QueryError, EVENTS_PATH};
use crate::model::mws::MwsAssociatedObject;

/// How to reach MWS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MwsClientOptions {
    /// Where `/mws/rest/events` is appended: `https://moab.example.com:8080` (MWS itself),
    /// `https://example.com/hpc` (a proxy with a path prefix), or a same-origin path such as `""`
    /// or `/hpc`. A base ending in `/mws` is taken as MWS's own root (`…:8080/mws`, the form MWS's
    /// documentation gives) and not doubled. No query, fragment or `user:password@`.
    pub base_url: String,
    /// HTTP Basic credentials of a user or application account; `None` when a proxy adds them.
    pub credentials: Option<BasicAuth>,
    /// Allow credentials over plain `http://` to a host that is not loopback. Basic auth only
    /// encodes the password, so anyone on the path could read it; MWS's own documentation advises
    /// a TLS proxy.
    pub allow_insecure_transport: bool,
}

/// Why a client could not be made. Never carries the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A scheme other than `http` or `https`, or `//host` without one.
    UnsupportedScheme,
    /// `scheme://` followed by no host, or a host that is not a domain name, IPv4 address or
    /// bracketed IPv6 address, or a port that is not a number up to 65535.
    InvalidHost,
    /// `user:password@` in the URL: credentials go in `credentials`, where they are kept out of logs.
    UserInfo,
    /// A `?query` or `#fragment` in the base: the client writes the query itself.
    QueryOrFragment,
    /// White space, a control character, a backslash or a non-ASCII character: browsers drop or
    /// rewrite these, so the URL used would not be the one written. Percent-encode them.
    ForbiddenCharacter,
    /// Credentials over `http://` to a host that is not loopback, without
    /// `allow_insecure_transport`.
    InsecureTransport,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigError::UnsupportedScheme => "the MWS base URL must start with http:// or https:// or be a path",
            ConfigError::InvalidHost => "the MWS base URL has no valid host or port",
            ConfigError::UserInfo => {
                "the MWS base URL contains user:password@; pass credentials in the credentials option"
            }
            ConfigError::QueryOrFragment => "the MWS base URL must not have a ?query or #fragment",
            ConfigError::ForbiddenCharacter => {
                "the MWS base URL contains white space, a control character, a backslash or a non-ASCII character"
            }
            ConfigError::InsecureTransport => {
                "refusing to send MWS credentials over plain http:// to a host that is not loopback: \
                 Basic auth only encodes the password; use https:// or set allow_insecure_transport"
            }
        })
    }
}

impl std::error::Error for ConfigError {}

/// A typed MWS events client (API version 3). It builds requests; it performs none.
///
/// ```
/// use infra_events::mws_client::{BasicAuth, HttpResponse, ListQuery, Filter, MwsClient, MwsClientOptions};
/// let client = MwsClient::new(MwsClientOptions {
///     base_url: "https://moab.example.com:8080/mws".into(),
///     credentials: Some(BasicAuth::new("admin", "secret").unwrap()),
///     ..Default::default()
/// })
/// .unwrap();
/// let request = client.list(&ListQuery::new(Filter::new().eq("severity", "ERROR"))).unwrap();
/// assert_eq!(
///     request.url(),
///     "https://moab.example.com:8080/mws/rest/events?api-version=3&query=%7B%22severity%22%3A%22ERROR%22%7D"
/// );
/// // …the driver performs it, then:
/// let page = HttpResponse::new(200, r#"{"totalCount":0,"resultCount":0,"results":[]}"#).list().unwrap();
/// assert_eq!(page.total_count, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MwsClient {
    base: String,
    auth: Option<BasicAuth>,
}

impl MwsClient {
    /// Checks the options and makes the client.
    pub fn new(options: MwsClientOptions) -> Result<MwsClient, ConfigError> {
        let base = normalize_base(&options.base_url)?;
        if options.credentials.is_some() && !options.allow_insecure_transport {
            if let Some(host) = plain_http_host(&base) {
                if !is_loopback(host) {
                    return Err(ConfigError::InsecureTransport);
                }
            }
        }
        Ok(MwsClient {
            base,
            auth: options.credentials,
        })
    }

    /// The base URL as used: no trailing `/` nor `/mws` (requests append `/mws/rest/events`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `GET /mws/rest/events?api-version=3&…` for `query`.
    pub fn list(&self, query: &ListQuery) -> Result<HttpRequest, QueryError> {
        Ok(self.request(HttpMethod::Get, query.path_and_query()?, None))
    }

    /// `GET /mws/rest/events/<id>?api-version=3`, the id percent-encoded as one path segment.
    pub fn get(&self, id: &str) -> Result<HttpRequest, QueryError> {
        if id.is_empty() {
            return Err(QueryError::EmptyId);
        }
        let mut path = format!("{EVENTS_PATH}/");
        push_encoded(&mut path, id);
        path.push_str("?api-version=3");
        Ok(self.request(HttpMethod::Get, path, None))
    }

    /// `POST /mws/rest/events?api-version=3` creating `event`, after checking MWS's documented
    /// restrictions (see [`NewMwsEvent::check`]): a refused event is never sent.
    pub fn create(&self, event: &NewMwsEvent) -> Result<HttpRequest, CreateError> {
        event.check()?;
        let path = format!("{EVENTS_PATH}?api-version=3");
        Ok(self.request(HttpMethod::Post, path, Some(event.to_json())))
    }

    /// A cursor over every page of `query` (see [`PageCursor`]).
    pub fn pages(&self, query: ListQuery) -> Result<PageCursor, QueryError> {
        PageCursor::new(self.clone(), query)
    }

    fn request(&self, method: HttpMethod, path: String, body: Option<String>) -> HttpRequest {
        HttpRequest::new(method, &self.base, path, body, self.auth.clone())
    }
}

/// Checks a base URL and brings it to the form requests are appended to.
fn normalize_base(input: &str) -> Result<String, ConfigError> {
    if input
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\' || !c.is_ascii())
    {
        return Err(ConfigError::ForbiddenCharacter);
    }
    if input.contains(['?', '#']) {
        return Err(ConfigError::QueryOrFragment);
    }
    let (origin, path) = if input.is_empty() || (input.starts_with('/') && !input.starts_with("//")) {
        (String::new(), input)
    } else {
        let Some((scheme, rest)) = input.split_once("://") else {
            return Err(ConfigError::UnsupportedScheme);
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(ConfigError::UnsupportedScheme);
        }
        let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
        if authority.contains('@') {
            return Err(ConfigError::UserInfo);
        }
        check_authority(authority)?;
        (format!("{scheme}://{authority}"), path)
    };
    let mut path = path.trim_end_matches('/');
    if let Some(root) = path.strip_suffix("/mws") {
        path = root.trim_end_matches('/');
    }
    Ok(format!("{origin}{path}"))
}

/// `host[:port]`: a domain name, a dotted-quad IPv4 address or a bracketed IPv6 address.
fn check_authority(authority: &str) -> Result<(), ConfigError> {
    let (host, port) = split_host_port(authority);
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
            return Err(ConfigError::InvalidHost);
        }
    }
    let valid = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        inner.parse::<Ipv6Addr>().is_ok()
    } else {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
            && !host.starts_with('.')
            && !host.contains("..")
    };
    if valid {
        Ok(())
    } else {
        Err(ConfigError::InvalidHost)
    }
}

fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => {
                let (host, rest) = authority.split_at(end + 1);
                (host, rest.strip_prefix(':'))
            }
            None => (authority, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    }
}

/// The host of a normalized `http://` base (not `https://`, not a same-origin path).
fn plain_http_host(base: &str) -> Option<&str> {
    let rest = base.strip_prefix("http://")?;
    let authority = rest.split('/').next().unwrap_or(rest);
    Some(split_host_port(authority).0)
}

/// `localhost`, 127.0.0.0/8 or `[::1]`: the machine itself, where plain HTTP never leaves it.
fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// An event to create (`POST /rest/events`).
///
/// The body is written with MWS's field names in the order of MWS's sample; fields left `None`
/// are left out, so MWS applies its defaults (an `eventDate` of now).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMwsEvent {
    /// The kind of event, such as `"VM Provision"`. No `'` or `"`.
    pub event_type: String,
    /// The reporting component, such as `"CSA Plugin"`. No `'` or `"`.
    pub origin: String,
    /// `INFO`, `WARN`, `ERROR` or `FATAL`.
    pub severity: String,
    /// When it happened; `None`: MWS's now.
    pub event_date: Option<MwsDate>,
    /// The packed code (severity, escalation, component, entry).
    pub code: Option<u32>,
    /// The message; quotes are allowed here.
    pub message: Option<String>,
    /// Values for the message template.
    pub arguments: Vec<String>,
    /// The objects the event is about, the primary one first. No `'` or `"` in their `type` or `id`.
    pub associated_objects: Vec<MwsAssociatedObject>,
}

/// Why an event was refused before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateError {
    /// MWS documents that `origin`, `eventType`, `associatedObjects[].id` and
    /// `associatedObjects[].type` cannot contain single quotes (`'`) or double quotes (`"`).
    ForbiddenQuote {
        /// The field, as MWS names it: `origin`, `eventType`, `associatedObjects[2].id`, ….
        field: String,
        /// The quote found.
        quote: char,
    },
}

impl fmt::Display for CreateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreateError::ForbiddenQuote { field, quote } => write!(
                f,
                "{field} cannot contain single quotes (') or double quotes (\"), and it contains {quote}"
            ),
        }
    }
}

impl std::error::Error for CreateError {}

impl NewMwsEvent {
    /// An event with its type, origin and severity, and nothing else.
    pub fn new(
        event_type: impl Into<String>,
        origin: impl Into<String>,
        severity: impl Into<String>,
    ) -> Self {
        NewMwsEvent {
            event_type: event_type.into(),
            origin: origin.into(),
            severity: severity.into(),
            event_date: None,
            code: None,
            message: None,
            arguments: Vec::new(),
            associated_objects: Vec::new(),
        }
    }

    /// Sets `eventDate`.
    pub fn date(mut self, date: MwsDate) -> Self {
        self.event_date = Some(date);
        self
    }

    /// Sets `code`.
    pub fn code(mut self, code: u32) -> Self {
        self.code = Some(code);
        self
    }

    /// Sets `message`.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Adds an argument.
    pub fn argument(mut self, argument: impl Into<String>) -> Self {
        self.arguments.push(argument.into());
        self
    }

    /// Adds an associated object (`{type, id}`).
    pub fn associated(mut self, object_type: impl Into<String>, id: impl Into<String>) -> Self {
        self.associated_objects.push(MwsAssociatedObject {
            object_type: object_type.into(),
            id: id.into(),
        });
        self
    }

    /// Checks MWS's documented restrictions; the first field that breaks one, in the order
    /// `origin`, `eventType`, then each associated object's `id` and `type`.
    pub fn check(&self) -> Result<(), CreateError> {
        let quote_in = |field: String, value: &str| match value.chars().find(|c| matches!(c, '\'' | '"')) {
            Some(quote) => Err(CreateError::ForbiddenQuote { field, quote }),
            None => Ok(()),
        };
        quote_in("origin".into(), &self.origin)?;
        quote_in("eventType".into(), &self.event_type)?;
        for (i, object) in self.associated_objects.iter().enumerate() {
            quote_in(format!("associatedObjects[{i}].id"), &object.id)?;
            quote_in(format!("associatedObjects[{i}].type"), &object.object_type)?;
        }
        Ok(())
    }

    /// The JSON body. Keys come out in alphabetical order, which is the order of MWS's sample.
    pub fn to_json(&self) -> String {
        let mut body = Map::new();
        body.insert("arguments".into(), json!(self.arguments));
        let objects: Vec<Value> = self
            .associated_objects
            .iter()
            .map(|o| json!({"type": o.object_type, "id": o.id}))
            .collect();
        body.insert("associatedObjects".into(), Value::Array(objects));
        if let Some(code) = self.code {
            body.insert("code".into(), json!(code));
        }
        if let Some(date) = self.event_date {
            body.insert("eventDate".into(), json!(date.to_string()));
        }
        body.insert("eventType".into(), json!(self.event_type));
        if let Some(message) = &self.message {
            body.insert("message".into(), json!(message));
        }
        body.insert("origin".into(), json!(self.origin));
        body.insert("severity".into(), json!(self.severity));
        Value::Object(body).to_string()
    }
}
