//! The demo's Avro records, written with the Apache Avro implementation (`apache-avro`) against
//! the schema file each is published under. Nothing here reads Avro: the demo's consumers and
//! tests read with the console's own decoder (`codec::avro`), as they would anyone's events.

use serde_json::json;

pub use apache_avro::types::Value;

use super::schemas::Schema;

/// An optional field (`["null", T]`) holding `value`, or null.
pub fn optional(value: Option<Value>) -> Value {
    match value {
        Some(v) => Value::Union(1, Box::new(v)),
        None => Value::Union(0, Box::new(Value::Null)),
    }
}

/// A field value as plain JSON, for CloudEvents in structured mode: unions collapse to their
/// branch, bytes become lowercase hex (as the console renders them).
pub fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Boolean(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Long(l) => json!(l),
        Value::Double(d) => json!(d),
        Value::String(s) => json!(s),
        Value::Bytes(b) => json!(crate::codec::avro::json::hex(b)),
        Value::Union(_, inner) => to_json(inner),
        // The demo's records hold only the types above.
        other => json!(format!("{other:?}")),
    }
}

/// The record of `schema` with `fields` in schema order, as one Avro datum (no framing).
/// apache-avro checks every value against its field's type before writing.
pub fn encode_record(schema: &Schema, fields: &[Value]) -> Result<Vec<u8>, String> {
    let names = schema.field_names();
    if names.len() != fields.len() {
        return Err(format!(
            "{} has {} fields, the record {}",
            schema.file,
            names.len(),
            fields.len()
        ));
    }
    let record = Value::Record(names.into_iter().zip(fields.iter().cloned()).collect());
    apache_avro::writer::datum::GenericDatumWriter::builder(schema.writer()?)
        .build()
        .and_then(|writer| writer.write_value_to_vec(record))
        .map_err(|e| format!("{}: {e}", schema.file))
}
