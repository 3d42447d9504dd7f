//! Percent-encoding for URL parts, and JSON text written in the order given.

/// Appends `text` percent-encoded so that it stays one query value or one path segment.
///
/// Everything but RFC 3986's unreserved characters (`A–Z a–z 0–9 - . _ ~`) is encoded, as UTF-8
/// bytes. That is more than a query strictly needs, and on purpose: servers split queries as HTML
/// forms do, where a literal `+` reads as a space and `&`, `=`, `#` end the value, and MWS's query
/// values are JSON full of `"`, `{`, `:` and spaces that some proxies also rewrite.
pub(crate) fn push_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

/// `text` percent-encoded for one query value or path segment: every byte but RFC 3986's
/// unreserved characters (`A–Z a–z 0–9 - . _ ~`) as `%XX`, so that neither form-style decoding
/// (`+` as a space) nor `&`, `=`, `#`, `/` can split or change it.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_encoded(&mut out, text);
    out
}

/// Appends `text` as a JSON string literal.
pub(crate) fn push_json_string(out: &mut String, text: &str) {
    // serde_json escapes exactly what JSON requires; a `&str` always serializes.
    out.push_str(&serde_json::to_string(text).expect("a string serializes"));
}
