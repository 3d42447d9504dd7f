//! Endpoints for the SDK's own transport tests: a socket that greets and echoes.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// The first frame every `/_test/hello` client receives.
pub const GREETING: &str = r#"{"hello":"infra-events-sim"}"#;

pub fn router() -> Router {
    Router::new().route("/hello", get(hello))
}

async fn hello(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(greet_then_echo)
}

async fn greet_then_echo(mut socket: WebSocket) {
    if socket.send(Message::text(GREETING)).await.is_err() {
        return;
    }
    // Keep reading after a Close: the close reply is only flushed by the next read, and without it
    // the client sees an abnormal closure (1006) instead of a clean one.
    while let Some(Ok(message)) = socket.recv().await {
        let reply = match message {
            Message::Text(_) | Message::Binary(_) => message,
            Message::Close(_) | Message::Ping(_) | Message::Pong(_) => continue,
        };
        if socket.send(reply).await.is_err() {
            break;
        }
    }
}
