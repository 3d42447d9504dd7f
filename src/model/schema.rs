//! The JSON Schema of every decoded type, derived from the model by schemars (build time only).
//! The browser validators are generated from these documents, and the package ships them under
//! `schema/` for other languages. `tests/schema.rs` fails when the committed files are stale.

use schemars::{generate::SchemaSettings, JsonSchema, Schema};

/// One schema document: the file name under `schema/` and the document.
pub struct SchemaFile {
    pub name: &'static str,
    pub schema: Schema,
}

fn document<T: JsonSchema>(name: &'static str) -> SchemaFile {
    let generator = SchemaSettings::draft2020_12().into_generator();
    SchemaFile {
        name,
        schema: generator.into_root_schema_for::<T>(),
    }
}

/// Every entry point's schema, in the order of the decode exports.
pub fn all() -> Vec<SchemaFile> {
    let mut files = Vec::new();
    #[cfg(feature = "events-hub")]
    files.push(document::<super::events_hub::HubEvent>("HubEvent"));
    #[cfg(feature = "lxd")]
    files.push(document::<super::lxd::LxdEvent>("LxdEvent"));
    #[cfg(feature = "cloudevents")]
    {
        files.push(document::<super::cloudevents::CloudEvent>("CloudEvent"));
        let mut batch = document::<Vec<super::cloudevents::CloudEvent>>("CloudEventBatch");
        // The TypeScript the validator narrows to (the document's own title is schemars').
        batch.schema.insert("x-type".into(), "CloudEvent[]".into());
        // The batch rule of the spec: one `specversion` for all its events.
        batch.schema.insert(
            "x-rules".into(),
            serde_json::json!([{"rule": "call", "fn": "checkOneSpecversion", "from": "cloudevents_rules"}]),
        );
        files.push(batch);
    }
    #[cfg(feature = "mws")]
    {
        files.push(document::<super::mws::MwsEvent>("MwsEvent"));
        files.push(document::<super::mws::MwsEventList>("MwsEventList"));
        files.push(document::<super::mws::MwsErrorBody>("MwsErrorBody"));
    }
    files
}
