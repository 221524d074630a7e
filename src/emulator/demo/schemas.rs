//! The demo organisation's Avro schemas: the `.avsc` files under `schemas/` at the repository
//! root, embedded, with the ids they are published under.

use std::sync::OnceLock;

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::codec::avro as codec;

/// One schema file of `schemas/`, parsed on first use for the writer (apache-avro) and the
/// reader (the console's codec).
#[derive(Debug)]
pub struct Schema {
    pub file: &'static str,
    pub text: &'static str,
    writer: OnceLock<Result<apache_avro::Schema, String>>,
    reader: OnceLock<Result<codec::Schema, String>>,
}

macro_rules! schema {
    ($file:literal) => {
        Schema {
            file: $file,
            text: include_str!(concat!("../../../schemas/", $file)),
            writer: OnceLock::new(),
            reader: OnceLock::new(),
        }
    };
}

pub static PRODUCT_UPDATED: Schema = schema!("product_updated.avsc");
pub static ACCOUNT_ACTIVATED: Schema = schema!("account_activated.avsc");
pub static ACCOUNT_DEACTIVATED: Schema = schema!("account_deactivated.avsc");
pub static CONTACT_ACTIVATED: Schema = schema!("contact_activated.avsc");
pub static CONTACT_DEACTIVATED: Schema = schema!("contact_deactivated.avsc");
pub static CONTACT_ABANDONED_QUOTE: Schema = schema!("contact_abandoned_quote.avsc");
pub static CONTACT_PURCHASED: Schema = schema!("contact_purchased.avsc");
/// Version 2 of `ContactPurchased`: two more fields, both with defaults (backward compatible).
pub static CONTACT_PURCHASED_V2: Schema = schema!("contact_purchased.v2.avsc");
pub static CONTACT_PRODUCT_EXPIRED: Schema = schema!("contact_product_expired.avsc");
pub static LEAD_GENERATED: Schema = schema!("lead_generated.avsc");
pub static LEAD_FAILED: Schema = schema!("lead_failed.avsc");
pub static SALES_FILE_RECEIVED: Schema = schema!("sales_file_received.avsc");
pub static SALE_CONFIRMED: Schema = schema!("sale_confirmed.avsc");

pub static ALL: [&Schema; 13] = [
    &PRODUCT_UPDATED,
    &ACCOUNT_ACTIVATED,
    &ACCOUNT_DEACTIVATED,
    &CONTACT_ACTIVATED,
    &CONTACT_DEACTIVATED,
    &CONTACT_ABANDONED_QUOTE,
    &CONTACT_PURCHASED,
    &CONTACT_PURCHASED_V2,
    &CONTACT_PRODUCT_EXPIRED,
    &LEAD_GENERATED,
    &LEAD_FAILED,
    &SALES_FILE_RECEIVED,
    &SALE_CONFIRMED,
];

/// The id a schema is published under: the first 32 hex digits of the SHA-256 of its text,
/// exactly as stored. Azure Schema Registry ids are 32 hex digits too, so they fit the
/// `avro/binary+<id>` content type; the emulator's registry serves the files under these ids.
pub fn schema_id(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl Schema {
    pub fn id(&self) -> String {
        schema_id(self.text)
    }

    /// The schema with this id, among the demo's.
    pub fn by_id(id: &str) -> Option<&'static Schema> {
        ALL.iter()
            .copied()
            .find(|s| s.id().eq_ignore_ascii_case(id))
    }

    /// `namespace.name`, as a registry names a schema.
    pub fn full_name(&self) -> String {
        let json: Json = serde_json::from_str(self.text).unwrap_or(Json::Null);
        format!(
            "{}.{}",
            json["namespace"].as_str().unwrap_or(""),
            json["name"].as_str().unwrap_or("")
        )
    }

    /// The record's field names, in schema order.
    pub fn field_names(&self) -> Vec<String> {
        let json: Json = serde_json::from_str(self.text).unwrap_or(Json::Null);
        json["fields"]
            .as_array()
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(|f| f["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The schema as apache-avro writes with it.
    pub fn writer(&self) -> Result<&apache_avro::Schema, String> {
        self.writer
            .get_or_init(|| {
                apache_avro::Schema::parse_str(self.text).map_err(|e| format!("{}: {e}", self.file))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Decodes one datum written with this schema, with the console's decoder: how the
    /// demo's consumers tell a good payload from a poison one.
    pub fn decode(&self, bytes: &[u8]) -> Result<codec::Value, String> {
        let schema = self
            .reader
            .get_or_init(|| {
                codec::Schema::parse(self.text).map_err(|e| format!("{}: {e}", self.file))
            })
            .as_ref()
            .map_err(Clone::clone)?;
        codec::decode_datum(schema, bytes).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_file_parses_for_writer_and_reader() {
        for schema in ALL {
            assert!(schema.writer().is_ok(), "{:?}", schema.writer().err());
            assert!(!schema.field_names().is_empty(), "{}", schema.file);
            assert!(
                schema.full_name().starts_with("com.example."),
                "{}",
                schema.file
            );
        }
    }

    #[test]
    fn ids_are_32_hex_digits_and_distinct() {
        let ids: std::collections::BTreeSet<String> = ALL.iter().map(|s| s.id()).collect();
        assert_eq!(ids.len(), ALL.len());
        assert!(
            ids.iter()
                .all(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()))
        );
        assert_eq!(schema_id(""), "e3b0c44298fc1c149afbf4c8996fb924");
        assert_eq!(
            Schema::by_id(&SALE_CONFIRMED.id()).map(|s| s.file),
            Some("sale_confirmed.avsc")
        );
    }

    #[test]
    fn version_two_extends_version_one_with_defaults() {
        let fields = |schema: &Schema| {
            let json: Json = serde_json::from_str(schema.text).expect("json");
            json["fields"].as_array().expect("fields").clone()
        };
        let (v1, v2) = (fields(&CONTACT_PURCHASED), fields(&CONTACT_PURCHASED_V2));
        assert_eq!(&v2[..v1.len()], &v1[..]);
        assert_eq!(
            CONTACT_PURCHASED.full_name(),
            CONTACT_PURCHASED_V2.full_name()
        );
        let added = &v2[v1.len()..];
        assert!(added.iter().all(|f| f.get("default").is_some()));
    }
}
