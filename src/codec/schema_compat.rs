//! Compatibility between two versions of an Avro schema, by Avro's schema-resolution rules
//! (the Avro 1.11 specification, "Schema Resolution"): a *reader* schema can read data
//! written with a *writer* schema when every reader field is in the writer or has a default,
//! and every shared field's writer type resolves to its reader type (same type, a numeric
//! promotion such as int to long, string and bytes, unions branch by branch, enum symbols).
//!
//! - **backward**: the new version reads data written with the old one;
//! - **forward**: the old version reads data written with the new one;
//! - **full**: both.
//!
//! Pure and shared: the emulator's registry enforces a group's mode with it, the console shows
//! the verdict between two versions. A refusal names the field that breaks it.

use std::fmt;

use serde_json::Value;

/// A group's compatibility mode, as Azure Schema Registry names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Mode {
    None,
    Backward,
    Forward,
    Full,
}

impl Mode {
    pub fn parse(text: &str) -> Option<Mode> {
        Some(match text.to_ascii_lowercase().as_str() {
            "none" => Mode::None,
            "backward" => Mode::Backward,
            "forward" => Mode::Forward,
            "full" => Mode::Full,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::None => "None",
            Mode::Backward => "Backward",
            Mode::Forward => "Forward",
            Mode::Full => "Full",
        }
    }
}

/// An Avro type, with what resolution and the diff need; logical types are their base type.
#[derive(Debug, Clone, PartialEq)]
pub enum AvroType {
    Primitive(String),
    Record {
        name: String,
        fields: Vec<Field>,
    },
    Enum {
        name: String,
        symbols: Vec<String>,
        default: Option<String>,
    },
    Array(Box<AvroType>),
    Map(Box<AvroType>),
    Fixed {
        name: String,
        size: u64,
    },
    Union(Vec<AvroType>),
    /// A reference to a named type defined elsewhere in the schema.
    Named(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: AvroType,
    pub default: Option<Value>,
}

/// Why a schema text is not an Avro schema this module reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid Avro schema: {0}")]
pub struct ParseError(pub String);

/// Why a reader cannot read a writer's data: the field (dotted path inside nested records)
/// and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    pub field: String,
    pub reason: String,
}

impl fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field '{}': {}", self.field, self.reason)
    }
}

/// Backward and forward compatibility of `new` against `old`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub backward: Result<(), Incompatibility>,
    pub forward: Result<(), Incompatibility>,
}

impl Verdict {
    pub fn full(&self) -> bool {
        self.backward.is_ok() && self.forward.is_ok()
    }

    /// What `mode` requires of this pair, as the first failure.
    pub fn check(&self, mode: Mode) -> Result<(), Incompatibility> {
        match mode {
            Mode::None => Ok(()),
            Mode::Backward => self.backward.clone(),
            Mode::Forward => self.forward.clone(),
            Mode::Full => self.backward.clone().and(self.forward.clone()),
        }
    }
}

pub fn parse(text: &str) -> Result<AvroType, ParseError> {
    let json: Value =
        serde_json::from_str(text).map_err(|e| ParseError(format!("not JSON: {e}")))?;
    parse_type(&json, None)
}

/// The verdict between two schema texts (`old` then `new`).
pub fn verdict(old: &str, new: &str) -> Result<Verdict, ParseError> {
    let old = parse(old)?;
    let new = parse(new)?;
    Ok(Verdict {
        backward: can_read(&new, &old, ""),
        forward: can_read(&old, &new, ""),
    })
}

fn full_name(json: &Value, enclosing: Option<&str>) -> Result<String, ParseError> {
    let name = json["name"]
        .as_str()
        .ok_or_else(|| ParseError("a named type has no \"name\"".into()))?;
    Ok(match (json["namespace"].as_str(), enclosing) {
        _ if name.contains('.') => name.to_string(),
        (Some(ns), _) if !ns.is_empty() => format!("{ns}.{name}"),
        (_, Some(ns)) if !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_string(),
    })
}

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

fn parse_type(json: &Value, namespace: Option<&str>) -> Result<AvroType, ParseError> {
    match json {
        Value::String(name) if PRIMITIVES.contains(&name.as_str()) => {
            Ok(AvroType::Primitive(name.clone()))
        }
        Value::String(name) => Ok(AvroType::Named(name.clone())),
        Value::Array(branches) => branches
            .iter()
            .map(|b| parse_type(b, namespace))
            .collect::<Result<_, _>>()
            .map(AvroType::Union),
        Value::Object(object) => {
            let kind = object
                .get("type")
                .ok_or_else(|| ParseError("an object type has no \"type\"".into()))?;
            match kind.as_str() {
                Some("record" | "error") => parse_record(json, namespace),
                Some("enum") => Ok(AvroType::Enum {
                    name: full_name(json, namespace)?,
                    symbols: json["symbols"]
                        .as_array()
                        .ok_or_else(|| ParseError("an enum has no \"symbols\"".into()))?
                        .iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect(),
                    default: json["default"].as_str().map(str::to_string),
                }),
                Some("array") => Ok(AvroType::Array(Box::new(parse_type(
                    &json["items"],
                    namespace,
                )?))),
                Some("map") => Ok(AvroType::Map(Box::new(parse_type(
                    &json["values"],
                    namespace,
                )?))),
                Some("fixed") => Ok(AvroType::Fixed {
                    name: full_name(json, namespace)?,
                    size: json["size"]
                        .as_u64()
                        .ok_or_else(|| ParseError("a fixed type has no \"size\"".into()))?,
                }),
                _ => parse_type(kind, namespace),
            }
        }
        other => Err(ParseError(format!("{other} is not a type"))),
    }
}

fn parse_record(json: &Value, namespace: Option<&str>) -> Result<AvroType, ParseError> {
    let name = full_name(json, namespace)?;
    let own_namespace = name.rsplit_once('.').map(|(ns, _)| ns.to_string());
    let fields = json["fields"]
        .as_array()
        .ok_or_else(|| ParseError(format!("record {name} has no \"fields\" array")))?
        .iter()
        .map(|field| {
            let field_name = field["name"]
                .as_str()
                .ok_or_else(|| ParseError(format!("a field of {name} has no \"name\"")))?;
            Ok(Field {
                name: field_name.to_string(),
                ty: parse_type(&field["type"], own_namespace.as_deref())
                    .map_err(|e| ParseError(format!("field '{field_name}': {}", e.0)))?,
                default: field.get("default").cloned(),
            })
        })
        .collect::<Result<_, ParseError>>()?;
    Ok(AvroType::Record { name, fields })
}

/// The type's short spelling, for messages and the diff: `string`, `null|string`,
/// `array<long>`, a record's or enum's full name.
pub fn spell(ty: &AvroType) -> String {
    match ty {
        AvroType::Primitive(name) | AvroType::Named(name) => name.clone(),
        AvroType::Record { name, .. } | AvroType::Enum { name, .. } => name.clone(),
        AvroType::Fixed { name, size } => format!("{name}(fixed {size})"),
        AvroType::Array(items) => format!("array<{}>", spell(items)),
        AvroType::Map(values) => format!("map<{}>", spell(values)),
        AvroType::Union(branches) => branches.iter().map(spell).collect::<Vec<_>>().join("|"),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn promotes(writer: &str, reader: &str) -> bool {
    writer == reader
        || matches!(
            (writer, reader),
            ("int", "long" | "float" | "double")
                | ("long", "float" | "double")
                | ("float", "double")
                | ("string", "bytes")
                | ("bytes", "string")
        )
}

fn last_segment(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Whether data written as `writer` reads as `reader`; `path` names the field being checked.
pub fn can_read(reader: &AvroType, writer: &AvroType, path: &str) -> Result<(), Incompatibility> {
    let fail = |reason: String| {
        Err(Incompatibility {
            field: if path.is_empty() {
                "(schema)".into()
            } else {
                path.to_string()
            },
            reason,
        })
    };
    match (reader, writer) {
        (_, AvroType::Union(branches)) => {
            for branch in branches {
                if can_read(reader, branch, path).is_err() {
                    return fail(format!(
                        "the writer's branch {} has no match in the reader's type {}",
                        spell(branch),
                        spell(reader)
                    ));
                }
            }
            Ok(())
        }
        (AvroType::Union(branches), _) => {
            if branches.iter().any(|b| can_read(b, writer, path).is_ok()) {
                Ok(())
            } else {
                fail(format!(
                    "type changed from {} to {}, which does not include it",
                    spell(writer),
                    spell(reader)
                ))
            }
        }
        (AvroType::Primitive(r), AvroType::Primitive(w)) if promotes(w, r) => Ok(()),
        (
            AvroType::Record {
                name: rn,
                fields: rf,
            },
            AvroType::Record {
                name: wn,
                fields: wf,
            },
        ) if last_segment(rn) == last_segment(wn) => {
            for field in rf {
                let at = join(path, &field.name);
                match wf.iter().find(|w| w.name == field.name) {
                    Some(written) => can_read(&field.ty, &written.ty, &at)?,
                    None if field.default.is_some() => {}
                    None => {
                        return Err(Incompatibility {
                            field: at,
                            reason: "is missing from the writer's schema and has no default".into(),
                        });
                    }
                }
            }
            Ok(())
        }
        (
            AvroType::Enum {
                name: rn,
                symbols: rs,
                default,
            },
            AvroType::Enum {
                name: wn,
                symbols: ws,
                ..
            },
        ) if last_segment(rn) == last_segment(wn) => match ws.iter().find(|s| !rs.contains(s)) {
            Some(symbol) if default.is_none() => fail(format!(
                "enum symbol {symbol} is written but the reader does not know it (and has no default)"
            )),
            _ => Ok(()),
        },
        (AvroType::Array(r), AvroType::Array(w)) => can_read(r, w, &join(path, "[]")),
        (AvroType::Map(r), AvroType::Map(w)) => can_read(r, w, &join(path, "{}")),
        (AvroType::Fixed { name: rn, size: rs }, AvroType::Fixed { name: wn, size: ws })
            if last_segment(rn) == last_segment(wn) && rs == ws =>
        {
            Ok(())
        }
        (AvroType::Named(r), AvroType::Named(w)) if last_segment(r) == last_segment(w) => Ok(()),
        _ => fail(format!(
            "type changed from {} to {}",
            spell(writer),
            spell(reader)
        )),
    }
}

#[cfg(test)]
#[path = "schema_compat_tests.rs"]
mod tests;
