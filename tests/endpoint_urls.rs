#![cfg(not(target_arch = "wasm32"))]
#![cfg(all(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
//! URL building for every source on many bases: schemes, trailing slashes, path prefixes, IPv6,
//! ports, queries, and the percent-encoding of every value that goes into a query.

use infra_events::endpoint::{
    decode_component, encode_component, BaseUrl, BaseUrlError, CloudEventsEndpoint, CloudEventsOptions,
    Credentials, EndpointError, EventsHubEndpoint, EventsHubOptions, Host, LxdEndpoint, LxdOptions, Token,
    LOGIN_PATH, VALIDATE_PATH,
};

fn hub(base: &str, channels: &[&str]) -> Result<String, EndpointError> {
    let options = EventsHubOptions {
        channels: channels.iter().map(|c| c.to_string()).collect(),
        credentials: Credentials::None,
        ..EventsHubOptions::default()
    };
    Ok(EventsHubEndpoint::new(base, options)?
        .target(None)?
        .expose_url()
        .to_owned())
}

fn lxd(base: &str, options: LxdOptions) -> Result<String, EndpointError> {
    Ok(LxdEndpoint::new(base, options)?
        .target(None)?
        .expose_url()
        .to_owned())
}

/// (base, expected origin) for every scheme, with and without ports, IPv4, IPv6 and names.
const ORIGINS: &[(&str, &str)] = &[
    ("http://example.com", "ws://example.com"),
    ("https://example.com", "wss://example.com"),
    ("ws://example.com", "ws://example.com"),
    ("wss://example.com", "wss://example.com"),
    ("HTTPS://Example.COM", "wss://example.com"),
    ("http://example.com:8080", "ws://example.com:8080"),
    ("https://example.com:443", "wss://example.com:443"),
    ("wss://10.1.2.3:9443", "wss://10.1.2.3:9443"),
    ("ws://127.0.0.1:3000", "ws://127.0.0.1:3000"),
    ("ws://[::1]", "ws://[::1]"),
    ("http://[::1]:8080", "ws://[::1]:8080"),
    ("https://[2001:DB8::1]:8443", "wss://[2001:db8::1]:8443"),
    ("ws://localhost:", "ws://localhost"),
    ("  wss://padded.example  ", "wss://padded.example"),
    ("wss://under_score.example", "wss://under_score.example"),
];

#[test]
fn hub_url_on_every_kind_of_base() {
    for (base, origin) in ORIGINS {
        for suffix in ["", "/", "//"] {
            let base = format!("{}{suffix}", base.trim_end());
            let url = hub(&base, &["pdfm"]).unwrap_or_else(|e| panic!("{base}: {e}"));
            assert_eq!(
                url,
                format!("{origin}/api/v1/ws/subscribe?event_types=pdfm"),
                "{base}"
            );
        }
    }
}

#[test]
fn lxd_url_on_every_kind_of_base() {
    for (base, origin) in ORIGINS {
        for suffix in ["", "/"] {
            let base = format!("{}{suffix}", base.trim_end());
            let url = lxd(&base, LxdOptions::default()).unwrap_or_else(|e| panic!("{base}: {e}"));
            assert_eq!(url, format!("{origin}/1.0/events"), "{base}");
        }
    }
}

#[test]
fn cloudevents_url_is_the_given_one() {
    for (base, origin) in ORIGINS {
        let url = CloudEventsEndpoint::new(base, CloudEventsOptions::default())
            .unwrap()
            .target(None)
            .unwrap();
        assert_eq!(url.expose_url(), format!("{origin}/"), "{base}");
        assert_eq!(url.expose_protocols(), ["cloudevents.json"]);
        assert_eq!(url.expected_protocol(), Some("cloudevents.json"));
    }
    let keep = |u: &str| {
        CloudEventsEndpoint::new(u, CloudEventsOptions::default())
            .unwrap()
            .target(None)
            .unwrap()
            .expose_url()
            .to_owned()
    };
    assert_eq!(keep("https://h/events/ws/"), "wss://h/events/ws/");
    assert_eq!(
        keep("https://h/events/ws?topic=vm&x=1"),
        "wss://h/events/ws?topic=vm&x=1"
    );
    assert_eq!(keep("http://h:81/a b/é"), "ws://h:81/a%20b/%C3%A9");
}

#[test]
fn path_prefixes_behind_a_proxy() {
    assert_eq!(
        hub("https://proxy.example/devops", &[]).unwrap(),
        "wss://proxy.example/devops/api/v1/ws/subscribe"
    );
    assert_eq!(
        hub("https://proxy.example/devops/", &[]).unwrap(),
        "wss://proxy.example/devops/api/v1/ws/subscribe"
    );
    assert_eq!(
        hub("https://proxy.example/a/b/c///", &[]).unwrap(),
        "wss://proxy.example/a/b/c/api/v1/ws/subscribe"
    );
    // A base that is already the subscribe route, versioned or not, is not extended.
    assert_eq!(
        hub("https://h/api/v1/ws/subscribe", &["stats"]).unwrap(),
        "wss://h/api/v1/ws/subscribe?event_types=stats"
    );
    assert_eq!(
        hub("https://h/api/ws/subscribe/", &[]).unwrap(),
        "wss://h/api/ws/subscribe"
    );
    assert_eq!(
        lxd("https://proxy/lxd/", LxdOptions::default()).unwrap(),
        "wss://proxy/lxd/1.0/events"
    );
    assert_eq!(
        lxd("https://proxy/lxd/1.0/events", LxdOptions::default()).unwrap(),
        "wss://proxy/lxd/1.0/events"
    );
}

#[test]
fn hub_api_prefix_option_and_rest_urls() {
    for (prefix, path) in [
        ("/api", "/api"),
        ("api", "/api"),
        ("/api/", "/api"),
        ("", ""),
        ("/", ""),
        ("/custom/v", "/custom/v"),
    ] {
        let options = EventsHubOptions {
            api_prefix: prefix.into(),
            ..EventsHubOptions::default()
        };
        let e = EventsHubEndpoint::new("https://h:8443/p/", options).unwrap();
        let t = e.target(Some(&Token::new("t"))).unwrap();
        assert_eq!(
            t.expose_url(),
            format!("wss://h:8443/p{path}/v1/ws/subscribe?access_token=t"),
            "{prefix:?}"
        );
        assert_eq!(
            e.rest_url(LOGIN_PATH),
            format!("https://h:8443/p{path}/v1/auth/token")
        );
        assert_eq!(
            e.rest_path(VALIDATE_PATH),
            format!("/p{path}/v1/auth/token/validate")
        );
    }
    let ws_base = EventsHubEndpoint::new("ws://127.0.0.1:8080", EventsHubOptions::default()).unwrap();
    assert_eq!(
        ws_base.rest_url(LOGIN_PATH),
        "http://127.0.0.1:8080/api/v1/auth/token"
    );
    let alias = EventsHubEndpoint::new("wss://h/api/ws/subscribe", EventsHubOptions::default()).unwrap();
    assert_eq!(alias.rest_url(LOGIN_PATH), "https://h/api/v1/auth/token");
}

#[test]
fn hub_event_types_normalized() {
    let url = hub(
        "https://h",
        &[" PDFM", "health, Stats ", "pdfm", "", "global", "HEALTH"],
    )
    .unwrap();
    assert_eq!(url, "wss://h/api/v1/ws/subscribe?event_types=pdfm,health,stats");
    // Nothing asked (or only `global`, which the server always adds): no parameter at all.
    assert_eq!(hub("https://h", &[]).unwrap(), "wss://h/api/v1/ws/subscribe");
    assert_eq!(
        hub("https://h", &["global", " , "]).unwrap(),
        "wss://h/api/v1/ws/subscribe"
    );
    // Unknown names are sent (a newer server may know them), encoded one by one.
    assert_eq!(
        hub("https://h", &["a b", "x&y=z", "ünï"]).unwrap(),
        "wss://h/api/v1/ws/subscribe?event_types=a%20b,x%26y%3Dz,%C3%BCn%C3%AF"
    );
    let e = EventsHubEndpoint::new(
        "https://h",
        EventsHubOptions {
            channels: vec!["Job_Manager".into(), "auth,system_logs".into()],
            ..EventsHubOptions::default()
        },
    )
    .unwrap();
    assert_eq!(e.channels(), ["job_manager", "auth", "system_logs"]);
}

#[test]
fn lxd_query() {
    let opts = |types: &[&str], project: Option<&str>, all: bool| LxdOptions {
        types: types.iter().map(|t| t.to_string()).collect(),
        project: project.map(str::to_owned),
        all_projects: all,
        ..LxdOptions::default()
    };
    assert_eq!(
        lxd(
            "https://lxd:8443",
            opts(&["lifecycle", " Operation ", "lifecycle,logging"], None, false)
        )
        .unwrap(),
        "wss://lxd:8443/1.0/events?type=lifecycle,operation,logging"
    );
    assert_eq!(
        lxd("https://lxd", opts(&[], Some("my project"), false)).unwrap(),
        "wss://lxd/1.0/events?project=my%20project"
    );
    assert_eq!(
        lxd("https://lxd", opts(&["lifecycle"], None, true)).unwrap(),
        "wss://lxd/1.0/events?type=lifecycle&all-projects=true"
    );
    // An empty or blank project is no project.
    assert_eq!(
        lxd("https://lxd", opts(&[], Some("  "), true)).unwrap(),
        "wss://lxd/1.0/events?all-projects=true"
    );
    assert_eq!(
        lxd("https://lxd", opts(&[], Some("p"), true)),
        Err(EndpointError::ProjectWithAllProjects)
    );
    assert_eq!(
        lxd("https://lxd", opts(&["bogus"], None, false)),
        Err(EndpointError::UnknownLxdEventType { name: "bogus".into() })
    );
    assert_eq!(
        lxd("https://lxd", opts(&["life cycle"], None, false)),
        Err(EndpointError::InvalidLxdEventType {
            name: "life cycle".into()
        })
    );
    let newer = LxdOptions {
        types: vec!["network-acl".into(), "future-type".into()],
        allow_unknown_types: true,
        ..LxdOptions::default()
    };
    assert_eq!(
        lxd("https://lxd", newer).unwrap(),
        "wss://lxd/1.0/events?type=network-acl,future-type"
    );
}

#[test]
fn query_values_percent_encoded() {
    let cases = [
        ("a b", "a%20b"),
        ("a&b", "a%26b"),
        ("a=b", "a%3Db"),
        ("a+b", "a%2Bb"),
        ("100%", "100%25"),
        ("%41", "%2541"),
        ("é漢🙂", "%C3%A9%E6%BC%A2%F0%9F%99%82"),
        ("#?/", "%23%3F%2F"),
        ("-._~", "-._~"),
    ];
    for (project, encoded) in cases {
        let url = lxd(
            "https://lxd",
            LxdOptions {
                project: Some(project.into()),
                ..LxdOptions::default()
            },
        )
        .unwrap();
        assert_eq!(
            url,
            format!("wss://lxd/1.0/events?project={encoded}"),
            "{project}"
        );
        assert_eq!(encode_component(project), encoded);
        assert_eq!(decode_component(encoded).unwrap(), project);
    }
}

#[test]
fn base_query_kept_unless_it_conflicts() {
    assert_eq!(
        hub("https://h/?tenant=a%20b", &["pdfm"]).unwrap(),
        "wss://h/api/v1/ws/subscribe?tenant=a%20b&event_types=pdfm"
    );
    assert_eq!(
        hub("https://h/?event_types=pdfm", &[]),
        Err(EndpointError::ConflictingQueryParameter {
            name: "event_types".into()
        })
    );
    assert_eq!(
        lxd("https://h/?all-projects=true", LxdOptions::default()),
        Err(EndpointError::ConflictingQueryParameter {
            name: "all-projects".into()
        })
    );
    assert_eq!(
        hub("https://h/?access_token=abc", &[]),
        Err(EndpointError::CredentialInBaseUrl {
            name: "access_token".into()
        })
    );
    assert_eq!(
        CloudEventsEndpoint::new("wss://h/ce?Authorization=x", CloudEventsOptions::default()),
        Err(EndpointError::CredentialInBaseUrl {
            name: "Authorization".into()
        })
    );
    // An encoded name is still recognized.
    assert_eq!(
        hub("https://h/?access%5Ftoken=abc", &[]),
        Err(EndpointError::CredentialInBaseUrl {
            name: "access_token".into()
        })
    );
}

#[test]
fn invalid_bases_are_typed_errors() {
    let cases: &[(&str, BaseUrlError)] = &[
        ("", BaseUrlError::Empty),
        ("   ", BaseUrlError::Empty),
        ("example.com", BaseUrlError::MissingScheme),
        ("localhost:8080", BaseUrlError::MissingScheme),
        ("https:example.com", BaseUrlError::MissingScheme),
        ("//example.com", BaseUrlError::MissingScheme),
        ("ftp://example.com", BaseUrlError::UnsupportedScheme),
        ("file:///etc/passwd", BaseUrlError::UnsupportedScheme),
        ("javascript://x", BaseUrlError::UnsupportedScheme),
        ("https://", BaseUrlError::MissingHost),
        ("https:///path", BaseUrlError::MissingHost),
        ("https://:8080", BaseUrlError::MissingHost),
        ("https://user:pw@h", BaseUrlError::UserInfo),
        ("https://h:99999", BaseUrlError::InvalidPort),
        ("https://h:8o", BaseUrlError::InvalidPort),
        ("https://h:1:2", BaseUrlError::InvalidPort),
        ("https://h#frag", BaseUrlError::Fragment),
        ("https://h/p#", BaseUrlError::Fragment),
        ("https://exa mple.com", BaseUrlError::InvalidHost),
        ("https://bücher.example", BaseUrlError::InvalidHost),
        ("https://[::1", BaseUrlError::InvalidHost),
        ("https://[not:an:ip]", BaseUrlError::InvalidHost),
        ("https://::1/", BaseUrlError::MissingHost),
        ("https://h\t/", BaseUrlError::ForbiddenCharacter),
        ("https://h\\x", BaseUrlError::ForbiddenCharacter),
    ];
    for (base, expected) in cases {
        assert_eq!(BaseUrl::parse(base).as_ref().err(), Some(expected), "{base:?}");
        assert_eq!(
            EventsHubEndpoint::new(base, EventsHubOptions::default()).err(),
            Some(EndpointError::InvalidBase(expected.clone())),
            "{base:?}"
        );
        assert!(LxdEndpoint::new(base, LxdOptions::default()).is_err());
        assert!(CloudEventsEndpoint::new(base, CloudEventsOptions::default()).is_err());
    }
}

#[test]
fn hosts_parsed() {
    let host = |b: &str| BaseUrl::parse(b).unwrap().host().clone();
    assert_eq!(host("ws://LocalHost"), Host::Domain("localhost".into()));
    assert_eq!(host("ws://127.0.0.1"), Host::Ipv4([127, 0, 0, 1].into()));
    assert_eq!(
        host("ws://[0:0:0:0:0:0:0:1]"),
        Host::Ipv6(std::net::Ipv6Addr::LOCALHOST)
    );
    assert_eq!(
        BaseUrl::parse("ws://[0:0::1]:80").unwrap().authority(),
        "[::1]:80"
    );
}
