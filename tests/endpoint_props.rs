#![cfg(not(target_arch = "wasm32"))]
#![cfg(all(feature = "events-hub", feature = "cloudevents"))]
//! Properties: percent-encoding and base64url round trips, the token surviving the URL, redaction
//! for any token, the base URL parser on any input, the transport rule on any IPv4 address, and
//! the login cache never handing out a token past its renewal point.

use std::net::Ipv4Addr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use infra_events::endpoint::{
    decode_component, encode_component, is_valid_subprotocol, normalize_channels, token_subprotocol, BaseUrl,
    CloudEventsEndpoint, CloudEventsOptions, Credentials, EndpointError, EventsHubEndpoint, EventsHubOptions,
    LoginCredentials, LoginStep, LoginTokenCache, Secret, Token,
};
use proptest::prelude::*;

/// The value of the first `name=` parameter of a URL's query, still encoded.
fn query_param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

fn hub(channels: Vec<String>, credentials: Credentials) -> EventsHubEndpoint {
    EventsHubEndpoint::new(
        "https://hub.example/devops",
        EventsHubOptions {
            channels,
            credentials,
            ..EventsHubOptions::default()
        },
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn percent_encoding_round_trips(text in any::<String>()) {
        let encoded = encode_component(&text);
        prop_assert!(encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(decode_component(&encoded).unwrap(), text);
    }

    #[test]
    fn percent_decoding_never_panics(text in "[%0-9a-fA-FzZ+ é]{0,24}") {
        if let Ok(decoded) = decode_component(&text) {
            // Re-encoding gives a text that decodes to the same.
            prop_assert_eq!(decode_component(&encode_component(&decoded)).unwrap(), decoded);
        }
    }

    #[test]
    fn token_subprotocol_round_trips(
        prefix in "[a-z0-9.!#$&'*+^_`|~-]{0,40}",
        token in any::<String>(),
    ) {
        let made = token_subprotocol(&prefix, &Token::new(token.clone()));
        if prefix.is_empty() && token.is_empty() {
            // Nothing to send: an empty protocol name is not a token, so it is refused.
            prop_assert!(made.is_err());
            return Ok(());
        }
        let protocol = made.unwrap();
        let protocol = protocol.expose_secret();
        prop_assert!(is_valid_subprotocol(protocol));
        let encoded = protocol.strip_prefix(prefix.as_str()).unwrap();
        prop_assert!(!encoded.contains('='), "no padding");
        prop_assert_eq!(URL_SAFE_NO_PAD.decode(encoded).unwrap(), token.as_bytes());
    }

    #[test]
    fn token_arrives_unchanged_in_the_query(token in ".{1,64}", authorization in any::<bool>()) {
        let name = if authorization { "authorization" } else { "access_token" };
        let e = hub(vec!["pdfm".into()], Credentials::Query { name: name.into() });
        let target = e.target(Some(&Token::new(token.clone()))).unwrap();
        let url = target.expose_url();
        prop_assert!(url.is_ascii() && !url.contains(' ') && !url.contains('#'));
        let value = query_param(url, name).unwrap();
        prop_assert_eq!(decode_component(value).unwrap(), token.clone());
        prop_assert_eq!(query_param(target.redacted_url(), name), Some("***"));
        // The redacted rendering is the URL with only the token's value replaced.
        prop_assert_eq!(target.redacted_url(), url.replace(&format!("{name}={value}"), &format!("{name}=***")));
    }

    #[test]
    fn channels_arrive_as_normalized(channels in prop::collection::vec("[ a-zA-Z_é,&=+%]{0,12}", 0..6)) {
        let normalized = normalize_channels(&channels);
        let e = hub(channels, Credentials::None);
        let target = e.target(None).unwrap();
        match query_param(target.expose_url(), "event_types") {
            None => prop_assert!(normalized.is_empty()),
            Some(value) => {
                // What a server does: split on ',' and decode each name.
                let names: Vec<String> = value.split(',').map(|n| decode_component(n).unwrap()).collect();
                prop_assert_eq!(names, normalized);
            }
        }
    }

    #[test]
    fn no_rendering_shows_the_token(token in "[A-Za-z0-9 +/=&%?#é_-]{12,40}") {
        let t = Token::new(token.clone());
        let ce = CloudEventsEndpoint::new(
            "wss://ce.example/s",
            CloudEventsOptions { credentials: Credentials::kubernetes_subprotocol(), ..CloudEventsOptions::default() },
        )
        .unwrap();
        let targets = [
            hub(vec![], Credentials::access_token_query()).target(Some(&t)).unwrap(),
            ce.target(Some(&t)).unwrap(),
        ];
        for target in &targets {
            let shown = format!(
                "{} {:?} {} {}",
                target,
                target,
                target.redacted_url(),
                target.redacted_protocols().join(" ")
            );
            for form in [token.clone(), encode_component(&token), URL_SAFE_NO_PAD.encode(&token)] {
                prop_assert!(!shown.contains(&form), "{} in {}", form, shown);
            }
        }
        let shown = format!("{t:?} {t}");
        prop_assert!(!shown.contains(&token));
    }

    #[test]
    fn base_parser_never_panics_and_is_stable(text in "(ws|wss|http|https|ftp|)(://|:/|:|)[a-zA-Z0-9.:\\[\\]@/?#%_ -]{0,30}") {
        if let Ok(base) = BaseUrl::parse(&text) {
            // Writing the parsed URL out and parsing it again gives the same URL.
            let query = base.query().map(|q| format!("?{q}")).unwrap_or_default();
            let again = BaseUrl::parse(&format!("{}{}{query}", base.ws_origin(), base.path())).unwrap();
            prop_assert_eq!(again, base);
        }
    }

    #[test]
    fn any_text_as_base_never_panics(text in any::<String>()) {
        let _ = BaseUrl::parse(&text);
        let _ = EventsHubEndpoint::new(&text, EventsHubOptions::default());
    }

    #[test]
    fn unencrypted_tokens_go_to_loopback_only(octets in any::<[u8; 4]>(), port in any::<u16>(), allow in any::<bool>()) {
        let addr = Ipv4Addr::from(octets);
        let options = EventsHubOptions { allow_insecure_transport: allow, ..EventsHubOptions::default() };
        let result = EventsHubEndpoint::new(&format!("ws://{addr}:{port}"), options);
        if octets[0] == 127 || allow {
            prop_assert!(result.unwrap().target(Some(&Token::new("t"))).is_ok());
        } else {
            prop_assert_eq!(result.err(), Some(EndpointError::InsecureTransport { host: addr.to_string() }));
        }
    }

    #[test]
    fn cached_token_never_handed_out_past_its_renewal(
        received in 1_000_000_000_000u64..2_000_000_000_000,
        lifetime_s in -2_000i64..20_000,
        margin in 0u64..200_000,
        queries in prop::collection::vec(-5_000i64..25_000_000, 1..20),
    ) {
        let e = EventsHubEndpoint::new("https://hub.example", EventsHubOptions::default()).unwrap();
        let credentials = LoginCredentials::ApiKey(Secret::new("k"));
        let mut cache = LoginTokenCache::new(&e, credentials).unwrap().with_renew_margin_ms(margin);
        let expires_at = (received / 1000) as i64 + lifetime_s;
        prop_assume!(expires_at >= 0);
        let body = format!(r#"{{"email":"a","token":"T","expires_at":{expires_at}}}"#);
        cache.handle_login_response(200, &body, received).unwrap();
        let expires_ms = expires_at as u64 * 1000;
        // Right after the login, the new token is usable: the driver never loops on logins.
        prop_assert!(matches!(cache.next(received), LoginStep::Ready(_)));
        for q in queries {
            let now = (received as i64 + q) as u64;
            if let LoginStep::Ready(_) = cache.next(now) {
                prop_assert!(now + 1_000 >= received, "a clock that went back is not trusted");
                if expires_ms > received {
                    let lifetime = expires_ms - received;
                    prop_assert!(now < expires_ms, "never an expired token");
                    prop_assert!(expires_ms - now > margin.min(lifetime / 2));
                } else {
                    prop_assert!(cache.clock_skew_suspected());
                    prop_assert!(now < received + infra_events::endpoint::SKEWED_TOKEN_GRACE_MS);
                }
            }
        }
    }
}
