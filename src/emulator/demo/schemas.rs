//! The demo organisation's Avro schemas: the `.avsc` files under `schemas/` at the repository
//! root, embedded, with the ids they are published under.

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::avro::Type;

/// One schema file of `schemas/`.
#[derive(Debug)]
pub struct Schema {
    pub file: &'static str,
    pub text: &'static str,
}

macro_rules! schema {
    ($file:literal) => {
        Schema {
            file: $file,
            text: include_str!(concat!("../../../schemas/", $file)),
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

    /// The record's fields and their types, in order; `None` when the file uses a type the
    /// demo's encoder does not (a test keeps every shipped file readable).
    pub fn fields(&self) -> Option<Vec<(String, Type)>> {
        let json: Json = serde_json::from_str(self.text).ok()?;
        json["fields"]
            .as_array()?
            .iter()
            .map(|field| {
                Some((
                    field["name"].as_str()?.to_string(),
                    type_of(&field["type"])?,
                ))
            })
            .collect()
    }

    pub fn field_types(&self) -> Option<Vec<Type>> {
        Some(self.fields()?.into_iter().map(|(_, t)| t).collect())
    }
}

fn type_of(json: &Json) -> Option<Type> {
    match json {
        Json::String(name) => primitive(name),
        Json::Object(object) => primitive(object.get("type")?.as_str()?),
        Json::Array(branches) => branches
            .iter()
            .map(type_of)
            .collect::<Option<_>>()
            .map(Type::Union),
        _ => None,
    }
}

fn primitive(name: &str) -> Option<Type> {
    Some(match name {
        "null" => Type::Null,
        "boolean" => Type::Boolean,
        "int" => Type::Int,
        "long" => Type::Long,
        "double" => Type::Double,
        "string" => Type::String,
        "bytes" => Type::Bytes,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_file_is_a_record_the_encoder_handles() {
        for schema in ALL {
            assert!(
                schema.fields().is_some(),
                "{} uses an unsupported type",
                schema.file
            );
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
        let v1 = CONTACT_PURCHASED.fields().expect("v1 fields");
        let v2 = CONTACT_PURCHASED_V2.fields().expect("v2 fields");
        assert_eq!(&v2[..v1.len()], &v1[..]);
        assert_eq!(
            CONTACT_PURCHASED.full_name(),
            CONTACT_PURCHASED_V2.full_name()
        );
        let json: Json = serde_json::from_str(CONTACT_PURCHASED_V2.text).expect("json");
        let added = &json["fields"].as_array().expect("fields")[v1.len()..];
        assert!(added.iter().all(|f| f.get("default").is_some()));
    }
}
