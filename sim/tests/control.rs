//! The control API end to end: drops, refusals, silence, every fault kind, bursts with send
//! timestamps on each streaming source, seeded replay, and the binary's first line.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::*;
use futures_util::StreamExt as _;
use serde_json::Value;
use tokio::io::AsyncBufReadExt as _;
use tokio_tungstenite::tungstenite::Message;

async fn hub(addr: SocketAddr, types: &str) -> Client {
    let token = login(addr).await;
    let path = format!("/api/v1/ws/subscribe?event_types={types}&access_token={token}");
    let (mut socket, _) = connect(addr, &path, &[], &[]).await.unwrap();
    let welcome = next_json(&mut socket).await;
    assert_eq!(welcome["event_type"], "global");
    socket
}

async fn control(addr: SocketAddr, path: &str) -> Value {
    let r = http(addr, "POST", path, &[], "").await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

/// Waits until the socket ends; true if it ended without a close frame.
async fn ends_abruptly(socket: &mut Client) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("the socket ends within 5 s")
        {
            Some(Ok(Message::Close(_))) => return false,
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return true,
        }
    }
}

#[tokio::test]
async fn drop_closes_every_socket_without_a_close_frame() {
    let (addr, _) = start(quiet()).await;
    let mut a = hub(addr, "pdfm").await;
    let (mut b, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
    let r = control(addr, "/_sim/drop").await;
    assert_eq!(r["dropped"], 2);
    assert!(ends_abruptly(&mut a).await);
    assert!(ends_abruptly(&mut b).await);
    let status = http(addr, "GET", "/_sim/status", &[], "").await.json();
    assert_eq!(status["live"]["hub"], 0);
}

#[tokio::test]
async fn drop_one_source_only() {
    let (addr, _) = start(quiet()).await;
    let mut a = hub(addr, "pdfm").await;
    let (mut b, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
    assert_eq!(control(addr, "/_sim/drop?source=lxd").await["dropped"], 1);
    assert!(ends_abruptly(&mut b).await);
    // The hub socket still answers.
    use futures_util::SinkExt as _;
    a.send(Message::text(
        r#"{"event_type":"health","message":"ping","id":"alive"}"#,
    ))
    .await
    .unwrap();
    assert_eq!(next_json(&mut a).await["ref_id"], "alive");
}

#[tokio::test]
async fn refuse_new_connections_for_a_while() {
    let (addr, _) = start(quiet()).await;
    control(addr, "/_sim/refuse?secs=0.6").await;
    async fn opens(addr: SocketAddr) -> bool {
        let Ok(stream) = tokio::net::TcpStream::connect(addr).await else {
            return false;
        };
        tokio_tungstenite::client_async(format!("ws://{addr}/1.0/events"), stream)
            .await
            .is_ok()
    }
    assert!(!opens(addr).await, "refused while the window lasts");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(opens(addr).await);
}

#[tokio::test]
async fn silence_is_half_open_then_resumes() {
    let mut config = quiet();
    config.rate = 200.0;
    let (addr, _) = start(config).await;
    let (mut socket, _) = connect(addr, "/1.0/events?type=logging,lifecycle,operation", &[], &[])
        .await
        .unwrap();
    next_text(&mut socket).await;
    control(addr, "/_sim/silence?secs=1.2").await;
    // Drain what was already in flight, then nothing comes, and the socket stays open.
    tokio::time::sleep(Duration::from_millis(150)).await;
    while maybe_message(&mut socket, Duration::from_millis(50))
        .await
        .is_some()
    {}
    assert!(
        maybe_message(&mut socket, Duration::from_millis(600))
            .await
            .is_none(),
        "silent"
    );
    assert!(
        next_text(&mut socket).await.ends_with('\n'),
        "resumes after the silence"
    );
}

async fn fault(addr: SocketAddr, socket: &mut Client, kind: &str) -> Vec<Message> {
    control(addr, &format!("/_sim/fault?kind={kind}&size=200000")).await;
    let mut got = Vec::new();
    while let Some(m) = maybe_message(socket, Duration::from_millis(300)).await {
        got.push(m);
    }
    got
}

fn text(m: &Message) -> &str {
    match m {
        Message::Text(t) => t.as_str(),
        other => panic!("expected text, got {other:?}"),
    }
}

#[tokio::test]
async fn every_fault_kind() {
    let (addr, _) = start(quiet()).await;
    let mut socket = hub(addr, "pdfm,system_logs").await;

    let got = fault(addr, &mut socket, "malformed").await;
    assert_eq!(got.len(), 1);
    assert!(serde_json::from_str::<Value>(text(&got[0])).is_err());

    let got = fault(addr, &mut socket, "truncated").await;
    assert!(serde_json::from_str::<Value>(text(&got[0])).is_err());
    assert!(text(&got[0]).starts_with(r#"{"id":""#));

    let got = fault(addr, &mut socket, "binary").await;
    match &got[0] {
        Message::Binary(b) => assert!(serde_json::from_slice::<Value>(b).is_ok()),
        other => panic!("expected binary, got {other:?}"),
    }

    let got = fault(addr, &mut socket, "oversized").await;
    assert!(text(&got[0]).len() >= 200_000);
    assert!(serde_json::from_str::<Value>(text(&got[0])).is_ok());

    let got = fault(addr, &mut socket, "duplicate").await;
    assert_eq!(got.len(), 1, "the previous frame again");
    let again = fault(addr, &mut socket, "duplicate").await;
    assert_eq!(text(&got[0]), text(&again[0]));

    let got = fault(addr, &mut socket, "out-of-order").await;
    assert_eq!(got.len(), 2);
    let t = |m: &Message| {
        serde_json::from_str::<Value>(text(m)).unwrap()["timestamp"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        t(&got[1]) < t(&got[0]),
        "second is older: {} {}",
        t(&got[0]),
        t(&got[1])
    );

    control(addr, "/_sim/fault?kind=truncated-frame").await;
    let ended = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .unwrap();
    assert!(matches!(ended, Some(Err(_)) | None), "{ended:?}");
}

#[tokio::test]
async fn faults_on_connect_from_flags() {
    let mut config = quiet();
    config.rate = 100.0;
    config.on_connect.faults = vec![sim::control::FaultKind::Malformed];
    config.on_connect.fault_every = 3;
    let (addr, _) = start(config).await;
    let (mut socket, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
    let mut bad = 0;
    for _ in 0..40 {
        if serde_json::from_str::<Value>(&next_text(&mut socket).await).is_err() {
            bad += 1;
        }
    }
    assert!((8..=14).contains(&bad), "one in four frames is malformed: {bad}");
}

#[tokio::test]
async fn bursts_carry_send_times_on_every_source() {
    let (addr, _) = start(quiet()).await;
    let mut socket = hub(addr, "stats,system_logs").await;
    let r = control(
        addr,
        "/_sim/burst?source=hub&rate=4000&secs=0.5&mix=stats,system_logs",
    )
    .await;
    assert_eq!(r["sockets"], 1);
    let mut seqs = Vec::new();
    let mut messages = std::collections::BTreeSet::new();
    while let Some(m) = maybe_message(&mut socket, Duration::from_millis(400)).await {
        let e: Value = serde_json::from_str(text(&m)).unwrap();
        assert!(e["body"]["sent_at_ms"].as_f64().unwrap() > 1.7e12);
        seqs.push(e["body"]["burst_seq"].as_u64().unwrap());
        messages.insert(e["message"].as_str().unwrap().to_owned());
    }
    // Paced at the rate (at most 2000 in 0.5 s); fewer only if this machine is very busy.
    assert!(seqs.len() >= 200 && seqs.len() <= 2001, "{}", seqs.len());
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
    assert_eq!(
        messages.into_iter().collect::<Vec<_>>(),
        ["System Log", "System Stats"]
    );

    let (mut lxd, _) = connect(addr, "/1.0/events?type=logging", &[], &[]).await.unwrap();
    control(addr, "/_sim/burst?source=lxd&rate=1000&secs=0.2").await;
    let e: Value = serde_json::from_str(&next_text(&mut lxd).await).unwrap();
    assert!(
        e["metadata"]["context"]["sent_at_ms"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            > 1.7e12
    );

    let token = login(addr).await;
    let proto = format!(
        "base64url.bearer.authorization.k8s.io.{}",
        URL_SAFE_NO_PAD.encode(&token)
    );
    let (mut ce, _) = connect(addr, "/cloudevents", &[], &[&proto, "cloudevents.json"])
        .await
        .unwrap();
    control(addr, "/_sim/burst?source=cloudevents&rate=1000&secs=0.2&mix=user").await;
    let e: Value = serde_json::from_str(&next_text(&mut ce).await).unwrap();
    assert!(e["type"].as_str().unwrap().starts_with("user."));
    assert!(e["sentatms"].as_str().unwrap().parse::<f64>().unwrap() > 1.7e12);
    assert!(e["burstseq"].is_i64());
}

#[tokio::test]
async fn the_same_seed_replays_the_same_frames() {
    async fn capture(seed: u64) -> Vec<String> {
        let mut config = quiet();
        config.rate = 200.0;
        config.seed = Some(seed);
        let (addr, _) = start(config).await;
        let token = login(addr).await;
        let path =
            format!("/api/v1/ws/subscribe?event_types=pdfm,orchestrator,job_manager&access_token={token}");
        let (mut socket, _) = connect(addr, &path, &[], &[]).await.unwrap();
        let mut frames = Vec::new();
        for _ in 0..40 {
            frames.push(next_text(&mut socket).await);
        }
        let (mut lxd, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
        for _ in 0..20 {
            frames.push(next_text(&mut lxd).await);
        }
        frames
    }
    let a = capture(7).await;
    assert_eq!(a, capture(7).await);
    assert_ne!(a, capture(8).await);
    assert!(
        a[0].contains("\"timestamp\":\"2026-01-01T00:00:00Z\""),
        "virtual clock: {}",
        a[0]
    );
}

#[tokio::test]
async fn binary_prints_listening_first_then_credentials() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["--port", "0", "--rate", "0"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    let port: u16 = first
        .strip_prefix("LISTENING ")
        .expect("first line")
        .parse()
        .unwrap();
    assert!(port > 0);
    let mut rest = String::new();
    for _ in 0..3 {
        rest.push_str(&lines.next_line().await.unwrap().unwrap());
    }
    assert!(rest.contains("user admin / password admin"), "{rest}");
    assert!(rest.contains(&sim::auth::api_key_encoded()));
    let r = http(([127, 0, 0, 1], port).into(), "GET", "/_sim/status", &[], "").await;
    assert_eq!(r.status, 200);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn flags_drop_every_and_silent_after() {
    let mut config = quiet();
    config.drop_every = Some(Duration::from_millis(300));
    let (addr, _) = start(config).await;
    let (mut socket, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
    assert!(ends_abruptly(&mut socket).await);

    let mut config = quiet();
    config.rate = 200.0;
    config.on_connect.silent_after = Some(Duration::from_millis(200));
    let (addr, _) = start(config).await;
    let (mut socket, _) = connect(addr, "/1.0/events", &[], &[]).await.unwrap();
    next_text(&mut socket).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    while maybe_message(&mut socket, Duration::from_millis(50))
        .await
        .is_some()
    {}
    assert!(
        maybe_message(&mut socket, Duration::from_millis(500))
            .await
            .is_none(),
        "half-open: open but silent"
    );
    let status = http(addr, "GET", "/_sim/status", &[], "").await.json();
    assert_eq!(status["live"]["lxd"], 1, "still connected");
}

#[tokio::test]
async fn reject_tokens_flag_and_reset() {
    let mut config = quiet();
    config.reject_tokens = true;
    let (addr, _) = start(config).await;
    let token = login(addr).await;
    let path = format!("/api/v1/ws/subscribe?access_token={token}");
    assert_eq!(refused_status(connect(addr, &path, &[], &[]).await).0, 401);
    control(addr, "/_sim/reset").await;
    assert!(connect(addr, &path, &[], &[]).await.is_ok());
    let bad = http(addr, "POST", "/_sim/fault?kind=nonsense", &[], "").await;
    assert_eq!(bad.status, 400);
}
