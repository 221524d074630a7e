//! Decoding for the headless commands (tail, lint): each event's CloudEvent, schema and data,
//! with the schemas fetched from the target's Schema Registry once per id. A schema that cannot
//! be had marks the events that need it; the command never stops for it.

use crate::codec::DecodedEvent;
use crate::codec::schemas::SchemaCache;
use crate::codec::tail::decode_with_schemas;
use crate::connect::connection::Connection;
use crate::connect::registry::SchemaRegistry;
use crate::connect::schema_source;
use crate::model::{SchemaFetch, TailEvent};

pub struct TailDecoder {
    registry: Result<SchemaRegistry, String>,
    cache: SchemaCache,
}

impl TailDecoder {
    pub fn new(connection: &Connection) -> Self {
        Self {
            registry: SchemaRegistry::for_connection(connection).map_err(|e| e.message),
            cache: SchemaCache::new(),
        }
    }

    pub async fn decode(&mut self, event: &TailEvent) -> DecodedEvent {
        let content_type = event.content_type.as_deref();
        if let Some(id) = self.cache.missing_for(content_type, &event.body) {
            let fetched = match &self.registry {
                Ok(registry) => schema_source::fetch(registry, &id).await,
                Err(reason) => SchemaFetch::Unavailable(format!("no Schema Registry: {reason}")),
            };
            self.cache.record(&id, fetched);
        }
        decode_with_schemas(event, &self.cache)
    }
}
