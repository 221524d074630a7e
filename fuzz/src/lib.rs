//! The codec and the model it names, the emulator's AMQP frame checks, its segment reading and
//! its HTTP surface, compiled from the main crate's own files (see Cargo.toml for why), with
//! the demo's schemas for the targets to decode against.
#![allow(dead_code)]

#[path = "../../src/codec/mod.rs"]
pub mod codec;
#[path = "../../src/model/mod.rs"]
pub mod model;

pub mod amqp;
pub mod emulator;
pub mod store;

use std::collections::HashMap;
use std::sync::Arc;

use codec::avro::Schema;
use codec::schemas::{SchemaCache, file_schema_id};

/// The shipped schemas, and one that uses every type the demo's do not (recursion, enums,
/// arrays, maps, fixed, floats).
pub const SCHEMAS: [&str; 5] = [
    include_str!("../../schemas/sale_confirmed.avsc"),
    include_str!("../../schemas/contact_purchased.avsc"),
    include_str!("../../schemas/contact_purchased.v2.avsc"),
    include_str!("../../schemas/sales_file_received.avsc"),
    r#"{"type":"record","name":"Node","namespace":"fuzz","fields":[
        {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B","C"],"default":"A"}},
        {"name":"tags","type":{"type":"map","values":{"type":"array","items":"float"}}},
        {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}},
        {"name":"flag","type":"boolean"},
        {"name":"children","type":{"type":"array","items":"Node"}},
        {"name":"next","type":["null","Node","bytes","int"]}]}"#,
];

pub struct Fixture {
    pub cache: SchemaCache,
    pub ids: Vec<String>,
    pub schemas: Vec<Arc<Schema>>,
    pub readers: HashMap<String, Arc<Schema>>,
}

pub fn fixture() -> Fixture {
    let mut cache = SchemaCache::complete();
    let mut ids = Vec::new();
    let mut schemas = Vec::new();
    for text in SCHEMAS {
        let id = file_schema_id(text);
        if let Ok(schema) = cache.insert_text(&id, text) {
            schemas.push(schema);
            ids.push(id);
        }
    }
    // Confluent ids are numbers: 1 is the recursive schema.
    if let Some(last) = schemas.last() {
        cache.insert("1", Arc::clone(last));
    }
    let mut readers = HashMap::new();
    if let Some(v2) = schemas.get(2) {
        readers.insert("com.example.customer.ContactPurchased".to_owned(), Arc::clone(v2));
    }
    Fixture { cache, ids, schemas, readers }
}

/// A shared-access token as the SDKs sign it (the console's `sign_token`, whose file needs the
/// Azure SDK): for the emulator targets to send tokens its config's keys accept.
pub fn sas_token(resource: &str, key_name: &str, key: &str, expires_at: i64) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

    let encoded = utf8_percent_encode(resource, NON_ALPHANUMERIC).to_string();
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{encoded}\n{expires_at}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!(
        "SharedAccessSignature sr={encoded}&sig={}&se={expires_at}&skn={}",
        utf8_percent_encode(&signature, NON_ALPHANUMERIC),
        utf8_percent_encode(key_name, NON_ALPHANUMERIC)
    )
}
