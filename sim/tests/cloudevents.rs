//! CloudEvents over the WebSocket binding end to end: token rules (401 before the upgrade),
//! subprotocol selection and refusal, and MetalSoft's 41 event types including the degraded pair.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::*;
use serde_json::Value;

fn token_protocol(token: &str) -> String {
    format!(
        "base64url.bearer.authorization.k8s.io.{}",
        URL_SAFE_NO_PAD.encode(token)
    )
}

#[tokio::test]
async fn token_is_required_before_the_upgrade() {
    let (addr, _) = start(quiet()).await;
    assert_eq!(
        refused_status(connect(addr, "/cloudevents", &[], &["cloudevents.json"]).await).0,
        401
    );
    let bad = token_protocol("x.y.z");
    let (status, body) =
        refused_status(connect(addr, "/cloudevents", &[], &[&bad, "cloudevents.json"]).await);
    assert_eq!(status, 401);
    assert!(!body.contains("x.y.z"));
    assert_eq!(
        refused_status(connect(addr, "/cloudevents?access_token=nope", &[], &["cloudevents.json"]).await).0,
        401
    );
}

#[tokio::test]
async fn selects_cloudevents_json_and_never_the_token_protocol() {
    let (addr, _) = start(quiet()).await;
    let token = login(addr).await;
    let proto = token_protocol(&token);
    let (_, response) = connect(addr, "/cloudevents", &[], &[&proto, "cloudevents.json"])
        .await
        .unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "cloudevents.json");
    let (_, response) = connect(
        addr,
        &format!("/cloudevents?access_token={token}"),
        &[],
        &["cloudevents.json"],
    )
    .await
    .unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "cloudevents.json");

    // Offered, but not cloudevents.json: no protocol in the answer, so the client fails the handshake.
    assert!(connect(addr, "/cloudevents", &[], &[&proto, "cloudevents.avro"])
        .await
        .is_err());
    let head = raw_upgrade(
        addr,
        &format!("/cloudevents?access_token={token}"),
        &["Sec-WebSocket-Protocol: cloudevents.proto"],
    )
    .await;
    assert!(
        head.starts_with("HTTP/1.1 101") && !head.to_ascii_lowercase().contains("sec-websocket-protocol"),
        "{head}"
    );
    // Nothing offered at all: refused outright.
    assert_eq!(
        refused_status(connect(addr, &format!("/cloudevents?access_token={token}"), &[], &[]).await).0,
        400
    );
}

#[tokio::test]
async fn emits_all_41_types_as_valid_cloudevents_with_the_degraded_pair() {
    let mut config = quiet();
    config.rate = 60.0;
    let (addr, _) = start(config).await;
    let token = login(addr).await;
    let proto = token_protocol(&token);
    let (mut socket, _) = connect(addr, "/cloudevents", &[], &[&proto, "cloudevents.json"])
        .await
        .unwrap();
    let mut types = BTreeSet::new();
    let mut first_of_pair: HashMap<String, Value> = HashMap::new();
    let mut pairs = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while (types.len() < 41 || pairs == 0) && tokio::time::Instant::now() < deadline {
        let text = next_text(&mut socket).await;
        assert_eq!(
            key_order(&text),
            [
                "id",
                "time",
                "type",
                "source",
                "specversion",
                "datacontenttype",
                "data"
            ]
        );
        let e: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(e["specversion"], "1.0");
        assert_eq!(e["datacontenttype"], "application/json");
        assert!(e["source"].as_str().unwrap().starts_with("https://metalsoft.io/"));
        let t = e["type"].as_str().unwrap().to_owned();
        assert!(sim::gen_metalsoft::TYPES.contains(&t.as_str()), "{t}");
        if t == "server.health.state.degraded" {
            assert_eq!(e["source"], "https://metalsoft.io/notification-microservice");
            let key = format!("{}/{}", e["data"]["serverId"], e["data"]["newState"]);
            if e["data"]["monitoringAgentPrompted"] == false {
                assert!(e["data"].get("monitoringAgentResult").is_none());
                first_of_pair.insert(key, e.clone());
            } else {
                assert!(e["data"]["monitoringAgentResult"]
                    .as_str()
                    .unwrap()
                    .starts_with("<p>"));
                let first = first_of_pair
                    .get(&key)
                    .expect("the prompted event follows the first one");
                assert_ne!(first["id"], e["id"]);
                assert!(first["time"].as_str().unwrap() < e["time"].as_str().unwrap());
                pairs += 1;
            }
        }
        types.insert(t);
    }
    assert_eq!(types.len(), 41);
    assert!(pairs >= 1);
}
