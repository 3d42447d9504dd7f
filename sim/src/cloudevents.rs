//! CloudEvents over the CloudEvents WebSocket binding at `/cloudevents`, carrying MetalSoft's
//! significant events. The client must offer `cloudevents.json`; a token issued by the Events Hub
//! login comes as the Kubernetes-style token subprotocol, a query parameter, or a Bearer header.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::SinkExt as _;
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use crate::clock::Nanos;
use crate::control::Source;
use crate::gen_metalsoft::{self, CloudEvent, MetalSoftWorld};
use crate::json::J;
use crate::rng::{self, Rng};
use crate::stream::{Feed, Stream};
use crate::{auth, query_pairs, ws, Sim};

pub const PROTOCOL: &str = "cloudevents.json";

pub fn router() -> Router<Arc<Sim>> {
    Router::new().route("/cloudevents", get(cloudevents))
}

fn unauthorized(description: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "unauthorized", "error_description": description})),
    )
        .into_response()
}

async fn cloudevents(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let query = query_pairs(req.uri().query());
    let offered = ws::offered_protocols(req.headers());
    let from_query = |key: &str| {
        query
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let from_header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let token = auth::token_from_protocols(&offered)
        .or_else(|| from_query("access_token"))
        .or_else(|| from_query("token"))
        .or(from_header);
    let Some(token) = token else {
        return unauthorized(
            "a token is required (token subprotocol, access_token query parameter or Bearer header)",
        );
    };
    if let Err(e) = sim.auth.check_token(&token) {
        return unauthorized(e.describe());
    }
    if !ws::is_upgrade(&req) {
        return ws::not_upgrade();
    }
    if offered.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "the CloudEvents WebSocket binding requires a subprotocol; offer cloudevents.json"})),
        )
            .into_response();
    }
    if !offered.iter().any(|p| p == PROTOCOL) {
        // The binding: a server that supports none of the offered protocols omits the header,
        // and the client (a browser certainly) then fails the handshake. Close at once in case it
        // does not.
        return ws::accept(req, None, |mut socket| async move {
            let close = CloseFrame {
                code: CloseCode::Protocol,
                reason: "no supported subprotocol offered".into(),
            };
            let _ = socket.send(Message::Close(Some(close))).await;
        });
    }
    let (ordinal, live) = sim.control.open(Source::CloudEvents);
    let mut rng = rng::stream_rng(sim.control.seed(), "cloudevents", ordinal);
    let world = MetalSoftWorld::new(&mut rng);
    let sim2 = sim.clone();
    ws::accept(req, Some(PROTOCOL), move |socket| {
        Stream::run(sim2, socket, CloudEventsFeed { world }, rng, live)
    })
}

pub struct CloudEventsFeed {
    world: MetalSoftWorld,
}

impl Feed for CloudEventsFeed {
    type Event = CloudEvent;
    const SOURCE: Source = Source::CloudEvents;

    fn scene(&mut self, rng: &mut Rng, _at: Nanos) -> Vec<(f64, CloudEvent)> {
        self.world.scene(rng)
    }

    fn sample(&mut self, rng: &mut Rng, _at: Nanos) -> CloudEvent {
        let t = self.world.next_type(rng);
        gen_metalsoft::event(t, rng)
    }

    fn oversized(&mut self, size: usize, rng: &mut Rng, _at: Nanos) -> CloudEvent {
        let mut e = gen_metalsoft::event("user.created", rng);
        e.data.set("message", "x".repeat(size));
        e
    }

    fn render(&mut self, event: &CloudEvent, ts: Nanos, rng: &mut Rng) -> String {
        gen_metalsoft::render(event, ts, rng)
    }

    fn burst_frame(
        &mut self,
        mix: &[String],
        seq: u64,
        sent_at_ms: f64,
        ts: Nanos,
        rng: &mut Rng,
    ) -> Option<String> {
        let types: Vec<&'static str> = if mix.is_empty() {
            vec!["network.device.archived"]
        } else {
            mix.iter().flat_map(|m| gen_metalsoft::category(m)).collect()
        };
        if types.is_empty() {
            return None;
        }
        let mut event = gen_metalsoft::event(types[(seq % types.len() as u64) as usize], rng);
        // Extension attributes: a CloudEvents Integer is 32-bit, so the time is a String.
        event
            .extensions
            .push(("sentatms", J::Str(format!("{sent_at_ms}"))));
        event
            .extensions
            .push(("burstseq", J::Int((seq & 0x7fff_ffff) as i64)));
        Some(gen_metalsoft::render(&event, ts, rng))
    }
}
