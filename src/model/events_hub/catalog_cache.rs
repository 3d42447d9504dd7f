//! `catalog_cache`: items entering and leaving the host's catalog cache.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

use super::present;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubCatalogCacheChannel {
    #[serde(rename = "catalog_cache")]
    CatalogCache,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HubCatalogCacheMessage {
    CacheItemAdded(HubCacheItemAdded),
    CacheItemRemoved(HubCacheItemRemoved),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum HubCacheType {
    File,
    Folder,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubCacheItemAdded {
    pub catalog_id: String,
    pub version: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub architecture: Option<String>,
    /// In bytes.
    pub cache_size: i64,
    pub cache_type: HubCacheType,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub cached_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubCacheItemRemoved {
    pub catalog_id: String,
    pub version: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub architecture: Option<String>,
}
