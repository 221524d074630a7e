//! Decoded Avro as JSON, the way a person reads it: records as objects in field order,
//! unions as their branch's value, enums as their symbol, bytes and fixed as lowercase hex
//! (as the demo's structured-mode events carry them), non-finite floats as strings.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value as Json;

use super::decode::Value;
use super::schema::{Node, NodeId, Schema};

/// A value with the schema node it was decoded (or resolved) as; serialises as JSON without
/// building an intermediate tree, and keeps field order.
#[derive(Clone, Copy)]
pub struct AvroJson<'a> {
    pub schema: &'a Schema,
    pub node: NodeId,
    pub value: &'a Value,
}

impl<'a> AvroJson<'a> {
    pub fn root(schema: &'a Schema, value: &'a Value) -> Self {
        AvroJson {
            schema,
            node: schema.root(),
            value,
        }
    }

    fn child(&self, node: NodeId, value: &'a Value) -> Self {
        AvroJson {
            schema: self.schema,
            node,
            value,
        }
    }

    /// As a `serde_json` tree (object keys then sort, as `serde_json` maps do).
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

fn float<S: Serializer>(serializer: S, value: f64) -> Result<S::Ok, S::Error> {
    if value.is_finite() {
        serializer.serialize_f64(value)
    } else {
        serializer.serialize_str(&value.to_string())
    }
}

impl Serialize for AvroJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let node = self.schema.node(self.node);
        match (self.value, node) {
            (Value::Null, _) => serializer.serialize_unit(),
            (Value::Boolean(b), _) => serializer.serialize_bool(*b),
            (Value::Int(i), _) => serializer.serialize_i32(*i),
            (Value::Long(l), _) => serializer.serialize_i64(*l),
            (Value::Float(f), _) => float(serializer, f64::from(*f)),
            (Value::Double(d), _) => float(serializer, *d),
            (Value::String(s), _) => serializer.serialize_str(s),
            (Value::Bytes(b) | Value::Fixed(b), _) => serializer.serialize_str(&hex(b)),
            (Value::Enum(i), Node::Enum(e)) => match e.symbols.get(*i as usize) {
                Some(symbol) => serializer.serialize_str(symbol),
                None => serializer.serialize_u32(*i),
            },
            (Value::Union(i, inner), Node::Union(branches)) => match branches.get(*i as usize) {
                Some(branch) => self.child(*branch, inner).serialize(serializer),
                None => serializer.serialize_unit(),
            },
            (Value::Array(items), Node::Array(item)) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for value in items {
                    seq.serialize_element(&self.child(*item, value))?;
                }
                seq.end()
            }
            (Value::Map(entries), Node::Map(values)) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, &self.child(*values, value))?;
                }
                map.end()
            }
            (Value::Record(fields), Node::Record(record)) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (field, value) in record.fields.iter().zip(fields) {
                    map.serialize_entry(&field.name, &self.child(field.node, value))?;
                }
                map.end()
            }
            // A value and node that disagree cannot come from the decoder; show nothing.
            _ => serializer.serialize_unit(),
        }
    }
}
