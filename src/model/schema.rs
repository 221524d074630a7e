//! A registered schema version, as Azure Schema Registry describes one.

use serde::Serialize;

/// One version of a schema, with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisteredSchema {
    pub id: String,
    pub group: String,
    pub name: String,
    pub version: u32,
    /// `Avro`, `Json`, `Custom` or the service's content type when it is none of them.
    pub format: String,
    pub content: String,
}

impl RegisteredSchema {
    /// The schema text for reading: as written when it is already laid out over lines,
    /// indented JSON when it came on one line, as it is when it is not JSON.
    pub fn pretty(&self) -> String {
        if self.content.trim().contains('\n') {
            return self.content.clone();
        }
        serde_json::from_str::<serde_json::Value>(&self.content)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| self.content.clone())
    }
}

/// What the registry said about one schema id the console needed for decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaFetch {
    /// The schema text.
    Found(String),
    NotRegistered,
    /// Why it could not be had (registry unreachable, refused).
    Unavailable(String),
}

/// The schema id an event names in its content type (`avro/binary+<id>`, the Azure Avro
/// encoder's), if it names one.
pub fn schema_id_of_content_type(content_type: &str) -> Option<&str> {
    let (mime, id) = content_type.split_once('+')?;
    let id = id.trim();
    (mime.trim().eq_ignore_ascii_case("avro/binary") && !id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_id_from_an_avro_content_type() {
        assert_eq!(
            schema_id_of_content_type("avro/binary+0f72c37f70c613f23af96d24c16177c8"),
            Some("0f72c37f70c613f23af96d24c16177c8")
        );
        assert_eq!(schema_id_of_content_type("application/json"), None);
        assert_eq!(schema_id_of_content_type("avro/binary+"), None);
    }
}
