//! Decoder for Events Hub frames. The envelope is read once, with `body` left raw; the pair
//! (`event_type`, `message`) then picks the body's type and only the body is deserialized. A
//! channel or message this SDK does not know is kept raw as [`UnknownHubEvent`].
//!
//! Rules checked beyond the types: the envelope's `timestamp` is RFC 3339; replies on `health` and
//! `system` carry `ref_id` and `client_id`, and `client-id` names the client it was sent to; the
//! welcome lists `global`; a forwarded host frame is of the channel its message says. No frame
//! may carry `unknown`, the marker this SDK adds.

use std::borrow::Cow;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use self::strict::Strict;
use super::{DecodeError, DecodeErrorKind, DecodeSource, Input};
use crate::model::events_hub::*;

/// Decodes one Events Hub text frame.
pub fn decode_hub_event(text: &str) -> Result<HubEvent, DecodeError> {
    let input = Input::new(DecodeSource::EventsHub, text);
    let Strict(envelope) = input.parse()?;
    decode_envelope(&input, envelope, "")
}

/// The envelope with `body` still raw. `event_type` and `message` are only compared, so they
/// are borrowed from the text unless they contain escapes.
#[derive(Deserialize)]
struct Envelope<'a> {
    id: String,
    #[serde(default, deserialize_with = "present")]
    ref_id: Option<String>,
    #[serde(borrow)]
    event_type: Cow<'a, str>,
    timestamp: String,
    #[serde(borrow)]
    message: Cow<'a, str>,
    #[serde(borrow, default)]
    body: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "present")]
    client_id: Option<String>,
    #[serde(default, deserialize_with = "present")]
    unknown: Option<IgnoredAny>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// What a frame of any channel is made of besides `event_type`, `message` and `body`.
struct Head {
    id: String,
    ref_id: Option<String>,
    timestamp: String,
    client_id: Option<String>,
}

impl Head {
    fn frame<C, M>(self, event_type: C, payload: M) -> HubFrame<C, M> {
        HubFrame {
            id: self.id,
            ref_id: self.ref_id,
            event_type,
            timestamp: self.timestamp,
            payload,
            client_id: self.client_id,
        }
    }
}

/// Decoding state of one envelope: `prefix` is where it sits in the document (empty at the top,
/// `body.event` for a forwarded host frame), so every error names the full path.
struct Frame<'i, 'a> {
    input: &'i Input<'a>,
    prefix: &'i str,
    event_type: &'i str,
    message: &'i str,
    body: Option<&'a RawValue>,
}

impl<'a> Frame<'_, 'a> {
    /// Only a forwarded frame's paths are built; a top-level frame's are the literals themselves.
    fn path(&self, field: &'static str) -> Cow<'static, str> {
        if self.prefix.is_empty() {
            Cow::Borrowed(field)
        } else {
            Cow::Owned(format!("{}.{field}", self.prefix))
        }
    }

    fn spec(&self, field: &'static str, reason: impl Into<String>) -> DecodeError {
        self.input.error(DecodeErrorKind::Spec, &self.path(field), reason)
    }

    fn raw_body(&self) -> Result<&'a RawValue, DecodeError> {
        self.body.ok_or_else(|| {
            self.input.error(
                DecodeErrorKind::Shape,
                &self.path("body"),
                "missing field `body` (absent or null)",
            )
        })
    }

    fn body<T: Deserialize<'a>>(&self) -> Result<T, DecodeError> {
        self.part(self.raw_body()?, &self.path("body"))
    }

    fn part<T: Deserialize<'a>>(&self, raw: &'a RawValue, path: &str) -> Result<T, DecodeError> {
        self.input
            .parse_part::<Strict<T>>(raw, path)
            .map(|Strict(value)| value)
    }

    /// The body of `HOST_STATS_UPDATE`: which of the two stats bodies `stats` is decides which
    /// type its errors are reported against.
    fn host_stats(&self) -> Result<HubHostStatsUpdate, DecodeError> {
        #[derive(Deserialize)]
        struct Raw<'a> {
            host_id: String,
            #[serde(borrow)]
            stats: &'a RawValue,
        }
        let raw: Raw = self.body()?;
        let path = self.path("body.stats");
        let stats = if has_any_key(raw.stats, SYSTEM_STATS_KEYS) {
            HubHostStats::System(self.part(raw.stats, &path)?)
        } else {
            HubHostStats::DiskSpace(self.part(raw.stats, &path)?)
        };
        Ok(HubHostStatsUpdate {
            host_id: raw.host_id,
            stats,
        })
    }

    fn job(&self) -> Result<HubJobBody, DecodeError> {
        let raw = self.raw_body()?;
        let path = self.path("body");
        Ok(if has_any_key(raw, &["host_id", "event"]) {
            HubJobBody::Host(self.part(raw, &path)?)
        } else {
            HubJobBody::Job(self.part(raw, &path)?)
        })
    }

    /// The body of `HOST_CATALOG_CACHE_EVENT` / `HOST_REVERSE_PROXY_UPDATED`: the host's frame is
    /// decoded as a frame of its own, and must be of `channel`.
    fn host_frame<T>(
        &self,
        channel: &str,
        pick: impl FnOnce(HubEvent) -> Option<T>,
    ) -> Result<HubHostFrame<T>, DecodeError> {
        #[derive(Deserialize)]
        struct Raw<'a> {
            #[serde(borrow)]
            event: &'a RawValue,
            host_id: String,
        }
        let raw: Raw = self.body()?;
        let prefix = self.path("body.event");
        let inner: Envelope = self.part(raw.event, &prefix)?;
        if inner.event_type != channel {
            return Err(self.input.error(
                DecodeErrorKind::Spec,
                &format!("{prefix}.event_type"),
                format!(
                    "{} forwards a host's {channel} frame, not a {:?} one",
                    self.message, inner.event_type
                ),
            ));
        }
        let event = match decode_envelope(self.input, inner, &prefix)? {
            HubEvent::Unknown(unknown) => HubForwarded::Unknown(unknown),
            known => match pick(known) {
                Some(known) => HubForwarded::Known(known),
                None => return Err(self.spec("body.event.event_type", format!("expected a {channel} frame"))),
            },
        };
        Ok(HubHostFrame {
            event,
            host_id: raw.host_id,
        })
    }
}

fn decode_envelope<'a>(input: &Input<'a>, env: Envelope<'a>, prefix: &str) -> Result<HubEvent, DecodeError> {
    let frame = Frame {
        input,
        prefix,
        event_type: &env.event_type,
        message: &env.message,
        body: env.body,
    };
    if env.unknown.is_some() {
        return Err(frame.spec(
            "unknown",
            "`unknown` is the SDK's marker for unknown frames; a frame may not carry it",
        ));
    }
    if !is_rfc3339(&env.timestamp) {
        return Err(frame.spec(
            "timestamp",
            format!("timestamp {:?} is not an RFC 3339 date-time", env.timestamp),
        ));
    }
    let head = Head {
        id: env.id,
        ref_id: env.ref_id,
        timestamp: env.timestamp,
        client_id: env.client_id,
    };
    let message = frame.message;
    // Each arm reads the body of the messages it knows and leaves `None` for the others, which
    // `finish` turns into an `UnknownHubEvent`.
    match frame.event_type {
        "global" => {
            let payload = match message {
                HUB_WELCOME_MESSAGE => {
                    let welcome: HubWelcome = frame.body()?;
                    if !welcome.subscriptions.iter().any(|s| s == "global") {
                        return Err(frame.spec(
                            "body.subscriptions",
                            "the welcome lists the subscriptions, always including \"global\"",
                        ));
                    }
                    Some(HubGlobalMessage::Welcome(welcome))
                }
                "error" => Some(HubGlobalMessage::Error(frame.body()?)),
                _ => None,
            };
            frame.finish(head, payload, HubGlobalChannel::Global, HubEvent::Global)
        }
        "pdfm" => {
            let payload = match message {
                "VM_STATE_CHANGED" => Some(HubPdfmMessage::VmStateChanged(frame.body()?)),
                "VM_ADDED" => Some(HubPdfmMessage::VmAdded(frame.body()?)),
                "VM_UPDATED" => Some(HubPdfmMessage::VmUpdated(frame.body()?)),
                "VM_REMOVED" => Some(HubPdfmMessage::VmRemoved(frame.body()?)),
                "VM_UPTIME_CHANGED" => Some(HubPdfmMessage::VmUptimeChanged(frame.body()?)),
                "VM_SNAPSHOTS_UPDATED" => Some(HubPdfmMessage::VmSnapshotsUpdated(frame.body()?)),
                "MAC_VMS_RUNNING_NOW" => Some(HubPdfmMessage::MacVmsRunningNow(frame.body()?)),
                _ => None,
            };
            frame.finish(head, payload, HubPdfmChannel::Pdfm, HubEvent::Pdfm)
        }
        "orchestrator" => {
            use HubOrchestratorMessage as M;
            let payload = match message {
                "HOST_HEALTH_UPDATE" => Some(M::HostHealthUpdate(frame.body()?)),
                "HOST_WEBSOCKET_CONNECTED" => Some(M::HostWebsocketConnected(frame.body()?)),
                "HOST_WEBSOCKET_DISCONNECTED" => Some(M::HostWebsocketDisconnected(frame.body()?)),
                "HOST_WEBSOCKET_DEGRADED" => Some(M::HostWebsocketDegraded(frame.body()?)),
                "HOST_VM_STATE_CHANGED" => Some(M::HostVmStateChanged(frame.body()?)),
                "HOST_VM_ADDED" => Some(M::HostVmAdded(frame.body()?)),
                "HOST_VM_UPDATED" => Some(M::HostVmUpdated(frame.body()?)),
                "HOST_VM_REMOVED" => Some(M::HostVmRemoved(frame.body()?)),
                "HOST_VM_UPTIME_CHANGED" => Some(M::HostVmUptimeChanged(frame.body()?)),
                "HOST_VM_SNAPSHOTS_UPDATED" => Some(M::HostVmSnapshotsUpdated(frame.body()?)),
                "HOST_MAC_VMS_RUNNING_NOW" => Some(M::HostMacVmsRunningNow(frame.body()?)),
                "HOST_STATS_UPDATE" => Some(M::HostStatsUpdate(frame.host_stats()?)),
                "HOST_LOGS_UPDATE" => Some(M::HostLogsUpdate(frame.body()?)),
                "HOST_CATALOG_CACHE_EVENT" => Some(M::HostCatalogCacheEvent(frame.host_frame(
                    "catalog_cache",
                    |e| match e {
                        HubEvent::CatalogCache(f) => Some(f),
                        _ => None,
                    },
                )?)),
                "HOST_REVERSE_PROXY_UPDATED" => Some(M::HostReverseProxyUpdated(frame.host_frame(
                    "reverse_proxy",
                    |e| match e {
                        HubEvent::ReverseProxy(f) => Some(f),
                        _ => None,
                    },
                )?)),
                "HOST_ADDED" => Some(M::HostAdded(frame.body()?)),
                "HOST_REMOVED" => Some(M::HostRemoved(frame.body()?)),
                "HOST_DEPLOYED" => Some(M::HostDeployed(frame.body()?)),
                _ => None,
            };
            frame.finish(
                head,
                payload,
                HubOrchestratorChannel::Orchestrator,
                HubEvent::Orchestrator,
            )
        }
        "stats" => {
            let payload = match message {
                "System Stats" => Some(HubStatsMessage::SystemStats(frame.body()?)),
                "DISK_SPACE_CHANGED" => Some(HubStatsMessage::DiskSpaceChanged(frame.body()?)),
                _ => None,
            };
            frame.finish(head, payload, HubStatsChannel::Stats, HubEvent::Stats)
        }
        "system_logs" => {
            let payload = match message {
                "System Log" => Some(HubSystemLogsMessage::SystemLog(frame.body()?)),
                _ => None,
            };
            frame.finish(
                head,
                payload,
                HubSystemLogsChannel::SystemLogs,
                HubEvent::SystemLogs,
            )
        }
        "reverse_proxy" => {
            use HubReverseProxyMessage as M;
            let payload = match message {
                "REVERSE_PROXY_STATE_CHANGED" => Some(M::StateChanged(frame.body()?)),
                "REVERSE_PROXY_HOST_STATE_CHANGED" => Some(M::HostStateChanged(frame.body()?)),
                "HTTP Traffic Forwarded" => Some(M::HttpTrafficForwarded(frame.body()?)),
                "TCP Traffic Forwarded" => Some(M::TcpTrafficForwarded(frame.body()?)),
                "Reverse Proxy Route Updated" => Some(M::RouteUpdated(frame.body()?)),
                "Reverse Proxy Route Failed" => Some(M::RouteFailed(frame.body()?)),
                _ => None,
            };
            frame.finish(
                head,
                payload,
                HubReverseProxyChannel::ReverseProxy,
                HubEvent::ReverseProxy,
            )
        }
        "catalog_cache" => {
            let payload = match message {
                "CACHE_ITEM_ADDED" => Some(HubCatalogCacheMessage::CacheItemAdded(frame.body()?)),
                "CACHE_ITEM_REMOVED" => Some(HubCatalogCacheMessage::CacheItemRemoved(frame.body()?)),
                _ => None,
            };
            frame.finish(
                head,
                payload,
                HubCatalogCacheChannel::CatalogCache,
                HubEvent::CatalogCache,
            )
        }
        "job_manager" => {
            let payload = match message {
                "JOB_CREATED" => Some(HubJobManagerMessage::JobCreated(frame.job()?)),
                "JOB_UPDATED" => Some(HubJobManagerMessage::JobUpdated(frame.job()?)),
                "JOB_COMPLETED" => Some(HubJobManagerMessage::JobCompleted(frame.job()?)),
                "JOB_DELETED" => Some(HubJobManagerMessage::JobDeleted(frame.job()?)),
                _ => None,
            };
            frame.finish(
                head,
                payload,
                HubJobManagerChannel::JobManager,
                HubEvent::JobManager,
            )
        }
        "auth" => {
            use HubAuthMessage as M;
            let payload = match message {
                "USER_ADDED" => Some(M::UserAdded(frame.body()?)),
                "USER_UPDATED" => Some(M::UserUpdated(frame.body()?)),
                "USER_REMOVED" => Some(M::UserRemoved(frame.body()?)),
                "ROLE_ADDED" => Some(M::RoleAdded(frame.body()?)),
                "ROLE_REMOVED" => Some(M::RoleRemoved(frame.body()?)),
                "CLAIM_ADDED" => Some(M::ClaimAdded(frame.body()?)),
                "CLAIM_REMOVED" => Some(M::ClaimRemoved(frame.body()?)),
                "ROLE_CLAIM_ADDED" => Some(M::RoleClaimAdded(frame.body()?)),
                "ROLE_CLAIM_REMOVED" => Some(M::RoleClaimRemoved(frame.body()?)),
                "USER_ROLE_ADDED" => Some(M::UserRoleAdded(frame.body()?)),
                "USER_ROLE_REMOVED" => Some(M::UserRoleRemoved(frame.body()?)),
                "USER_CLAIM_ADDED" => Some(M::UserClaimAdded(frame.body()?)),
                "USER_CLAIM_REMOVED" => Some(M::UserClaimRemoved(frame.body()?)),
                _ => None,
            };
            frame.finish(head, payload, HubAuthChannel::Auth, HubEvent::Auth)
        }
        "health" => {
            let payload = match message {
                "pong" => {
                    frame.check_reply(&head)?;
                    Some(HubHealthMessage::Pong)
                }
                _ => None,
            };
            frame.finish(head, payload, HubHealthChannel::Health, HubEvent::Health)
        }
        "system" => {
            let payload = match message {
                "client-id" => {
                    frame.check_reply(&head)?;
                    let body: HubClientId = frame.body()?;
                    if head.client_id.as_deref() != Some(body.client_id.as_str()) {
                        return Err(frame.spec(
                            "body.client-id",
                            "client-id names another client than the one the reply went to (client_id)",
                        ));
                    }
                    Some(HubSystemMessage::ClientId(body))
                }
                "error" => {
                    frame.check_reply(&head)?;
                    Some(HubSystemMessage::Error(frame.body()?))
                }
                _ => None,
            };
            frame.finish(head, payload, HubSystemChannel::System, HubEvent::System)
        }
        _ => frame.unknown(head),
    }
}

impl Frame<'_, '_> {
    fn finish<C, M>(
        &self,
        head: Head,
        payload: Option<M>,
        channel: C,
        wrap: fn(HubFrame<C, M>) -> HubEvent,
    ) -> Result<HubEvent, DecodeError> {
        match payload {
            Some(payload) => Ok(wrap(head.frame(channel, payload))),
            None => self.unknown(head),
        }
    }

    fn unknown(&self, head: Head) -> Result<HubEvent, DecodeError> {
        let body = match self.body {
            Some(raw) => Some(self.input.parse_part(raw, &self.path("body"))?),
            None => None,
        };
        Ok(HubEvent::Unknown(UnknownHubEvent {
            id: head.id,
            ref_id: head.ref_id,
            event_type: self.event_type.to_owned(),
            timestamp: head.timestamp,
            message: self.message.to_owned(),
            body,
            client_id: head.client_id,
            unknown: true,
        }))
    }

    /// Replies on `health` and `system` are targeted: they carry the request's id back as `ref_id`
    /// (the server makes one up when the request had none) and the receiving client's `client_id`.
    fn check_reply(&self, head: &Head) -> Result<(), DecodeError> {
        if head.ref_id.is_none() {
            let reason = format!(
                "{} is a reply and carries the request's id as ref_id",
                self.message
            );
            return Err(self.spec("ref_id", reason));
        }
        if head.client_id.is_none() {
            let reason = format!("{} is a targeted reply and carries client_id", self.message);
            return Err(self.spec("client_id", reason));
        }
        Ok(())
    }
}

/// Keys only `System Stats` has: one of them in a forwarded `stats` makes it that body.
const SYSTEM_STATS_KEYS: &[&str] = &[
    "memory_bytes",
    "memory_alloc_bytes",
    "cpu_user_seconds",
    "cpu_system_seconds",
    "cpu_percent",
    "goroutines",
    "goroutines_smoothed",
];

/// Whether `raw` is an object with one of `keys`. It scans without building anything; anything
/// that is not a readable object answers false and is left to the typed parse to report.
fn has_any_key(raw: &RawValue, keys: &'static [&'static str]) -> bool {
    struct Probe(&'static [&'static str]);

    impl<'de> Visitor<'de> for Probe {
        type Value = bool;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut found = false;
            while let Some(hit) = map.next_key_seed(KeyIn(self.0))? {
                map.next_value::<IgnoredAny>()?;
                found |= hit;
            }
            Ok(found)
        }
    }

    /// A key, compared as it is read: borrowed or unescaped, it is never stored.
    struct KeyIn(&'static [&'static str]);

    impl<'de> de::DeserializeSeed<'de> for KeyIn {
        type Value = bool;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
            deserializer.deserialize_str(self)
        }
    }

    impl<'de> Visitor<'de> for KeyIn {
        type Value = bool;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a key")
        }

        fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
            Ok(self.0.contains(&key))
        }
    }

    let mut de = serde_json::Deserializer::from_str(raw.get());
    de::Deserializer::deserialize_map(&mut de, Probe(keys)).unwrap_or(false)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, with plausible field ranges.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, to: usize| -> Option<u32> {
        let part = b.get(from..to)?;
        if part.iter().all(u8::is_ascii_digit) {
            Some(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
        } else {
            None
        }
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let date_time = (|| {
        let (_year, month, day) = (digits(0, 4)?, digits(5, 7)?, digits(8, 10)?);
        let (hour, minute, second) = (digits(11, 13)?, digits(14, 16)?, digits(17, 19)?);
        let separators = at(4, b'-')
            && at(7, b'-')
            && matches!(b.get(10), Some(b'T' | b't'))
            && at(13, b':')
            && at(16, b':');
        Some(
            separators
                && (1..=12).contains(&month)
                && (1..=31).contains(&day)
                && hour < 24
                && minute < 60
                && second < 61,
        )
    })();
    if date_time != Some(true) {
        return false;
    }
    let mut rest = &b[19..];
    if let Some((b'.', fraction)) = rest.split_first() {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') < 24
                && (m1 - b'0') < 6
        }
        _ => false,
    }
}

/// serde's derived impls accept more than the JSON the generated TypeScript describes: a struct
/// also from an array of its fields in order, an enum also from `{"variant": null}`. `JSON.parse`
/// would then hand the app an array or an object where the types promise an object or a string.
/// [`Strict`] closes both at every depth by wrapping the deserializer that reaches each value.
mod strict {
    use std::fmt;

    use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;

    pub(super) struct Strict<T>(pub T);

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Strict<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            T::deserialize(De(deserializer)).map(Strict)
        }
    }

    struct De<D>(D);
    struct WrapVisitor<V>(V);
    struct WrapSeed<S>(S);
    struct WrapSeq<A>(A);
    struct WrapMap<A>(A);
    /// Reads a string and offers it to an enum visitor as the variant's name.
    struct EnumFromStr<V>(V);

    macro_rules! forward_deserialize {
        ($($method:ident)*) => {$(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(WrapVisitor(visitor))
            }
        )*};
    }

    impl<'de, D: Deserializer<'de>> Deserializer<'de> for De<D> {
        type Error = D::Error;

        forward_deserialize! {
            deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
            deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
            deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string deserialize_bytes
            deserialize_byte_buf deserialize_option deserialize_unit deserialize_seq deserialize_map
            deserialize_identifier deserialize_ignored_any
        }

        fn deserialize_unit_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_unit_struct(name, WrapVisitor(visitor))
        }

        // Left unwrapped: serde_json's raw values travel through here and must reach it as they are.
        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_newtype_struct(name, visitor)
        }

        fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
            self.0.deserialize_tuple(len, WrapVisitor(visitor))
        }

        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_tuple_struct(name, len, WrapVisitor(visitor))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_map(WrapVisitor(visitor))
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_str(EnumFromStr(visitor))
        }

        fn is_human_readable(&self) -> bool {
            self.0.is_human_readable()
        }
    }

    macro_rules! forward_visit {
        ($($method:ident($ty:ty))*) => {$(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.0.$method(v)
            }
        )*};
    }

    impl<'de, V: Visitor<'de>> Visitor<'de> for WrapVisitor<V> {
        type Value = V::Value;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            self.0.expecting(f)
        }

        forward_visit! {
            visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
            visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128) visit_f32(f32)
            visit_f64(f64) visit_char(char) visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
            visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
        }

        fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
            self.0.visit_none()
        }

        fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
            self.0.visit_unit()
        }

        fn visit_some<D2: Deserializer<'de>>(self, deserializer: D2) -> Result<V::Value, D2::Error> {
            self.0.visit_some(De(deserializer))
        }

        fn visit_newtype_struct<D2: Deserializer<'de>>(
            self,
            deserializer: D2,
        ) -> Result<V::Value, D2::Error> {
            self.0.visit_newtype_struct(De(deserializer))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
            self.0.visit_seq(WrapSeq(seq))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
            self.0.visit_map(WrapMap(map))
        }

        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
            self.0.visit_enum(data)
        }
    }

    impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for WrapSeed<S> {
        type Value = S::Value;

        fn deserialize<D2: Deserializer<'de>>(self, deserializer: D2) -> Result<S::Value, D2::Error> {
            self.0.deserialize(De(deserializer))
        }
    }

    impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for WrapSeq<A> {
        type Error = A::Error;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, A::Error> {
            self.0.next_element_seed(WrapSeed(seed))
        }

        fn size_hint(&self) -> Option<usize> {
            self.0.size_hint()
        }
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for WrapMap<A> {
        type Error = A::Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
            self.0.next_key_seed(WrapSeed(seed))
        }

        fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
            self.0.next_value_seed(WrapSeed(seed))
        }

        fn size_hint(&self) -> Option<usize> {
            self.0.size_hint()
        }
    }

    impl<'de, V: Visitor<'de>> Visitor<'de> for EnumFromStr<V> {
        type Value = V::Value;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            self.0.expecting(f)
        }

        fn visit_str<E: de::Error>(self, name: &str) -> Result<V::Value, E> {
            self.0.visit_enum(StrDeserializer::<E>::new(name))
        }

        fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<V::Value, E> {
            self.0.visit_enum(BorrowedStrDeserializer::<E>::new(name))
        }
    }
}
