//! Benchmark-only exports (feature `strategy-serde-wasm-bindgen`): the same Rust decoders, but the
//! JavaScript object is built from the decoded Rust value by serde-wasm-bindgen instead of by the
//! engine's JSON.parse. `npm run bench` measures both side by side; the shipped strategy is the
//! faster one (see the README).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::bench_support::text_of;
use super::to_js_error;
use crate::decode::{DecodeError, DecodeSource};

fn via_serde<T: Serialize>(
    source: DecodeSource,
    value: &JsValue,
    decode: impl FnOnce(&str) -> Result<T, DecodeError>,
) -> Result<JsValue, JsValue> {
    let text = text_of(source, value)?;
    let decoded = decode(&text).map_err(|e| to_js_error(&e))?;
    // json_compatible: maps become plain objects and None becomes null, as JSON.parse would give.
    decoded
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(JsValue::from)
}

#[cfg(feature = "mws")]
#[wasm_bindgen(js_name = decodeMwsEventViaSerde)]
pub fn decode_mws_event(text: JsValue) -> Result<JsValue, JsValue> {
    via_serde(DecodeSource::Mws, &text, crate::decode::mws::decode_mws_event)
}

#[cfg(feature = "mws")]
#[wasm_bindgen(js_name = decodeMwsEventListViaSerde)]
pub fn decode_mws_event_list(text: JsValue) -> Result<JsValue, JsValue> {
    via_serde(
        DecodeSource::Mws,
        &text,
        crate::decode::mws::decode_mws_event_list,
    )
}

#[cfg(feature = "events-hub")]
#[wasm_bindgen(js_name = decodeHubEventViaSerde)]
pub fn decode_hub_event(text: JsValue) -> Result<JsValue, JsValue> {
    via_serde(
        DecodeSource::EventsHub,
        &text,
        crate::decode::events_hub::decode_hub_event,
    )
}

#[cfg(feature = "lxd")]
#[wasm_bindgen(js_name = decodeLxdEventViaSerde)]
pub fn decode_lxd_event(text: JsValue) -> Result<JsValue, JsValue> {
    via_serde(DecodeSource::Lxd, &text, crate::decode::lxd::decode_lxd_event)
}

#[cfg(feature = "cloudevents")]
#[wasm_bindgen(js_name = decodeCloudEventViaSerde)]
pub fn decode_cloud_event(text: JsValue) -> Result<JsValue, JsValue> {
    via_serde(
        DecodeSource::CloudEvents,
        &text,
        crate::decode::cloudevents::decode_cloud_event,
    )
}

#[cfg(feature = "cloudevents")]
#[wasm_bindgen(js_name = decodeCloudEventBatchViaSerde)]
pub fn decode_cloud_event_batch(text: JsValue) -> Result<JsValue, JsValue> {
    via_serde(
        DecodeSource::CloudEvents,
        &text,
        crate::decode::cloudevents::decode_cloud_event_batch,
    )
}
