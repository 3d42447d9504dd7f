#![cfg(not(target_arch = "wasm32"))]
#![cfg(all(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
//! Secrets never show: every type holding a token, password or API key is formatted with `{:?}`
//! and `{}` (where it has `Display`), every error produced with a secret in its input is
//! formatted, and none of the texts may contain the secret in any of its encodings.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use infra_events::endpoint::{
    encode_component, parse_validate_response, redact_url, token_subprotocol, BaseUrl, CloudEventsEndpoint,
    CloudEventsOptions, Credentials, EndpointError, EventsHubEndpoint, EventsHubOptions, LoginCredentials,
    LoginError, LoginStep, LoginTokenCache, LxdEndpoint, LxdOptions, Secret, Token,
};

/// Needs escaping in a query (`+`, `/`, `=`, space) so its raw and encoded forms differ.
const TOKEN: &str = "tok+en/SEKRIT=7f3a 9c";
const PASSWORD: &str = "pass\"word-HUNTER2";
const API_KEY: &str = "a2V5OnNlY3JldC1BUElLRVk=";

/// Every form a secret could be written in.
fn forms(secret: &str) -> Vec<String> {
    vec![
        secret.to_owned(),
        encode_component(secret),
        URL_SAFE_NO_PAD.encode(secret),
        STANDARD.encode(secret),
        serde_json::to_string(secret)
            .unwrap()
            .trim_matches('"')
            .to_owned(),
        secret.replace(' ', "+"),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for secret in [TOKEN, PASSWORD, API_KEY] {
        for form in forms(secret) {
            assert!(!text.contains(&form), "{what} shows a secret ({form:?}): {text}");
        }
    }
    // The distinctive parts alone must not show either.
    for part in ["SEKRIT", "HUNTER2", "QVBJS0VZ", "APIKEY"] {
        assert!(!text.contains(part), "{what} shows part of a secret: {text}");
    }
}

fn check_debug<T: std::fmt::Debug>(what: &str, value: &T) {
    assert_clean(what, &format!("{value:?}"));
    assert_clean(what, &format!("{value:#?}"));
}

fn check_both<T: std::fmt::Debug + std::fmt::Display>(what: &str, value: &T) {
    check_debug(what, value);
    assert_clean(what, &value.to_string());
}

fn token() -> Token {
    Token::new(TOKEN)
}

fn hub(credentials: Credentials) -> EventsHubEndpoint {
    EventsHubEndpoint::new(
        "https://hub.example",
        EventsHubOptions {
            channels: vec!["pdfm".into()],
            credentials,
            ..EventsHubOptions::default()
        },
    )
    .unwrap()
}

fn every_credential() -> Vec<LoginCredentials> {
    vec![
        LoginCredentials::Email {
            email: "root@example.com".into(),
            password: Secret::new(PASSWORD),
        },
        LoginCredentials::Username {
            username: "admin".into(),
            password: Secret::new(PASSWORD),
        },
        LoginCredentials::ApiKey(Secret::new(API_KEY)),
    ]
}

#[test]
fn the_secret_types() {
    let t = token();
    check_both("Token", &t);
    check_debug(
        "Option<Vec<Token>>",
        &Some(vec![t.clone(), Secret::new(PASSWORD)]),
    );
    assert_eq!(format!("{t:?}"), "Secret(***)");
    assert_eq!(t.to_string(), "***");
    for c in every_credential() {
        check_debug("LoginCredentials", &c);
    }
    check_debug(
        "api_key_from_parts",
        &LoginCredentials::api_key_from_parts("k", &Secret::new(PASSWORD)),
    );
}

#[test]
fn connect_targets() {
    let ce_sub = CloudEventsEndpoint::new(
        "wss://ce.example/s",
        CloudEventsOptions {
            credentials: Credentials::kubernetes_subprotocol(),
            ..CloudEventsOptions::default()
        },
    )
    .unwrap();
    let ce_query = CloudEventsEndpoint::new(
        "wss://ce.example/s?x=1",
        CloudEventsOptions {
            credentials: Credentials::Query { name: "token".into() },
            ..CloudEventsOptions::default()
        },
    )
    .unwrap();
    let targets = [
        hub(Credentials::access_token_query())
            .target(Some(&token()))
            .unwrap(),
        hub(Credentials::Query {
            name: "authorization".into(),
        })
        .target(Some(&token()))
        .unwrap(),
        ce_sub.target(Some(&token())).unwrap(),
        ce_query.target(Some(&token())).unwrap(),
    ];
    for t in &targets {
        assert!(t.sends_token());
        check_both("ConnectTarget", t);
        assert_clean("redacted_url", t.redacted_url());
        assert_clean("redacted_protocols", &t.redacted_protocols().join(" "));
        // The secret is there for the socket, and only there.
        let exposed = format!("{} {}", t.expose_url(), t.expose_protocols().join(" "));
        assert!(
            exposed.contains(&encode_component(TOKEN)) || exposed.contains(&URL_SAFE_NO_PAD.encode(TOKEN)),
            "{t}"
        );
        // The general log redactor agrees with the target's own rendering.
        assert_clean("redact_url", &redact_url(t.expose_url(), &["token"]));
        assert_eq!(redact_url(t.expose_url(), &["token"]), t.redacted_url());
        assert!(
            t.redacted_url().contains("=***") || t.redacted_protocols().iter().any(|p| p.ends_with("***"))
        );
    }
    check_debug(
        "endpoints",
        &(hub(Credentials::access_token_query()), &ce_sub, &ce_query),
    );
}

#[test]
fn login_cache_requests_and_steps() {
    let e = hub(Credentials::access_token_query());
    for credentials in every_credential() {
        let mut c = LoginTokenCache::new(&e, credentials).unwrap();
        check_debug("LoginTokenCache (empty)", &c);
        let request = c.login_request();
        check_debug("login HttpRequest", &request);
        let body: serde_json::Value = serde_json::from_str(request.expose_body()).unwrap();
        assert!(body
            .get("password")
            .or(body.get("api_key"))
            .is_some_and(|s| s == PASSWORD || s == API_KEY));
        check_debug("LoginStep::Login", &c.next(0));
        let body =
            serde_json::json!({"email": "a", "token": TOKEN, "expires_at": 4_000_000_000u64}).to_string();
        let t = c.handle_login_response(200, &body, 0).unwrap();
        check_debug("LoginTokenCache (with token)", &c);
        let step = c.next(1);
        assert!(matches!(step, LoginStep::Ready(_)));
        check_debug("LoginStep::Ready", &step);
        check_debug("validate HttpRequest", &c.validate_request(&t));
    }
}

#[test]
fn login_errors_scrub_what_the_server_echoes() {
    let e = hub(Credentials::access_token_query());
    for credentials in every_credential() {
        for status in [400, 401, 403, 404, 500, 502] {
            for body in [
                serde_json::json!({"error_description": format!("bad password {PASSWORD} / key {API_KEY}")})
                    .to_string(),
                format!("plain text echo: {PASSWORD} {API_KEY}"),
            ] {
                let mut c = LoginTokenCache::new(&e, credentials.clone()).unwrap();
                let err = c.handle_login_response(status, &body, 0).unwrap_err();
                // Scrubbing replaces only the secret the cache holds; the other is not a secret of
                // this login, but the test's credentials hold one at a time, so check that one.
                let own = match &credentials {
                    LoginCredentials::ApiKey(_) => API_KEY,
                    _ => PASSWORD,
                };
                let text = format!("{err} {err:?}");
                assert!(!text.contains(own), "{text}");
            }
        }
        let mut c = LoginTokenCache::new(&e, credentials.clone()).unwrap();
        let err = c.handle_login_failure(&format!("fetch failed for body with {PASSWORD} {API_KEY}"));
        let own = match &credentials {
            LoginCredentials::ApiKey(_) => API_KEY,
            _ => PASSWORD,
        };
        assert!(!format!("{err} {err:?}").contains(own));
    }
    // serde would quote a wrong-typed value; the error must not.
    let mut c = LoginTokenCache::new(&e, every_credential().remove(0)).unwrap();
    for body in [
        serde_json::json!({"email": "a", "token": "t", "expires_at": TOKEN}).to_string(),
        serde_json::json!({"email": TOKEN, "token": 1, "expires_at": 1}).to_string(),
        serde_json::json!({"email": 7, "token": TOKEN, "expires_at": 1}).to_string(),
        format!("{{\"token\": \"{TOKEN}\", \"expires_at\": "),
        format!("not json {TOKEN}"),
    ] {
        let err = c.handle_login_response(200, &body, 0).unwrap_err();
        assert!(matches!(err, LoginError::MalformedResponse { .. }));
        check_both("MalformedResponse", &err);
    }
    // The token check's errors never quote the token checked.
    for (status, body) in [
        (500, format!("token {TOKEN} check failed")),
        (200, format!("{{\"valid\": \"{TOKEN}\"}}")),
        (
            502,
            serde_json::json!({"message": format!("bad {TOKEN}")}).to_string(),
        ),
    ] {
        let err = parse_validate_response(&token(), status, &body).unwrap_err();
        check_both("validate error", &err);
    }
}

#[test]
fn endpoint_errors_with_a_secret_in_their_input() {
    let mut errors: Vec<EndpointError> = Vec::new();
    let bases = [
        format!("wss://admin:{TOKEN}@hub.example"),
        format!("wss://{PASSWORD}@hub.example"),
        format!("wss://hub.example/?access_token={}", encode_component(TOKEN)),
        format!(
            "wss://hub.example/?Authorization=Bearer%20{}",
            encode_component(TOKEN)
        ),
        format!("wss://hub.example/#access_token={TOKEN}"),
        format!("wss://hub.example:{TOKEN}"),
        format!("wss://[{TOKEN}]"),
        format!("wss://{TOKEN}"),
        format!("wss://hub.example/{TOKEN}\\"),
        format!("{TOKEN}://hub.example"),
        format!("{API_KEY}://hub.example"),
        TOKEN.to_owned(),
        API_KEY.to_owned(),
    ];
    for base in &bases {
        let err = EventsHubEndpoint::new(base, EventsHubOptions::default()).unwrap_err();
        errors.push(err);
        errors.push(LxdEndpoint::new(base, LxdOptions::default()).unwrap_err());
        if let Err(e) = BaseUrl::parse(base) {
            errors.push(EndpointError::InvalidBase(e));
        }
    }
    let hub = hub(Credentials::access_token_query());
    errors.push(hub.target(Some(&Token::new(""))).unwrap_err());
    errors.push(hub.target(None).unwrap_err());
    let lxd = LxdEndpoint::new("https://lxd", LxdOptions::default()).unwrap();
    errors.push(lxd.target(Some(&token())).unwrap_err());
    errors.push(token_subprotocol("a/b.", &token()).unwrap_err());
    errors.push(
        EventsHubEndpoint::new(
            "ws://hub.example",
            EventsHubOptions {
                credentials: Credentials::access_token_query(),
                ..EventsHubOptions::default()
            },
        )
        .unwrap_err(),
    );
    assert!(errors.len() > 30);
    for err in &errors {
        check_both("EndpointError", err);
    }
}
