//! Decoder for LXD / Incus `/1.0/events` frames.
//!
//! Two phases: the envelope `{type, timestamp, metadata, location, project?}` first, with the
//! metadata kept raw; then the metadata as the type (and, for lifecycle events, the action)
//! says, so that errors carry paths such as `metadata.context.old_name`.
//!
//! Rules checked beyond the types: `timestamp` (and an operation's `created_at`/`updated_at`) is
//! RFC 3339, an operation's `id` is a UUID, and the `status_code` of a documented operation
//! status is that status's code.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{is_rfc3339, DecodeError, DecodeErrorKind, DecodeSource, Input};
use crate::model::lxd::{
    FromObject, LxdEvent, LxdLifecycle, LxdLifecycleBody, LxdLifecycleBodyParser, LxdLifecycleEvent,
    LxdLifecycleType, LxdLogging, LxdLoggingEvent, LxdLoggingType, LxdOperation, LxdOperationEvent,
    LxdOperationType, UnknownLxdEvent,
};

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    event_type: String,
    timestamp: String,
    /// Required for every type, unknown ones too; `null` is kept as a value.
    #[serde(borrow)]
    metadata: &'a RawValue,
    location: String,
    #[serde(default, deserialize_with = "present")]
    project: Option<String>,
    /// Whether the frame has a top-level `unknown` key, whatever its value. The SDK's marker has
    /// that name and apps test it with `"unknown" in e`, so such a frame is kept as unknown (and
    /// marked `true`) rather than passed on as a known event that the test would misfile.
    #[serde(default, rename = "unknown", deserialize_with = "key_present")]
    claims_marker: bool,
}

/// Only the tag of a lifecycle body, read before the body itself.
#[derive(Deserialize)]
struct ActionTag {
    action: String,
}

/// Decodes one frame of `/1.0/events` (the text of one WebSocket message; the trailing newline the
/// daemons send is allowed).
pub fn decode_lxd_event(text: &str) -> Result<LxdEvent, DecodeError> {
    let input = Input::new(DecodeSource::Lxd, text);
    let FromObject(envelope): FromObject<Envelope> = input.parse()?;
    check_timestamp(&input, &envelope.timestamp, "timestamp")?;
    let Envelope {
        event_type,
        timestamp,
        metadata,
        location,
        project,
        claims_marker,
    } = envelope;
    if claims_marker {
        return unknown(&input, event_type, timestamp, metadata, location, project);
    }
    let event = match event_type.as_str() {
        "logging" => {
            let FromObject(metadata): FromObject<LxdLogging> = input.parse_part(metadata, "metadata")?;
            LxdEvent::Logging(LxdLoggingEvent {
                event_type: LxdLoggingType::Logging,
                timestamp,
                metadata,
                location,
                project,
            })
        }
        "operation" => {
            let FromObject(metadata): FromObject<LxdOperation> = input.parse_part(metadata, "metadata")?;
            check_operation(&input, &metadata)?;
            LxdEvent::Operation(LxdOperationEvent {
                event_type: LxdOperationType::Operation,
                timestamp,
                metadata,
                location,
                project,
            })
        }
        "lifecycle" => {
            let FromObject(tag): FromObject<ActionTag> = input.parse_part(metadata, "metadata")?;
            match LxdLifecycle::parse_known(
                &tag.action,
                BodyParser {
                    input: &input,
                    raw: metadata,
                },
            ) {
                Some(parsed) => LxdEvent::Lifecycle(LxdLifecycleEvent {
                    event_type: LxdLifecycleType::Lifecycle,
                    timestamp,
                    metadata: parsed?,
                    location,
                    project,
                }),
                None => unknown(&input, event_type, timestamp, metadata, location, project)?,
            }
        }
        _ => unknown(&input, event_type, timestamp, metadata, location, project)?,
    };
    Ok(event)
}

fn unknown(
    input: &Input<'_>,
    event_type: String,
    timestamp: String,
    metadata: &RawValue,
    location: String,
    project: Option<String>,
) -> Result<LxdEvent, DecodeError> {
    // Through `Value`: a number serde_json cannot hold (1e400) is a Shape error, not a panic.
    let metadata: Value = serde_json::from_str(metadata.get()).map_err(|e| {
        input.error(
            DecodeErrorKind::Shape,
            "metadata",
            format!("metadata cannot be kept: {e}"),
        )
    })?;
    Ok(LxdEvent::Unknown(UnknownLxdEvent {
        event_type,
        timestamp,
        metadata,
        location,
        project,
        unknown: true,
    }))
}

struct BodyParser<'i, 'a> {
    input: &'i Input<'a>,
    raw: &'a RawValue,
}

impl LxdLifecycleBodyParser for BodyParser<'_, '_> {
    type Error = DecodeError;

    fn parse<C: DeserializeOwned>(self) -> Result<LxdLifecycleBody<C>, DecodeError> {
        self.input
            .parse_part(self.raw, "metadata")
            .map(|FromObject(body)| body)
    }
}

fn key_present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    String::deserialize(deserializer).map(Some)
}

/// The documented operation statuses and their codes.
const OPERATION_STATUS_CODES: [(&str, u32); 6] = [
    ("Pending", 105),
    ("Running", 103),
    ("Success", 200),
    ("Failure", 400),
    ("Cancelling", 104),
    ("Cancelled", 401),
];

fn check_operation(input: &Input<'_>, op: &LxdOperation) -> Result<(), DecodeError> {
    if !is_uuid(&op.id) {
        return Err(input.error(
            DecodeErrorKind::Spec,
            "metadata.id",
            format!("operation id {:?} is not a UUID", op.id),
        ));
    }
    check_timestamp(input, &op.created_at, "metadata.created_at")?;
    check_timestamp(input, &op.updated_at, "metadata.updated_at")?;
    if let Some(&(_, code)) = OPERATION_STATUS_CODES.iter().find(|(name, _)| *name == op.status) {
        if code != op.status_code {
            return Err(input.error(
                DecodeErrorKind::Spec,
                "metadata.status_code",
                format!(
                    "status {} has code {code}, the frame says {}",
                    op.status, op.status_code
                ),
            ));
        }
    }
    Ok(())
}

fn check_timestamp(input: &Input<'_>, value: &str, path: &str) -> Result<(), DecodeError> {
    if is_rfc3339(value) {
        Ok(())
    } else {
        Err(input.error(
            DecodeErrorKind::Spec,
            path,
            format!("{value:?} is not an RFC 3339 date-time"),
        ))
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits of either case.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_accepts_the_daemons_forms() {
        for ok in [
            "2026-11-21T05:11:59.258537502Z",
            "2026-11-21T05:12:01.2912617Z",
            "2021-03-14T00:00:00Z",
            "2021-02-24T19:00:45.452649098-05:00",
            "2024-02-29T23:59:60z",
            "2026-11-21t05:11:59+01:30",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
    }

    #[test]
    fn rfc3339_rejects_near_misses() {
        for bad in [
            "",
            "2026-11-21",
            "2026-11-21 05:11:59Z",
            "2026-11-21T05:11:59",
            "2026-11-21T05:11:59.Z",
            "2026-13-21T05:11:59Z",
            "2023-02-29T05:11:59Z",
            "2026-11-31T05:11:59Z",
            "2026-11-21T24:00:00Z",
            "2026-11-21T05:60:00Z",
            "2026-11-21T05:11:59+0100",
            "2026-11-21T05:11:59+24:00",
            "2026-11-21T05:11:59Zjunk",
            "+026-11-21T05:11:59Z",
            "2026-11-21T05:11:59.123é",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn uuid_shape() {
        assert!(is_uuid("3416cf30-78af-437e-a3f1-3f90a48d9298"));
        assert!(is_uuid("3416CF30-78AF-437E-A3F1-3F90A48D9298"));
        assert!(!is_uuid("3416cf30-78af-437e-a3f1-3f90a48d929"));
        assert!(!is_uuid("3416cf30x78af-437e-a3f1-3f90a48d9298"));
        assert!(!is_uuid("3416cf30-78af-437e-a3f1-3f90a48d929g"));
    }
}
