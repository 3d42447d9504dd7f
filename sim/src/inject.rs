//! `POST /_sim/inject?source=hub|lxd|cloudevents`: the request body, as it is, goes out as one text
//! frame on every socket of that source open at that moment.
//!
//! The generators only ever produce well-formed, realistic events; a test that needs one exact frame
//! (an event carrying hostile HTML for the demo page's XSS check, a shape no generator makes) sends
//! it through here. It travels the same broadcast path as faults and bursts, so it lands in order
//! with the socket's other frames.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::control::{Command, Target};
use crate::Sim;

fn bad(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// The handler mounted at `/_sim/inject`. Answers `{"sockets": n}`, the number of sockets of the
/// source that were open (and so received the frame).
pub async fn inject(
    State(sim): State<Arc<Sim>>,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    // A frame shaped for one server means nothing to the others, so `all` is refused.
    let target = match params.get("source").map(|s| Target::parse(s)) {
        Some(Ok(t @ Target::One(_))) => t,
        Some(Ok(Target::All)) | None => {
            return bad("source: required, one of hub, lxd, cloudevents".into());
        }
        Some(Err(e)) => return bad(e),
    };
    if body.is_empty() {
        return bad("the body is the frame to send; it is empty".into());
    }
    // A WebSocket text frame must be UTF-8; anything else would be a protocol error on the wire.
    let text = match String::from_utf8(body.to_vec()) {
        Ok(t) => t,
        Err(e) => {
            return bad(format!(
                "the body must be UTF-8 text (invalid byte at {})",
                e.utf8_error().valid_up_to()
            ))
        }
    };
    let n = sim.control.send(target, Command::Inject(text.into()));
    Json(json!({ "sockets": n })).into_response()
}
