//! What differs between the servers: how a frame decodes, which key deduplicates it, whether an
//! application ping exists, and what the first frame promises.
//!
//! The session is generic over [`Source`] so each source keeps its own typed event, and a driver
//! can plug in a variant (for instance one that keeps only the text and the `unknown` verdict,
//! for `JSON.parse` on the JavaScript side) without touching the state machine.

use crate::decode::{DecodeError, DecodeSource};

/// One decoded frame and what the session should do with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<E> {
    /// The typed event.
    pub event: E,
    /// The deduplication key: an event whose key was delivered recently is dropped. `None` for
    /// sources whose events carry no identity (LXD), which are never deduplicated.
    pub key: Option<String>,
    /// How the session treats the frame beyond delivering it.
    pub role: Role,
}

/// What a frame means to the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// An event for the application.
    Event,
    /// The server's greeting, delivered like an event, listing the requested channels the server
    /// did not grant (empty when all were).
    Welcome {
        /// Requested channels missing from the greeting.
        not_granted: Vec<String>,
    },
    /// The answer to an application ping. When `ref_id` is one the session sent, it is consumed
    /// (used for liveness and round-trip time) and not delivered.
    Pong {
        /// The ping id it answers.
        ref_id: String,
    },
}

/// A server's protocol, as far as the session cares.
pub trait Source {
    /// The typed event handed to the application.
    type Event;

    /// Which decoder this is, for error reports.
    fn decode_source(&self) -> DecodeSource;

    /// Decodes one text frame.
    fn decode(&self, text: &str) -> Result<Decoded<Self::Event>, DecodeError>;

    /// The text of an application ping carrying `id`, which the server echoes in its pong; `None`
    /// when the protocol has no application ping. Must not depend on anything but `id`: the
    /// session asks once, at creation, whether pings exist.
    fn ping_frame(&self, id: &str) -> Option<String> {
        let _ = id;
        None
    }
}

/// Parallels DevOps Events Hub: deduplicated by `id`, `health` ping/pong, and a welcome whose
/// `subscriptions` are checked against the channels asked for.
#[cfg(feature = "events-hub")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventsHub {
    requested: Vec<String>,
}

#[cfg(feature = "events-hub")]
impl EventsHub {
    /// A source that asked for `channels` (the `event_types` of the URL). Names are trimmed and
    /// lower-cased as the server does, so only channels the server really refused are reported.
    pub fn new<I, T>(channels: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let given: Vec<String> = channels.into_iter().map(|c| c.as_ref().to_owned()).collect();
        EventsHub {
            requested: crate::endpoint::normalize_channels(&given),
        }
    }

    /// The application ping carrying `id`. The server reads `event_type` (case-sensitive) and
    /// `id`, and answers an exact "ping" on `health` with a pong carrying `ref_id` = `id`
    /// (protocol notes, section 2.1).
    pub fn ping_text(id: &str) -> String {
        serde_json::json!({"event_type": "health", "message": "ping", "id": id}).to_string()
    }

    /// The channels asked for, normalised.
    pub fn requested(&self) -> &[String] {
        &self.requested
    }

    /// The requested channels absent from a welcome's `subscriptions`: the server drops names it
    /// does not know without a word, and this is the only place the client can notice.
    pub fn not_granted(&self, subscriptions: &[String]) -> Vec<String> {
        crate::endpoint::channels_not_granted(&self.requested, subscriptions)
    }
}

#[cfg(all(not(target_arch = "wasm32"), feature = "events-hub"))]
impl Source for EventsHub {
    type Event = crate::model::events_hub::HubEvent;

    fn decode_source(&self) -> DecodeSource {
        DecodeSource::EventsHub
    }

    fn decode(&self, text: &str) -> Result<Decoded<Self::Event>, DecodeError> {
        use crate::model::events_hub::{HubEvent, HubGlobalMessage, HubHealthMessage};

        let event = crate::decode::events_hub::decode_hub_event(text)?;
        let role = match &event {
            HubEvent::Global(frame) => match &frame.payload {
                HubGlobalMessage::Welcome(welcome) => Role::Welcome {
                    not_granted: self.not_granted(&welcome.subscriptions),
                },
                HubGlobalMessage::Error(_) => Role::Event,
            },
            HubEvent::Health(frame) => match (&frame.payload, &frame.ref_id) {
                (HubHealthMessage::Pong, Some(ref_id)) => Role::Pong {
                    ref_id: ref_id.clone(),
                },
                (HubHealthMessage::Pong, None) => Role::Event,
            },
            _ => Role::Event,
        };
        let key = Some(
            match &event {
                HubEvent::Global(f) => &f.id,
                HubEvent::Pdfm(f) => &f.id,
                HubEvent::Orchestrator(f) => &f.id,
                HubEvent::Stats(f) => &f.id,
                HubEvent::SystemLogs(f) => &f.id,
                HubEvent::ReverseProxy(f) => &f.id,
                HubEvent::CatalogCache(f) => &f.id,
                HubEvent::JobManager(f) => &f.id,
                HubEvent::Auth(f) => &f.id,
                HubEvent::Health(f) => &f.id,
                HubEvent::System(f) => &f.id,
                HubEvent::Unknown(f) => &f.id,
            }
            .clone(),
        );
        Ok(Decoded { event, key, role })
    }

    fn ping_frame(&self, id: &str) -> Option<String> {
        Some(EventsHub::ping_text(id))
    }
}

/// LXD / Incus `/1.0/events`: no event id (so no deduplication), no application ping, no
/// welcome. An idle deadline is the only liveness check available.
#[cfg(feature = "lxd")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lxd;

#[cfg(all(not(target_arch = "wasm32"), feature = "lxd"))]
impl Source for Lxd {
    type Event = crate::model::lxd::LxdEvent;

    fn decode_source(&self) -> DecodeSource {
        DecodeSource::Lxd
    }

    fn decode(&self, text: &str) -> Result<Decoded<Self::Event>, DecodeError> {
        Ok(Decoded {
            event: crate::decode::lxd::decode_lxd_event(text)?,
            key: None,
            role: Role::Event,
        })
    }
}

/// CloudEvents over the WebSocket binding (`cloudevents.json`, one event per text frame):
/// deduplicated by `source` + `id`, which the spec makes unique per event.
#[cfg(feature = "cloudevents")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CloudEvents;

#[cfg(feature = "cloudevents")]
impl CloudEvents {
    /// The deduplication key of an event with this `source` and `id`. The source's length comes
    /// first so no pair can be read as another (`a` + `bc` vs `ab` + `c`).
    pub fn key(source: &str, id: &str) -> String {
        format!("{}:{source}{id}", source.len())
    }
}

#[cfg(all(not(target_arch = "wasm32"), feature = "cloudevents"))]
impl Source for CloudEvents {
    type Event = crate::model::cloudevents::CloudEvent;

    fn decode_source(&self) -> DecodeSource {
        DecodeSource::CloudEvents
    }

    fn decode(&self, text: &str) -> Result<Decoded<Self::Event>, DecodeError> {
        use crate::model::cloudevents::CloudEvent;

        let event = crate::decode::cloudevents::decode_cloud_event(text)?;
        let context = match &event {
            CloudEvent::MetalSoft(e) => &e.context,
            CloudEvent::Unknown(e) => &e.context,
        };
        let key = Some(CloudEvents::key(&context.source, &context.id));
        Ok(Decoded {
            event,
            key,
            role: Role::Event,
        })
    }
}

#[cfg(all(
    test,
    not(target_arch = "wasm32"),
    any(feature = "events-hub", feature = "lxd", feature = "cloudevents")
))]
mod tests {
    use super::*;

    #[cfg(feature = "events-hub")]
    #[test]
    fn hub_roles_and_keys() {
        let hub = EventsHub::new([" PDFM", "stats", "pdfm", "", "nonsense"]);
        assert_eq!(hub.requested(), ["pdfm", "stats", "nonsense"]);

        let welcome = r#"{"id":"w1","event_type":"global","timestamp":"2026-08-18T09:14:02.318245Z","message":"WebSocket connection established subscribed to global by default","body":{"client_id":"1a2ac654-564c-4e9e-abab-ad4e390b74f9","subscriptions":["pdfm","stats","global"]}}"#;
        let d = hub.decode(welcome).unwrap();
        assert_eq!(d.key.as_deref(), Some("w1"));
        assert_eq!(
            d.role,
            Role::Welcome {
                not_granted: vec!["nonsense".to_owned()]
            }
        );

        let pong = r#"{"id":"p1","ref_id":"sdk-ping-42","event_type":"health","timestamp":"2026-08-18T09:14:32.500113Z","message":"pong","client_id":"1a2ac654-564c-4e9e-abab-ad4e390b74f9"}"#;
        assert_eq!(
            hub.decode(pong).unwrap().role,
            Role::Pong {
                ref_id: "sdk-ping-42".to_owned()
            }
        );

        let event = r#"{"id":"e1","event_type":"pdfm","timestamp":"2026-08-18T09:15:10.774012Z","message":"VM_REMOVED","body":{"vm_id":"x"}}"#;
        let d = hub.decode(event).unwrap();
        assert_eq!((d.key.as_deref(), d.role), (Some("e1"), Role::Event));
        assert!(hub.decode("{").is_err());
    }

    #[cfg(feature = "events-hub")]
    #[test]
    fn hub_ping_is_the_documented_frame() {
        let ping = EventsHub::default().ping_frame("a\"b").unwrap();
        let value: serde_json::Value = serde_json::from_str(&ping).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"event_type": "health", "message": "ping", "id": "a\"b"})
        );
    }

    #[cfg(feature = "cloudevents")]
    #[test]
    fn cloudevent_keys_join_source_and_id_unambiguously() {
        assert_ne!(CloudEvents::key("a", "bc"), CloudEvents::key("ab", "c"));
        let text =
            r#"{"id":"42","source":"https://example.com/x","specversion":"1.0","type":"com.example.other"}"#;
        let d = CloudEvents.decode(text).unwrap();
        assert_eq!(d.key, Some(CloudEvents::key("https://example.com/x", "42")));
        assert!(CloudEvents.ping_frame("x").is_none());
    }

    #[cfg(feature = "lxd")]
    #[test]
    fn lxd_has_no_key_and_no_ping() {
        let text = r#"{"type":"lifecycle","timestamp":"2026-11-21T06:28:15.625846972Z","metadata":{"action":"config-updated","source":"/1.0","requestor":{"username":"root","protocol":"unix","address":"@"}},"location":"none","project":"default"}"#;
        let d = Lxd.decode(text).unwrap();
        assert_eq!((d.key, d.role), (None, Role::Event));
        assert!(Lxd.ping_frame("x").is_none());
    }
}
