//! `POST /_sim/inject`: the body goes out, byte for byte, as one text frame on every open socket
//! of the named source and on no other; bad requests are typed 400s.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::*;
use infra_events::decode::cloudevents::decode_cloud_event;
use infra_events::model::cloudevents::{CloudEvent, MetalSoftEvent};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// A MetalSoft degraded event whose agent result is hostile HTML, as the demo page's test sends.
const HOSTILE_DEGRADED: &str = r#"{"id":"inject-1","time":"2026-11-21T09:00:00Z","type":"server.health.state.degraded","source":"https://metalsoft.io/monitoring","specversion":"1.0","datacontenttype":"application/json","data":{"serverId":"4711","siteId":"3","datacenterName":"dc1","previousState":"healthy","newState":"warnings_present","healthDetails":["Fan failure detected on CPU 0"],"monitoringAgentPrompted":true,"monitoringAgentResult":"<img src=x onerror=\"window.__xss=1\">"}}"#;

async fn cloudevents_socket(addr: SocketAddr) -> Client {
    let token = login(addr).await;
    let proto = format!(
        "base64url.bearer.authorization.k8s.io.{}",
        URL_SAFE_NO_PAD.encode(&token)
    );
    connect(addr, "/cloudevents", &[], &[&proto, "cloudevents.json"])
        .await
        .unwrap()
        .0
}

async fn inject(addr: SocketAddr, query: &str, body: &str) -> HttpResponse {
    http(addr, "POST", &format!("/_sim/inject{query}"), &[], body).await
}

#[tokio::test]
async fn the_body_reaches_every_socket_of_the_source_as_it_is() {
    let (addr, _) = start(quiet()).await;
    let mut first = cloudevents_socket(addr).await;
    let mut second = cloudevents_socket(addr).await;
    let (mut lxd, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();

    let r = inject(addr, "?source=cloudevents", HOSTILE_DEGRADED).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["sockets"], 2);
    assert_eq!(next_text(&mut first).await, HOSTILE_DEGRADED);
    assert_eq!(next_text(&mut second).await, HOSTILE_DEGRADED);
    // Another source's sockets get nothing.
    assert_eq!(maybe_message(&mut lxd, Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn the_hostile_fixture_is_a_known_typed_event_not_an_unknown_one() {
    // The demo's XSS test is only meaningful if the SDK accepts this frame and hands the HTML on.
    match decode_cloud_event(HOSTILE_DEGRADED).unwrap() {
        CloudEvent::MetalSoft(e) => match e.event {
            MetalSoftEvent::ServerHealthStateDegraded(d) => assert_eq!(
                d.monitoring_agent_result,
                Some(Some(r#"<img src=x onerror="window.__xss=1">"#.to_owned()))
            ),
            other => panic!("decoded as {}", other.event_type()),
        },
        CloudEvent::Unknown(_) => panic!("decoded as an unknown CloudEvent"),
    }
}

#[tokio::test]
async fn any_text_goes_out_even_if_it_is_not_an_event() {
    let (addr, _) = start(quiet()).await;
    let (mut lxd, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
    let r = inject(addr, "?source=lxd", "not json, ünïcode kept").await;
    assert_eq!(r.json()["sockets"], 1);
    assert_eq!(next_text(&mut lxd).await, "not json, ünïcode kept");
}

#[tokio::test]
async fn no_open_socket_is_not_an_error() {
    let (addr, _) = start(quiet()).await;
    let r = inject(addr, "?source=hub", "{}").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["sockets"], 0);
}

#[tokio::test]
async fn bad_requests_are_400_with_a_reason() {
    let (addr, _) = start(quiet()).await;
    for (query, body, reason) in [
        ("", "{}", "source: required"),
        ("?source=all", "{}", "source: required"),
        ("?source=mws", "{}", "unknown source"),
        ("?source=hub", "", "empty"),
    ] {
        let r = inject(addr, query, body).await;
        assert_eq!(r.status, 400, "{query} {body:?}: {}", r.body);
        let error = r.json()["error"].as_str().unwrap().to_owned();
        assert!(error.contains(reason), "{query}: {error}");
    }
    let r = http(addr, "GET", "/_sim/inject?source=hub", &[], "").await;
    assert_eq!(r.status, 405);
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_refused() {
    let (addr, _) = start(quiet()).await;
    let (mut lxd, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let body = b"ok\xff\xfe";
    let head = format!(
        "POST /_sim/inject?source=lxd HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("UTF-8 text (invalid byte at 2)"), "{answer}");
    assert_eq!(maybe_message(&mut lxd, Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn an_injected_frame_keeps_its_place_among_the_socket_s_frames() {
    let (addr, _) = start(quiet()).await;
    let (mut lxd, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
    for i in 0..20 {
        inject(addr, "?source=lxd", &format!("frame {i}")).await;
    }
    for i in 0..20 {
        match maybe_message(&mut lxd, Duration::from_secs(5)).await {
            Some(Message::Text(t)) => assert_eq!(t.as_str(), format!("frame {i}")),
            other => panic!("frame {i}: {other:?}"),
        }
    }
}
