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
use crate::model::{SchemaFetch, TailEvent, schema_id_of_content_type};

pub struct TailDecoder {
    /// Shared by a search's partition tasks, each with a cache of its own.
    registry: Arc<Result<SchemaRegistry, String>>,
    cache: SchemaCache,
    /// The last `avro/binary+<id>` content type whose schema is settled: most events of a
    /// stream repeat it, and then there is nothing to look up.
    settled: Option<String>,
}

impl TailDecoder {
    pub fn new(connection: &Connection) -> Self {
        Self {
            registry: Arc::new(SchemaRegistry::for_connection(connection).map_err(|e| e.message)),
            cache: SchemaCache::new(),
            settled: None,
        }
    }

    /// Another decoder on the same registry client, with a cache of its own: one per task, so
    /// decoding never waits on a lock.
    pub fn sibling(&self) -> Self {
        Self {
            registry: Arc::clone(&self.registry),
            cache: SchemaCache::new(),
            settled: None,
        }
    }

    /// The schemas fetched so far.
    pub fn schemas(&self) -> &SchemaCache {
        &self.cache
    }

    /// Fetches the schema `event` names, unless it is known (or known to be missing) already.
    pub async fn prepare(&mut self, event: &TailEvent) {
        let content_type = event.content_type.as_deref();
        if content_type.is_some() && content_type == self.settled.as_deref() {
            return;
        }
        if let Some(id) = self.cache.missing_for(content_type, &event.body) {
            let fetched = match &*self.registry {
                Ok(registry) => schema_source::fetch(registry, &id).await,
                Err(reason) => SchemaFetch::Unavailable(format!("no Schema Registry: {reason}")),
            };
            self.cache.record(&id, fetched);
        }
        // Only a content type that names the schema settles it; other framings carry the id
        // in the body.
        self.settled = content_type
            .filter(|c| schema_id_of_content_type(c).is_some())
            .map(str::to_owned);
    }

    pub async fn decode(&mut self, event: &TailEvent) -> DecodedEvent {
        self.prepare(event).await;
        decode_with_schemas(event, &self.cache)
    }
}
