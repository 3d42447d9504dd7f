//! The Events Hub end to end over loopback with a plain tokio-tungstenite client: the token
//! endpoints, every credential form, the 401 before the upgrade, the welcome frame, ping/pong and
//! the other client messages, subprotocol rules, unsubscribe, and the shape of trickled events.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use common::*;
use futures_util::SinkExt as _;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const SUBSCRIBE: &str = "/api/v1/ws/subscribe";

#[tokio::test]
async fn login_and_validate() {
    let (addr, _) = start(quiet()).await;
    let ok = http(
        addr,
        "POST",
        "/api/v1/auth/token",
        &[],
        r#"{"username":"admin","password":"admin"}"#,
    )
    .await;
    assert_eq!(ok.status, 200);
    let body = ok.json();
    assert_eq!(key_order(&ok.body), ["email", "token", "expires_at"]);
    assert_eq!(body["email"], "admin@localhost");
    let expires_at = body["expires_at"].as_u64().expect("unix seconds as an integer");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        expires_at > now + 800 && expires_at <= now + 901,
        "15 minutes by default"
    );
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT");

    let by_email = http(
        addr,
        "POST",
        "/api/v1/auth/token",
        &[],
        r#"{"email":"admin@localhost","password":"admin"}"#,
    )
    .await;
    assert_eq!(by_email.status, 200);
    let bad = http(
        addr,
        "POST",
        "/api/v1/auth/token",
        &[],
        r#"{"username":"admin","password":"nope"}"#,
    )
    .await;
    assert_eq!(bad.status, 401);
    assert!(!bad.body.contains("nope"), "credentials never echoed");
    let key = sim::auth::api_key_encoded();
    let by_key = http(
        addr,
        "POST",
        "/api/v1/auth/token",
        &[],
        &format!(r#"{{"api_key":"{key}"}}"#),
    )
    .await;
    assert_eq!(by_key.status, 200, "{}", by_key.body);
    let bad_key = http(
        addr,
        "POST",
        "/api/v1/auth/token",
        &[],
        r#"{"api_key":"bm90OmFrZXk="}"#,
    )
    .await;
    assert_eq!(bad_key.status, 401);

    let valid = http(
        addr,
        "POST",
        "/api/v1/auth/token/validate",
        &[],
        &json!({"token": token}).to_string(),
    )
    .await;
    assert_eq!((valid.status, valid.json()), (200, json!({"valid": true})));
    let invalid = http(
        addr,
        "POST",
        "/api/v1/auth/token/validate",
        &[],
        r#"{"token":"a.b.c"}"#,
    )
    .await;
    assert_eq!(invalid.status, 401);
    let missing = http(addr, "POST", "/api/v1/auth/token/validate", &[], "{}").await;
    assert_eq!(missing.status, 400);
}

#[tokio::test]
async fn missing_or_bad_credentials_are_401_before_the_upgrade() {
    let (addr, _) = start(quiet()).await;
    let (status, body) = refused_status(connect(addr, SUBSCRIBE, &[], &[]).await);
    assert_eq!(status, 401);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], "unauthorized_client");

    let (status, body) =
        refused_status(connect(addr, SUBSCRIBE, &[("Authorization", "Bearer not-a-token")], &[]).await);
    assert_eq!(status, 401);
    assert!(!body.contains("not-a-token"), "tokens never echoed: {body}");

    // The real server's quirk: a bad query token reports the API-key format error.
    let (status, body) =
        refused_status(connect(addr, &format!("{SUBSCRIBE}?access_token=secret-xyz"), &[], &[]).await);
    assert_eq!(status, 401);
    assert!(
        body.contains("API key must be in format base64(key:secret)"),
        "{body}"
    );
    assert!(!body.contains("secret-xyz"));

    let (status, _) = refused_status(connect(addr, SUBSCRIBE, &[("X-Api-Key", "bm90OmFrZXk=")], &[]).await);
    assert_eq!(status, 401);

    // An X-Api-Key header makes query tokens ignored, even a good one.
    let token = login(addr).await;
    let (status, _) = refused_status(
        connect(
            addr,
            &format!("{SUBSCRIBE}?access_token={token}"),
            &[("X-Api-Key", "bm90OmFrZXk=")],
            &[],
        )
        .await,
    );
    assert_eq!(status, 401);

    // Without the test flag a token subprotocol is not a credential.
    let proto = format!(
        "base64url.bearer.authorization.k8s.io.{}",
        URL_SAFE_NO_PAD.encode(&token)
    );
    let (status, _) = refused_status(connect(addr, SUBSCRIBE, &[], &[&proto]).await);
    assert_eq!(status, 401);
}

#[tokio::test]
async fn every_credential_form_connects() {
    let (addr, _) = start(quiet()).await;
    let token = login(addr).await;
    let bearer = format!("Bearer {token}");
    let key = sim::auth::api_key_encoded();
    let encoded_bearer = format!("Bearer%20{token}");
    let cases: Vec<(String, Vec<(&str, &str)>)> = vec![
        (SUBSCRIBE.to_owned(), vec![("Authorization", bearer.as_str())]),
        (format!("{SUBSCRIBE}?access_token={token}"), vec![]),
        (format!("{SUBSCRIBE}?authorization={token}"), vec![]),
        (format!("{SUBSCRIBE}?authorization={encoded_bearer}"), vec![]),
        (SUBSCRIBE.to_owned(), vec![("X-Api-Key", key.as_str())]),
        (
            "/api/ws/subscribe".to_owned(),
            vec![("Authorization", bearer.as_str())],
        ),
    ];
    for (path, headers) in cases {
        let (mut socket, response) = connect(addr, &path, &headers, &[])
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(response.headers().get("sec-websocket-protocol").is_none());
        let welcome = next_json(&mut socket).await;
        assert_eq!(welcome["event_type"], "global", "{path}");
    }
}

#[tokio::test]
async fn welcome_frame_comes_first_with_the_cleaned_subscriptions() {
    let (addr, _) = start(quiet()).await;
    let token = login(addr).await;
    let path =
        format!("{SUBSCRIBE}?event_types=%20PDFM%20,bogus,Stats,pdfm&event_types=auth&access_token={token}");
    let (mut socket, _) = connect(addr, &path, &[], &[]).await.unwrap();
    let text = next_text(&mut socket).await;
    assert_eq!(
        key_order(&text),
        ["id", "event_type", "timestamp", "message", "body"]
    );
    let welcome: Value = serde_json::from_str(&text).unwrap();
    assert!(is_hex64(welcome["id"].as_str().unwrap()));
    assert!(
        is_rfc3339_nano_utc(welcome["timestamp"].as_str().unwrap()),
        "{}",
        welcome["timestamp"]
    );
    assert_eq!(
        welcome["message"],
        "WebSocket connection established subscribed to global by default"
    );
    assert_eq!(
        welcome["body"]["subscriptions"],
        json!(["pdfm", "stats", "global"]),
        "only the first event_types counts"
    );
    let client_id = welcome["body"]["client_id"].as_str().unwrap();
    assert_eq!(client_id.len(), 36);
    assert_eq!(&client_id[14..15], "4", "a UUIDv4");
}

#[tokio::test]
async fn ping_pong_and_other_client_messages() {
    let (addr, _) = start(quiet()).await;
    let token = login(addr).await;
    let (mut socket, _) = connect(addr, &format!("{SUBSCRIBE}?authorization={token}"), &[], &[])
        .await
        .unwrap();
    let welcome = next_json(&mut socket).await;
    let client_id = welcome["body"]["client_id"].clone();

    socket
        .send(Message::text(
            r#"{"event_type":"health","message":"ping","id":"sdk-ping-42"}"#,
        ))
        .await
        .unwrap();
    let text = next_text(&mut socket).await;
    assert_eq!(
        key_order(&text),
        ["id", "ref_id", "event_type", "timestamp", "message", "client_id"]
    );
    let pong: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (&pong["event_type"], &pong["message"], &pong["ref_id"]),
        (&json!("health"), &json!("pong"), &json!("sdk-ping-42"))
    );
    assert_eq!(pong["client_id"], client_id);
    assert!(pong.get("body").is_none());

    // Without an id the server makes one up for ref_id.
    socket
        .send(Message::text(r#"{"event_type":"health","message":"ping"}"#))
        .await
        .unwrap();
    let pong = next_json(&mut socket).await;
    assert!(is_hex64(pong["ref_id"].as_str().unwrap()));

    socket
        .send(Message::text(
            r#"{"event_type":"system","message":"CLIENT-ID","id":"c1"}"#,
        ))
        .await
        .unwrap();
    let text = next_text(&mut socket).await;
    assert_eq!(
        key_order(&text),
        [
            "id",
            "ref_id",
            "event_type",
            "timestamp",
            "message",
            "body",
            "client_id"
        ]
    );
    let reply: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (&reply["event_type"], &reply["message"]),
        (&json!("system"), &json!("client-id"))
    );
    assert_eq!(reply["body"]["client-id"], client_id);

    socket
        .send(Message::text(
            r#"{"event_type":"orchestrator","message":"x","id":"sdk-7"}"#,
        ))
        .await
        .unwrap();
    let reply = next_json(&mut socket).await;
    assert_eq!(
        (&reply["event_type"], &reply["message"]),
        (&json!("global"), &json!("error"))
    );
    assert_eq!(
        reply["body"]["error"],
        "no handlers registered for type orchestrator"
    );
    assert_eq!(
        (&reply["ref_id"], &reply["client_id"]),
        (&json!("sdk-7"), &client_id)
    );

    // Case-sensitive, and unknown types are answered without ref_id/client_id.
    socket
        .send(Message::text(
            r#"{"event_type":"HEALTH","message":"ping","id":"p"}"#,
        ))
        .await
        .unwrap();
    let reply = next_json(&mut socket).await;
    assert_eq!(reply["body"]["error"], "invalid message type HEALTH");
    assert!(reply.get("ref_id").is_none() && reply.get("client_id").is_none());
    socket.send(Message::text(r#"{"message":"hi"}"#)).await.unwrap();
    assert_eq!(
        next_json(&mut socket).await["body"]["error"],
        "invalid message type "
    );

    socket.send(Message::text("hello")).await.unwrap();
    let reply = next_json(&mut socket).await;
    assert_eq!(reply["message"], "error");
    assert_eq!(
        reply["body"]["error"],
        "invalid character 'h' looking for beginning of value"
    );

    // A health message other than "ping" and any pdfm message get no reply: the next frame is the pong.
    socket
        .send(Message::text(r#"{"event_type":"health","message":"status"}"#))
        .await
        .unwrap();
    socket
        .send(Message::text(
            r#"{"event_type":"pdfm","message":"VM_STATE_CHANGED"}"#,
        ))
        .await
        .unwrap();
    socket
        .send(Message::text(
            r#"{"event_type":"health","message":"ping","id":"last"}"#,
        ))
        .await
        .unwrap();
    assert_eq!(next_json(&mut socket).await["ref_id"], "last");
}

#[tokio::test]
async fn no_subprotocol_is_ever_selected_without_the_flag() {
    let (addr, _) = start(quiet()).await;
    let token = login(addr).await;
    // A browser offering a protocol fails when none is selected; so does tungstenite.
    let result = connect(
        addr,
        &format!("{SUBSCRIBE}?access_token={token}"),
        &[],
        &["events-hub.v1"],
    )
    .await;
    assert!(
        result.is_err(),
        "the handshake must fail when an offered protocol is ignored"
    );
    let head = raw_upgrade(
        addr,
        &format!("{SUBSCRIBE}?access_token={token}"),
        &["Sec-WebSocket-Protocol: events-hub.v1"],
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("sec-websocket-protocol"),
        "{head}"
    );
}

#[tokio::test]
async fn token_subprotocol_with_the_flag() {
    let mut config = quiet();
    config.hub_token_subprotocol = true;
    let (addr, _) = start(config).await;
    let token = login(addr).await;
    let proto = format!(
        "base64url.bearer.authorization.k8s.io.{}",
        URL_SAFE_NO_PAD.encode(&token)
    );
    let (mut socket, response) = connect(addr, SUBSCRIBE, &[], &[&proto, "events-hub.v1"])
        .await
        .unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "events-hub.v1",
        "the token protocol is never echoed"
    );
    assert_eq!(next_json(&mut socket).await["event_type"], "global");
    let bad = format!(
        "base64url.bearer.authorization.k8s.io.{}",
        URL_SAFE_NO_PAD.encode("a.b.c")
    );
    let (status, _) = refused_status(connect(addr, SUBSCRIBE, &[], &[&bad, "events-hub.v1"]).await);
    assert_eq!(status, 401);
}

#[tokio::test]
async fn tokens_expire_and_can_be_rejected_or_expired_on_demand() {
    let mut config = quiet();
    config.token_lifetime = Duration::from_millis(1500);
    let (addr, _) = start(config).await;
    let token = login(addr).await;
    let path = format!("{SUBSCRIBE}?access_token={token}");
    let (mut open, _) = connect(addr, &path, &[], &[]).await.unwrap();
    next_json(&mut open).await;
    tokio::time::sleep(Duration::from_millis(1800)).await;
    assert_eq!(refused_status(connect(addr, &path, &[], &[]).await).0, 401);
    // Auth is checked once, at the upgrade: the open socket lives on.
    open.send(Message::text(
        r#"{"event_type":"health","message":"ping","id":"still"}"#,
    ))
    .await
    .unwrap();
    assert_eq!(next_json(&mut open).await["ref_id"], "still");

    let (addr, _) = start(quiet()).await;
    let token = login(addr).await;
    let header = format!("Bearer {token}");
    assert_eq!(
        http(addr, "POST", "/_sim/tokens/reject", &[], "").await.status,
        200
    );
    assert_eq!(
        refused_status(connect(addr, SUBSCRIBE, &[("Authorization", &header)], &[]).await).0,
        401
    );
    http(addr, "POST", "/_sim/tokens/reject?on=false", &[], "").await;
    assert!(connect(addr, SUBSCRIBE, &[("Authorization", &header)], &[])
        .await
        .is_ok());
    let expired = http(addr, "POST", "/_sim/tokens/expire", &[], "").await;
    assert_eq!(expired.json()["expired"], 1);
    assert_eq!(
        refused_status(connect(addr, SUBSCRIBE, &[("Authorization", &header)], &[]).await).0,
        401
    );
    let v = http(
        addr,
        "POST",
        "/api/v1/auth/token/validate",
        &[],
        &json!({"token": token}).to_string(),
    )
    .await;
    assert_eq!(v.status, 401);
}

#[tokio::test]
async fn unsubscribe_over_rest() {
    let (addr, _) = start(quiet()).await;
    let token = login(addr).await;
    let (mut socket, _) = connect(
        addr,
        &format!("{SUBSCRIBE}?event_types=pdfm,stats,auth&access_token={token}"),
        &[],
        &[],
    )
    .await
    .unwrap();
    let client_id = next_json(&mut socket).await["body"]["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = format!("Authorization: Bearer {token}");
    let full = http(
        addr,
        "POST",
        "/api/v1/ws/unsubscribe",
        &[&auth],
        &json!({"client_id": client_id, "user_id": "x", "event_types": ["pdfm"]}).to_string(),
    )
    .await;
    assert_eq!((full.status, full.body.as_str()), (200, ""));
    let partial = http(
        addr,
        "POST",
        "/api/v1/ws/unsubscribe",
        &[&auth],
        &json!({"client_id": client_id, "event_types": ["stats", "global"]}).to_string(),
    )
    .await;
    assert_eq!(partial.status, 200);
    assert_eq!(
        partial.json(),
        json!({"message": "cannot unsubscribe from global event type unsubscribed from: stats", "code": 200})
    );
    let none = http(
        addr,
        "POST",
        "/api/v1/ws/unsubscribe",
        &[&auth],
        &json!({"client_id": "nope", "event_types": ["auth"]}).to_string(),
    )
    .await;
    assert_eq!(none.status, 400);
    assert!(none.json()["diagnostics"].is_object());
    let clients = http(addr, "GET", "/api/v1/ws/clients", &[&auth], "").await;
    assert_eq!(
        clients.json()[0]["event_subscriptions"],
        json!(["auth", "global"])
    );
    assert_eq!(http(addr, "GET", "/api/v1/ws/clients", &[], "").await.status, 401);
}

#[tokio::test]
async fn trickle_covers_the_channels_with_real_shapes() {
    let mut config = quiet();
    config.rate = 400.0;
    let (addr, _) = start(config).await;
    let token = login(addr).await;
    let all =
        "pdfm,orchestrator,stats,system_logs,reverse_proxy,catalog_cache,job_manager,auth,health,system";
    let (mut socket, _) = connect(
        addr,
        &format!("{SUBSCRIBE}?event_types={all}&access_token={token}"),
        &[],
        &[],
    )
    .await
    .unwrap();
    next_json(&mut socket).await;
    let mut channels = std::collections::BTreeSet::new();
    let mut saw_vm = false;
    let mut saw_wrapped_stats = false;
    let mut saw_job_steps = false;
    for _ in 0..600 {
        let text = next_text(&mut socket).await;
        assert_eq!(
            key_order(&text),
            ["id", "event_type", "timestamp", "message", "body"],
            "{text}"
        );
        let e: Value = serde_json::from_str(&text).unwrap();
        assert!(is_hex64(e["id"].as_str().unwrap()));
        assert!(
            is_rfc3339_nano_utc(e["timestamp"].as_str().unwrap()),
            "{}",
            e["timestamp"]
        );
        let channel = e["event_type"].as_str().unwrap().to_owned();
        assert!(
            !["global", "health", "system"].contains(&channel.as_str()),
            "{text}"
        );
        let body = &e["body"];
        match (channel.as_str(), e["message"].as_str().unwrap()) {
            ("pdfm", "VM_ADDED" | "VM_UPDATED") => {
                let vm = &body["new_vm"];
                for key in [
                    "ID",
                    "Name",
                    "State",
                    "Home path",
                    "Restore Image",
                    "GuestTools",
                    "Hardware",
                    "Network",
                ] {
                    assert!(vm.get(key).is_some(), "{key} in {vm}");
                }
                saw_vm = true;
            }
            ("pdfm", "VM_STATE_CHANGED") => {
                let body_text = serde_json::to_string(&body).unwrap();
                let raw_body = &text[text.find("\"body\":").unwrap() + 7..text.len() - 1];
                assert_eq!(
                    key_order(raw_body),
                    ["previous_state", "current_state", "vm_id"],
                    "{body_text}"
                );
            }
            ("orchestrator", "HOST_STATS_UPDATE") => {
                let raw_stats = &text[text.find("\"stats\":").unwrap() + 8..text.len() - 2];
                let keys = key_order(raw_stats);
                let mut sorted = keys.clone();
                sorted.sort();
                assert_eq!(keys, sorted, "re-marshalled map: alphabetical");
                saw_wrapped_stats = true;
            }
            ("job_manager", _) => {
                let job = if body.get("host_id").is_some() {
                    &body["event"]
                } else {
                    body
                };
                assert!(
                    ["pending", "running", "completed", "failed"].contains(&job["state"].as_str().unwrap())
                );
                if job.get("steps").is_some() {
                    assert!(job["steps"][0].get("current_percentage").is_some());
                    saw_job_steps = true;
                }
            }
            ("system_logs", m) => {
                assert_eq!(m, "System Log");
                assert!(body["time"].as_str().unwrap().ends_with("+02:00"));
            }
            _ => {}
        }
        channels.insert(channel);
    }
    assert!(channels.len() >= 7, "{channels:?}");
    assert!(saw_vm && saw_wrapped_stats && saw_job_steps);
}

#[tokio::test]
async fn api_key_header_is_standard_base64_of_key_and_secret() {
    let (addr, _) = start(quiet()).await;
    let by_id = STANDARD.encode(format!(
        "{}:{}",
        sim::auth::API_KEY_ID.to_uppercase(),
        sim::auth::API_KEY_SECRET
    ));
    let (mut socket, _) = connect(addr, SUBSCRIBE, &[("X-Api-Key", &by_id)], &[])
        .await
        .unwrap();
    assert_eq!(next_json(&mut socket).await["event_type"], "global");
}
