//! Schema resolution ("Schema Resolution" in the Avro 1.11 specification): data written with
//! one schema read as another version of it. Applied to decoded values, so the common case
//! (no reader schema) pays nothing for it.

use serde_json::Value as Json;

use super::decode::Value;
use super::schema::{Node, NodeId, Schema};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read as the chosen schema version: {0}")]
pub struct ResolveError(pub String);

fn fail<T>(message: impl Into<String>) -> Result<T, ResolveError> {
    Err(ResolveError(message.into()))
}

/// A writer's value read as `reader`'s root type.
pub fn resolve(value: &Value, writer: &Schema, reader: &Schema) -> Result<Value, ResolveError> {
    Resolver { writer, reader }.value(value, writer.root(), reader.root(), 0)
}

struct Resolver<'a> {
    writer: &'a Schema,
    reader: &'a Schema,
}

impl Resolver<'_> {
    fn value(
        &self,
        value: &Value,
        w: NodeId,
        r: NodeId,
        depth: u32,
    ) -> Result<Value, ResolveError> {
        // Values are at most MAX_DEPTH deep; schemas alone could loop through unions.
        if depth > super::decode::MAX_DEPTH * 2 {
            return fail("the schemas nest too deeply");
        }
        let depth = depth + 1;
        let (wn, rn) = (self.writer.node(w), self.reader.node(r));
        if let (Node::Union(branches), Value::Union(index, inner)) = (wn, value) {
            let branch = branches
                .get(*index as usize)
                .copied()
                .ok_or_else(|| ResolveError("bad union branch".into()))?;
            return self.value(inner, branch, r, depth);
        }
        if let Node::Union(branches) = rn {
            let chosen = branches
                .iter()
                .position(|b| same_kind(self.writer, w, self.reader, *b))
                .or_else(|| {
                    branches
                        .iter()
                        .position(|b| promotable(wn, self.reader.node(*b)))
                })
                .ok_or_else(|| {
                    ResolveError(format!(
                        "no branch of the reader's union takes a {}",
                        kind(wn)
                    ))
                })?;
            let inner = self.value(value, w, branches[chosen], depth)?;
            return Ok(Value::Union(chosen as u32, Box::new(inner)));
        }
        Ok(match (wn, rn, value) {
            (Node::Record(wr), Node::Record(rr), Value::Record(fields)) => {
                if !wr.name.matches(&rr.name) {
                    return fail(format!("record {} is not {}", wr.name.full, rr.name.full));
                }
                let mut out = Vec::with_capacity(rr.fields.len());
                for field in &rr.fields {
                    let written = wr
                        .fields
                        .iter()
                        .position(|f| f.name == field.name || field.aliases.contains(&f.name));
                    out.push(match written {
                        Some(i) => {
                            let written = fields
                                .get(i)
                                .ok_or_else(|| ResolveError("the record lacks a field".into()))?;
                            self.value(written, wr.fields[i].node, field.node, depth)?
                        }
                        None => match &field.default {
                            Some(default) => {
                                default_value(self.reader, field.node, default, depth)?
                            }
                            None => {
                                return fail(format!(
                                    "field {} of {} is new and has no default",
                                    field.name, rr.name.full
                                ));
                            }
                        },
                    });
                }
                Value::Record(out)
            }
            (Node::Enum(we), Node::Enum(re), Value::Enum(index)) => {
                let symbol = we
                    .symbols
                    .get(*index as usize)
                    .ok_or_else(|| ResolveError("bad enum symbol".into()))?;
                match re.symbols.iter().position(|s| s == symbol) {
                    Some(i) => Value::Enum(i as u32),
                    None => match re.default {
                        Some(d) => Value::Enum(d),
                        None => return fail(format!("{} has no symbol {symbol}", re.name.full)),
                    },
                }
            }
            (Node::Fixed(wf), Node::Fixed(rf), Value::Fixed(_)) => {
                if wf.size != rf.size || !wf.name.matches(&rf.name) {
                    return fail(format!(
                        "fixed {} does not match {}",
                        wf.name.full, rf.name.full
                    ));
                }
                value.clone()
            }
            (Node::Array(wi), Node::Array(ri), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .map(|v| self.value(v, *wi, *ri, depth))
                    .collect::<Result<_, _>>()?,
            ),
            (Node::Map(wv), Node::Map(rv), Value::Map(entries)) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.value(v, *wv, *rv, depth)?)))
                    .collect::<Result<_, ResolveError>>()?,
            ),
            _ => promote(value, rn).ok_or_else(|| {
                ResolveError(format!("a {} cannot be read as a {}", kind(wn), kind(rn)))
            })?,
        })
    }
}

/// The primitive promotions the specification allows, or the value itself for the same type.
fn promote(value: &Value, reader: &Node) -> Option<Value> {
    Some(match (value, reader) {
        (Value::Null, Node::Null) => Value::Null,
        (Value::Boolean(b), Node::Boolean) => Value::Boolean(*b),
        (Value::Int(i), Node::Int) => Value::Int(*i),
        (Value::Int(i), Node::Long) => Value::Long(i64::from(*i)),
        (Value::Int(i), Node::Float) => Value::Float(*i as f32),
        (Value::Int(i), Node::Double) => Value::Double(f64::from(*i)),
        (Value::Long(l), Node::Long) => Value::Long(*l),
        (Value::Long(l), Node::Float) => Value::Float(*l as f32),
        (Value::Long(l), Node::Double) => Value::Double(*l as f64),
        (Value::Float(f), Node::Float) => Value::Float(*f),
        (Value::Float(f), Node::Double) => Value::Double(f64::from(*f)),
        (Value::Double(d), Node::Double) => Value::Double(*d),
        (Value::String(s), Node::String) => Value::String(s.clone()),
        (Value::String(s), Node::Bytes) => Value::Bytes(s.clone().into_bytes()),
        (Value::Bytes(b), Node::Bytes) => Value::Bytes(b.clone()),
        (Value::Bytes(b), Node::String) => Value::String(String::from_utf8(b.clone()).ok()?),
        _ => return None,
    })
}

fn promotable(writer: &Node, reader: &Node) -> bool {
    matches!(
        (writer, reader),
        (Node::Int, Node::Long | Node::Float | Node::Double)
            | (Node::Long, Node::Float | Node::Double)
            | (Node::Float, Node::Double)
            | (Node::String, Node::Bytes)
            | (Node::Bytes, Node::String)
    )
}

fn same_kind(writer: &Schema, w: NodeId, reader: &Schema, r: NodeId) -> bool {
    match (writer.node(w), reader.node(r)) {
        (Node::Record(a), Node::Record(b)) => a.name.matches(&b.name),
        (Node::Enum(a), Node::Enum(b)) => a.name.matches(&b.name),
        (Node::Fixed(a), Node::Fixed(b)) => a.name.matches(&b.name),
        (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

fn kind(node: &Node) -> &'static str {
    match node {
        Node::Null => "null",
        Node::Boolean => "boolean",
        Node::Int => "int",
        Node::Long => "long",
        Node::Float => "float",
        Node::Double => "double",
        Node::Bytes => "bytes",
        Node::String => "string",
        Node::Record(_) => "record",
        Node::Enum(_) => "enum",
        Node::Array(_) => "array",
        Node::Map(_) => "map",
        Node::Union(_) => "union",
        Node::Fixed(_) => "fixed",
    }
}

/// A field default (JSON, as in the schema) as a value of the field's type; for a union the
/// default is of its first branch.
pub fn default_value(
    schema: &Schema,
    node: NodeId,
    json: &Json,
    depth: u32,
) -> Result<Value, ResolveError> {
    if depth > super::decode::MAX_DEPTH * 2 {
        return fail("the default nests too deeply");
    }
    let depth = depth + 1;
    let wrong = || {
        ResolveError(format!(
            "default {json} is not a {}",
            kind(schema.node(node))
        ))
    };
    Ok(match (schema.node(node), json) {
        (Node::Null, Json::Null) => Value::Null,
        (Node::Boolean, Json::Bool(b)) => Value::Boolean(*b),
        (Node::Int, Json::Number(n)) => Value::Int(
            n.as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .ok_or_else(wrong)?,
        ),
        (Node::Long, Json::Number(n)) => Value::Long(n.as_i64().ok_or_else(wrong)?),
        (Node::Float, Json::Number(n)) => Value::Float(n.as_f64().ok_or_else(wrong)? as f32),
        (Node::Double, Json::Number(n)) => Value::Double(n.as_f64().ok_or_else(wrong)?),
        (Node::String, Json::String(s)) => Value::String(s.clone()),
        // Bytes and fixed defaults are strings whose code points 0-255 are the bytes.
        (Node::Bytes, Json::String(s)) => Value::Bytes(latin1(s).ok_or_else(wrong)?),
        (Node::Fixed(f), Json::String(s)) => {
            let bytes = latin1(s).filter(|b| b.len() == f.size).ok_or_else(wrong)?;
            Value::Fixed(bytes)
        }
        (Node::Enum(e), Json::String(s)) => Value::Enum(
            e.symbols
                .iter()
                .position(|x| **x == **s)
                .ok_or_else(wrong)? as u32,
        ),
        (Node::Union(branches), _) => {
            let first = *branches.first().ok_or_else(wrong)?;
            Value::Union(0, Box::new(default_value(schema, first, json, depth)?))
        }
        (Node::Array(items), Json::Array(values)) => Value::Array(
            values
                .iter()
                .map(|v| default_value(schema, *items, v, depth))
                .collect::<Result<_, _>>()?,
        ),
        (Node::Map(values), Json::Object(entries)) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), default_value(schema, *values, v, depth)?)))
                .collect::<Result<_, ResolveError>>()?,
        ),
        (Node::Record(record), Json::Object(members)) => Value::Record(
            record
                .fields
                .iter()
                .map(
                    |field| match members.get(&field.name).or(field.default.as_ref()) {
                        Some(v) => default_value(schema, field.node, v, depth),
                        None => fail(format!("default {json} lacks field {}", field.name)),
                    },
                )
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(wrong()),
    })
}

fn latin1(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}
