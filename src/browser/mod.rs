//! The browser driver: thin wrappers over web APIs. Nothing in here decides anything; it turns
//! browser callbacks into values and values into browser calls.

pub mod driver;
pub mod socket;
