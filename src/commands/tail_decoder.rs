//! Decoding for the headless tail: each event's CloudEvent, schema and data, with the
//! schemas fetched from the target's Schema Registry once per id. A schema that cannot be had
//! marks the events that need it; the tail never stops for it.

use std::collections::HashMap;

use crate::codec::schemas::SchemaCache;
use crate::codec::tail::decode_tail_event;
use crate::codec::{DecodeOptions, DecodedEvent};
use crate::connect::connection::Connection;
use crate::connect::registry::SchemaRegistry;
use crate::connect::schema_source;
use crate::model::TailEvent;

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
        if let Some(id) = schema_source::missing_id(&self.cache, content_type, &event.body) {
            match &self.registry {
                Ok(registry) => schema_source::fetch(&mut self.cache, registry, &id).await,
                Err(reason) => self
                    .cache
                    .unavailable(&id, format!("no Schema Registry: {reason}")),
            }
        }
        let readers = HashMap::new();
        decode_tail_event(
            event,
            &DecodeOptions {
                schemas: &self.cache,
                readers: &readers,
            },
        )
    }
}
