//! A structural diff of two versions of an Avro record schema: which fields were added,
//! removed, or changed type or default, with nested records walked as dotted paths. The
//! console shows it beside the two versions; `ehops schema diff` prints it.

use serde::Serialize;
use serde_json::Value;

use super::schema_compat::{self, AvroType, Field, ParseError, spell};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum FieldChange {
    Added {
        field: String,
        #[serde(rename = "type")]
        ty: String,
        default: Option<Value>,
    },
    Removed {
        field: String,
        #[serde(rename = "type")]
        ty: String,
        default: Option<Value>,
    },
    TypeChanged {
        field: String,
        from: String,
        to: String,
    },
    DefaultChanged {
        field: String,
        from: Option<Value>,
        to: Option<Value>,
    },
}

impl FieldChange {
    pub fn field(&self) -> &str {
        match self {
            FieldChange::Added { field, .. }
            | FieldChange::Removed { field, .. }
            | FieldChange::TypeChanged { field, .. }
            | FieldChange::DefaultChanged { field, .. } => field,
        }
    }

    /// One line, as the console and `ehops schema diff` print it.
    pub fn describe(&self) -> String {
        let default = |d: &Option<Value>| match d {
            Some(value) => format!(" (default {value})"),
            None => String::new(),
        };
        let or_none = |d: &Option<Value>| match d {
            Some(value) => value.to_string(),
            None => "none".into(),
        };
        match self {
            FieldChange::Added {
                field,
                ty,
                default: d,
            } => format!("+ {field}: {ty}{}", default(d)),
            FieldChange::Removed {
                field,
                ty,
                default: d,
            } => {
                format!("- {field}: {ty}{}", default(d))
            }
            FieldChange::TypeChanged { field, from, to } => {
                format!("~ {field}: type {from} -> {to}")
            }
            FieldChange::DefaultChanged { field, from, to } => {
                format!("~ {field}: default {} -> {}", or_none(from), or_none(to))
            }
        }
    }
}

/// The changes from `old` to `new`, in the new schema's field order, removals last.
pub fn diff(old: &str, new: &str) -> Result<Vec<FieldChange>, ParseError> {
    let old = schema_compat::parse(old)?;
    let new = schema_compat::parse(new)?;
    let mut changes = Vec::new();
    diff_types(&old, &new, "", &mut changes);
    Ok(changes)
}

fn path_of(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn diff_types(old: &AvroType, new: &AvroType, path: &str, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (AvroType::Record { fields: of, .. }, AvroType::Record { fields: nf, .. }) => {
            diff_fields(of, nf, path, out)
        }
        _ if spell(old) != spell(new) => out.push(FieldChange::TypeChanged {
            field: if path.is_empty() {
                "(schema)".into()
            } else {
                path.to_string()
            },
            from: spell(old),
            to: spell(new),
        }),
        _ => {}
    }
}

fn diff_fields(old: &[Field], new: &[Field], path: &str, out: &mut Vec<FieldChange>) {
    for field in new {
        let at = path_of(path, &field.name);
        match old.iter().find(|o| o.name == field.name) {
            None => out.push(FieldChange::Added {
                field: at,
                ty: spell(&field.ty),
                default: field.default.clone(),
            }),
            Some(before) => {
                diff_types(&before.ty, &field.ty, &at, out);
                if before.default != field.default {
                    out.push(FieldChange::DefaultChanged {
                        field: at,
                        from: before.default.clone(),
                        to: field.default.clone(),
                    });
                }
            }
        }
    }
    for field in old.iter().filter(|o| !new.iter().any(|n| n.name == o.name)) {
        out.push(FieldChange::Removed {
            field: path_of(path, &field.name),
            ty: spell(&field.ty),
            default: field.default.clone(),
        });
    }
}
