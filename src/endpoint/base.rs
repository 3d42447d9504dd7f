//! The user-given base URL: parsed strictly, so that the host this module judges (loopback or not)
//! is the host the browser will connect to.
//!
//! Browsers parse URLs leniently (they drop tabs and newlines anywhere, read `\` as `/`, turn `127.1`
//! into `127.0.0.1`). A lenient parse here that disagreed with the browser's could let a token go to
//! a host this module took for another, so whatever the two could read differently is refused with
//! a [`BaseUrlError`] instead of guessed at.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::percent::clean_path_or_query;

/// Why a base URL was refused. None of these carries the URL's text: a base may hold a secret (a
/// token in its query, a password before `@`), and errors are logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseUrlError {
    /// Nothing but white space.
    Empty,
    /// No `scheme://` at the start.
    MissingScheme,
    /// A scheme other than `http`, `https`, `ws` or `wss`. Not quoted: a secret pasted into the
    /// wrong field could look like a scheme.
    UnsupportedScheme,
    /// A control character (tab, newline, …) or a backslash: browsers drop or reinterpret these, so
    /// the URL they would use is not the one written.
    ForbiddenCharacter,
    /// `user:password@` before the host. Credentials go in the credentials option, where they are
    /// kept secret and checked against the transport; in a URL they would be logged.
    UserInfo,
    /// `scheme://` followed by no host.
    MissingHost,
    /// A host that is not a domain name of ASCII letters, digits, `-`, `.` and `_`, a dotted-quad
    /// IPv4 address or a bracketed IPv6 address. International names must be given in their
    /// `xn--` form; IPv4 shorthands such as `127.1` or `0x7f.0.0.1` are refused.
    InvalidHost,
    /// A port that is not a number from 0 to 65535.
    InvalidPort,
    /// A `#fragment`: WebSocket URLs cannot carry one.
    Fragment,
}

impl fmt::Display for BaseUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BaseUrlError::Empty => f.write_str("the base URL is empty"),
            BaseUrlError::MissingScheme => {
                f.write_str("the base URL must start with http://, https://, ws:// or wss://")
            }
            BaseUrlError::UnsupportedScheme => {
                f.write_str("the base URL's scheme is not supported (use http, https, ws or wss)")
            }
            BaseUrlError::ForbiddenCharacter => f.write_str(
                "the base URL contains a control character or a backslash, which browsers \
                 reinterpret; remove it",
            ),
            BaseUrlError::UserInfo => f.write_str(
                "the base URL contains user information before '@'; pass credentials in the \
                 credentials option instead",
            ),
            BaseUrlError::MissingHost => f.write_str("the base URL has no host"),
            BaseUrlError::InvalidHost => f.write_str(
                "the base URL's host is not a valid name or address (international names in \
                 their xn-- form, IPv4 as four decimal numbers, IPv6 in brackets)",
            ),
            BaseUrlError::InvalidPort => f.write_str("the base URL's port is not a number from 0 to 65535"),
            BaseUrlError::Fragment => {
                f.write_str("the base URL has a #fragment, which a WebSocket URL cannot carry")
            }
        }
    }
}

impl std::error::Error for BaseUrlError {}

/// The host of a base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A domain name, lower-cased.
    Domain(String),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
}

impl Host {
    /// Loopback: `localhost`, `127.0.0.0/8` or `::1`. Only these; a name such as `dev.local` may
    /// resolve anywhere, so it is not trusted with a token over an unencrypted socket.
    pub fn is_loopback(&self) -> bool {
        match self {
            Host::Domain(name) => name == "localhost",
            Host::Ipv4(addr) => addr.is_loopback(),
            Host::Ipv6(addr) => addr.is_loopback(),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(name) => f.write_str(name),
            Host::Ipv4(addr) => write!(f, "{addr}"),
            Host::Ipv6(addr) => write!(f, "[{addr}]"),
        }
    }
}

/// A parsed base URL: `http://`, `https://`, `ws://` or `wss://`, a host, an optional port, an
/// optional path (a prefix behind a proxy, or for CloudEvents the whole path) and an optional
/// query. `http` and `ws` are the same transport here (unencrypted); `https` and `wss` too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    secure: bool,
    host: Host,
    port: Option<u16>,
    path: String,
    query: Option<String>,
}

impl BaseUrl {
    /// Parses a base URL. Leading and trailing white space is ignored; characters a URL cannot hold
    /// in its path or query (a space, non-ASCII text) are percent-encoded, as a browser would.
    pub fn parse(text: &str) -> Result<BaseUrl, BaseUrlError> {
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control());
        if text.is_empty() {
            return Err(BaseUrlError::Empty);
        }
        if text.chars().any(|c| c.is_control() || c == '\\') {
            return Err(BaseUrlError::ForbiddenCharacter);
        }
        let (scheme, rest) = text.split_once(':').ok_or(BaseUrlError::MissingScheme)?;
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        let Some(rest) = rest.strip_prefix("//").filter(|_| scheme_ok) else {
            return Err(BaseUrlError::MissingScheme);
        };
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "ws" | "http" => false,
            "wss" | "https" => true,
            _ => return Err(BaseUrlError::UnsupportedScheme),
        };
        let (before_fragment, fragment) = match rest.split_once('#') {
            Some((before, _)) => (before, true),
            None => (rest, false),
        };
        if fragment {
            return Err(BaseUrlError::Fragment);
        }
        let authority_end = before_fragment.find(['/', '?']).unwrap_or(before_fragment.len());
        let (authority, path_and_query) = before_fragment.split_at(authority_end);
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        if authority.contains('@') {
            return Err(BaseUrlError::UserInfo);
        }
        let (host, port) = parse_authority(authority)?;
        Ok(BaseUrl {
            secure,
            host,
            port,
            path: clean_path_or_query(path, false),
            query: query
                .filter(|q| !q.is_empty())
                .map(|q| clean_path_or_query(q, true)),
        })
    }

    /// `true` for `https`/`wss` (TLS), `false` for `http`/`ws`.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path as given (percent-encoding cleaned), possibly empty.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query as given (without `?`; percent-encoding cleaned), if any.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The path without its trailing slashes, to put an endpoint's path after: `/api/` and `/api`
    /// both give `/api`, and `/` gives the empty string.
    pub fn path_prefix(&self) -> &str {
        self.path.trim_end_matches('/')
    }

    /// `host[:port]`.
    pub fn authority(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.to_string(),
        }
    }

    /// `ws://host[:port]` or `wss://host[:port]`.
    pub fn ws_origin(&self) -> String {
        format!(
            "{}://{}",
            if self.secure { "wss" } else { "ws" },
            self.authority()
        )
    }

    /// `http://host[:port]` or `https://host[:port]`: where the REST calls (login) go.
    pub fn http_origin(&self) -> String {
        format!(
            "{}://{}",
            if self.secure { "https" } else { "http" },
            self.authority()
        )
    }

    /// Whether a secret may travel to this URL: over TLS always; unencrypted only to a loopback
    /// host, or when the application explicitly allows insecure transport.
    pub(crate) fn check_transport(&self, allow_insecure_transport: bool) -> Result<(), super::EndpointError> {
        if self.secure || allow_insecure_transport || self.host.is_loopback() {
            Ok(())
        } else {
            Err(super::EndpointError::InsecureTransport {
                host: self.host.to_string(),
            })
        }
    }
}

fn parse_authority(authority: &str) -> Result<(Host, Option<u16>), BaseUrlError> {
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let (addr, after) = inner.split_once(']').ok_or(BaseUrlError::InvalidHost)?;
        let addr: Ipv6Addr = addr.parse().map_err(|_| BaseUrlError::InvalidHost)?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(BaseUrlError::InvalidHost)?),
        };
        (Host::Ipv6(addr), port)
    } else {
        let (name, port) = match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        if name.is_empty() {
            return Err(BaseUrlError::MissingHost);
        }
        (parse_host_name(name)?, port)
    };
    let port = match port {
        // `host:` with nothing after the colon means the default port, as in browsers.
        None | Some("") => None,
        Some(digits) => {
            if digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BaseUrlError::InvalidPort);
            }
            Some(digits.parse::<u16>().map_err(|_| BaseUrlError::InvalidPort)?)
        }
    };
    Ok((host, port))
}

fn parse_host_name(name: &str) -> Result<Host, BaseUrlError> {
    if let Ok(addr) = name.parse::<Ipv4Addr>() {
        return Ok(Host::Ipv4(addr));
    }
    let valid_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !valid_chars {
        return Err(BaseUrlError::InvalidHost);
    }
    // A browser reads any name whose last label is a number as an IPv4 address (`127.1`,
    // `0x7f.1`, `2130706433` are all 127.0.0.1), which `Ipv4Addr` above does not: refuse them
    // rather than disagree about which host a token goes to.
    let last = name.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .or_else(|| last.strip_prefix("0X"))
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit())));
    if numeric {
        return Err(BaseUrlError::InvalidHost);
    }
    Ok(Host::Domain(name.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_parts() {
        let b = BaseUrl::parse(" HTTPS://Example.COM:8443/api/?a=b ").unwrap();
        assert!(b.is_secure());
        assert_eq!(b.host(), &Host::Domain("example.com".into()));
        assert_eq!(b.port(), Some(8443));
        assert_eq!(b.path(), "/api/");
        assert_eq!(b.path_prefix(), "/api");
        assert_eq!(b.query(), Some("a=b"));
        assert_eq!(b.ws_origin(), "wss://example.com:8443");
        assert_eq!(b.http_origin(), "https://example.com:8443");
    }

    #[test]
    fn ipv6_and_ports() {
        let b = BaseUrl::parse("ws://[::1]:9000").unwrap();
        assert_eq!(b.host(), &Host::Ipv6(Ipv6Addr::LOCALHOST));
        assert_eq!(b.authority(), "[::1]:9000");
        assert!(b.host().is_loopback());
        assert_eq!(BaseUrl::parse("ws://h:").unwrap().port(), None);
        assert_eq!(BaseUrl::parse("ws://[::1]x"), Err(BaseUrlError::InvalidHost));
        assert_eq!(
            BaseUrl::parse("ws://[fe80::1%25eth0]"),
            Err(BaseUrlError::InvalidHost)
        );
        assert_eq!(BaseUrl::parse("ws://h:65536"), Err(BaseUrlError::InvalidPort));
        assert_eq!(BaseUrl::parse("ws://h:+80"), Err(BaseUrlError::InvalidPort));
    }

    #[test]
    fn refuses_what_a_browser_would_read_differently() {
        for bad in [
            "ws://127.1",
            "ws://0x7f.0.0.1",
            "ws://2130706433",
            "ws://127.0.0.01",
        ] {
            assert_eq!(BaseUrl::parse(bad), Err(BaseUrlError::InvalidHost), "{bad}");
        }
        assert_eq!(
            BaseUrl::parse("ws://evil.com\\@localhost/"),
            Err(BaseUrlError::ForbiddenCharacter)
        );
        assert_eq!(
            BaseUrl::parse("ws://local\nhost/"),
            Err(BaseUrlError::ForbiddenCharacter)
        );
        assert_eq!(BaseUrl::parse("ws://u:p@localhost/"), Err(BaseUrlError::UserInfo));
        assert_eq!(BaseUrl::parse("ws://héllo/"), Err(BaseUrlError::InvalidHost));
    }
}
