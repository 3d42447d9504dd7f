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
#[cfg(feature = "schema")]
pub mod schema;

/// Schema-only stand-in for a field read with `deserialize_with = "nullable"`: the key must be
/// present, its value may be `null`. (schemars would make a plain `Option` field optional, and
/// `required` would drop the `null`.)
#[cfg(feature = "schema")]
pub struct Nullable<T>(std::marker::PhantomData<T>);

#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Nullable<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Option<T>>::schema_name()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<T>>::json_schema(generator)
    }
}
