//! Benchmark-only probe (feature `strategy-serde-wasm-bindgen`): the cheapest conceivable
//! validation, a structural JSON scan with no types and no allocation, followed by JSON.parse.
//! It bounds from above what any "validate in wasm, build with JSON.parse" decoder can reach.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::bench_support::{parse_accepted, text_of};
use super::to_js_error;
use crate::decode::{DecodeErrorKind, DecodeSource, Input};

/// Accepts exactly the texts that are one well-formed JSON value (RFC 8259 structure; number and
/// escape syntax checked loosely), without building anything.
fn scan(text: &[u8]) -> bool {
    let mut depth_stack: [u8; 128] = [0; 128];
    let mut depth = 0usize;
    let mut i = 0usize;
    let n = text.len();
    let mut expect_value = true;
    while i < n {
        let c = text[i];
        match c {
            b' ' | b'\n' | b'\r' | b'\t' | b':' | b',' => i += 1,
            b'{' | b'[' => {
                if depth == depth_stack.len() {
                    return false;
                }
                depth_stack[depth] = c;
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                if depth == 0 || (depth_stack[depth - 1] == b'{') != (c == b'}') {
                    return false;
                }
                depth -= 1;
                i += 1;
                expect_value = false;
            }
            b'"' => {
                i += 1;
                while i < n && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                if i >= n {
                    return false;
                }
                i += 1;
                expect_value = false;
            }
            _ => {
                let start = i;
                while i < n && !matches!(text[i], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | b':') {
                    i += 1;
                }
                if i == start {
                    return false;
                }
                expect_value = false;
            }
        }
    }
    depth == 0 && !expect_value
}

#[wasm_bindgen(js_name = decodeHubEventScanProbe)]
pub fn decode_hub(text: JsValue) -> Result<JsValue, JsValue> {
    probe(DecodeSource::EventsHub, text)
}
#[wasm_bindgen(js_name = decodeLxdEventScanProbe)]
pub fn decode_lxd(text: JsValue) -> Result<JsValue, JsValue> {
    probe(DecodeSource::Lxd, text)
}
#[wasm_bindgen(js_name = decodeCloudEventScanProbe)]
pub fn decode_cloud(text: JsValue) -> Result<JsValue, JsValue> {
    probe(DecodeSource::CloudEvents, text)
}
#[wasm_bindgen(js_name = decodeMwsEventScanProbe)]
pub fn decode_mws(text: JsValue) -> Result<JsValue, JsValue> {
    probe(DecodeSource::Mws, text)
}
#[wasm_bindgen(js_name = decodeMwsEventListScanProbe)]
pub fn decode_mws_list(text: JsValue) -> Result<JsValue, JsValue> {
    probe(DecodeSource::Mws, text)
}

fn probe(source: DecodeSource, value: JsValue) -> Result<JsValue, JsValue> {
    let text = text_of(source, &value)?;
    if !scan(text.as_bytes()) {
        return Err(to_js_error(&Input::new(source, &text).error(
            DecodeErrorKind::Syntax,
            "",
            "not JSON",
        )));
    }
    parse_accepted(source, &value, &text)
}

/// The copy alone: the text moved into wasm memory by wasm-bindgen, no scan, then JSON.parse.
#[wasm_bindgen(js_name = copyProbe)]
pub fn copy_probe(value: JsValue) -> Result<JsValue, JsValue> {
    let text = text_of(DecodeSource::EventsHub, &value)?;
    parse_accepted(DecodeSource::EventsHub, &value, &text)
}

#[wasm_bindgen(inline_js = "const encoder = new TextEncoder();
export function encode_into(text, memory, ptr, cap) {
  const result = encoder.encodeInto(text, new Uint8Array(memory.buffer, ptr, cap));
  return result.read === text.length ? result.written : -1;
}")]
extern "C" {
    fn encode_into(text: &JsValue, memory: &JsValue, ptr: u32, cap: u32) -> i32;
}

thread_local! {
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// encodeInto a buffer reused across calls (no allocation per frame), scan, then JSON.parse.
#[wasm_bindgen(js_name = encodeIntoScanProbe)]
pub fn encode_into_scan_probe(value: JsValue) -> Result<JsValue, JsValue> {
    let Some(units) = value.dyn_ref::<js_sys::JsString>().map(|s| s.length() as usize) else {
        return Err(JsValue::from_str("not a string"));
    };
    let ok = BUFFER.with(|cell| {
        let mut buffer = cell.borrow_mut();
        let cap = units * 3;
        if buffer.len() < cap {
            buffer.resize(cap, 0);
        }
        let written = encode_into(
            &value,
            &wasm_bindgen::memory(),
            buffer.as_ptr() as u32,
            cap as u32,
        );
        written >= 0 && scan(&buffer[..written as usize])
    });
    if !ok {
        return Err(JsValue::from_str("not JSON"));
    }
    parse_accepted(DecodeSource::EventsHub, &value, "")
}
