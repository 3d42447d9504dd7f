//! The typed model of every source, one file per source: the wire's own field names and tags.
//! TypeScript types are generated from these (tsify), so `.d.ts` and Rust cannot disagree.

#[cfg(feature = "cloudevents")]
pub mod cloudevents;
#[cfg(feature = "events-hub")]
pub mod events_hub;
#[cfg(feature = "lxd")]
pub mod lxd;
#[cfg(feature = "mws")]
pub mod mws;
