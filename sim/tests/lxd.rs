//! LXD `/1.0/events` end to end: LXD 5.0.2's answers to bad parameters before the upgrade, the CSRF
//! guard, the `keepalive` ping, frame format and key order, and type/project filtering.

mod common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt as _;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn bad_parameters_are_500_before_the_upgrade() {
    let (addr, _) = start(quiet()).await;
    let cases = [
        ("type=bogus", r#""bogus" isn't a supported event type"#),
        ("type=lifecycle,bogus", r#""bogus" isn't a supported event type"#),
        ("type=LIFECYCLE", r#""LIFECYCLE" isn't a supported event type"#),
        (
            "type=%20lifecycle",
            r#"" lifecycle" isn't a supported event type"#,
        ),
        ("type=ovn", r#""ovn" isn't a supported event type"#),
        (
            "type=network-acl",
            r#""network-acl" isn't a supported event type"#,
        ),
        ("project=nope", "Project not found"),
        (
            "project=ci&all-projects=true",
            "Cannot specify a project when requesting all projects",
        ),
    ];
    for (query, message) in cases {
        let path = format!("/1.0/events?{query}");
        let (status, body) = refused_status(connect(addr, &path, &[], &[]).await);
        assert_eq!(status, 500, "{query}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            json!({"error": message, "error_code": 500}),
            "{query}"
        );
        // The same answer to plain HTTP.
        assert_eq!(http(addr, "GET", &path, &[], "").await.status, 500);
    }
    let (status, _) =
        refused_status(connect(addr, "/1.0/events", &[("Sec-Fetch-Site", "cross-site")], &[]).await);
    assert_eq!(status, 403);
    for ok in [
        "",
        "?type=",
        "?type=lifecycle,operation,logging",
        "?all-projects=1",
        "?project=ci",
        "?all-projects=false",
    ] {
        assert!(
            connect(
                addr,
                &format!("/1.0/events{ok}"),
                &[("Sec-Fetch-Site", "same-origin")],
                &[]
            )
            .await
            .is_ok(),
            "{ok}"
        );
    }
    let info = http(addr, "GET", "/1.0", &[], "").await.json();
    assert_eq!(info["metadata"]["environment"]["server_version"], "5.0.2");
}

#[tokio::test]
async fn keepalive_ping_then_newline_terminated_frames_in_wire_order() {
    let mut config = quiet();
    config.rate = 300.0;
    let (addr, _) = start(config).await;
    let (mut socket, response) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
    assert!(response.headers().get("sec-websocket-protocol").is_none());
    let first = socket.next().await.unwrap().unwrap();
    assert_eq!(first, Message::Ping(b"keepalive".to_vec().into()));
    let mut kinds = std::collections::BTreeSet::new();
    for _ in 0..300 {
        let text = next_text(&mut socket).await;
        assert!(text.ends_with("}\n"), "{text:?}");
        let event: Value = serde_json::from_str(&text).unwrap();
        let kind = event["type"].as_str().unwrap().to_owned();
        let mut expected = vec!["type", "timestamp", "metadata", "location"];
        if event.get("project").is_some() {
            expected.push("project");
        }
        assert_eq!(key_order(&text), expected, "{text}");
        assert!(
            is_rfc3339_nano_utc(event["timestamp"].as_str().unwrap()),
            "{text}"
        );
        assert_eq!(event["location"], "none");
        let meta = &event["metadata"];
        match kind.as_str() {
            "logging" => {
                assert!(event.get("project").is_none(), "never a project on logging");
                assert_eq!(key_order(&serde_json::to_string(meta).unwrap()).len(), 3);
                assert!(meta["context"]
                    .as_object()
                    .unwrap()
                    .values()
                    .all(Value::is_string));
            }
            "lifecycle" => {
                assert_eq!(
                    event["project"], "default",
                    "default project only without all-projects"
                );
                assert!(meta["action"].is_string() && meta["source"].is_string());
            }
            "operation" => {
                let code = meta["status_code"].as_i64().unwrap();
                assert!([105, 103, 200, 400, 104, 401].contains(&code));
                for key in [
                    "id",
                    "class",
                    "description",
                    "created_at",
                    "updated_at",
                    "status",
                    "resources",
                    "metadata",
                    "may_cancel",
                    "err",
                    "location",
                ] {
                    assert!(meta.get(key).is_some(), "{key}");
                }
            }
            other => panic!("unknown type {other}"),
        }
        kinds.insert(kind);
    }
    assert_eq!(kinds.len(), 3, "{kinds:?}");
}

#[tokio::test]
async fn filters_by_type_and_project() {
    let mut config = quiet();
    config.rate = 300.0;
    let (addr, _) = start(config).await;
    let (mut socket, _) = connect(addr, "/1.0/events?type=lifecycle&project=ci", &[], &[])
        .await
        .unwrap();
    for _ in 0..15 {
        let e: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
        assert_eq!((&e["type"], &e["project"]), (&json!("lifecycle"), &json!("ci")));
        assert!(
            e["metadata"]["source"].as_str().unwrap().ends_with("?project=ci")
                || e["metadata"]["source"].as_str().unwrap().contains("/ci_")
        );
    }
    let (mut socket, _) = connect(
        addr,
        "/1.0/events?type=lifecycle,operation&all-projects=true",
        &[],
        &[],
    )
    .await
    .unwrap();
    let mut projects = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let e: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
        assert_ne!(e["type"], "logging");
        if let Some(p) = e["project"].as_str() {
            projects.insert(p.to_owned());
        }
    }
    assert!(projects.len() >= 2, "{projects:?}");
    let _ = Duration::ZERO;
}
