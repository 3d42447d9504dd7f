//! Transport checks shared by the Chromium and Node runs: a real WebSocket to the simulator on
//! loopback. The test script starts `sim --port 0` and hands its address over at compile time
//! (browser tests cannot read the environment at run time).

use infra_events::browser::socket::{Socket, SocketEvent};

pub const SIM_WS: &str = match option_env!("TEST_SIM_WS") {
    Some(url) => url,
    None => "ws://127.0.0.1:8787",
};

pub async fn greeting_arrives_then_echo_then_clean_close() {
    let mut socket = Socket::open(&format!("{SIM_WS}/_test/hello"), &[]).expect("socket opens");
    assert_eq!(socket.next().await, Some(SocketEvent::Open));
    assert_eq!(
        socket.next().await,
        Some(SocketEvent::Text(r#"{"hello":"infra-events-sim"}"#.to_owned()))
    );
    assert_eq!(socket.protocol(), "", "the smoke socket selects no subprotocol");

    socket.send_text("echo me").unwrap();
    assert_eq!(socket.next().await, Some(SocketEvent::Text("echo me".to_owned())));

    socket.close().unwrap();
    match socket.next().await {
        Some(SocketEvent::Closed { was_clean, .. }) => assert!(was_clean, "a close we asked for is clean"),
        other => panic!("expected a close, got {other:?}"),
    }
    assert_eq!(socket.next().await, None, "nothing after the close");
}

pub async fn refused_connection_reports_error_then_abnormal_close() {
    // Port 9 (discard) has no listener on this machine: the connection is refused.
    let mut socket = Socket::open("ws://127.0.0.1:9/", &[]).expect("constructor accepts the url");
    assert_eq!(socket.next().await, Some(SocketEvent::Error));
    match socket.next().await {
        Some(SocketEvent::Closed { code, was_clean, .. }) => {
            assert_eq!(code, 1006, "abnormal closure");
            assert!(!was_clean);
        }
        other => panic!("expected a close, got {other:?}"),
    }
}

pub fn malformed_url_is_an_error_not_a_panic() {
    // (A relative string is not malformed: browsers resolve it against the page URL.)
    assert!(Socket::open("ws://[::1", &[]).is_err(), "unparseable host");
    assert!(
        Socket::open("ftp://127.0.0.1/", &[]).is_err(),
        "only ws(s) and http(s) schemes"
    );
}
