//! Frames checked where they arrive: the package's decode exports (JavaScript: `JSON.parse`, then
//! the validator generated from the model) check each frame, so its text never crosses into wasm.
//! The session gets from the checked object only what it acts on: the id to deduplicate on, and
//! whether the frame is a welcome or the answer to its ping.
//!
//! The decode exports are handed over once by the package entry ([`super::decoders`]).

#[cfg(any(feature = "events-hub", feature = "cloudevents"))]
use js_sys::Reflect;
use js_sys::{Function, JsString};
use wasm_bindgen::prelude::*;

pub use super::decoders::install_frame_decoders;
use super::decoders::{self, installed};
use crate::decode::{DecodeError, DecodeErrorKind, DecodeSource};
use crate::session::{Decoded, Role, Source};

/// What a source's frames mean to the session, read from the checked object.
#[derive(Clone)]
pub enum Protocol {
    /// Deduplicated by `id`; the welcome and the `health` pong have roles.
    #[cfg(feature = "events-hub")]
    EventsHub(crate::session::EventsHub),
    /// No identity, no roles.
    #[cfg(feature = "lxd")]
    Lxd,
    /// Deduplicated by `source` + `id`.
    #[cfg(feature = "cloudevents")]
    CloudEvents,
}

/// The source of a browser session: its events are the checked JavaScript objects.
#[derive(Clone)]
pub struct JsFrames {
    protocol: Protocol,
    decode: Option<Function>,
    source: DecodeSource,
}

impl JsFrames {
    pub fn new(protocol: Protocol) -> Self {
        let source = match &protocol {
            #[cfg(feature = "events-hub")]
            Protocol::EventsHub(_) => DecodeSource::EventsHub,
            #[cfg(feature = "lxd")]
            Protocol::Lxd => DecodeSource::Lxd,
            #[cfg(feature = "cloudevents")]
            Protocol::CloudEvents => DecodeSource::CloudEvents,
        };
        JsFrames {
            decode: installed(source.as_str()),
            protocol,
            source,
        }
    }

    /// Whether the package entry installed this source's decoder.
    pub fn ready(&self) -> bool {
        self.decode.is_some()
    }

    /// Checks one text frame (the browser's own string) with the decode export.
    pub fn check(&self, text: &JsValue) -> Result<Decoded<JsValue>, DecodeError> {
        let Some(decode) = &self.decode else {
            return Err(self.error(
                DecodeErrorKind::Syntax,
                "no decoder installed for this source: import the package entry",
            ));
        };
        let object = decoders::call(decode, self.source, text)?;
        let (key, role) = self.classify(&object);
        Ok(Decoded {
            event: object,
            key,
            role,
        })
    }

    fn classify(&self, object: &JsValue) -> (Option<String>, Role) {
        #[cfg(any(feature = "events-hub", feature = "cloudevents"))]
        let get = |key: &str| Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED);
        #[cfg(not(any(feature = "events-hub", feature = "cloudevents")))]
        let _ = object;
        match &self.protocol {
            #[cfg(feature = "events-hub")]
            Protocol::EventsHub(hub) => {
                let key = get("id").as_string();
                if get("unknown").is_truthy() {
                    return (key, Role::Event);
                }
                let role = match get("event_type").as_string().as_deref() {
                    Some("global") => {
                        let message = get("message").as_string();
                        if message.as_deref() == Some(crate::model::events_hub::HUB_WELCOME_MESSAGE) {
                            let subscriptions = Reflect::get(&get("body"), &"subscriptions".into())
                                .ok()
                                .map(|list| js_sys::Array::from(&list))
                                .map(|list| list.iter().filter_map(|s| s.as_string()).collect::<Vec<_>>())
                                .unwrap_or_default();
                            Role::Welcome {
                                not_granted: hub.not_granted(&subscriptions),
                            }
                        } else {
                            Role::Event
                        }
                    }
                    Some("health") => match get("ref_id").as_string() {
                        Some(ref_id) if get("message").as_string().as_deref() == Some("pong") => {
                            Role::Pong { ref_id }
                        }
                        _ => Role::Event,
                    },
                    _ => Role::Event,
                };
                (key, role)
            }
            #[cfg(feature = "lxd")]
            Protocol::Lxd => (None, Role::Event),
            #[cfg(feature = "cloudevents")]
            Protocol::CloudEvents => {
                let key = match (get("source").as_string(), get("id").as_string()) {
                    (Some(source), Some(id)) => Some(crate::session::CloudEvents::key(&source, &id)),
                    _ => None,
                };
                (key, Role::Event)
            }
        }
    }

    fn error(&self, kind: DecodeErrorKind, reason: &str) -> DecodeError {
        decoders::error(self.source, kind, reason)
    }
}

impl Source for JsFrames {
    type Event = JsValue;

    fn decode_source(&self) -> DecodeSource {
        self.source
    }

    /// Frames reach a browser session already checked ([`JsFrames::check`]), never as text.
    fn decode(&self, _text: &str) -> Result<Decoded<JsValue>, DecodeError> {
        Err(self.error(DecodeErrorKind::Syntax, "frames are checked in JavaScript"))
    }

    fn ping_frame(&self, id: &str) -> Option<String> {
        match &self.protocol {
            #[cfg(feature = "events-hub")]
            Protocol::EventsHub(_) => Some(crate::session::EventsHub::ping_text(id)),
            #[allow(unreachable_patterns)]
            _ => {
                let _ = id;
                None
            }
        }
    }
}

/// The size of a frame in UTF-8 bytes, as the session's `maxFrameBytes` counts, without copying
/// it: exact where the limit needs it, the UTF-16 length otherwise (a lower bound).
pub fn frame_len(text: &JsString, limit: Option<usize>) -> usize {
    let units = text.length() as usize;
    match limit {
        Some(limit) if units <= limit && units.saturating_mul(3) > limit => utf8_len(text),
        _ => units,
    }
}

/// The exact UTF-8 length of a JavaScript string (a lone surrogate counts as U+FFFD, 3 bytes).
pub fn utf8_len(text: &JsString) -> usize {
    let mut bytes = 0usize;
    let units = text.length();
    let mut i = 0;
    while i < units {
        let u = text.char_code_at(i) as u32;
        bytes += match u {
            0..=0x7f => 1,
            0x80..=0x7ff => 2,
            0xd800..=0xdbff
                if i + 1 < units && (0xdc00..=0xdfff).contains(&(text.char_code_at(i + 1) as u32)) =>
            {
                i += 1;
                4
            }
            _ => 3,
        };
        i += 1;
    }
    bytes
}
