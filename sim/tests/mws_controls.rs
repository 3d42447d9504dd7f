//! The MWS controls for polling tests: `/_sim/mws/add` (events in bursts, one second per burst,
//! fields fixed so a test can filter on its own) and `/_sim/mws/fail` (list requests that fail),
//! over real loopback HTTP.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use serde_json::Value;

const AUTH: &str = "Authorization: Basic YWRtaW46YWRtaW4="; // admin:admin

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

async fn list_origin(addr: SocketAddr, origin: &str) -> HttpResponse {
    let query = encode(&format!(r#"{{"origin":"{origin}"}}"#));
    let sort = encode(r#"{"eventDate":1,"id":1}"#);
    http(
        addr,
        "GET",
        &format!("/mws/rest/events?api-version=3&query={query}&sort={sort}"),
        &[AUTH],
        "",
    )
    .await
}

async fn results(addr: SocketAddr, origin: &str) -> Vec<Value> {
    let r = list_origin(addr, origin).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["results"].as_array().unwrap().clone()
}

async fn control(addr: SocketAddr, path: &str) -> HttpResponse {
    http(addr, "POST", path, &[], "").await
}

#[tokio::test]
async fn add_stores_one_burst_in_one_second_with_the_fields_asked() {
    let (addr, _) = start(quiet()).await;
    let r = control(
        addr,
        "/_sim/mws/add?count=7&origin=test-a&event_type=Poll%20Test&severity=WARN",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let answer = r.json();
    assert_eq!(answer["added"], 7);
    let ids: Vec<String> = answer["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_owned())
        .collect();
    let events = results(addr, "test-a").await;
    assert_eq!(events.len(), 7);
    let listed: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(listed, ids, "listed in (eventDate, id) order = the order added");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow within the second");
    let date = &events[0]["eventDate"];
    for e in &events {
        assert_eq!(&e["eventDate"], date, "one burst, one second");
        assert_eq!(e["eventType"], "Poll Test");
        assert_eq!(e["severity"], "WARN");
    }
    assert!(results(addr, "test-other").await.is_empty());
}

#[tokio::test]
async fn add_with_extra_gives_each_event_a_member_outside_the_model() {
    let (addr, _) = start(quiet()).await;
    let r = control(addr, "/_sim/mws/add?count=2&origin=test-extra&extra=kept").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = list_origin(addr, "test-extra").await;
    let events = r.json()["results"].as_array().unwrap().clone();
    assert_eq!(events.len(), 2);
    for e in &events {
        assert_eq!(e["simExtra"], serde_json::json!({ "note": "kept" }));
    }
    // Still MWS's event to the SDK's Rust decoder, which reads the members it knows.
    let list = infra_events::decode::mws::decode_mws_event_list(&r.body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(list.results.len(), 2);
    control(addr, "/_sim/mws/add?count=1&origin=test-plain").await;
    assert!(results(addr, "test-plain").await[0].get("simExtra").is_none());
}

#[tokio::test]
async fn add_in_bursts_spreads_them_over_time() {
    let (addr, _) = start(quiet()).await;
    let r = control(addr, "/_sim/mws/add?count=25&burst=10&every_ms=150&origin=test-b").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["scheduled"], 25);
    assert_eq!(r.json()["bursts"], 3);
    let early = results(addr, "test-b").await.len();
    assert!(early < 25, "answered before the last burst ({early} stored)");
    let mut stored = 0;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        stored = results(addr, "test-b").await.len();
        if stored == 25 {
            break;
        }
    }
    assert_eq!(stored, 25);
}

#[tokio::test]
async fn fail_strikes_only_matching_list_requests_then_stops() {
    let (addr, _) = start(quiet()).await;
    control(addr, "/_sim/mws/add?count=3&origin=test-c").await;
    let r = control(addr, "/_sim/mws/fail?count=2&status=503&match=test-c").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["failing"], 2);
    // A query without the marker is not counted.
    assert_eq!(list_origin(addr, "test-d").await.status, 200);
    for _ in 0..2 {
        let r = list_origin(addr, "test-c").await;
        assert_eq!(r.status, 503);
        assert_eq!(r.json()["messages"][0], "Simulated failure (/_sim/mws/fail)");
    }
    assert_eq!(
        list_origin(addr, "test-c").await.status,
        200,
        "two failures, then none"
    );
}

#[tokio::test]
async fn fail_every_k_is_intermittent_and_count_zero_cancels() {
    let (addr, _) = start(quiet()).await;
    control(addr, "/_sim/mws/fail?count=2&every=3").await;
    let statuses: Vec<u16> = {
        let mut s = Vec::new();
        for _ in 0..8 {
            s.push(list_origin(addr, "any").await.status);
        }
        s
    };
    assert_eq!(statuses, [200, 200, 500, 200, 200, 500, 200, 200]);
    control(addr, "/_sim/mws/fail?count=5").await;
    control(addr, "/_sim/mws/fail?count=0").await;
    assert_eq!(list_origin(addr, "any").await.status, 200);
}

#[tokio::test]
async fn fail_plans_with_different_matches_run_side_by_side() {
    let (addr, _) = start(quiet()).await;
    control(addr, "/_sim/mws/fail?count=1&status=500&match=test-e").await;
    control(addr, "/_sim/mws/fail?count=1&status=403&match=test-f").await;
    assert_eq!(list_origin(addr, "test-f").await.status, 403);
    assert_eq!(list_origin(addr, "test-e").await.status, 500);
    assert_eq!(list_origin(addr, "test-e").await.status, 200);
    // Replacing and cancelling touch only the plan with the same match.
    control(addr, "/_sim/mws/fail?count=5&match=test-e").await;
    control(addr, "/_sim/mws/fail?count=5&status=404&match=test-f").await;
    control(addr, "/_sim/mws/fail?count=0&match=test-e").await;
    assert_eq!(list_origin(addr, "test-e").await.status, 200);
    assert_eq!(list_origin(addr, "test-f").await.status, 404);
}

#[tokio::test]
async fn fail_with_a_delay_answers_late() {
    let (addr, _) = start(quiet()).await;
    control(addr, "/_sim/mws/fail?count=1&status=502&delay_ms=600").await;
    let started = std::time::Instant::now();
    let r = list_origin(addr, "any").await;
    assert_eq!(r.status, 502);
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    let started = std::time::Instant::now();
    assert_eq!(list_origin(addr, "any").await.status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(600),
        "only the failing one waits"
    );
}

#[tokio::test]
async fn bad_control_parameters_are_400() {
    let (addr, _) = start(quiet()).await;
    for path in [
        "/_sim/mws/add",
        "/_sim/mws/add?count=x",
        "/_sim/mws/add?count=1&severity=LOUD",
        "/_sim/mws/add?count=999999",
        "/_sim/mws/fail",
        "/_sim/mws/fail?count=1&status=200",
        "/_sim/mws/fail?count=1&status=700",
        "/_sim/mws/fail?count=1&delay_ms=soon",
    ] {
        let r = control(addr, path).await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert!(r.json()["error"].is_string(), "{path}");
    }
}

#[tokio::test]
async fn controls_answer_pages_on_other_origins() {
    let (addr, _) = start(quiet()).await;
    let origin = "Origin: http://127.0.0.1:9999";
    let preflight = http(
        addr,
        "OPTIONS",
        "/_sim/mws/add?count=1",
        &[origin, "Access-Control-Request-Method: POST"],
        "",
    )
    .await;
    assert!(preflight.status < 300, "{}", preflight.status);
    assert_eq!(
        preflight.header("access-control-allow-origin").as_deref(),
        Some("http://127.0.0.1:9999")
    );
    let r = http(addr, "POST", "/_sim/mws/fail?count=0", &[origin], "").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("http://127.0.0.1:9999")
    );
    let r = control(addr, "/_sim/mws/add?count=1").await;
    assert_eq!(r.header("access-control-allow-origin").as_deref(), Some("*"));
}
