//! The simulator's frames, read back through the SDK's own decoders: every frame of every source
//! must decode as a known, typed event. This keeps the simulator and the model honest with each
//! other: a shape drifting on either side fails here.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{connect, http, login, next_text, start};
use infra_events::decode::cloudevents::decode_cloud_event;
use infra_events::decode::events_hub::decode_hub_event;
use infra_events::decode::lxd::decode_lxd_event;
use infra_events::decode::mws::decode_mws_event_list;
use serde::Serialize;
use serde_json::Value;

const API_KEY: &str = "c2ltOmluZnJhLWV2ZW50cy1zaW0=";

fn busy() -> sim::Config {
    let mut config = sim::Config::new("www", "pkg");
    config.rate = 400.0;
    config.seed = Some(11);
    config
}

/// Decodes with `decode`, failing on an error or an event marked unknown; returns the decoded
/// value as JSON so the caller can note which variant it was.
fn known<T: Serialize, E: std::fmt::Display>(text: &str, decode: impl Fn(&str) -> Result<T, E>) -> Value {
    let decoded = decode(text).unwrap_or_else(|e| panic!("{e}\nframe: {text}"));
    let value = serde_json::to_value(&decoded).unwrap();
    assert_ne!(
        value.get("unknown"),
        Some(&Value::Bool(true)),
        "decoded as unknown: {text}"
    );
    value
}

#[tokio::test]
async fn every_events_hub_frame_decodes_as_a_known_event() {
    let (addr, _sim) = start(busy()).await;
    let channels =
        "pdfm,orchestrator,stats,system_logs,reverse_proxy,catalog_cache,job_manager,auth,health,system";
    let path = format!("/api/v1/ws/subscribe?event_types={channels}");
    let (mut socket, _) = connect(addr, &path, &[("X-Api-Key", API_KEY)], &[])
        .await
        .unwrap();
    let mut seen = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut frames = 0;
    while frames < 1500 && Instant::now() < deadline {
        let value = known(&next_text(&mut socket).await, decode_hub_event);
        seen.insert(format!(
            "{}/{}",
            value["event_type"].as_str().unwrap(),
            value["message"].as_str().unwrap()
        ));
        frames += 1;
    }
    assert!(frames >= 300, "only {frames} frames");
    assert!(
        seen.len() >= 25,
        "a realistic mix covers many messages; saw {seen:?}"
    );
}

#[tokio::test]
async fn every_lxd_frame_decodes_as_a_known_event() {
    let (addr, _sim) = start(busy()).await;
    let (mut socket, _) = connect(
        addr,
        "/1.0/events?type=logging,operation,lifecycle&all-projects=true",
        &[],
        &[],
    )
    .await
    .unwrap();
    let mut types = BTreeSet::new();
    let mut actions = BTreeSet::new();
    for _ in 0..600 {
        let value = known(&next_text(&mut socket).await, decode_lxd_event);
        types.insert(value["type"].as_str().unwrap().to_owned());
        if let Some(action) = value["metadata"]["action"].as_str() {
            actions.insert(action.to_owned());
        }
    }
    assert_eq!(types.len(), 3, "{types:?}");
    assert!(actions.len() >= 10, "{actions:?}");
}

#[tokio::test]
async fn every_cloudevents_frame_decodes_as_a_typed_metalsoft_event() {
    let (addr, _sim) = start(busy()).await;
    let token = login(addr).await;
    let path = format!("/cloudevents?access_token={token}");
    let (mut socket, response) = connect(addr, &path, &[], &["cloudevents.json"]).await.unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "cloudevents.json");
    let mut types = BTreeSet::new();
    for _ in 0..400 {
        let value = known(&next_text(&mut socket).await, decode_cloud_event);
        types.insert(value["type"].as_str().unwrap().to_owned());
    }
    assert!(types.len() >= 20, "{types:?}");
}

#[tokio::test]
async fn mws_pages_decode() {
    let mut config = busy();
    config.mws_history = 300;
    let (addr, _sim) = start(config).await;
    let auth = "Authorization: Basic YWRtaW46YWRtaW4="; // admin:admin
    for offset in [0, 100, 200] {
        let path =
            format!("/mws/rest/events?api-version=3&max=100&offset={offset}&sort=%7B%22eventDate%22:1%7D");
        let page = http(addr, "GET", &path, &[auth], "").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let list = decode_mws_event_list(&page.body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(list.results.len(), 100);
        assert!(list.total_count >= 300);
    }
}
