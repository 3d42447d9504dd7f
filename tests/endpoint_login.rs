#![cfg(not(target_arch = "wasm32"))]
#![cfg(feature = "events-hub")]
//! The Events Hub login token cache, driven by a fake clock: requests, renewal margin, expiry,
//! clock skew, error classification, and the token check.

use infra_events::endpoint::{
    parse_validate_response, Credentials, EndpointError, EventsHubEndpoint, EventsHubOptions,
    LoginCredentials, LoginError, LoginStep, LoginTokenCache, Secret, Token, TokenValidity,
    DEFAULT_RENEW_MARGIN_MS, ERROR_DETAIL_CHARS, SKEWED_TOKEN_GRACE_MS,
};
use serde_json::{json, Value};

/// A fake wall clock, unix milliseconds.
struct Clock(u64);

impl Clock {
    fn start() -> Clock {
        Clock(1_786_000_000_000)
    }
    fn now(&self) -> u64 {
        self.0
    }
    fn advance(&mut self, ms: u64) -> u64 {
        self.0 += ms;
        self.0
    }
}

fn endpoint(base: &str) -> EventsHubEndpoint {
    EventsHubEndpoint::new(base, EventsHubOptions::default()).unwrap()
}

fn user() -> LoginCredentials {
    LoginCredentials::Username {
        username: "admin".into(),
        password: Secret::new("s3cret-pw"),
    }
}

fn cache() -> LoginTokenCache {
    LoginTokenCache::new(&endpoint("https://hub.example:8443/devops"), user()).unwrap()
}

/// A login answer as the server writes it, for a token living `lifetime_s` from `now_ms`.
fn answer(token: &str, now_ms: u64, lifetime_s: i64) -> String {
    let expires_at = (now_ms / 1000) as i64 + lifetime_s;
    json!({"email": "admin@localhost", "token": token, "expires_at": expires_at}).to_string()
}

fn expect_login(step: LoginStep) {
    assert!(
        matches!(step, LoginStep::Login(_)),
        "expected a login, got {step:?}"
    );
}

fn expect_ready(step: LoginStep, token: &str) {
    match step {
        LoginStep::Ready(t) => assert_eq!(t.expose_secret(), token),
        other => panic!("expected {token} ready, got {other:?}"),
    }
}

#[test]
fn login_requests_for_every_kind_of_credentials() {
    let e = endpoint("https://hub.example:8443/devops");
    let cases = [
        (user(), json!({"username": "admin", "password": "s3cret-pw"})),
        (
            LoginCredentials::Email {
                email: "root@example.com".into(),
                password: Secret::new("p\"w\\"),
            },
            json!({"email": "root@example.com", "password": "p\"w\\"}),
        ),
        (
            LoginCredentials::ApiKey(Secret::new("c2ltOmluZnJhLWV2ZW50cy1zaW0=")),
            json!({"api_key": "c2ltOmluZnJhLWV2ZW50cy1zaW0="}),
        ),
        (
            LoginCredentials::api_key_from_parts("sim", &Secret::new("infra-events-sim")),
            json!({"api_key": "c2ltOmluZnJhLWV2ZW50cy1zaW0="}),
        ),
    ];
    for (credentials, body) in cases {
        let c = LoginTokenCache::new(&e, credentials).unwrap();
        let request = c.login_request();
        assert_eq!(request.method(), "POST");
        assert_eq!(request.url(), "https://hub.example:8443/devops/api/v1/auth/token");
        assert_eq!(request.path(), "/devops/api/v1/auth/token");
        assert_eq!(request.content_type(), "application/json");
        assert_eq!(
            serde_json::from_str::<Value>(request.expose_body()).unwrap(),
            body
        );
        assert_eq!(c.next(0), LoginStep::Login(request));
    }
}

#[test]
fn token_reused_until_the_margin_then_renewed() {
    let mut clock = Clock::start();
    let mut c = cache();
    expect_login(c.next(clock.now()));
    let t1 = c
        .handle_login_response(200, &answer("T1", clock.now(), 900), clock.now())
        .unwrap();
    assert_eq!(t1.expose_secret(), "T1");
    assert_eq!(c.email(), Some("admin@localhost"));
    let expires = c.expires_at_ms().unwrap();
    assert_eq!(expires, (clock.now() / 1000 + 900) * 1000);
    assert_eq!(c.renew_at_ms(), Some(expires - DEFAULT_RENEW_MARGIN_MS));
    expect_ready(c.next(clock.now()), "T1");
    expect_ready(c.next(clock.advance(600_000)), "T1");
    // The last millisecond before the margin, then the margin itself.
    let renew_at = expires - DEFAULT_RENEW_MARGIN_MS;
    clock.0 = renew_at - 1;
    expect_ready(c.next(clock.now()), "T1");
    clock.0 = renew_at;
    expect_login(c.next(clock.now()));
    assert_eq!(c.current(clock.now()), None);
    // Renewed: the new token is handed out from now on.
    c.handle_login_response(200, &answer("T2", clock.now(), 900), clock.now())
        .unwrap();
    expect_ready(c.next(clock.advance(1)), "T2");
}

#[test]
fn token_expiring_between_reconnects_is_never_reused() {
    let mut clock = Clock::start();
    let mut c = cache();
    c.handle_login_response(200, &answer("OLD", clock.now(), 900), clock.now())
        .unwrap();
    expect_ready(c.next(clock.now()), "OLD");
    // The socket stays up for an hour (the server checks the token only at the upgrade), then
    // drops: the reconnect must log in again rather than offer the expired token.
    clock.advance(3_600_000);
    expect_login(c.next(clock.now()));
    assert_eq!(c.current(clock.now()), None);
}

#[test]
fn renewal_margin_is_configurable() {
    let clock = Clock::start();
    let mut c = cache().with_renew_margin_ms(5_000);
    c.handle_login_response(200, &answer("T", clock.now(), 60), clock.now())
        .unwrap();
    let expires = c.expires_at_ms().unwrap();
    expect_ready(c.next(expires - 5_001), "T");
    expect_login(c.next(expires - 5_000));
    // Changing the margin applies to the cached token too.
    let c = c.with_renew_margin_ms(20_000);
    expect_login(c.next(expires - 5_001));
    expect_ready(c.next(expires - 20_001), "T");
}

#[test]
fn short_lived_token_used_for_half_its_life() {
    // A 30 s token with the 60 s margin would be stale on arrival; it is used for 15 s instead.
    let clock = Clock::start();
    let now = clock.now() / 1000 * 1000;
    let mut c = cache();
    c.handle_login_response(200, &answer("T", now, 30), now).unwrap();
    expect_ready(c.next(now + 14_999), "T");
    expect_login(c.next(now + 15_000));
}

#[test]
fn a_token_expired_on_arrival_gets_a_grace_and_a_warning() {
    // The local clock is an hour ahead of the server's: by it, every token arrives expired.
    let clock = Clock::start();
    let mut c = cache();
    c.handle_login_response(200, &answer("T", clock.now(), -3_600 + 900), clock.now())
        .unwrap();
    assert!(c.clock_skew_suspected());
    expect_ready(c.next(clock.now()), "T");
    expect_ready(c.next(clock.now() + SKEWED_TOKEN_GRACE_MS - 1), "T");
    expect_login(c.next(clock.now() + SKEWED_TOKEN_GRACE_MS));
    // A normal token clears the warning.
    c.handle_login_response(200, &answer("T2", clock.now(), 900), clock.now())
        .unwrap();
    assert!(!c.clock_skew_suspected());
}

#[test]
fn a_clock_that_jumps_back_is_not_trusted() {
    let mut clock = Clock::start();
    let mut c = cache();
    c.handle_login_response(200, &answer("T", clock.now(), 900), clock.now())
        .unwrap();
    expect_ready(c.next(clock.now() - 500), "T");
    clock.0 -= 5_000;
    expect_login(c.next(clock.now()));
}

#[test]
fn failures_classified() {
    let now = Clock::start().now();
    let cases: Vec<(u16, &str, LoginError)> = vec![
        (
            401,
            r#"{"error":"unauthorized_client","error_description":"invalid credentials"}"#,
            LoginError::Unauthorized {
                status: 401,
                detail: "invalid credentials".into(),
            },
        ),
        (
            400,
            r#"{"message":"invalid request body","diagnostics":{},"code":400}"#,
            LoginError::Unauthorized {
                status: 400,
                detail: "invalid request body".into(),
            },
        ),
        (
            403,
            "Forbidden",
            LoginError::Unauthorized {
                status: 403,
                detail: "Forbidden".into(),
            },
        ),
        (
            500,
            r#"{"error":"database down"}"#,
            LoginError::Transport {
                status: Some(500),
                detail: "database down".into(),
            },
        ),
        (
            503,
            r#"{"message":"emitter not running","code":503}"#,
            LoginError::Transport {
                status: Some(503),
                detail: "emitter not running".into(),
            },
        ),
        (
            404,
            "",
            LoginError::Transport {
                status: Some(404),
                detail: String::new(),
            },
        ),
        (
            429,
            " slow down \n",
            LoginError::Transport {
                status: Some(429),
                detail: "slow down".into(),
            },
        ),
    ];
    for (status, body, expected) in cases {
        let mut c = cache();
        let err = c.handle_login_response(status, body, now).unwrap_err();
        assert_eq!(err, expected, "{status}");
        assert_eq!(err.is_auth_failure(), matches!(status, 400 | 401 | 403));
        assert!(err.to_string().contains(&status.to_string()));
    }
    let mut c = cache();
    let err = c.handle_login_failure("TypeError: Failed to fetch");
    assert_eq!(
        err,
        LoginError::Transport {
            status: None,
            detail: "TypeError: Failed to fetch".into()
        }
    );
    assert!(err.to_string().contains("could not be reached"));
}

#[test]
fn malformed_answers() {
    let now = Clock::start().now();
    for body in [
        "<html>proxy login</html>",
        "",
        r#"{"email":"a","token":"t"}"#,
        r#"{"email":"a","expires_at":1786000900}"#,
        r#"{"email":"a","token":"","expires_at":1786000900}"#,
        r#"{"email":"a","token":"t","expires_at":-5}"#,
        r#"{"email":"a","token":"t","expires_at":"1786000900"}"#,
        r#"{"email":"a","token":42,"expires_at":1786000900}"#,
        r#"{"email":"a","token":"t","expires_at":1786000900"#,
    ] {
        let mut c = cache();
        let err = c.handle_login_response(200, body, now).unwrap_err();
        assert!(
            matches!(err, LoginError::MalformedResponse { .. }),
            "{body}: {err:?}"
        );
        assert_eq!(c.current(now), None);
    }
    // A missing `email` is tolerated: only the token and its expiry matter.
    let mut c = cache();
    c.handle_login_response(200, r#"{"token":"t","expires_at":1786000900}"#, now)
        .unwrap();
    assert_eq!(c.email(), Some(""));
}

#[test]
fn refusal_drops_the_token_a_network_failure_does_not() {
    let now = Clock::start().now();
    let mut c = cache();
    c.handle_login_response(200, &answer("T", now, 900), now).unwrap();
    c.handle_login_response(503, "down", now + 1).unwrap_err();
    expect_ready(c.next(now + 2), "T");
    c.handle_login_failure("offline");
    expect_ready(c.next(now + 3), "T");
    c.handle_login_response(401, "{}", now + 4).unwrap_err();
    expect_login(c.next(now + 5));
}

#[test]
fn long_error_text_truncated() {
    let mut c = cache();
    let body = "x".repeat(5_000);
    let LoginError::Transport { detail, .. } = c.handle_login_response(502, &body, 0).unwrap_err() else {
        panic!("transport error expected");
    };
    assert_eq!(detail.chars().count(), ERROR_DETAIL_CHARS + 1);
    assert!(detail.ends_with('…'));
}

#[test]
fn token_check() {
    let now = Clock::start().now();
    let mut c = cache();
    let token = c.handle_login_response(200, &answer("T", now, 900), now).unwrap();
    let request = c.validate_request(&token);
    assert_eq!(request.method(), "POST");
    assert_eq!(
        request.url(),
        "https://hub.example:8443/devops/api/v1/auth/token/validate"
    );
    assert_eq!(
        serde_json::from_str::<Value>(request.expose_body()).unwrap(),
        json!({"token": "T"})
    );
    let t = Token::new("T");
    assert_eq!(
        parse_validate_response(&t, 200, r#"{"valid":true}"#),
        Ok(TokenValidity::Valid)
    );
    assert_eq!(
        parse_validate_response(&t, 200, r#"{"valid":false}"#),
        Ok(TokenValidity::Invalid)
    );
    assert_eq!(
        parse_validate_response(&t, 401, r#"{"error":"unauthorized_client"}"#),
        Ok(TokenValidity::Invalid)
    );
    assert_eq!(
        parse_validate_response(&t, 400, "token is required"),
        Ok(TokenValidity::Invalid)
    );
    assert!(matches!(
        parse_validate_response(&t, 500, "oops"),
        Err(LoginError::Transport {
            status: Some(500),
            ..
        })
    ));
    assert!(matches!(
        parse_validate_response(&t, 200, "<html>"),
        Err(LoginError::MalformedResponse { .. })
    ));
    // A valid answer keeps the token; a refusal of the cached token forgets it.
    assert_eq!(
        c.handle_validate_response(&t, 200, r#"{"valid":true}"#),
        Ok(TokenValidity::Valid)
    );
    expect_ready(c.next(now), "T");
    assert_eq!(
        c.handle_validate_response(&Token::new("OTHER"), 401, "{}"),
        Ok(TokenValidity::Invalid)
    );
    expect_ready(c.next(now), "T");
    assert_eq!(
        c.handle_validate_response(&t, 401, "{}"),
        Ok(TokenValidity::Invalid)
    );
    expect_login(c.next(now));
    // Invalidating by hand (for example after a USER_UPDATED for oneself) does the same.
    c.handle_login_response(200, &answer("T3", now, 900), now)
        .unwrap();
    c.invalidate();
    expect_login(c.next(now));
}

#[test]
fn login_over_plain_http_only_to_loopback() {
    for base in [
        "http://localhost:8080",
        "http://127.0.0.1",
        "ws://[::1]:80",
        "https://hub.example",
    ] {
        assert!(LoginTokenCache::new(&endpoint(base), user()).is_ok(), "{base}");
    }
    let e = EventsHubEndpoint::new(
        "http://hub.example",
        EventsHubOptions {
            credentials: Credentials::None,
            ..EventsHubOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        LoginTokenCache::new(&e, user()).err(),
        Some(EndpointError::InsecureTransport {
            host: "hub.example".into()
        })
    );
    let allowed = EventsHubEndpoint::new(
        "http://hub.example",
        EventsHubOptions {
            allow_insecure_transport: true,
            ..EventsHubOptions::default()
        },
    )
    .unwrap();
    let c = LoginTokenCache::new(&allowed, user()).unwrap();
    assert_eq!(c.login_request().url(), "http://hub.example/api/v1/auth/token");
}
