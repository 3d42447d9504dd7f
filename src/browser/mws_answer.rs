//! MWS's answers read where they arrive: the status by the sans-IO client's rule
//! ([`check_status`]), the body by the package's decode exports (`decodeMwsEventList`,
//! `decodeMwsEvent`, `decodeMwsError`, installed by the entry) on the browser's own string. So a
//! body never crosses into wasm on success, and what the application gets is MWS's own object,
//! members the model does not know included. Rust keeps only what it acts on: the counts of a
//! page, and the id and date of each event for the poller.

use js_sys::{Array, JsString, Reflect};
use wasm_bindgen::prelude::*;

use super::decoders::{self, installed};
use super::fetch::JsReply;
use crate::decode::{head, DecodeErrorKind, DecodeSource};
use crate::mws_client::{check_status, EventPage, MwsError, PolledEvent, ServerMessages};

/// What an answer carries, and so which decoder checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// `{totalCount, resultCount, results}`: `decodeMwsEventList`.
    EventList,
    /// One event: `decodeMwsEvent`.
    Event,
}

impl Body {
    fn key(self) -> &'static str {
        match self {
            Body::EventList => "mws",
            Body::Event => "mws-event",
        }
    }
}

/// One event of a page, as the poller sees it: MWS's object, and the two members it orders and
/// deduplicates on, read once.
#[derive(Debug, Clone)]
pub struct JsMwsEvent {
    object: JsValue,
    id: String,
    event_date: String,
}

impl JsMwsEvent {
    /// MWS's own object, for the application.
    pub fn into_object(self) -> JsValue {
        self.object
    }
}

impl PolledEvent for JsMwsEvent {
    fn id(&self) -> &str {
        &self.id
    }

    fn event_date(&self) -> &str {
        &self.event_date
    }
}

/// Whether the package entry installed the decoders of the success bodies (an error body without
/// its decoder is still reported, by its head).
pub fn ready() -> bool {
    installed(Body::EventList.key()).is_some() && installed(Body::Event.key()).is_some()
}

/// The checked object of an answer whose status must be one of `ok`; otherwise the error for the
/// status, with what MWS said.
pub fn read(reply: &JsReply, ok: &[u16], body: Body) -> Result<JsValue, MwsError> {
    check_status(reply.status, ok, || messages(&reply.body))?;
    let decode = installed(body.key()).ok_or_else(|| {
        MwsError::Decode(decoders::error(
            DecodeSource::Mws,
            DecodeErrorKind::Syntax,
            "no decoder installed for MWS: import the package entry",
        ))
    })?;
    Ok(decoders::call(&decode, DecodeSource::Mws, &reply.body)?)
}

/// A checked list as the poller's input.
pub fn page(list: &JsValue) -> Result<EventPage<JsMwsEvent>, MwsError> {
    let (total_count, result_count) = counts(list)?;
    let results = member(list, "results");
    if !Array::is_array(&results) {
        return Err(not_checked("results is not an array"));
    }
    let events = Array::from(&results)
        .iter()
        .enumerate()
        .map(|(i, object)| {
            let text = |key: &str| {
                member(&object, key)
                    .as_string()
                    .ok_or_else(|| not_checked(&format!("results[{i}].{key} is not a string")))
            };
            Ok(JsMwsEvent {
                id: text("id")?,
                event_date: text("eventDate")?,
                object,
            })
        })
        .collect::<Result<Vec<_>, MwsError>>()?;
    Ok(EventPage {
        total_count,
        result_count,
        events,
    })
}

/// `totalCount` and `resultCount` of a checked list.
pub fn counts(list: &JsValue) -> Result<(u64, u64), MwsError> {
    let count = |key: &str| {
        member(list, key)
            .as_f64()
            .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= 9_007_199_254_740_991.0)
            .map(|n| n as u64)
            .ok_or_else(|| not_checked(&format!("{key} is not a count")))
    };
    Ok((count("totalCount")?, count("resultCount")?))
}

/// What an error body says: MWS's `messages` when `decodeMwsError` accepts it, else its head.
fn messages(body: &JsString) -> ServerMessages {
    let read = installed("mws-error").and_then(|decode| decode.call1(&JsValue::UNDEFINED, body).ok());
    if let Some(messages) = read.map(|checked| member(&checked, "messages")) {
        if Array::is_array(&messages) {
            let list = Array::from(&messages);
            if let Some(messages) = list.iter().map(|m| m.as_string()).collect::<Option<Vec<_>>>() {
                return ServerMessages::read(messages);
            }
        }
    }
    // A proxy's error page can be large: only its start is copied. Two UTF-16 units per character
    // cover the head's characters even outside the BMP.
    let start = body.slice(0, 2 * crate::decode::INPUT_HEAD_CHARS as u32);
    ServerMessages::unreadable(&head(&String::from(&start)))
}

fn member(object: &JsValue, key: &str) -> JsValue {
    if object.is_object() {
        Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// An object the decoder returned without the members it checks: a decoder that is not the
/// package's, since the package's would have thrown.
fn not_checked(reason: &str) -> MwsError {
    MwsError::Decode(decoders::error(DecodeSource::Mws, DecodeErrorKind::Shape, reason))
}
