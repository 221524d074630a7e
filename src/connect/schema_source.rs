//! Fills a codec [`SchemaCache`] from the Schema Registry: the decoders are pure and ask the
//! cache; whoever holds a registry fetches what the cache is missing, once per id.

use crate::codec::framing;
use crate::codec::schemas::{Lookup, SchemaCache, SchemaLookup};

use super::registry::{RegistryError, SchemaRegistry};

/// The registry schema id an event's framing names, when the cache does not know it yet.
pub fn missing_id(cache: &SchemaCache, content_type: Option<&str>, body: &[u8]) -> Option<String> {
    let id = framing::detect(content_type, body).schema_id?;
    matches!(cache.lookup(&id), Lookup::Missing).then_some(id)
}

/// Fetches `id` into the cache: its schema, "not registered", or why it could not be had (the
/// events that need it then say so, and decoding goes on).
pub async fn fetch(cache: &mut SchemaCache, registry: &SchemaRegistry, id: &str) {
    match registry.schema_by_id(id).await {
        Ok(schema) => {
            if let Err(error) = cache.insert_text(id, &schema.content) {
                cache.unavailable(id, format!("schema {id} does not parse: {error}"));
            }
        }
        Err(RegistryError::NotFound(_)) => cache.not_registered(id),
        Err(error) => cache.unavailable(id, format!("registry: {error}")),
    }
}

/// Makes sure the schema an event names is in the cache (or known to be missing).
pub async fn ensure(
    cache: &mut SchemaCache,
    registry: &SchemaRegistry,
    content_type: Option<&str>,
    body: &[u8],
) {
    if let Some(id) = missing_id(cache, content_type, body) {
        fetch(cache, registry, &id).await;
    }
}
