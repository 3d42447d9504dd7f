#![cfg(not(target_arch = "wasm32"))]
#![cfg(feature = "events-hub")]
//! The Events Hub welcome check: requested channels the server did not grant, read from real
//! welcome frames decoded by the SDK's own decoder.

use infra_events::decode::events_hub::decode_hub_event;
use infra_events::endpoint::{
    channels_not_granted, normalize_channels, unknown_channels, EventsHubEndpoint, EventsHubOptions,
    EVENTS_HUB_CHANNELS,
};
use infra_events::model::events_hub::{HubEvent, HubGlobalMessage};

fn welcome(subscriptions: &[&str]) -> String {
    serde_json::json!({
        "id": "845436fb26d821983770c0a4d5cea8b9c72667e32919004c03899f111936db99",
        "event_type": "global",
        "timestamp": "2026-08-18T09:14:02.318245Z",
        "message": "WebSocket connection established subscribed to global by default",
        "body": {"client_id": "1a2ac654-564c-4e9e-abab-ad4e390b74f9", "subscriptions": subscriptions},
    })
    .to_string()
}

fn granted(frame: &str) -> Vec<String> {
    match decode_hub_event(frame).unwrap() {
        HubEvent::Global(g) => match g.payload {
            HubGlobalMessage::Welcome(w) => w.subscriptions,
            other => panic!("not a welcome: {other:?}"),
        },
        other => panic!("not global: {other:?}"),
    }
}

fn endpoint(channels: &[&str]) -> EventsHubEndpoint {
    EventsHubEndpoint::new(
        "https://hub.example",
        EventsHubOptions {
            channels: channels.iter().map(|c| c.to_string()).collect(),
            ..EventsHubOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn everything_granted() {
    // The protocol notes' own welcome: pdfm and orchestrator asked, both granted, global added.
    let e = endpoint(&["pdfm", "orchestrator"]);
    assert!(e
        .channels_not_granted(&granted(&welcome(&["pdfm", "orchestrator", "global"])))
        .is_empty());
    // Asking for nothing gets `global` alone, and nothing is missing.
    let e = endpoint(&[]);
    assert!(e.channels_not_granted(&granted(&welcome(&["global"]))).is_empty());
}

#[test]
fn unknown_names_dropped_by_the_server_are_reported() {
    let e = endpoint(&["PDFM", "pdfmm", " stats", "global", "vm_events"]);
    let granted = granted(&welcome(&["pdfm", "stats", "global"]));
    assert_eq!(e.channels_not_granted(&granted), vec!["pdfmm", "vm_events"]);
}

#[test]
fn a_welcome_listing_nothing_reports_every_channel() {
    let e = endpoint(&["pdfm", "auth"]);
    assert_eq!(e.channels_not_granted(&[]), vec!["pdfm", "auth"]);
    assert_eq!(
        e.channels_not_granted(&granted(&welcome(&["global"]))),
        vec!["pdfm", "auth"]
    );
}

#[test]
fn every_known_channel_can_be_granted() {
    let all: Vec<&str> = EVENTS_HUB_CHANNELS.to_vec();
    let e = endpoint(&all);
    assert_eq!(
        e.channels().len(),
        EVENTS_HUB_CHANNELS.len() - 1,
        "global is implied"
    );
    let mut listed: Vec<&str> = e.channels().iter().map(String::as_str).collect();
    listed.push("global");
    assert!(e.channels_not_granted(&granted(&welcome(&listed))).is_empty());
    assert!(unknown_channels(&all).is_empty());
    assert_eq!(unknown_channels(&["pdfm", "Nope", "x,auth"]), vec!["nope", "x"]);
}

#[test]
fn free_function_normalizes_like_the_url() {
    let requested = ["Health,STATS", "stats", ""];
    assert_eq!(normalize_channels(&requested), vec!["health", "stats"]);
    assert_eq!(
        channels_not_granted(&requested, &["health".to_owned(), "global".to_owned()]),
        vec!["stats"]
    );
}
