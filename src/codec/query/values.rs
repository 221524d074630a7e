//! Decoded data and event fields as CEL values, built as CEL's own value types borrowing the
//! event's text (no string is copied to be compared): Avro records become maps keyed by field
//! name (unions as their branch, enums as their symbol), JSON as itself, RFC 3339 times as
//! timestamps so `time > timestamp("...")` compares instants.

use std::collections::HashMap;

use cel::common::types::{
    CelBool, CelBytes, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
    CelTimestamp, CelUInt,
};
use cel::common::value::Val;
use serde_json::Value as Json;

use crate::codec::avro::schema::{Node, NodeId};
use crate::codec::avro::{Schema, Value as Avro};
use crate::codec::event::Data;

pub type Boxed<'a> = Box<dyn Val + 'a>;

pub fn null<'a>() -> Boxed<'a> {
    Box::new(CelNull)
}

pub fn int<'a>(n: i64) -> Boxed<'a> {
    Box::new(CelInt::from(n))
}

/// Text, or `null` when absent.
pub fn text(value: Option<&str>) -> Boxed<'_> {
    match value {
        Some(text) => Box::new(CelString::from(text)),
        None => null(),
    }
}

/// The event's data as CEL sees it; `null` when there is none or it did not decode.
pub fn data(data: &Data) -> Boxed<'_> {
    match data {
        Data::Empty | Data::Failed(_) => null(),
        Data::Avro { schema, value } => avro(schema, schema.root(), value),
        Data::AvroFile { schema, records } => Box::new(CelList::from(
            records
                .iter()
                .map(|r| avro(schema, schema.root(), r))
                .collect::<Vec<_>>(),
        )),
        Data::Json(json) => self::json(json),
        Data::Text(text) | Data::Hex(text) => Box::new(CelString::from(text.as_str())),
    }
}

/// One Avro value read as schema node `node`.
pub fn avro<'a>(schema: &'a Schema, node: NodeId, value: &'a Avro) -> Boxed<'a> {
    match (value, schema.node(node)) {
        (Avro::Null, _) => null(),
        (Avro::Boolean(b), _) => Box::new(CelBool::from(*b)),
        (Avro::Int(i), _) => int(i64::from(*i)),
        (Avro::Long(l), _) => int(*l),
        (Avro::Float(f), _) => Box::new(CelDouble::from(f64::from(*f))),
        (Avro::Double(d), _) => Box::new(CelDouble::from(*d)),
        (Avro::String(s), _) => Box::new(CelString::from(s.as_str())),
        (Avro::Bytes(b) | Avro::Fixed(b), _) => Box::new(CelBytes::from(b.as_slice())),
        (Avro::Enum(i), Node::Enum(e)) => match e.symbols.get(*i as usize) {
            Some(symbol) => Box::new(CelString::from(&**symbol)),
            None => int(i64::from(*i)),
        },
        (Avro::Union(i, inner), Node::Union(branches)) => match branches.get(*i as usize) {
            Some(branch) => avro(schema, *branch, inner),
            None => null(),
        },
        (Avro::Array(items), Node::Array(item)) => Box::new(CelList::from(
            items
                .iter()
                .map(|v| avro(schema, *item, v))
                .collect::<Vec<_>>(),
        )),
        (Avro::Map(entries), Node::Map(item)) => map(entries
            .iter()
            .map(|(k, v)| (k.as_str(), avro(schema, *item, v)))),
        (Avro::Record(values), Node::Record(record)) => map(record
            .fields
            .iter()
            .zip(values)
            .map(|(field, v)| (field.name.as_str(), avro(schema, field.node, v)))),
        // A value that does not fit its node cannot come out of the decoder; nothing to read.
        _ => null(),
    }
}

pub fn json(json: &Json) -> Boxed<'_> {
    match json {
        Json::Null => null(),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => int(i),
            (None, Some(u)) => Box::new(CelUInt::from(u)),
            _ => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Json::String(s) => Box::new(CelString::from(s.as_str())),
        Json::Array(items) => Box::new(CelList::from(
            items.iter().map(self::json).collect::<Vec<_>>(),
        )),
        Json::Object(members) => map(members.iter().map(|(k, v)| (k.as_str(), self::json(v)))),
    }
}

/// A CEL map with string keys.
pub fn map<'a>(entries: impl Iterator<Item = (&'a str, Boxed<'a>)>) -> Boxed<'a> {
    let map: HashMap<CelMapKey<'a>, Boxed<'a>> =
        entries.map(|(k, v)| (CelMapKey::from(k), v)).collect();
    Box::new(CelMap::from(map))
}

/// An RFC 3339 time as a timestamp; text that is not one stays text, so `==` still works.
pub fn time(text: &str) -> Boxed<'_> {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(time) => Box::new(CelTimestamp::from(time)),
        Err(_) => Box::new(CelString::from(text)),
    }
}

/// An instant as a timestamp (UTC).
pub fn instant<'a>(time: time::OffsetDateTime) -> Boxed<'a> {
    let nanos = time.unix_timestamp_nanos();
    let seconds = i64::try_from(nanos.div_euclid(1_000_000_000)).unwrap_or(0);
    let sub = u32::try_from(nanos.rem_euclid(1_000_000_000)).unwrap_or(0);
    match chrono::DateTime::from_timestamp(seconds, sub) {
        Some(utc) => Box::new(CelTimestamp::from(utc.fixed_offset())),
        None => null(),
    }
}
