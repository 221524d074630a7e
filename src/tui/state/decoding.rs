//! The tail's decoding: a cache of parsed schemas the backend fills on request, and decoding
//! of one event at a time, for the rows on screen and the detail view. Nothing decoded is
//! stored per event, so a million buffered events cost no more than their bytes.

use std::collections::{HashMap, HashSet};

use crate::codec::framing;
use crate::codec::schemas::{Lookup, SchemaCache, SchemaLookup};
use crate::codec::tail::decode_tail_event;
use crate::codec::{DecodeOptions, DecodedEvent};
use crate::model::{SchemaFetch, TailEvent};

#[derive(Debug, Default, Clone)]
pub struct Decoding {
    cache: SchemaCache,
    /// Ids asked of the backend, so each is asked once.
    requested: HashSet<String>,
}

impl Decoding {
    /// The schema id this event needs and nobody asked for yet; marks it asked.
    pub fn wanted(&mut self, content_type: Option<&str>, body: &[u8]) -> Option<String> {
        let id = framing::detect(content_type, body).schema_id?;
        let missing = matches!(self.cache.lookup(&id), Lookup::Missing);
        (missing && self.requested.insert(id.to_ascii_lowercase())).then_some(id)
    }

    pub fn fetched(&mut self, id: &str, outcome: SchemaFetch) {
        match outcome {
            SchemaFetch::Found(text) => {
                if let Err(error) = self.cache.insert_text(id, &text) {
                    self.cache
                        .unavailable(id, format!("schema {id} does not parse: {error}"));
                }
            }
            SchemaFetch::NotRegistered => self.cache.not_registered(id),
            SchemaFetch::Unavailable(reason) => self.cache.unavailable(id, reason),
        }
    }

    pub fn decode(&self, event: &TailEvent) -> DecodedEvent {
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

/// Whether a decoded event deserves the tail's mark: it breaks the mandate or did not decode
/// (a schema still on its way is neither).
pub fn needs_mark(decoded: &DecodedEvent) -> bool {
    let pending = matches!(
        decoded.data.error(),
        Some(crate::codec::DecodeError::SchemaPending { .. })
    );
    !pending && (decoded.data.error().is_some() || !decoded.violations.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::sample;

    #[test]
    fn each_schema_is_asked_for_once_and_then_decodes() {
        let mut decoding = Decoding::default();
        let event = sample::event(1);
        let content_type = event.content_type.clone();
        let first = decoding.wanted(content_type.as_deref(), &event.body);
        if let Some(id) = first {
            assert_eq!(decoding.wanted(content_type.as_deref(), &event.body), None);
            decoding.fetched(&id, SchemaFetch::NotRegistered);
            let decoded = decoding.decode(&event);
            assert!(needs_mark(&decoded), "an unregistered schema is marked");
        }
    }
}
