#![cfg(not(target_arch = "wasm32"))]
#![cfg(all(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
//! Where the token travels (query, subprotocol, nowhere), the subprotocol encoding, and the rule
//! that keeps tokens off unencrypted links to other hosts.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use infra_events::endpoint::{
    decode_component, is_tchar, is_valid_subprotocol, token_subprotocol, CloudEventsEndpoint,
    CloudEventsOptions, Credentials, Endpoint, EndpointError, EventsHubEndpoint, EventsHubOptions,
    LxdEndpoint, LxdOptions, Token, DEFAULT_TOKEN_PROTOCOL_PREFIX,
};

/// A JWT-shaped token (three base64url parts).
const JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6ImFkbWluQGxvY2FsaG9zdCIsImV4cCI6MTc4NzA0NDg0Mn0.c2lnbmF0dXJl";

fn hub_with(
    base: &str,
    credentials: Credentials,
    insecure: bool,
) -> Result<EventsHubEndpoint, EndpointError> {
    EventsHubEndpoint::new(
        base,
        EventsHubOptions {
            channels: vec!["pdfm".into()],
            credentials,
            allow_insecure_transport: insecure,
            ..EventsHubOptions::default()
        },
    )
}

fn ce_with(
    base: &str,
    credentials: Credentials,
    insecure: bool,
) -> Result<CloudEventsEndpoint, EndpointError> {
    CloudEventsEndpoint::new(
        base,
        CloudEventsOptions {
            credentials,
            allow_insecure_transport: insecure,
        },
    )
}

#[test]
fn hub_token_in_access_token_by_default() {
    let e = EventsHubEndpoint::new("https://hub.example", EventsHubOptions::default()).unwrap();
    let t = e.target(Some(&Token::new(JWT))).unwrap();
    assert_eq!(
        t.expose_url(),
        format!("wss://hub.example/api/v1/ws/subscribe?access_token={JWT}")
    );
    assert!(
        t.expose_protocols().is_empty(),
        "the Events Hub must get no subprotocol"
    );
    assert_eq!(t.expected_protocol(), None);
    assert!(t.sends_token());
    assert_eq!(
        t.redacted_url(),
        "wss://hub.example/api/v1/ws/subscribe?access_token=***"
    );
}

#[test]
fn hub_authorization_alternative_and_encoding() {
    let e = hub_with(
        "https://hub.example",
        Credentials::Query {
            name: "authorization".into(),
        },
        false,
    )
    .unwrap();
    // Not a real JWT, but every character that needs escaping: it must arrive unchanged.
    let token = "a+b/c=d&e f%g?h#i";
    let t = e.target(Some(&Token::new(token))).unwrap();
    let url = t.expose_url();
    assert_eq!(
        url,
        "wss://hub.example/api/v1/ws/subscribe?event_types=pdfm&authorization=a%2Bb%2Fc%3Dd%26e%20f%25g%3Fh%23i"
    );
    let value = url.split("authorization=").nth(1).unwrap();
    assert_eq!(decode_component(value).unwrap(), token);
    assert_eq!(
        t.redacted_url(),
        "wss://hub.example/api/v1/ws/subscribe?event_types=pdfm&authorization=***"
    );
}

#[test]
fn hub_refuses_subprotocols_and_other_parameter_names() {
    assert_eq!(
        hub_with("https://h", Credentials::kubernetes_subprotocol(), false).err(),
        Some(EndpointError::SubprotocolNotSupported)
    );
    assert_eq!(
        hub_with("https://h", Credentials::Query { name: "token".into() }, false).err(),
        Some(EndpointError::UnsupportedTokenParameter { name: "token".into() })
    );
}

#[test]
fn token_presence_matches_the_credentials() {
    let e = EventsHubEndpoint::new("https://h", EventsHubOptions::default()).unwrap();
    assert_eq!(e.target(None), Err(EndpointError::MissingToken));
    assert_eq!(e.target(Some(&Token::new(""))), Err(EndpointError::EmptyToken));
    let lxd = LxdEndpoint::new("https://lxd", LxdOptions::default()).unwrap();
    assert_eq!(
        lxd.target(Some(&Token::new("t"))),
        Err(EndpointError::UnusedToken)
    );
    let t = lxd.target(None).unwrap();
    assert!(!t.sends_token());
    assert_eq!(t.redacted_url(), t.expose_url());
}

#[test]
fn cloudevents_subprotocol_comes_after_the_real_protocol() {
    let e = ce_with(
        "wss://ce.example/stream",
        Credentials::kubernetes_subprotocol(),
        false,
    )
    .unwrap();
    let t = e.target(Some(&Token::new(JWT))).unwrap();
    let protocols = t.expose_protocols();
    assert_eq!(protocols.len(), 2);
    assert_eq!(protocols[0], "cloudevents.json");
    assert_eq!(t.expected_protocol(), Some("cloudevents.json"));
    let encoded = protocols[1].strip_prefix(DEFAULT_TOKEN_PROTOCOL_PREFIX).unwrap();
    assert_eq!(URL_SAFE_NO_PAD.decode(encoded).unwrap(), JWT.as_bytes());
    assert!(protocols.iter().all(|p| is_valid_subprotocol(p)));
    assert_eq!(t.expose_url(), "wss://ce.example/stream", "no token in the URL");
    assert_eq!(
        t.redacted_protocols(),
        ["cloudevents.json", "base64url.bearer.authorization.k8s.io.***"]
    );
    // A prefix of one's own (Phoenix's, say).
    let e = ce_with(
        "wss://ce.example/stream",
        Credentials::Subprotocol {
            prefix: "base64url.bearer.phx.".into(),
        },
        false,
    )
    .unwrap();
    let t = e.target(Some(&Token::new("tok"))).unwrap();
    assert_eq!(
        t.expose_protocols(),
        ["cloudevents.json", "base64url.bearer.phx.dG9r"]
    );
}

#[test]
fn cloudevents_query_credential() {
    let e = ce_with(
        "https://ce.example/s?topic=vm",
        Credentials::access_token_query(),
        false,
    )
    .unwrap();
    let t = e.target(Some(&Token::new("t k"))).unwrap();
    assert_eq!(t.expose_url(), "wss://ce.example/s?topic=vm&access_token=t%20k");
    assert_eq!(t.expose_protocols(), ["cloudevents.json"]);
    assert_eq!(t.redacted_url(), "wss://ce.example/s?topic=vm&access_token=***");
}

#[test]
fn subprotocol_needs_a_real_protocol_next_to_it() {
    assert_eq!(
        LxdEndpoint::new(
            "https://lxd",
            LxdOptions {
                credentials: Credentials::kubernetes_subprotocol(),
                ..LxdOptions::default()
            }
        )
        .err(),
        Some(EndpointError::NoCompanionProtocol)
    );
}

#[test]
fn base64url_vectors() {
    // RFC 4648 §10 test vectors, without padding.
    let vectors = [
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ];
    for (input, encoded) in vectors {
        let p = token_subprotocol("p.", &Token::new(input)).unwrap();
        assert_eq!(p.expose_secret(), format!("p.{encoded}"));
    }
    // U+FBFF is ef af bf in UTF-8, "76+/" in standard base64: here '-' and '_' instead.
    let p = token_subprotocol("", &Token::new("\u{fbff}\u{fbff}")).unwrap();
    assert_eq!(p.expose_secret(), "76-_76-_");
    let p = token_subprotocol(DEFAULT_TOKEN_PROTOCOL_PREFIX, &Token::new("abc?>")).unwrap();
    assert_eq!(p.expose_secret(), "base64url.bearer.authorization.k8s.io.YWJjPz4");
}

#[test]
fn subprotocol_characters_checked() {
    let tchars = "!#$%&'*+-.^_`|~0123456789abcxyzABCXYZ";
    assert!(tchars.bytes().all(is_tchar));
    for b in *b" \"(),/:;<=>?@[\\]{}\t\x7f" {
        assert!(!is_tchar(b), "{:?}", b as char);
    }
    assert!(!is_valid_subprotocol(""));
    for prefix in ["bad prefix.", "a/b.", "x=", "é."] {
        assert_eq!(
            ce_with(
                "wss://h",
                Credentials::Subprotocol {
                    prefix: prefix.into()
                },
                false
            )
            .err(),
            Some(EndpointError::InvalidSubprotocolPrefix),
            "{prefix}"
        );
        assert_eq!(
            token_subprotocol(prefix, &Token::new("t")),
            Err(EndpointError::InvalidSubprotocol)
        );
    }
    assert_eq!(
        ce_with("wss://h", Credentials::Query { name: String::new() }, false).err(),
        Some(EndpointError::InvalidParameterName)
    );
}

#[test]
fn loopback_hosts_may_get_a_token_over_ws() {
    for base in [
        "ws://localhost",
        "ws://LOCALHOST:8080",
        "http://localhost/",
        "ws://127.0.0.1",
        "ws://127.0.0.1:3000",
        "http://127.1.2.3:9",
        "ws://127.255.255.255",
        "ws://[::1]",
        "ws://[::1]:8080",
        "ws://[0:0:0:0:0:0:0:1]",
    ] {
        let hub = hub_with(base, Credentials::access_token_query(), false)
            .unwrap_or_else(|e| panic!("{base}: {e}"));
        assert!(hub.target(Some(&Token::new("t"))).is_ok(), "{base}");
        let ce = ce_with(base, Credentials::kubernetes_subprotocol(), false).unwrap();
        assert!(ce.target(Some(&Token::new("t"))).is_ok(), "{base}");
    }
}

#[test]
fn other_hosts_get_no_token_over_ws_unless_allowed() {
    for (base, host) in [
        ("ws://example.com", "example.com"),
        ("http://example.com:8080/x", "example.com"),
        ("ws://10.0.0.8", "10.0.0.8"),
        ("ws://192.168.1.20:80", "192.168.1.20"),
        ("ws://128.0.0.1", "128.0.0.1"),
        ("ws://0.0.0.0", "0.0.0.0"),
        ("ws://localhost.", "localhost."),
        ("ws://localhost.evil.example", "localhost.evil.example"),
        ("ws://127.0.0.1.nip.io", "127.0.0.1.nip.io"),
        ("ws://[::2]", "[::2]"),
        ("ws://[::ffff:127.0.0.1]", "[::ffff:127.0.0.1]"),
        ("ws://[fe80::1]", "[fe80::1]"),
    ] {
        let refused = EndpointError::InsecureTransport { host: host.into() };
        assert_eq!(
            hub_with(base, Credentials::access_token_query(), false).err(),
            Some(refused.clone()),
            "{base}"
        );
        assert_eq!(
            ce_with(base, Credentials::kubernetes_subprotocol(), false).err(),
            Some(refused.clone()),
            "{base}"
        );
        let message = refused.to_string();
        assert!(
            message.contains("unencrypted") && message.contains(host),
            "{message}"
        );
        assert!(message.contains("allowInsecureTransport"), "{message}");
        // With the option, it goes.
        let hub = hub_with(base, Credentials::access_token_query(), true).unwrap();
        assert!(hub.target(Some(&Token::new("t"))).unwrap().sends_token());
        // Without a token there is nothing to protect.
        let no_token = hub_with(base, Credentials::None, false).unwrap();
        assert!(no_token.target(None).is_ok());
        // TLS is always fine.
        let tls = base
            .replacen("ws://", "wss://", 1)
            .replacen("http://", "https://", 1);
        assert!(
            hub_with(&tls, Credentials::access_token_query(), false).is_ok(),
            "{tls}"
        );
    }
}

#[test]
fn one_function_for_every_source() {
    let endpoints = [
        Endpoint::EventsHub(EventsHubEndpoint::new("https://h", EventsHubOptions::default()).unwrap()),
        Endpoint::Lxd(LxdEndpoint::new("https://h:8443", LxdOptions::default()).unwrap()),
        Endpoint::CloudEvents(ce_with("https://h/ce", Credentials::kubernetes_subprotocol(), false).unwrap()),
    ];
    let token = Token::new("tok");
    let expected = [
        ("wss://h/api/v1/ws/subscribe?access_token=tok", 0),
        ("wss://h:8443/1.0/events", 0),
        ("wss://h/ce", 2),
    ];
    for (e, (url, protocols)) in endpoints.iter().zip(expected) {
        // LXD authenticates with the browser's own credentials: no token.
        let token = if matches!(e, Endpoint::Lxd(_)) {
            None
        } else {
            Some(&token)
        };
        let t = e.target(token).unwrap();
        assert_eq!(t.expose_url(), url);
        assert_eq!(t.expose_protocols().len(), protocols);
        assert_eq!(e.base().host().to_string(), "h");
    }
}
