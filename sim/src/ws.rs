//! WebSocket upgrades done by hand (hyper's upgrade + tokio-tungstenite) rather than with axum's
//! extractor, because the simulator must decide the subprotocol answer itself (select one, or
//! deliberately none) and must be able to write raw bytes for wire-level faults.

use std::future::Future;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

pub type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// The protocols a client offered in `Sec-WebSocket-Protocol` (every header line, comma-split).
pub fn offered_protocols(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

fn header_has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// Whether this is a well-formed WebSocket upgrade request (RFC 6455 §4.2.1).
pub fn is_upgrade(req: &Request) -> bool {
    let h = req.headers();
    req.method() == axum::http::Method::GET
        && header_has_token(h, header::CONNECTION, "upgrade")
        && header_has_token(h, header::UPGRADE, "websocket")
        && h.get(header::SEC_WEBSOCKET_VERSION).is_some_and(|v| v == "13")
        && h.get(header::SEC_WEBSOCKET_KEY).is_some()
}

/// What Go's gorilla upgrader answers to a plain HTTP request on a WebSocket endpoint.
pub fn not_upgrade() -> Response {
    (StatusCode::BAD_REQUEST, "Bad Request\n").into_response()
}

/// Answers 101 and runs `on_open` with the socket once the upgrade completes. `protocol` is the
/// subprotocol to select (it must be one the client offered), or `None` to send no
/// `Sec-WebSocket-Protocol` header at all.
pub fn accept<F, Fut>(mut req: Request, protocol: Option<&str>, on_open: F) -> Response
where
    F: FnOnce(Socket) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    if !is_upgrade(&req) {
        return not_upgrade();
    }
    let key = req
        .headers()
        .get(header::SEC_WEBSOCKET_KEY)
        .map(|k| derive_accept_key(k.as_bytes()));
    let Some(on_upgrade) = req.extensions_mut().remove::<hyper::upgrade::OnUpgrade>() else {
        return not_upgrade();
    };
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let config = WebSocketConfig::default();
        let socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
        on_open(socket).await;
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = response.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Some(key) = key.and_then(|k| HeaderValue::from_str(&k).ok()) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, key);
    }
    if let Some(p) = protocol.and_then(|p| HeaderValue::from_str(p).ok()) {
        h.insert(header::SEC_WEBSOCKET_PROTOCOL, p);
    }
    response
}

/// Writes a text frame whose header announces all of `payload` but only the first half follows,
/// then closes the TCP connection: what a client sees when a server dies mid-frame.
pub async fn write_truncated_frame(socket: &mut Socket, payload: &[u8]) -> std::io::Result<()> {
    use futures_util::SinkExt as _;
    let _ = socket.flush().await;
    let mut frame = Vec::with_capacity(10 + payload.len() / 2);
    frame.push(0x81); // FIN + text
    let len = payload.len();
    if len < 126 {
        frame.push(len as u8);
    } else if len <= u16::MAX as usize {
        frame.push(126);
        frame.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        frame.push(127);
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
    frame.extend_from_slice(&payload[..len / 2]);
    let io = socket.get_mut();
    io.write_all(&frame).await?;
    io.flush().await?;
    io.shutdown().await
}
