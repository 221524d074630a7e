//! Any text as a schema; when it parses, the rest of the input as a datum of it, and that
//! datum resolved against the schema itself.
#![no_main]

use ehops_fuzz::codec::avro::{AvroJson, Schema, decode_datum, resolve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let Ok(text) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let Ok(schema) = Schema::parse(text) else {
        return;
    };
    let datum = data.get(split + 1..).unwrap_or_default();
    if let Ok(value) = decode_datum(&schema, datum) {
        let _ = serde_json::to_string(&AvroJson::root(&schema, &value));
        let _ = resolve(&value, &schema, &schema);
    }
});
