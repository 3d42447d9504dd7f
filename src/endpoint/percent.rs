//! Percent-encoding (RFC 3986 §2.1) for the few places a URL is built, and the matching decoder.
//!
//! Written here rather than taken from the `url` crate, whose IDNA tables alone would cost more in
//! the wasm build than the whole endpoint module. Only what the SDK needs: encoding one query value
//! or name, cleaning a user-given path or query, and decoding (for redaction and for tests).

use std::fmt;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// RFC 3986 `unreserved`: the only bytes a query value keeps as they are.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 `sub-delims`.
fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(HEX[usize::from(b >> 4)] as char);
    out.push(HEX[usize::from(b & 0x0f)] as char);
}

/// Encodes one query name or value: every byte of the UTF-8 text except `unreserved` becomes
/// `%XX`.
///
/// Stricter than `encodeURIComponent` on purpose: servers decode the query with form rules (Go's
/// `url.ParseQuery` turns `+` into a space), so `+`, `&`, `=`, `%` and the rest must all be
/// escaped for a value to arrive unchanged.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            push_escaped(&mut out, b);
        }
    }
    out
}

/// Makes a user-given path or query valid without changing what it means: characters a URL may
/// hold (`unreserved`, `sub-delims`, `:`, `@`, `/`, valid `%XX` escapes, and `?` in a query) are
/// kept; anything else (a space, non-ASCII text, a `%` not followed by two hex digits) is escaped.
/// This is what a browser's URL parser would do, so the URL shown in logs is the one used.
pub(crate) fn clean_path_or_query(text: &str, is_query: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let keep = is_unreserved(b)
            || is_sub_delim(b)
            || matches!(b, b':' | b'@' | b'/')
            || (is_query && b == b'?')
            || (b == b'%' && is_hex_at(bytes, i + 1) && is_hex_at(bytes, i + 2));
        if keep {
            out.push(b as char);
        } else {
            push_escaped(&mut out, b);
        }
        i += 1;
    }
    out
}

fn is_hex_at(bytes: &[u8], i: usize) -> bool {
    bytes.get(i).is_some_and(u8::is_ascii_hexdigit)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Why [`decode_component`] refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentDecodeError {
    /// A `%` not followed by two hex digits, at this byte offset.
    BadEscape { at: usize },
    /// The decoded bytes are not UTF-8.
    NotUtf8,
}

impl fmt::Display for PercentDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PercentDecodeError::BadEscape { at } => {
                write!(f, "'%' not followed by two hex digits at byte {at}")
            }
            PercentDecodeError::NotUtf8 => f.write_str("percent-decoded bytes are not UTF-8"),
        }
    }
}

impl std::error::Error for PercentDecodeError {}

/// Decodes `%XX` escapes. `+` stays a `+`: this is the inverse of [`encode_component`], which
/// never produces a `+`, not a form decoder.
pub fn decode_component(text: &str) -> Result<String, PercentDecodeError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_value);
            let lo = bytes.get(i + 2).copied().and_then(hex_value);
            match (hi, lo) {
                (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                _ => return Err(PercentDecodeError::BadEscape { at: i }),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PercentDecodeError::NotUtf8)
}

/// Decodes a query parameter name the way a server would, to compare it with a known name;
/// anything undecodable is compared as written.
pub(crate) fn decoded_name(raw: &str) -> String {
    decode_component(&raw.replace('+', " ")).unwrap_or_else(|_| raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(encode_component("aZ09-._~"), "aZ09-._~");
        assert_eq!(encode_component("a b&c=d+e%f"), "a%20b%26c%3Dd%2Be%25f");
        assert_eq!(encode_component("é"), "%C3%A9");
        assert_eq!(
            encode_component("/?#[]@!$'()*,;:"),
            "%2F%3F%23%5B%5D%40%21%24%27%28%29%2A%2C%3B%3A"
        );
    }

    #[test]
    fn decodes_and_refuses_bad_escapes() {
        assert_eq!(decode_component("a%20b%2B+").unwrap(), "a b++");
        assert_eq!(decode_component("%c3%A9").unwrap(), "é");
        assert_eq!(
            decode_component("%2"),
            Err(PercentDecodeError::BadEscape { at: 0 })
        );
        assert_eq!(
            decode_component("x%zz"),
            Err(PercentDecodeError::BadEscape { at: 1 })
        );
        assert_eq!(decode_component("%FF"), Err(PercentDecodeError::NotUtf8));
    }

    #[test]
    fn cleaning_keeps_valid_escapes_and_escapes_the_rest() {
        assert_eq!(
            clean_path_or_query("/a b/%41/%zz/é", false),
            "/a%20b/%41/%25zz/%C3%A9"
        );
        assert_eq!(clean_path_or_query("a=1&b=?x", true), "a=1&b=?x");
        assert_eq!(clean_path_or_query("a=?x", false), "a=%3Fx");
    }
}
