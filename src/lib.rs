//! infra-events: typed subscriptions to infrastructure event streams, for the browser.
//!
//! The crate is split so that everything that can be plain Rust is plain Rust and tested natively
//! (`cargo test`); only `browser` touches web APIs, and it is compiled for `wasm32` alone.

use wasm_bindgen::prelude::wasm_bindgen;

#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod decode;
pub mod endpoint;
#[cfg(target_arch = "wasm32")]
pub mod js;
pub mod model;
#[cfg(feature = "mws")]
pub mod mws_client;
pub mod session;

/// The package version, as built. Lets an app log which SDK build it loaded.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_the_manifest_version() {
        let v = super::version();
        let parts: Vec<&str> = v.split('.').collect();
        assert_eq!(parts.len(), 3, "semver with three parts: {v}");
        assert!(
            parts.iter().all(|p| p.parse::<u32>().is_ok()),
            "numeric parts: {v}"
        );
    }
}
