//! MWS `/mws/rest/events` end to end: Basic auth, api-version, Mongo-style query operators, sort
//! and paging, create with its restrictions, `{messages:[…]}` errors, CORS, and growth over time.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const AUTH: &str = "Authorization: Basic YWRtaW46YWRtaW4="; // admin:admin
const EVENTS: &str = "/mws/rest/events?api-version=3";

async fn post(addr: SocketAddr, body: &Value) -> HttpResponse {
    http(addr, "POST", EVENTS, &[AUTH], &body.to_string()).await
}

fn event(event_type: &str, severity: &str, date: &str, object: &str) -> Value {
    json!({"arguments": [object], "associatedObjects": [{"type": "Service", "id": object}], "code": 33554944,
           "eventDate": date, "eventType": event_type, "message": format!("about {object}"),
           "origin": "MWS/ServiceEvents/CREATE_1ID", "severity": severity})
}

async fn get(addr: SocketAddr, params: &str) -> HttpResponse {
    http(addr, "GET", &format!("{EVENTS}&{params}"), &[AUTH], "").await
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn ids(addr: SocketAddr, query: &str, extra: &str) -> Vec<String> {
    let r = get(addr, &format!("query={}{extra}", encode(query))).await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["associatedObjects"][0]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn seeded() -> SocketAddr {
    let (addr, _) = start(quiet()).await;
    for (t, sev, date, obj) in [
        ("Service Create", "INFO", "2025-01-27 12:03:00 UTC", "s1"),
        ("Service Create", "ERROR", "2025-01-27 12:04:00 UTC", "s2"),
        ("VM Provision", "WARN", "2025-01-27 12:06:00 UTC", "s3"),
        ("Service Create", "ERROR", "2025-01-27 12:08:00 UTC", "s4"),
        ("Service Delete", "FATAL", "2025-01-27 12:09:00 UTC", "s5"),
    ] {
        assert_eq!(post(addr, &event(t, sev, date, obj)).await.status, 201);
    }
    addr
}

#[tokio::test]
async fn basic_auth_and_api_version_are_required() {
    let (addr, _) = start(quiet()).await;
    let none = http(addr, "GET", EVENTS, &[], "").await;
    assert_eq!(none.status, 401);
    assert_eq!(
        none.json(),
        json!({"messages": ["You must be authenticated to access this area"]})
    );
    assert!(none.header("www-authenticate").is_none());
    let wrong = http(addr, "GET", EVENTS, &["Authorization: Basic YWRtaW46eA=="], "").await;
    assert_eq!(wrong.status, 401);
    let no_version = http(addr, "GET", "/mws/rest/events", &[AUTH], "").await;
    assert_eq!(no_version.status, 400);
    assert!(!no_version.json()["messages"].as_array().unwrap().is_empty());
    assert_eq!(
        http(addr, "GET", "/mws/rest/events?api-version=2", &[AUTH], "")
            .await
            .status,
        400
    );
    assert_eq!(
        http(addr, "GET", "/mws/rest/events?api-version=latest", &[AUTH], "")
            .await
            .status,
        200
    );
    let put = http(addr, "PUT", EVENTS, &[AUTH], "{}").await;
    assert_eq!(put.status, 405);
    assert!(put.json()["messages"][0]
        .as_str()
        .unwrap()
        .contains("not allowed"));
}

#[tokio::test]
async fn create_then_get_one() {
    let (addr, _) = start(quiet()).await;
    let body = json!({"arguments": ["vm1"], "associatedObjects": [{"type": "VM", "id": "vm1"}], "code": 234881023,
                      "eventDate": "2024-06-10 17:13:31 UTC", "eventType": "VM Provision",
                      "message": "The virtual machine \"vm1\" was provisioned", "origin": "CSA Plugin", "severity": "INFO"});
    let created = post(addr, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let c = created.json();
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 24);
    assert_eq!(c["version"], 0);
    assert_eq!(
        c["associatedObjects"][0],
        json!({"_id": "vm1", "id": "vm1", "type": "VM", "version": 0})
    );
    let mut sorted = key_order(&created.body);
    sorted.sort();
    assert_eq!(key_order(&created.body), sorted, "alphabetical keys");
    assert_eq!(
        created.header("location").unwrap(),
        format!("http://{addr}/mws/rest/events/{id}")
    );

    let one = http(
        addr,
        "GET",
        &format!("/mws/rest/events/{id}?api-version=3"),
        &[AUTH],
        "",
    )
    .await;
    assert_eq!(one.status, 200);
    assert_eq!(
        key_order(&one.body),
        [
            "arguments",
            "associatedObjects",
            "code",
            "eventDate",
            "eventType",
            "message",
            "origin",
            "severity",
            "id"
        ]
    );
    let e = one.json();
    assert_eq!(e["associatedObjects"], json!([{"type": "VM", "id": "vm1"}]));
    assert_eq!(e["eventDate"], "2024-06-10 17:13:31 UTC");
    let missing = http(
        addr,
        "GET",
        "/mws/rest/events/ffffffffffffffffffffffff?api-version=3",
        &[AUTH],
        "",
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json(),
        json!({"messages": ["The resource with id 'ffffffffffffffffffffffff' was not found"]})
    );
}

#[tokio::test]
async fn post_restrictions_and_error_bodies() {
    let (addr, _) = start(quiet()).await;
    let base = event("Service Create", "INFO", "2025-01-27 12:03:00 UTC", "s1");
    for (field, value) in [
        ("origin", json!("CSA 'Plugin'")),
        ("eventType", json!("VM \"Provision\"")),
        ("associatedObjects", json!([{"type": "VM", "id": "vm'1"}])),
        ("associatedObjects", json!([{"type": "V\"M", "id": "vm1"}])),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let r = post(addr, &body).await;
        assert_eq!(r.status, 400, "{field}");
        let messages = r.json()["messages"].clone();
        assert!(
            messages[0]
                .as_str()
                .unwrap()
                .contains("cannot contain single quotes (') or double quotes (\")"),
            "{messages}"
        );
    }
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("eventType");
    missing["severity"] = json!("LOUD");
    let r = post(addr, &missing).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["messages"].as_array().unwrap().len(), 2);
    assert_eq!(http(addr, "POST", EVENTS, &[AUTH], "{not json").await.status, 400);
    let r = http(addr, "POST", EVENTS, &[], &base.to_string()).await;
    assert_eq!(r.status, 401);
    assert_eq!(get(addr, "").await.json()["totalCount"], 0, "nothing was created");
}

#[tokio::test]
async fn query_operators() {
    let addr = seeded().await;
    assert_eq!(ids(addr, r#"{"severity":"ERROR"}"#, "").await, ["s2", "s4"]);
    assert_eq!(
        ids(addr, r#"{"eventType":"Service Create","severity":"INFO"}"#, "").await,
        ["s1"]
    );
    assert_eq!(
        ids(addr, "{code:33554944}", "").await.len(),
        5,
        "bare keys, as in MWS's docs"
    );
    assert_eq!(ids(addr, r#"{"associatedObjects.id":"s3"}"#, "").await, ["s3"]);
    assert_eq!(
        ids(addr, r#"{"associatedObjects.id":{"$ne":"s3"}}"#, "").await,
        ["s1", "s2", "s4", "s5"]
    );
    assert_eq!(
        ids(addr, r#"{"severity":{"$in":["ERROR","WARN"]}}"#, "").await,
        ["s2", "s3", "s4"]
    );
    assert_eq!(
        ids(addr, r#"{"eventDate":{"$lt":"2025-01-27 12:08:00 UTC"}}"#, "").await,
        ["s1", "s2", "s3"]
    );
    assert_eq!(
        ids(addr, r#"{"eventDate":{"$lte":"2025-01-27 12:08:00 UTC"}}"#, "").await,
        ["s1", "s2", "s3", "s4"]
    );
    assert_eq!(
        ids(addr, r#"{"eventDate":{"$gt":"2025-01-27 12:04:00 UTC"}}"#, "").await,
        ["s3", "s4", "s5"]
    );
    assert_eq!(
        ids(addr, r#"{"eventDate":{"$gte":"2025-01-27 12:04:00 UTC"}}"#, "").await,
        ["s2", "s3", "s4", "s5"]
    );
    assert_eq!(
        ids(addr, r#"{"severity":"ERROR","eventDate":{"$gte":"2025-01-27 12:04:00 UTC","$lte":"2025-01-27 12:08:00 UTC"}}"#, "").await,
        ["s2", "s4"]
    );
    let bad = get(addr, "query=%7Bnot").await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["messages"].is_array());
    assert_eq!(
        get(
            addr,
            &format!("query={}", encode(r#"{"severity":{"$regex":"E"}}"#))
        )
        .await
        .status,
        400
    );
}

#[tokio::test]
async fn sort_max_offset_and_counts() {
    let addr = seeded().await;
    let sort = encode(r#"{"eventDate":-1}"#);
    assert_eq!(
        ids(addr, "{}", &format!("&sort={sort}")).await,
        ["s5", "s4", "s3", "s2", "s1"]
    );
    let page = get(addr, &format!("sort={sort}&max=2&offset=1")).await;
    assert_eq!(key_order(&page.body), ["totalCount", "resultCount", "results"]);
    let page = page.json();
    assert_eq!(
        (page["totalCount"].as_u64(), page["resultCount"].as_u64()),
        (Some(5), Some(2))
    );
    let got: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["associatedObjects"][0]["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["s4", "s3"]);
    let two_keys = encode(r#"{"severity":1,"eventDate":-1}"#);
    assert_eq!(
        ids(addr, "{}", &format!("&sort={two_keys}")).await,
        ["s4", "s2", "s5", "s1", "s3"]
    );
    let filtered = get(
        addr,
        &format!("query={}&max=1", encode(r#"{"severity":"ERROR"}"#)),
    )
    .await
    .json();
    assert_eq!(
        (filtered["totalCount"].as_u64(), filtered["resultCount"].as_u64()),
        (Some(2), Some(1))
    );
    let past_end = get(addr, "offset=10").await.json();
    assert_eq!(
        (past_end["totalCount"].as_u64(), past_end["resultCount"].as_u64()),
        (Some(5), Some(0))
    );
    assert_eq!(get(addr, "max=-1").await.status, 400);
    assert_eq!(get(addr, "offset=x").await.status, 400);
    assert_eq!(
        get(addr, &format!("sort={}", encode(r#"{"eventDate":2}"#)))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn cors_for_another_origin() {
    let (addr, _) = start(quiet()).await;
    let origin = "Origin: http://localhost:5173";
    let preflight = http(
        addr,
        "OPTIONS",
        EVENTS,
        &[
            origin,
            "Access-Control-Request-Method: GET",
            "Access-Control-Request-Headers: authorization",
        ],
        "",
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin").unwrap(),
        "http://localhost:5173"
    );
    assert!(preflight
        .header("access-control-allow-headers")
        .unwrap()
        .contains("Authorization"));
    let denied = http(addr, "GET", EVENTS, &[origin], "").await;
    assert_eq!(denied.status, 401);
    assert_eq!(
        denied.header("access-control-allow-origin").unwrap(),
        "http://localhost:5173"
    );
    let ok = http(addr, "GET", EVENTS, &[origin, AUTH], "").await;
    assert_eq!(ok.header("access-control-allow-credentials").unwrap(), "true");
    assert!(ok
        .header("access-control-expose-headers")
        .unwrap()
        .contains("Location"));
}

#[tokio::test]
async fn events_accumulate_so_polling_sees_new_ones() {
    let mut config = quiet();
    config.rate = 60.0;
    config.mws_history = 10;
    let (addr, _) = start(config).await;
    let first = get(addr, "").await.json()["totalCount"].as_u64().unwrap();
    assert_eq!(first, 10);
    let newest = encode(r#"{"id":-1}"#);
    let last_date =
        get(addr, &format!("sort={newest}&max=1")).await.json()["results"][0]["eventDate"].clone();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let later = get(addr, "").await.json()["totalCount"].as_u64().unwrap();
    assert!(later > first, "{first} -> {later}");
    let newer = ids(addr, &format!(r#"{{"eventDate":{{"$gte":{last_date}}}}}"#), "").await;
    assert!(!newer.is_empty());
}
