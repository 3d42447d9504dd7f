//! Decoder tests run on the wasm build in headless Chromium: the exported functions, called as
//! JavaScript would call them, one module per source.

#[cfg(feature = "cloudevents")]
mod cloudevents;
#[cfg(feature = "events-hub")]
mod events_hub;
#[cfg(feature = "lxd")]
mod lxd;
#[cfg(feature = "mws")]
mod mws;
