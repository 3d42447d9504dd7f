//! wasm-bindgen tests run in headless Chromium.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod mws_js;
mod page;
mod subscribe_js;
mod transport;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn chromium_websocket_receives_greeting_from_loopback_sim() {
    transport::greeting_arrives_then_echo_then_clean_close().await;
}

#[wasm_bindgen_test]
async fn chromium_refused_connection_is_reported() {
    transport::refused_connection_reports_error_then_abnormal_close().await;
}

#[wasm_bindgen_test]
fn chromium_malformed_url_is_an_error() {
    transport::malformed_url_is_an_error_not_a_panic();
}
