//! Decoding, shared by every source: the error type and the parsing helpers that give an error its
//! path, line and column. Plain Rust (sans-IO): no browser type appears here.
//!
//! Every source's decoder follows the same rules:
//! - a frame of a known type is checked against its typed model (missing fields and wrong types
//!   are errors);
//! - a frame of an unknown channel, message, type or action is **not** an error: it decodes to the
//!   source's `Unknown…` variant, which keeps the raw body and carries `unknown: true`;
//! - anything else (not JSON, truncated, wrong types, a broken spec rule) is a [`DecodeError`].

use std::fmt;

use serde::{Deserialize, Serialize};
#[cfg(not(target_arch = "wasm32"))]
use serde_json::value::RawValue;
use tsify::Tsify;

// The native decoders: the Rust API, and the reference the generated browser validators are
// tested against. The browser decodes with those validators, so the wasm build has none of these.
#[cfg(all(feature = "cloudevents", not(target_arch = "wasm32")))]
pub mod cloudevents;
#[cfg(all(feature = "events-hub", not(target_arch = "wasm32")))]
pub mod events_hub;
#[cfg(all(feature = "lxd", not(target_arch = "wasm32")))]
pub mod lxd;
#[cfg(all(feature = "mws", not(target_arch = "wasm32")))]
pub mod mws;
#[cfg(not(target_arch = "wasm32"))]
mod strict;

#[cfg(not(target_arch = "wasm32"))]
use strict::Strict;

/// Which decoder reported an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
pub enum DecodeSource {
    #[serde(rename = "events-hub")]
    EventsHub,
    #[serde(rename = "lxd")]
    Lxd,
    #[serde(rename = "cloudevents")]
    CloudEvents,
    #[serde(rename = "mws")]
    Mws,
}

impl DecodeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DecodeSource::EventsHub => "events-hub",
            DecodeSource::Lxd => "lxd",
            DecodeSource::CloudEvents => "cloudevents",
            DecodeSource::Mws => "mws",
        }
    }
}

/// Why a frame was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum DecodeErrorKind {
    /// Not JSON (or trailing bytes after the JSON value).
    Syntax,
    /// The input stops in the middle of a JSON value: a truncated frame.
    Truncated,
    /// Valid JSON, but not the shape of a known message: a missing field, or a field of the wrong type.
    Shape,
    /// Well-formed and well-typed, but it breaks a rule of the source's specification
    /// (for example a CloudEvent with both `data` and `data_base64`).
    Spec,
}

/// How many characters of the input an error quotes.
pub const INPUT_HEAD_CHARS: usize = 64;

/// A frame that could not be decoded. In JavaScript it is thrown as an `Error` whose `name` is
/// `"DecodeError"` and which carries these fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DecodeError {
    pub source: DecodeSource,
    pub kind: DecodeErrorKind,
    /// What is wrong, in words.
    pub reason: String,
    /// Where in the document: a path such as `body.new_vm.State` or `[2].time`; empty for the
    /// document as a whole.
    pub path: String,
    /// 1-based line of the offending byte; 0 when the error is not tied to one position.
    pub line: usize,
    /// 1-based column of the offending byte; 0 when the error is not tied to one position.
    pub column: usize,
    /// The first characters of the input, so a log shows what arrived.
    pub input_head: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} frame rejected ({:?}): {}",
            self.source.as_str(),
            self.kind,
            self.reason
        )?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        if self.line > 0 {
            write!(f, " (line {}, column {})", self.line, self.column)?;
        }
        write!(f, "; input starts {:?}", self.input_head)
    }
}

impl std::error::Error for DecodeError {}

/// The input of one decode: the text and the source it is decoded for. Errors made through it
/// carry the source, the position and the head of the text.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    source: DecodeSource,
    text: &'a str,
}

impl<'a> Input<'a> {
    pub fn new(source: DecodeSource, text: &'a str) -> Self {
        Input { source, text }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Deserializes the whole input as `T`; nothing but whitespace may follow the value.
    ///
    /// The text is first read as JSON alone: a frame that is not JSON is a syntax (or truncated)
    /// error wherever the shape goes wrong before that point, as in the browser, where
    /// `JSON.parse` runs before the validator.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn parse<T: Deserialize<'a>>(&self) -> Result<T, DecodeError> {
        let mut de = serde_json::Deserializer::from_str(self.text);
        serde::de::IgnoredAny::deserialize(&mut de)
            .and_then(|_| de.end())
            .map_err(|e| self.json_error(self.text, "", "", &e))?;
        self.parse_slice(self.text, "")
    }

    /// Deserializes `part`, a value borrowed from this input (a [`RawValue`] field), as `T`.
    /// Paths in errors are prefixed with `path`; lines and columns count in the whole input.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn parse_part<T: Deserialize<'a>>(&self, part: &'a RawValue, path: &str) -> Result<T, DecodeError> {
        self.parse_slice(part.get(), path)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn parse_slice<T: Deserialize<'a>>(&self, slice: &'a str, path: &str) -> Result<T, DecodeError> {
        let mut de = serde_json::Deserializer::from_str(slice);
        let Strict(value) = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let inner_path = e.path().to_string();
            self.json_error(slice, path, &inner_path, e.inner())
        })?;
        de.end().map_err(|e| self.json_error(slice, path, "", &e))?;
        Ok(value)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn json_error(&self, slice: &str, prefix: &str, inner: &str, e: &serde_json::Error) -> DecodeError {
        use serde_json::error::Category;
        let kind = match e.classify() {
            Category::Eof => DecodeErrorKind::Truncated,
            Category::Data => DecodeErrorKind::Shape,
            Category::Syntax | Category::Io => DecodeErrorKind::Syntax,
        };
        let (line, column) = self.absolute_position(slice, e.line(), e.column());
        // A syntax error is placed by line and column; a path says where a value is, and the
        // text that breaks off has none yet.
        let path = match kind {
            DecodeErrorKind::Syntax | DecodeErrorKind::Truncated => String::new(),
            _ => join_path(prefix, inner),
        };
        DecodeError {
            source: self.source,
            kind,
            reason: strip_position(&e.to_string()),
            path,
            line,
            column,
            input_head: head(self.text),
        }
    }

    /// An error not tied to a byte position: a rule broken by a value that is itself well-formed.
    pub fn error(&self, kind: DecodeErrorKind, path: &str, reason: impl Into<String>) -> DecodeError {
        DecodeError {
            source: self.source,
            kind,
            reason: reason.into(),
            path: path.to_owned(),
            line: 0,
            column: 0,
            input_head: head(self.text),
        }
    }

    /// Converts a position inside `slice` (a sub-slice of the input) into one inside the input.
    #[cfg(not(target_arch = "wasm32"))]
    fn absolute_position(&self, slice: &str, line: usize, column: usize) -> (usize, usize) {
        if line == 0 {
            return (0, 0);
        }
        let offset = (slice.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        if offset > self.text.len() {
            return (line, column);
        }
        let before = &self.text.as_bytes()[..offset];
        let base_line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let base_column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
        if line == 1 {
            (base_line, base_column + column - 1)
        } else {
            (base_line + line - 1, column)
        }
    }
}

/// serde_json appends " at line L column C" to its messages; the position has fields of its own.
#[cfg(not(target_arch = "wasm32"))]
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn join_path(prefix: &str, inner: &str) -> String {
    let inner = if inner == "." { "" } else { inner };
    match (prefix.is_empty(), inner.is_empty()) {
        (_, true) => prefix.to_owned(),
        (true, false) => inner.to_owned(),
        (false, false) if inner.starts_with('[') => format!("{prefix}{inner}"),
        (false, false) => format!("{prefix}.{inner}"),
    }
}

/// The first [`INPUT_HEAD_CHARS`] characters of `text`, cut on a character boundary.
pub fn head(text: &str) -> String {
    text.chars().take(INPUT_HEAD_CHARS).collect()
}

/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, with real calendar days and
/// a leap second allowed. The daemons write Go's `RFC3339Nano` (trailing fraction zeros trimmed,
/// so 0 to 9 digits); any fraction length is RFC 3339.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |at: usize, n: usize| -> Option<u32> {
        let part = b.get(at..at + n)?;
        part.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0, 4),
        digits(5, 2),
        digits(8, 2),
        digits(11, 2),
        digits(14, 2),
        digits(17, 2),
    ) else {
        return false;
    };
    if !(at(4, b'-') && at(7, b'-') && matches!(b.get(10), Some(b'T' | b't')) && at(13, b':') && at(16, b':'))
    {
        return false;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        let fraction = b
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if fraction == 0 {
            return false;
        }
        i += 1 + fraction;
    }
    match b.get(i..) {
        Some([b'Z' | b'z']) => true,
        Some([b'+' | b'-', ..]) if b.len() == i + 6 && at(i + 3, b':') => {
            matches!((digits(i + 1, 2), digits(i + 4, 2)), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether a decoded value is of a type this SDK knows, or was kept raw as unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Known,
    Unknown,
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Frame<'a> {
        name: String,
        #[serde(borrow)]
        body: &'a RawValue,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        count: u32,
        items: Vec<String>,
    }

    fn input(text: &str) -> Input<'_> {
        Input::new(DecodeSource::Lxd, text)
    }

    #[test]
    fn not_json_is_a_syntax_error_with_a_position() {
        let e = input("{\"name\": nope}").parse::<Frame>().unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::Syntax);
        // serde_json points at the last byte it read: the `o` of `nope`.
        assert_eq!((e.line, e.column), (1, 11));
        assert_eq!(e.input_head, "{\"name\": nope}");
        assert!(!e.reason.contains("at line"), "{}", e.reason);
    }

    #[test]
    fn a_cut_frame_is_truncated() {
        let e = input("{\"name\": \"a\", \"body\": {\"cou")
            .parse::<Frame>()
            .unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::Truncated);
    }

    #[test]
    fn trailing_bytes_are_a_syntax_error() {
        let e = input("{\"name\": \"a\", \"body\": 1} x")
            .parse::<Frame>()
            .unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::Syntax);
    }

    #[test]
    fn wrong_type_in_a_part_reports_the_full_path_and_absolute_position() {
        let text = "{\"name\": \"a\",\n \"body\": {\"count\": 1, \"items\": [\"x\", 7]}}";
        let input = input(text);
        let frame: Frame = input.parse().unwrap();
        let e = input.parse_part::<Body>(frame.body, "body").unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::Shape);
        assert_eq!(e.path, "body.items[1]");
        assert_eq!(e.line, 2);
        assert_eq!(
            &text.lines().nth(1).unwrap()[..e.column],
            " \"body\": {\"count\": 1, \"items\": [\"x\", 7"
        );
    }

    #[test]
    fn missing_field_is_a_shape_error_naming_the_field() {
        let input = input("{\"name\": \"a\", \"body\": {\"items\": []}}");
        let frame: Frame = input.parse().unwrap();
        let e = input.parse_part::<Body>(frame.body, "body").unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::Shape);
        assert!(e.reason.contains("count"), "{}", e.reason);
        assert_eq!(e.path, "body");
    }

    #[test]
    fn head_is_cut_on_a_char_boundary() {
        let text = "é".repeat(100);
        assert_eq!(head(&text).chars().count(), INPUT_HEAD_CHARS);
        let e = input(&text).parse::<Frame>().unwrap_err();
        assert_eq!(e.input_head.chars().count(), INPUT_HEAD_CHARS);
    }

    #[test]
    fn display_names_source_kind_path_and_position() {
        let input = input("{\"name\": \"a\", \"body\": {\"count\": \"3\", \"items\": []}}");
        let frame: Frame = input.parse().unwrap();
        let shown = input
            .parse_part::<Body>(frame.body, "body")
            .unwrap_err()
            .to_string();
        assert!(shown.starts_with("lxd frame rejected (Shape)"), "{shown}");
        assert!(shown.contains("at body.count"), "{shown}");
        assert!(shown.contains("line 1"), "{shown}");
    }
}
