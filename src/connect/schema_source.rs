//! The Schema Registry's answer for one schema id, in the form the decoders' cache keeps
//! ([`SchemaCache::record`](crate::codec::schemas::SchemaCache::record)): the decoders are pure
//! and ask the cache; whoever holds a registry fetches what the cache is missing, once per id.

use crate::model::SchemaFetch;

use super::registry::{RegistryError, SchemaRegistry};

/// Every failure is an answer, so the events that need the schema show why.
pub async fn fetch(registry: &SchemaRegistry, id: &str) -> SchemaFetch {
    match registry.schema_by_id(id).await {
        Ok(schema) => SchemaFetch::Found(schema.content),
        Err(RegistryError::NotFound(_)) => SchemaFetch::NotRegistered,
        Err(error) => SchemaFetch::Unavailable(format!("registry: {error}")),
    }
}
