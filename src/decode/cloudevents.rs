//! Decoders for CloudEvents 1.0 in the JSON event format: one event
//! (`application/cloudevents+json`) or a batch (`application/cloudevents-batch+json`).
//!
//! Two phases: the event's members are first taken as raw JSON, then each attribute is parsed on
//! its own, so an error names the attribute (`time`, `[3].id`, `data.serverId`) and points at it.
//! The rules checked beyond JSON types are the spec's: required attributes present and non-empty,
//! `specversion` exactly `"1.0"`, `time` in RFC 3339, `dataschema` an absolute URI,
//! `data_base64` valid base64 and never beside `data`, extension names of `a-z0-9` with scalar
//! values, one `specversion` per batch. `null` means unset for every attribute.

use std::collections::BTreeSet;

use serde::de::{Deserialize, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::{is_rfc3339, DecodeError, DecodeErrorKind, DecodeSource, Input, Verdict};
use crate::model::cloudevents::{
    CloudEvent, CloudEventContext, CloudEventExtensionValue, DataParser, MetalSoftCloudEvent, MetalSoftEvent,
    UnknownCloudEvent, METALSOFT_EVENT_TYPES,
};

/// Decodes one event in the structured JSON format (also the WebSocket `cloudevents.json`
/// subprotocol's frames).
pub fn decode_cloud_event(text: &str) -> Result<CloudEvent, DecodeError> {
    let input = Input::new(DecodeSource::CloudEvents, text);
    let members: Members = input.parse().map_err(without_unknown_key)?;
    decode_members(&input, members, "")
}

/// Decodes a batch: a JSON array of events, each decoded as by [`decode_cloud_event`] (each
/// element is known or unknown on its own). `[]` is a valid batch.
pub fn decode_cloud_event_batch(text: &str) -> Result<Vec<CloudEvent>, DecodeError> {
    let input = Input::new(DecodeSource::CloudEvents, text);
    let Batch(batch) = input.parse().map_err(without_unknown_key)?;
    check_one_specversion(&input, &batch)?;
    batch
        .into_iter()
        .enumerate()
        .map(|(i, members)| decode_members(&input, members, &format!("[{i}]")))
        .collect()
}

/// When the text breaks off or goes wrong where a member name should be, the path ends in `?` (no
/// name was read); the object that holds it is the useful part.
fn without_unknown_key(mut e: DecodeError) -> DecodeError {
    if let Some(path) = e.path.strip_suffix('?') {
        e.path = path.strip_suffix('.').unwrap_or(path).to_owned();
    }
    e
}

/// Whether an event was typed or kept raw; the JavaScript exports mark the latter.
pub fn verdict(event: &CloudEvent) -> Verdict {
    match event {
        CloudEvent::MetalSoft(_) => Verdict::Known,
        CloudEvent::Unknown(_) => Verdict::Unknown,
    }
}

/// An event's members in wire order, values still raw. A list rather than a map so that a
/// repeated member is seen (the spec allows each attribute once; `JSON.parse` would keep the last).
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a CloudEvent (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    members.push((name, map.next_value::<&'de RawValue>()?));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

struct Batch<'a>(Vec<Members<'a>>);

impl<'de> Deserialize<'de> for Batch<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BatchVisitor;
        impl<'de> Visitor<'de> for BatchVisitor {
            type Value = Batch<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a CloudEvents batch (a JSON array of events)")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut events = Vec::new();
                while let Some(event) = seq.next_element::<Members<'de>>()? {
                    events.push(event);
                }
                Ok(Batch(events))
            }
        }
        deserializer.deserialize_seq(BatchVisitor)
    }
}

/// The core attributes and members by name; everything else is an extension.
#[derive(Default)]
struct Raw<'a> {
    id: Option<&'a RawValue>,
    source: Option<&'a RawValue>,
    specversion: Option<&'a RawValue>,
    event_type: Option<&'a RawValue>,
    datacontenttype: Option<&'a RawValue>,
    dataschema: Option<&'a RawValue>,
    subject: Option<&'a RawValue>,
    time: Option<&'a RawValue>,
    data: Option<&'a RawValue>,
    data_base64: Option<&'a RawValue>,
    extensions: Vec<(String, &'a RawValue)>,
}

/// Decodes one event's members; `at` is the event's own path (`""`, or `[i]` in a batch).
fn decode_members<'a>(input: &Input<'a>, members: Members<'a>, at: &str) -> Result<CloudEvent, DecodeError> {
    let attr = Attr { input, at };
    let mut raw = Raw::default();
    let mut seen = BTreeSet::new();
    for (name, value) in members.0 {
        if !seen.insert(name.clone()) {
            return Err(attr.spec(
                &name,
                format!("member {name:?} appears more than once; an attribute may occur only once"),
            ));
        }
        let slot = match name.as_str() {
            "id" => &mut raw.id,
            "source" => &mut raw.source,
            "specversion" => &mut raw.specversion,
            "type" => &mut raw.event_type,
            "datacontenttype" => &mut raw.datacontenttype,
            "dataschema" => &mut raw.dataschema,
            "subject" => &mut raw.subject,
            "time" => &mut raw.time,
            "data" => &mut raw.data,
            "data_base64" => &mut raw.data_base64,
            _ => {
                raw.extensions.push((name, value));
                continue;
            }
        };
        *slot = Some(value);
    }

    let id = attr.required("id", raw.id)?;
    let source = attr.required("source", raw.source)?;
    let specversion = attr.required("specversion", raw.specversion)?;
    if specversion != "1.0" {
        return Err(attr.spec(
            "specversion",
            format!("specversion must be \"1.0\", got {specversion:?}"),
        ));
    }
    let event_type = attr.required("type", raw.event_type)?;

    let datacontenttype = attr.optional("datacontenttype", raw.datacontenttype)?;
    if let Some(media) = &datacontenttype {
        if !is_media_type(media) {
            return Err(attr.spec(
                "datacontenttype",
                format!("datacontenttype {media:?} is not a media type (RFC 2046) such as application/json"),
            ));
        }
    }
    let dataschema = attr.optional("dataschema", raw.dataschema)?;
    if let Some(uri) = &dataschema {
        if !is_absolute_uri(uri) {
            return Err(attr.spec("dataschema", format!("dataschema {uri:?} is not an absolute URI")));
        }
    }
    let subject = attr.optional("subject", raw.subject)?;
    let time = attr.optional("time", raw.time)?;
    if let Some(time) = &time {
        if !is_rfc3339(time) {
            return Err(attr.spec("time", format!("time {time:?} is not an RFC 3339 timestamp")));
        }
    }

    // Unlike the attributes, `data: null` is a payload (an explicit null), not an unset member.
    let data_base64 = attr
        .parse::<Option<String>>("data_base64", raw.data_base64)?
        .flatten();
    if let Some(encoded) = &data_base64 {
        if raw.data.is_some_and(|d| d.get().trim() != "null") {
            return Err(attr.spec(
                "data_base64",
                "data and data_base64 are mutually exclusive; the event has both",
            ));
        }
        if let Some(reason) = base64_error(encoded) {
            return Err(attr.spec(
                "data_base64",
                format!("data_base64 is not valid base64 (RFC 4648): {reason}"),
            ));
        }
    }

    let mut extensions = std::collections::BTreeMap::new();
    for (name, value) in &raw.extensions {
        if let Some(value) = attr.extension(name, value)? {
            extensions.insert(name.clone(), value);
        }
    }

    let context = CloudEventContext {
        id,
        source,
        specversion,
        datacontenttype,
        dataschema,
        subject,
        time,
    };
    // In JavaScript an `unknown` extension could not be told from the marker, so an event that has
    // one is not typed: `unknown` then always means "not typed" and is always `true`. (Even
    // `unknown: null`, which JSON.parse keeps.)
    let has_marker_name = raw.extensions.iter().any(|(name, _)| name == "unknown");
    let typed = !has_marker_name && METALSOFT_EVENT_TYPES.contains(&event_type.as_str());
    if let Some(media) = context
        .datacontenttype
        .as_deref()
        .filter(|m| typed && !is_json_media_type(m))
    {
        return Err(attr.spec(
            "datacontenttype",
            format!("MetalSoft {event_type} events carry JSON data, but datacontenttype is {media:?}"),
        ));
    }
    let data_part = DataPart {
        input,
        raw: raw.data,
        path: attr.path("data"),
    };
    match typed
        .then(|| MetalSoftEvent::from_parts(&event_type, data_part))
        .flatten()
    {
        Some(event) => Ok(CloudEvent::MetalSoft(MetalSoftCloudEvent {
            context,
            event: event?,
            extensions,
        })),
        None => {
            // The marker replaces a producer's `unknown` extension, in JavaScript as here.
            extensions.remove("unknown");
            let data = attr.parse::<Value>("data", raw.data)?;
            Ok(CloudEvent::Unknown(UnknownCloudEvent {
                context,
                event_type,
                data,
                data_base64,
                unknown: true,
                extensions,
            }))
        }
    }
}

/// Parses attributes of one event, with errors at their paths.
struct Attr<'i, 'a> {
    input: &'i Input<'a>,
    at: &'i str,
}

impl<'a> Attr<'_, 'a> {
    fn path(&self, name: &str) -> String {
        // A member may be named "" (and is then an invalid extension); the path still shows it.
        let name = if name.is_empty() { "\"\"" } else { name };
        if self.at.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.at)
        }
    }

    fn spec(&self, name: &str, reason: impl Into<String>) -> DecodeError {
        self.input.error(DecodeErrorKind::Spec, &self.path(name), reason)
    }

    fn parse<T: Deserialize<'a>>(
        &self,
        name: &str,
        raw: Option<&'a RawValue>,
    ) -> Result<Option<T>, DecodeError> {
        raw.map(|raw| self.input.parse_part(raw, &self.path(name)))
            .transpose()
    }

    /// A String attribute that may be absent or `null`, but not empty when set.
    fn optional(&self, name: &str, raw: Option<&'a RawValue>) -> Result<Option<String>, DecodeError> {
        let Some(value) = self.parse::<Option<String>>(name, raw)?.flatten() else {
            return Ok(None);
        };
        if value.is_empty() {
            return Err(self.spec(name, format!("{name} must not be an empty string")));
        }
        self.check_string(name, &value)?;
        Ok(Some(value))
    }

    fn required(&self, name: &str, raw: Option<&'a RawValue>) -> Result<String, DecodeError> {
        self.optional(name, raw)?.ok_or_else(|| {
            self.input.error(
                DecodeErrorKind::Shape,
                &self.path(name),
                format!("missing required attribute {name} (a null value counts as missing)"),
            )
        })
    }

    fn check_string(&self, name: &str, value: &str) -> Result<(), DecodeError> {
        match value.chars().find(|&c| !is_string_char(c)) {
            Some(c) => Err(self.spec(
                name,
                format!(
                    "{name} holds U+{:04X}, which the CloudEvents String type excludes",
                    c as u32
                ),
            )),
            None => Ok(()),
        }
    }

    /// An extension attribute's value; `None` when it is `null` (unset).
    fn extension(
        &self,
        name: &str,
        raw: &'a RawValue,
    ) -> Result<Option<CloudEventExtensionValue>, DecodeError> {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            return Err(self.spec(
                name,
                format!(
                    "extension attribute name {name:?} must consist of lowercase letters a-z and digits 0-9"
                ),
            ));
        }
        let value: Value = self.input.parse_part(raw, &self.path(name))?;
        Ok(match value {
            Value::Null => None,
            Value::Bool(b) => Some(CloudEventExtensionValue::Boolean(b)),
            Value::String(s) => {
                self.check_string(name, &s)?;
                Some(CloudEventExtensionValue::String(s))
            }
            Value::Number(n) => {
                // The JSON format writes an Integer as the integer part alone; there is no
                // fractional or exponent form, and no other numeric type.
                let integer = n.as_i64().and_then(|i| i32::try_from(i).ok());
                match integer {
                    Some(i) if !raw.get().contains(['.', 'e', 'E']) => Some(CloudEventExtensionValue::Integer(i)),
                    _ => {
                        return Err(self.spec(
                            name,
                            format!("extension {name} is the number {n}, but a CloudEvents Integer is a signed 32-bit integer"),
                        ))
                    }
                }
            }
            Value::Array(_) | Value::Object(_) => {
                return Err(self.spec(
                    name,
                    format!("extension {name} must be a string, number or boolean, not an array or object"),
                ))
            }
        })
    }
}

/// The `data` member handed to the MetalSoft model, which picks the structure to parse it as.
struct DataPart<'i, 'a> {
    input: &'i Input<'a>,
    raw: Option<&'a RawValue>,
    path: String,
}

impl DataParser for DataPart<'_, '_> {
    type Error = DecodeError;

    fn parse<T: DeserializeOwned>(self) -> Result<T, DecodeError> {
        match self.raw {
            Some(raw) => self.input.parse_part(raw, &self.path),
            // Reported at the event, as serde reports a missing member at its container.
            None => Err(self.input.error(
                DecodeErrorKind::Shape,
                self.path
                    .strip_suffix("data")
                    .map(|at| at.strip_suffix('.').unwrap_or(at))
                    .unwrap_or_default(),
                "missing data: MetalSoft significant events carry their payload as JSON in data",
            )),
        }
    }
}

/// The core spec's batch rule. The per-event check (`"1.0"` only) would catch most mixtures too;
/// this one says what is wrong with the batch as such.
fn check_one_specversion(input: &Input<'_>, batch: &[Members<'_>]) -> Result<(), DecodeError> {
    let mut first: Option<(usize, String)> = None;
    for (i, members) in batch.iter().enumerate() {
        let specversion = members.0.iter().find(|(name, _)| name == "specversion");
        let Some(Ok(version)) = specversion.map(|(_, raw)| serde_json::from_str::<String>(raw.get())) else {
            continue;
        };
        match &first {
            None => first = Some((i, version)),
            Some((j, expected)) if *expected != version => {
                return Err(input.error(
                    DecodeErrorKind::Spec,
                    &format!("[{i}].specversion"),
                    format!(
                        "all events of a batch must share one specversion: [{j}] has {expected:?}, [{i}] has {version:?}"
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The CloudEvents String type: Unicode without control characters or noncharacters. (Unpaired
/// surrogates cannot reach here: serde_json rejects them.)
fn is_string_char(c: char) -> bool {
    let u = c as u32;
    !(u <= 0x1F || (0x7F..=0x9F).contains(&u) || (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE)
}

/// `type/subtype` with optional parameters (RFC 2045 tokens; the parameters are not checked).
pub fn is_media_type(s: &str) -> bool {
    let essence = s.split(';').next().unwrap_or_default().trim();
    let is_token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
    };
    match essence.split_once('/') {
        Some((kind, subtype)) => is_token(kind) && is_token(subtype),
        None => false,
    }
}

/// Whether a media type says JSON: `*/json` or `*/*+json`, compared without parameters and
/// regardless of case, as the JSON format requires.
pub fn is_json_media_type(s: &str) -> bool {
    let essence = s
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.split_once('/') {
        Some((_, subtype)) => subtype == "json" || subtype.ends_with("+json"),
        None => false,
    }
}

/// An absolute URI (RFC 3986 §4.3): a scheme, `:`, then only characters a URI may hold, with
/// every `%` starting a percent-encoded octet.
pub fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut scheme_bytes = scheme.bytes();
    if !scheme_bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        || !scheme_bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return false;
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b)) {
            return false;
        }
        i += 1;
    }
    true
}

/// Why `s` is not base64 in RFC 4648's standard alphabet with padding, or `None` if it is.
pub fn base64_error(s: &str) -> Option<&'static str> {
    let b = s.as_bytes();
    if b.len() % 4 != 0 {
        return Some("its length is not a multiple of 4");
    }
    let padding = b.iter().rev().take_while(|&&c| c == b'=').count();
    if padding > 2 {
        return Some("it ends in more than two '='");
    }
    let body = &b[..b.len() - padding];
    if body.contains(&b'=') {
        return Some("'=' appears before the end");
    }
    if !body
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
    {
        return Some("it holds a character outside the base64 alphabet");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_accepts_the_grammar_and_rejects_near_misses() {
        for ok in [
            "2025-01-01T12:00:00.000Z",
            "2018-04-05T17:31:00Z",
            "2024-02-29t23:59:60.123456789z",
            "1985-04-12T23:20:50.52+05:30",
            "1996-12-19T16:39:57-08:00",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "2025-01-01",
            "2025-01-01 12:00:00Z",
            "2025-01-01T12:00:00",
            "2025-01-01T12:00:00.Z",
            "2025-13-01T12:00:00Z",
            "2023-02-29T12:00:00Z",
            "1900-02-29T12:00:00Z",
            "2025-04-31T12:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T12:60:00Z",
            "2025-01-01T12:00:61Z",
            "2025-01-01T12:00:00+0100",
            "2025-01-01T12:00:00+24:00",
            "2025-01-01T12:00:00Zjunk",
            "2014-02-28T10:57:21.000-0700",
            "2012-10-17 01:11:54 UTC",
            "２０２５-01-01T12:00:00Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn base64_needs_the_alphabet_and_padding() {
        for ok in [
            "",
            "Zg==",
            "Zm8=",
            "Zm9v",
            "PG11Y2g+U29tZSB0ZXh0PC9tdWNoPg==",
            "+/+/",
        ] {
            assert_eq!(base64_error(ok), None, "{ok}");
        }
        for bad in ["Zg", "Zg=", "Z===", "Zg=a", "Zm9v\n", "Zm-_", "====", "Zm9v YmFy"] {
            assert!(base64_error(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn media_types_and_their_json_test() {
        assert!(is_media_type("application/json"));
        assert!(is_media_type("TEXT/Plain; CharSet=utf-8"));
        assert!(!is_media_type("json"));
        assert!(!is_media_type("application/"));
        assert!(!is_media_type("application/js on"));
        for json in [
            "application/json",
            "APPLICATION/JSON; charset=utf-8",
            "text/json",
            "application/cloudevents+json",
        ] {
            assert!(is_json_media_type(json), "{json}");
        }
        for other in [
            "text/plain",
            "application/xml",
            "application/jsonx",
            "application/json-seq",
            "json",
        ] {
            assert!(!is_json_media_type(other), "{other}");
        }
    }

    #[test]
    fn absolute_uris_need_a_scheme_and_uri_characters() {
        for ok in [
            "https://example.com/schema.json",
            "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
            "mailto:a@b.c",
            "http://x/%20#frag",
        ] {
            assert!(is_absolute_uri(ok), "{ok}");
        }
        for bad in [
            "/relative/path",
            "schema.json",
            "1http://x",
            "http://x/a b",
            "http://x/%zz",
            "://x",
            "http://ex.com/é",
        ] {
            assert!(!is_absolute_uri(bad), "{bad}");
        }
    }

    #[test]
    fn string_type_excludes_controls_and_noncharacters() {
        assert!(is_string_char('a') && is_string_char('é') && is_string_char('😀'));
        for c in [
            '\u{0}',
            '\n',
            '\u{7f}',
            '\u{85}',
            '\u{fdd0}',
            '\u{fffe}',
            '\u{1ffff}',
        ] {
            assert!(!is_string_char(c), "{:?}", c);
        }
    }
}
