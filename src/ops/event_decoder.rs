//! Decoding for the headless commands (tail, lint, search, trace): each event's CloudEvent,
//! schema and data, with the schemas fetched from the target's Schema Registry once per id. A
//! schema that cannot be had marks the events that need it; the command never stops for it.

use std::sync::Arc;

use crate::codec::DecodedEvent;
use crate::codec::schemas::SchemaCache;
use crate::codec::tail::decode_with_schemas;
use crate::connect::connection::Connection;
use crate::connect::registry::SchemaRegistry;
use crate::connect::schema_source;
use crate::model::{SchemaFetch, TailEvent};

pub struct TailDecoder {
    /// Shared by a search's partition tasks, each with a cache of its own.
    registry: Arc<Result<SchemaRegistry, String>>,
    cache: SchemaCache,
}

impl TailDecoder {
    pub fn new(connection: &Connection) -> Self {
        Self {
            registry: Arc::new(SchemaRegistry::for_connection(connection).map_err(|e| e.message)),
            cache: SchemaCache::new(),
        }
    }

    /// Another decoder on the same registry client, with a cache of its own: one per task, so
    /// decoding never waits on a lock.
    pub fn sibling(&self) -> Self {
        Self {
            registry: Arc::clone(&self.registry),
            cache: SchemaCache::new(),
        }
    }

    /// The schemas fetched so far.
    pub fn schemas(&self) -> &SchemaCache {
        &self.cache
    }

    /// Fetches the schema `event` names, unless it is known (or known to be missing) already.
    pub async fn prepare(&mut self, event: &TailEvent) {
        let content_type = event.content_type.as_deref();
        if let Some(id) = self.cache.missing_for(content_type, &event.body) {
            let fetched = match &*self.registry {
                Ok(registry) => schema_source::fetch(registry, &id).await,
                Err(reason) => SchemaFetch::Unavailable(format!("no Schema Registry: {reason}")),
            };
            self.cache.record(&id, fetched);
        }
    }

    pub async fn decode(&mut self, event: &TailEvent) -> DecodedEvent {
        self.prepare(event).await;
        decode_with_schemas(event, &self.cache)
    }
}
