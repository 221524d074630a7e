//! The tail's decoding: a cache of parsed schemas the backend fills on request, and decoding
//! of one event at a time, for the rows on screen and the detail view. Nothing decoded is
//! stored per event, so a million buffered events cost no more than their bytes.

use std::collections::HashSet;

use super::packed::PackedEvent;
use crate::codec::DecodedEvent;
use crate::codec::schemas::SchemaCache;
use crate::codec::tail::{decode_parts, decode_with_schemas};
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
        let id = self.cache.missing_for(content_type, body)?;
        self.requested.insert(id.to_ascii_lowercase()).then_some(id)
    }

    pub fn fetched(&mut self, id: &str, outcome: SchemaFetch) {
        self.cache.record(id, outcome);
    }

    pub fn decode(&self, event: &TailEvent) -> DecodedEvent {
        decode_with_schemas(event, &self.cache)
    }

    /// Decodes a buffered event where it lies (a row on screen).
    pub fn decode_packed(&self, event: &PackedEvent) -> DecodedEvent {
        let (content_type, properties, body) = event.decode_parts();
        decode_parts(content_type, &properties, body, &self.cache)
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
        let mut event = sample::event(1);
        // An event naming a registry schema (the sample's JSON names none, and a test that
        // only asserted inside `if let Some` never asserted anything).
        event.content_type = Some("avro/binary+7113c15cdc0262e342d747bdc3a8b0b4".into());
        let content_type = event.content_type.clone();
        let first = decoding.wanted(content_type.as_deref(), &event.body);
        assert_eq!(first.as_deref(), Some("7113c15cdc0262e342d747bdc3a8b0b4"));
        assert_eq!(decoding.wanted(content_type.as_deref(), &event.body), None);
        decoding.fetched(
            "7113c15cdc0262e342d747bdc3a8b0b4",
            SchemaFetch::NotRegistered,
        );
        assert_eq!(decoding.wanted(content_type.as_deref(), &event.body), None);
        let decoded = decoding.decode(&event);
        assert!(needs_mark(&decoded), "an unregistered schema is marked");
    }
}
