//! The browser driver: thin wrappers over web APIs. Nothing in here decides anything; it turns
//! browser callbacks into values and values into browser calls.

#[cfg(any(
    feature = "events-hub",
    feature = "lxd",
    feature = "cloudevents",
    feature = "mws"
))]
pub mod decoders;
pub mod delivery;
pub mod driver;
#[cfg(feature = "fetch")]
pub mod fetch;
#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
pub mod frames;
#[cfg(feature = "events-hub")]
pub mod login;
#[cfg(feature = "mws")]
pub mod mws_answer;
#[cfg(feature = "mws")]
pub mod mws_poll;
pub mod page;
pub mod socket;
