//! Helpers shared by the native decoder tests (`tests/decode_<source>.rs`).
#![allow(dead_code)]

use proptest::prelude::*;
use serde_json::Value;

/// Asserts that `decoded` (a decoded value serialised back with serde) says nothing the wire did
/// not: every field it has is on the wire with the same value. This is what makes the generated
/// TypeScript types (same serde attributes) true of the object `JSON.parse` builds from the frame.
/// `unknown: true`, the marker the SDK adds, is the one field allowed to be absent from the wire.
pub fn assert_mirrors_wire(decoded: &Value, wire: &Value) {
    mirror_at(decoded, wire, "");
}

fn mirror_at(decoded: &Value, wire: &Value, path: &str) {
    match (decoded, wire) {
        (Value::Object(d), Value::Object(w)) => {
            for (key, value) in d {
                let here = format!("{path}.{key}");
                match w.get(key) {
                    Some(on_wire) => mirror_at(value, on_wire, &here),
                    None if key == "unknown" && path.is_empty() && *value == Value::Bool(true) => {}
                    None => panic!("{here}: decoded value has {value}, the wire has no such field"),
                }
            }
        }
        (Value::Array(d), Value::Array(w)) => {
            assert_eq!(d.len(), w.len(), "{path}: array lengths differ");
            for (i, (dv, wv)) in d.iter().zip(w).enumerate() {
                mirror_at(dv, wv, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(d), Value::Number(w)) => {
            assert_eq!(d.as_f64(), w.as_f64(), "{path}: numbers differ");
        }
        (d, w) => assert_eq!(d, w, "{path}: values differ"),
    }
}

/// Strategy: texts near `seeds` (cut short, a character dropped, replaced or inserted, a JSON
/// structural character swapped) plus arbitrary strings. Decoders must return Ok or a
/// DecodeError for all of them, never panic.
pub fn mangled(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let seeds = std::sync::Arc::new(seeds);
    let structural = prop::sample::select(vec![
        '{', '}', '[', ']', '"', ':', ',', '\\', '0', 'n', 't', ' ', 'é', '\u{0}',
    ]);
    let pick = {
        let seeds = seeds.clone();
        (0..seeds.len()).prop_map(move |i| seeds[i].clone())
    };
    prop_oneof![
        any::<String>(),
        (pick.clone(), any::<prop::sample::Index>()).prop_map(|(s, at)| cut(&s, at)),
        (
            pick.clone(),
            prop::collection::vec((any::<prop::sample::Index>(), structural.clone(), 0..3u8), 1..6)
        )
            .prop_map(|(s, edits)| {
                let mut chars: Vec<char> = s.chars().collect();
                for (at, c, op) in edits {
                    if chars.is_empty() {
                        chars.push(c);
                        continue;
                    }
                    let i = at.index(chars.len());
                    match op {
                        0 => {
                            chars.remove(i);
                        }
                        1 => chars[i] = c,
                        _ => chars.insert(i, c),
                    }
                }
                chars.into_iter().collect()
            }),
    ]
}

fn cut(s: &str, at: prop::sample::Index) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[..at.index(chars.len() + 1)].iter().collect()
}

/// Reads a fixture file of one JSON document per line (blank lines and `#` comments skipped).
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Decodes a query value as servers split forms: `%XX` bytes, and `+` as a space.
pub fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}
