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

use super::{is_rfc3339, DecodeError, DecodeErrorKind, DecodeSource, Input};
use crate::model::events_hub::*;

/// Decodes one Events Hub text frame.
pub fn decode_hub_event(text: &str) -> Result<HubEvent, DecodeError> {
    let input = Input::new(DecodeSource::EventsHub, text);
    let envelope = input.parse()?;
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
    // `null` is kept as a raw `null` (then refused by the body's type, at `body`); only an absent
    // body is `None`, a missing member reported at its container, as serde reports one.
    #[serde(borrow, default, deserialize_with = "present")]
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
            self.input
                .error(DecodeErrorKind::Shape, self.prefix, "missing field `body`")
        })
    }

    fn body<T: Deserialize<'a>>(&self) -> Result<T, DecodeError> {
        self.part(self.raw_body()?, &self.path("body"))
    }

    fn part<T: Deserialize<'a>>(&self, raw: &'a RawValue, path: &str) -> Result<T, DecodeError> {
        self.input.parse_part::<T>(raw, path)
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
    if !is_rfc3339(&env.timestamp) {
        return Err(frame.spec(
            "timestamp",
            format!("timestamp {:?} is not an RFC 3339 date-time", env.timestamp),
        ));
    }
    if env.unknown.is_some() {
        return Err(frame.spec(
            "unknown",
            "`unknown` is the SDK's marker for unknown frames; a frame may not carry it",
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
                // The body's shape first, then the rules of a reply (the generated validators
                // check in the same order: members, then rules).
                "client-id" => {
                    let body: HubClientId = frame.body()?;
                    frame.check_reply(&head)?;
                    if head.client_id.as_deref() != Some(body.client_id.as_str()) {
                        return Err(frame.spec(
                            "body.client-id",
                            "client-id names another client than the one the reply went to (client_id)",
                        ));
                    }
                    Some(HubSystemMessage::ClientId(body))
                }
                "error" => {
                    let body = frame.body()?;
                    frame.check_reply(&head)?;
                    Some(HubSystemMessage::Error(body))
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
