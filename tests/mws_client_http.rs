#![cfg(all(not(target_arch = "wasm32"), feature = "mws"))]
//! The MWS client's requests and responses: base URLs, Basic auth that never shows its secret,
//! get-one and create requests, MWS's create restrictions checked before sending, errors typed by
//! status, and reading every page.

use infra_events::decode::DecodeErrorKind;
use infra_events::mws_client::{
    BasicAuth, ConfigError, CreateError, CredentialsError, Filter, HttpMethod, HttpResponse, ListQuery,
    MwsClient, MwsClientOptions, MwsDate, MwsError, NewMwsEvent, PagePlan, QueryError, ServerMessages,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const PASSWORD: &str = "s3cret-Pa55";

fn auth() -> BasicAuth {
    BasicAuth::new("admin", PASSWORD).unwrap()
}

fn client(base: &str) -> Result<MwsClient, ConfigError> {
    MwsClient::new(MwsClientOptions {
        base_url: base.into(),
        credentials: Some(auth()),
        allow_insecure_transport: false,
    })
}

fn https() -> MwsClient {
    client("https://moab.example.com:8080").unwrap()
}

fn event_json(id: &str, date: &str) -> Value {
    json!({"arguments": [], "associatedObjects": [{"type": "VM", "id": "vm1"}], "code": 234881023,
           "eventDate": date, "eventType": "VM Provision", "message": null, "origin": "CSA Plugin",
           "severity": "INFO", "id": id})
}

// ---- base URL and credentials ------------------------------------------------------------------------

#[test]
fn base_urls_are_normalized() {
    for (given, used) in [
        ("https://moab.example.com:8080", "https://moab.example.com:8080"),
        ("https://moab.example.com:8080/", "https://moab.example.com:8080"),
        (
            "https://moab.example.com:8080/mws",
            "https://moab.example.com:8080",
        ),
        (
            "https://moab.example.com:8080/mws/",
            "https://moab.example.com:8080",
        ),
        ("HTTPS://moab.example.com/hpc/", "https://moab.example.com/hpc"),
        ("https://example.com/hpc/mws", "https://example.com/hpc"),
        ("https://example.com/mwsx", "https://example.com/mwsx"),
        ("https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"),
        ("https://10.0.0.5", "https://10.0.0.5"),
        ("", ""),
        ("/", ""),
        ("/mws", ""),
        ("/hpc/", "/hpc"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://127.0.0.1:8080/mws", "http://127.0.0.1:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ] {
        assert_eq!(client(given).unwrap().base_url(), used, "{given}");
    }
    let r = client("https://moab.example.com:8080/mws")
        .unwrap()
        .get("x")
        .unwrap();
    assert_eq!(
        r.url(),
        "https://moab.example.com:8080/mws/rest/events/x?api-version=3"
    );
    assert_eq!(
        client("/hpc").unwrap().get("x").unwrap().url(),
        "/hpc/mws/rest/events/x?api-version=3",
        "a same-origin base gives a relative URL"
    );
}

#[test]
fn bad_base_urls_are_refused() {
    for (given, error) in [
        ("ftp://moab.example.com", ConfigError::UnsupportedScheme),
        ("ws://moab.example.com", ConfigError::UnsupportedScheme),
        ("moab.example.com:8080", ConfigError::UnsupportedScheme),
        ("//moab.example.com", ConfigError::UnsupportedScheme),
        ("https://", ConfigError::InvalidHost),
        ("https://:8080", ConfigError::InvalidHost),
        ("https://moab.example.com:99999", ConfigError::InvalidHost),
        ("https://moab.example.com:80a", ConfigError::InvalidHost),
        ("https://moab..example.com", ConfigError::InvalidHost),
        ("https://[zz::1]", ConfigError::InvalidHost),
        ("https://admin:pw@moab.example.com", ConfigError::UserInfo),
        ("https://moab.example.com/?x=1", ConfigError::QueryOrFragment),
        ("https://moab.example.com/#top", ConfigError::QueryOrFragment),
        ("https://moab.example.com/a b", ConfigError::ForbiddenCharacter),
        ("https://moab.example.com\\mws", ConfigError::ForbiddenCharacter),
        ("https://moab.example.com/\n", ConfigError::ForbiddenCharacter),
        ("https://moäb.example.com", ConfigError::ForbiddenCharacter),
    ] {
        assert_eq!(client(given), Err(error), "{given}");
    }
}

#[test]
fn credentials_never_travel_over_plain_http_to_another_host_unless_allowed() {
    assert_eq!(
        client("http://moab.example.com:8080"),
        Err(ConfigError::InsecureTransport)
    );
    assert_eq!(client("http://10.1.2.3"), Err(ConfigError::InsecureTransport));
    assert!(client("http://127.5.6.7:8080").is_ok());
    assert!(client("http://LOCALHOST").is_ok());
    let insecure = MwsClient::new(MwsClientOptions {
        base_url: "http://moab.example.com:8080".into(),
        credentials: Some(auth()),
        allow_insecure_transport: true,
    });
    assert!(insecure.is_ok());
    let without_credentials = MwsClient::new(MwsClientOptions {
        base_url: "http://moab.example.com:8080".into(),
        ..Default::default()
    })
    .unwrap();
    let r = without_credentials.get("x").unwrap();
    assert!(!r.has_credentials());
    assert!(r.headers().iter().all(|(name, _)| *name != "Authorization"));
    let message = ConfigError::InsecureTransport.to_string();
    assert!(message.contains("https://"), "{message}");
}

#[test]
fn basic_auth_header_and_its_secrecy() {
    assert_eq!(
        BasicAuth::new("admin", "admin").unwrap().header_value(),
        "Basic YWRtaW46YWRtaW4="
    );
    assert_eq!(
        BasicAuth::new("Aladdin", "open sesame").unwrap().header_value(),
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        "RFC 7617's example"
    );
    assert_eq!(
        BasicAuth::new("test", "123£").unwrap().header_value(),
        "Basic dGVzdDoxMjPCow==",
        "RFC 7617's UTF-8 example"
    );
    assert_eq!(
        BasicAuth::new("app", "").unwrap().header_value(),
        "Basic YXBwOg=="
    );
    assert_eq!(BasicAuth::new("", "x"), Err(CredentialsError::EmptyUser));
    assert_eq!(BasicAuth::new("a:b", "x"), Err(CredentialsError::ColonInUser));
    assert_eq!(
        BasicAuth::new("a\nb", "x"),
        Err(CredentialsError::ControlCharacter { field: "user" })
    );
    assert_eq!(
        BasicAuth::new("a", "x\r\nX-Evil: 1"),
        Err(CredentialsError::ControlCharacter { field: "password" })
    );
    assert!(
        BasicAuth::new("a", "p:with:colons").is_ok(),
        "a password may hold ':'"
    );

    // Nothing that can be logged shows the password or the encoded header.
    let encoded = auth().header_value();
    let encoded = encoded.trim_start_matches("Basic ");
    let c = https();
    let create = c
        .create(&NewMwsEvent::new("VM Provision", "CSA Plugin", "INFO"))
        .unwrap();
    let shown = [
        format!("{:?}", auth()),
        format!("{:#?}", auth()),
        format!("{c:?}"),
        format!("{:?}", c.get("x").unwrap()),
        format!("{create:?}"),
        format!("{:?}", c.pages(ListQuery::default()).unwrap()),
        format!("{:?}", client("http://moab.example.com")),
        client("http://moab.example.com").unwrap_err().to_string(),
    ];
    for text in shown {
        assert!(!text.contains(PASSWORD), "{text}");
        assert!(!text.contains(encoded), "{text}");
    }
    assert!(
        format!("{:?}", auth()).contains("admin"),
        "the user name is shown"
    );
    assert!(format!("{:?}", c.get("x").unwrap()).contains("Basic ***"));
}

// ---- requests ----------------------------------------------------------------------------------------

#[test]
fn list_requests() {
    let r = https()
        .list(
            &ListQuery::new(Filter::new().eq("severity", "ERROR"))
                .sort_desc("id")
                .max(5),
        )
        .unwrap();
    assert_eq!(r.method(), HttpMethod::Get);
    assert_eq!(r.method().as_str(), "GET");
    assert_eq!(
        r.url(),
        "https://moab.example.com:8080/mws/rest/events?api-version=3&query=%7B%22severity%22%3A%22ERROR%22%7D&sort=%7B%22id%22%3A-1%7D&max=5"
    );
    assert_eq!(r.body(), None);
    assert_eq!(
        r.headers(),
        [
            ("Accept", "application/json".to_owned()),
            ("Authorization", "Basic YWRtaW46czNjcmV0LVBhNTU=".to_owned()),
        ]
    );
    assert_eq!(
        https()
            .list(&ListQuery::new(Filter::new().eq("", 1)))
            .unwrap_err(),
        QueryError::InvalidField { field: "".into() }
    );
}

#[test]
fn get_one_encodes_the_id_as_one_segment() {
    let c = https();
    assert_eq!(
        c.get("51b608dfc4aa708a5bebb686").unwrap().path_and_query(),
        "/mws/rest/events/51b608dfc4aa708a5bebb686?api-version=3"
    );
    assert_eq!(
        c.get("../a b/?x#y").unwrap().path_and_query(),
        "/mws/rest/events/..%2Fa%20b%2F%3Fx%23y?api-version=3"
    );
    assert_eq!(c.get("").unwrap_err(), QueryError::EmptyId);
}

#[test]
fn create_sends_mws_fields_in_the_samples_order() {
    let event = NewMwsEvent::new("VM Provision", "CSA Plugin", "INFO")
        .date(MwsDate::parse("2024-06-10 17:13:31 UTC").unwrap())
        .code(234_881_023)
        .message("The virtual machine \"vm1\" was provisioned")
        .argument("vm1")
        .associated("VM", "vm1");
    let r = https().create(&event).unwrap();
    assert_eq!(r.method(), HttpMethod::Post);
    assert_eq!(r.path_and_query(), "/mws/rest/events?api-version=3");
    assert!(r
        .headers()
        .contains(&("Content-Type", "application/json".to_owned())));
    let body = r.body().unwrap();
    assert_eq!(
        body,
        r#"{"arguments":["vm1"],"associatedObjects":[{"id":"vm1","type":"VM"}],"code":234881023,"eventDate":"2024-06-10 17:13:31 UTC","eventType":"VM Provision","message":"The virtual machine \"vm1\" was provisioned","origin":"CSA Plugin","severity":"INFO"}"#
    );
    let minimal = NewMwsEvent::new("Job Submit", "MWS/JobEvents/SUBMIT", "WARN");
    assert_eq!(
        serde_json::from_str::<Value>(&minimal.to_json()).unwrap(),
        json!({"arguments": [], "associatedObjects": [], "eventType": "Job Submit",
               "origin": "MWS/JobEvents/SUBMIT", "severity": "WARN"}),
        "eventDate, code and message left to MWS"
    );
}

#[test]
fn create_restrictions_name_the_field() {
    let ok = NewMwsEvent::new("VM Provision", "CSA Plugin", "INFO")
        .message("quotes ' and \" are fine in a message")
        .argument("and 'in' arguments")
        .associated("VM", "vm1")
        .associated("Service", "s1");
    assert!(ok.check().is_ok());
    let c = https();
    assert!(c.create(&ok).is_ok());
    let cases: Vec<(NewMwsEvent, &str, char)> = vec![
        (
            NewMwsEvent {
                origin: "CSA 'Plugin'".into(),
                ..ok.clone()
            },
            "origin",
            '\'',
        ),
        (
            NewMwsEvent {
                origin: "CSA \"Plugin\"".into(),
                ..ok.clone()
            },
            "origin",
            '"',
        ),
        (
            NewMwsEvent {
                event_type: "VM 'Provision'".into(),
                ..ok.clone()
            },
            "eventType",
            '\'',
        ),
        (
            NewMwsEvent {
                event_type: "VM \"Provision\"".into(),
                ..ok.clone()
            },
            "eventType",
            '"',
        ),
        (
            ok.clone().associated("VM", "vm'3"),
            "associatedObjects[2].id",
            '\'',
        ),
        (
            ok.clone().associated("VM", "vm\"3"),
            "associatedObjects[2].id",
            '"',
        ),
        (
            ok.clone().associated("V'M", "vm3"),
            "associatedObjects[2].type",
            '\'',
        ),
        (
            ok.clone().associated("V\"M", "vm3"),
            "associatedObjects[2].type",
            '"',
        ),
    ];
    for (event, field, quote) in cases {
        let expected = CreateError::ForbiddenQuote {
            field: field.into(),
            quote,
        };
        assert_eq!(event.check(), Err(expected.clone()), "{field}");
        assert_eq!(c.create(&event), Err(expected.clone()), "refused before sending");
        let message = expected.to_string();
        assert!(message.starts_with(field), "{message}");
        assert!(message.contains("cannot contain single quotes (') or double quotes (\")"));
    }
}

// ---- responses -----------------------------------------------------------------------------------------

#[test]
fn successes_are_typed() {
    let one = event_json("51b6093bc4aa708a5bebb6ae", "2024-06-10 17:13:31 UTC");
    let list = json!({"totalCount": 7, "resultCount": 1, "results": [one]});
    let page = HttpResponse::new(200, list.to_string()).list().unwrap();
    assert_eq!((page.total_count, page.result_count), (7, 1));
    assert_eq!(page.results[0].id, "51b6093bc4aa708a5bebb6ae");
    let event = HttpResponse::new(200, one.to_string()).event().unwrap();
    assert_eq!(event.event_type, "VM Provision");
    let mut created = one.clone();
    created["version"] = json!(0);
    created["associatedObjects"][0]["_id"] = json!("vm1");
    let made = HttpResponse::new(201, created.to_string()).created().unwrap();
    assert_eq!(made.version, Some(0));
    assert!(HttpResponse::new(200, created.to_string()).created().is_ok());
}

#[test]
fn errors_are_typed_by_status_with_mws_messages() {
    let body = |m: &str| json!({ "messages": [m, "second"] }).to_string();
    type Is = fn(&MwsError) -> bool;
    let cases: [(u16, Is); 9] = [
        (400, |e| matches!(e, MwsError::BadRequest(_))),
        (401, |e| matches!(e, MwsError::Unauthorized(_))),
        (403, |e| matches!(e, MwsError::Forbidden(_))),
        (404, |e| matches!(e, MwsError::NotFound(_))),
        (405, |e| matches!(e, MwsError::MethodNotAllowed(_))),
        (500, |e| matches!(e, MwsError::ServerError(_))),
        (502, |e| {
            matches!(e, MwsError::UnexpectedStatus { status: 502, .. })
        }),
        (429, |e| {
            matches!(e, MwsError::UnexpectedStatus { status: 429, .. })
        }),
        (204, |e| {
            matches!(e, MwsError::UnexpectedStatus { status: 204, .. })
        }),
    ];
    for (status, is) in cases {
        let text = body(&format!("problem {status}"));
        for e in [
            HttpResponse::new(status, text.clone()).list().unwrap_err(),
            HttpResponse::new(status, text.clone()).event().unwrap_err(),
            HttpResponse::new(status, text.clone()).created().unwrap_err(),
        ] {
            assert!(is(&e), "{status}: {e:?}");
            assert_eq!(e.status(), Some(status));
            assert_eq!(e.messages(), [format!("problem {status}"), "second".into()]);
            let shown = e.to_string();
            assert!(shown.contains(&status.to_string()), "{shown}");
            assert!(shown.contains(&format!("problem {status}; second")), "{shown}");
        }
    }
    for (status, retry) in [
        (400, false),
        (401, false),
        (403, false),
        (404, false),
        (405, false),
        (409, false),
        (408, true),
        (429, true),
        (500, true),
        (502, true),
        (503, true),
        (204, true),
    ] {
        assert_eq!(
            MwsError::from_status(status, "").is_retryable(),
            retry,
            "{status}"
        );
    }
    assert!(MwsError::Transport("offline".into()).is_retryable());
}

#[test]
fn a_body_that_is_not_mws_json_is_still_a_typed_error() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let e = HttpResponse::new(401, html).list().unwrap_err();
    assert_eq!(
        e,
        MwsError::Unauthorized(ServerMessages {
            messages: vec![],
            body_head: Some(html.into()),
        })
    );
    assert!(e.to_string().contains("body starts \"<html>"), "{e}");
    let empty = HttpResponse::new(503, "").list().unwrap_err();
    assert_eq!(
        empty,
        MwsError::UnexpectedStatus {
            status: 503,
            messages: ServerMessages {
                messages: vec![],
                body_head: Some(String::new())
            }
        }
    );
    assert!(empty.to_string().contains("(empty body)"), "{empty}");
    let long = "x".repeat(1000);
    let e = HttpResponse::new(500, long).event().unwrap_err();
    let MwsError::ServerError(m) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(m.body_head.as_ref().unwrap().len(), 64, "only the head is kept");
}

#[test]
fn an_unreadable_success_is_a_decode_error() {
    let e = HttpResponse::new(200, "<html>login</html>").list().unwrap_err();
    let MwsError::Decode(d) = &e else { panic!("{e:?}") };
    assert_eq!(d.kind, DecodeErrorKind::Syntax);
    assert!(e.is_retryable());
    assert_eq!(e.status(), None);
    let bad_date = json!({"totalCount": 1, "resultCount": 1,
                          "results": [event_json("a", "2024-06-10T17:13:31Z")]});
    let e = HttpResponse::new(200, bad_date.to_string()).list().unwrap_err();
    assert!(
        matches!(&e, MwsError::Decode(d) if d.kind == DecodeErrorKind::Spec && d.path == "results[0].eventDate"),
        "{e:?}"
    );
    assert!(std::error::Error::source(&e).is_some());
}

// ---- pages ---------------------------------------------------------------------------------------------

#[test]
fn the_page_plan_follows_mws_rule() {
    let mut plan = PagePlan::new(0);
    assert_eq!(plan.next_offset(), Some(0));
    plan.advance(25, 10);
    assert_eq!(plan.next_offset(), Some(10));
    plan.advance(25, 10);
    assert_eq!(plan.next_offset(), Some(20));
    plan.advance(25, 5);
    assert_eq!(plan.next_offset(), None);
    assert!(plan.is_done());
    assert_eq!(plan.total_count(), Some(25));

    let mut empty = PagePlan::new(0);
    empty.advance(0, 0);
    assert!(empty.is_done(), "nothing to read");
    let mut stuck = PagePlan::new(0);
    stuck.advance(10, 0);
    assert!(stuck.is_done(), "an empty page before the end stops the reading");
    let mut late = PagePlan::new(50);
    late.advance(20, 0);
    assert!(late.is_done(), "an offset past the end");
}

/// Pages of `total` numbered events, as a server answers `max`/`offset`.
fn serve(total: u64, request_path: &str) -> HttpResponse {
    let param = |key: &str| {
        request_path
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix(&format!("{key}=")))
            .map(|v| v.parse::<u64>().unwrap())
    };
    let offset = param("offset").unwrap_or(0);
    let max = param("max").unwrap_or(u64::MAX);
    let results: Vec<Value> = (offset..total)
        .take(max as usize)
        .map(|i| event_json(&format!("{i:024x}"), "2024-06-10 17:13:31 UTC"))
        .collect();
    let body = json!({"totalCount": total, "resultCount": results.len(), "results": results});
    HttpResponse::new(200, body.to_string())
}

#[test]
fn a_cursor_reads_every_page_and_retries_a_failed_one() {
    let c = https();
    let mut cursor = c
        .pages(
            ListQuery::new(Filter::new().eq("severity", "INFO"))
                .sort_asc("id")
                .max(100),
        )
        .unwrap();
    let mut ids = Vec::new();
    let mut requests = 0;
    while let Some(request) = cursor.next_request() {
        requests += 1;
        assert!(request.path_and_query().contains("query=%7B%22severity"));
        if requests == 3 {
            let e = cursor
                .on_response(&HttpResponse::new(500, r#"{"messages":["down"]}"#))
                .unwrap_err();
            assert!(matches!(e, MwsError::ServerError(_)));
            continue;
        }
        let page = cursor
            .on_response(&serve(1_234, request.path_and_query()))
            .unwrap();
        ids.extend(page.results.into_iter().map(|e| e.id));
    }
    assert_eq!(requests, 14, "13 pages and one retried");
    assert_eq!(ids.len(), 1_234);
    assert_eq!(ids, (0..1_234).map(|i| format!("{i:024x}")).collect::<Vec<_>>());
    assert_eq!(cursor.plan().total_count(), Some(1_234));

    let mut unpaged = c.pages(ListQuery::default()).unwrap();
    let request = unpaged.next_request().unwrap();
    assert!(!request.path_and_query().contains("offset"));
    unpaged.on_response(&serve(3, request.path_and_query())).unwrap();
    assert!(unpaged.next_request().is_none(), "no max: one page holds all");

    let from = c.pages(ListQuery::default().offset(7).max(2)).unwrap();
    assert!(from
        .next_request()
        .unwrap()
        .path_and_query()
        .ends_with("max=2&offset=7"));
    assert_eq!(
        c.pages(ListQuery::default().max(0)).unwrap_err(),
        QueryError::ZeroMax
    );
}

proptest! {
    #[test]
    fn a_plan_visits_each_offset_once(total in 0u64..5_000, max in 1u64..700, start in 0u64..100) {
        let mut plan = PagePlan::new(start);
        let mut seen = 0u64;
        let mut pages = 0u64;
        while let Some(offset) = plan.next_offset() {
            prop_assert_eq!(offset, start + seen);
            let count = total.saturating_sub(offset).min(max);
            seen += count;
            plan.advance(total, count);
            pages += 1;
            prop_assert!(pages <= total / max + 2);
        }
        prop_assert_eq!(seen, total.saturating_sub(start));
    }
}
