//! End to end over real loopback sockets: the simulator's origin serves files with the right types
//! and its smoke socket greets and echoes.

use std::path::PathBuf;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start(www: PathBuf, pkg: PathBuf) -> std::net::SocketAddr {
    let config = sim::Config::new(www, pkg);
    let (addr, server) = sim::bind(&config, 0).await.unwrap();
    tokio::spawn(server);
    addr
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn serves_www_at_root_and_wasm_with_its_mime_type() {
    let www = scratch_dir("www");
    let pkg = scratch_dir("pkg");
    std::fs::write(www.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    std::fs::write(pkg.join("module_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let addr = start(www, pkg).await;

    let index = http_get(addr, "/").await;
    assert!(index.starts_with("HTTP/1.1 200"), "{index}");
    assert!(index.contains("<title>demo</title>"), "{index}");

    let wasm = http_get(addr, "/pkg/module_bg.wasm").await.to_ascii_lowercase();
    assert!(wasm.starts_with("http/1.1 200"), "{wasm}");
    assert!(wasm.contains("content-type: application/wasm"), "{wasm}");

    let missing = http_get(addr, "/pkg/nothing.js").await;
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
}

#[tokio::test]
async fn smoke_socket_greets_then_echoes() {
    let addr = start(scratch_dir("www2"), scratch_dir("pkg2")).await;
    let (mut socket, _) = tokio_tungstenite::client_async(
        format!("ws://{addr}/_test/hello"),
        TcpStream::connect(addr).await.unwrap(),
    )
    .await
    .unwrap();
    let first = socket.next().await.unwrap().unwrap();
    assert_eq!(first, Message::text(r#"{"hello":"infra-events-sim"}"#));
    socket.send(Message::text("ping?")).await.unwrap();
    assert_eq!(socket.next().await.unwrap().unwrap(), Message::text("ping?"));
}
