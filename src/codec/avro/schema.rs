//! Avro schemas (Avro 1.11 specification, "Schema Declaration") parsed from their JSON text
//! into a flat table of nodes. Named types are referred to by index, so recursive schemas
//! (a linked list of records) need no pointers and decoding walks plain slices.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value as Json};

/// Index of a node in [`Schema::nodes`].
pub type NodeId = usize;

/// A parsed schema: its nodes, the root, and the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    nodes: Vec<Node>,
    root: NodeId,
    text: Arc<str>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record(Record),
    Enum(Enum),
    Array(NodeId),
    Map(NodeId),
    Union(Vec<NodeId>),
    Fixed(Fixed),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub name: Name,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub aliases: Vec<String>,
    pub node: NodeId,
    /// The default as written in the schema, turned into a value only when a reader needs it.
    pub default: Option<Json>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: Name,
    pub symbols: Vec<Arc<str>>,
    /// The symbol a reader uses for a writer's symbol it does not know.
    pub default: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fixed {
    pub name: Name,
    pub size: usize,
}

/// A full name (`namespace.name`) and its aliases, as full names too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub full: String,
    pub aliases: Vec<String>,
}

impl Name {
    /// The name without its namespace, which is what schema resolution compares.
    pub fn simple(&self) -> &str {
        self.full.rsplit('.').next().unwrap_or(&self.full)
    }

    /// Whether a writer's type of this name may be read as `other` (same name or an alias).
    pub fn matches(&self, reader: &Name) -> bool {
        self.simple() == reader.simple()
            || reader
                .aliases
                .iter()
                .any(|a| a == &self.full || a.rsplit('.').next() == Some(self.simple()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Avro schema: {0}")]
pub struct SchemaError(pub String);

fn invalid(message: impl Into<String>) -> SchemaError {
    SchemaError(message.into())
}

impl Schema {
    /// Parses a schema from its JSON text (`.avsc` or a registry's answer).
    pub fn parse(text: &str) -> Result<Schema, SchemaError> {
        let json: Json =
            serde_json::from_str(text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let mut parser = Parser::default();
        let root = parser.node(&json, "")?;
        Ok(Schema {
            nodes: parser.nodes,
            root,
            text: Arc::from(text),
        })
    }

    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn node(&self, id: NodeId) -> &Node {
        // Ids come only from this schema's own parse, so they are always in range.
        &self.nodes[id]
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The full name of the root type when it is named (records, enums, fixed).
    pub fn full_name(&self) -> Option<&str> {
        match self.node(self.root) {
            Node::Record(r) => Some(&r.name.full),
            Node::Enum(e) => Some(&e.name.full),
            Node::Fixed(f) => Some(&f.name.full),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Parser {
    nodes: Vec<Node>,
    names: HashMap<String, NodeId>,
}

impl Parser {
    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn node(&mut self, json: &Json, namespace: &str) -> Result<NodeId, SchemaError> {
        match json {
            Json::String(name) => self.named_or_primitive(name, namespace),
            Json::Array(branches) => {
                let mut ids = Vec::with_capacity(branches.len());
                for branch in branches {
                    let id = self.node(branch, namespace)?;
                    if matches!(self.nodes[id], Node::Union(_)) {
                        return Err(invalid("a union may not hold another union"));
                    }
                    ids.push(id);
                }
                if ids.is_empty() {
                    return Err(invalid("a union needs at least one branch"));
                }
                Ok(self.push(Node::Union(ids)))
            }
            Json::Object(object) => self.complex(object, namespace),
            other => Err(invalid(format!("{other} is not a type"))),
        }
    }

    fn named_or_primitive(&mut self, name: &str, namespace: &str) -> Result<NodeId, SchemaError> {
        if let Some(node) = primitive(name) {
            return Ok(self.push(node));
        }
        let full = full_name(name, namespace);
        self.names
            .get(&full)
            .or_else(|| self.names.get(name))
            .copied()
            .ok_or_else(|| invalid(format!("unknown type {full}")))
    }

    fn complex(
        &mut self,
        object: &Map<String, Json>,
        namespace: &str,
    ) -> Result<NodeId, SchemaError> {
        let kind = match object.get("type") {
            Some(Json::String(kind)) => kind.as_str(),
            // `{"type": {...}}` and `{"type": [...]}` wrap another type.
            Some(inner) => return self.node(inner, namespace),
            None => return Err(invalid("an object type needs a \"type\"")),
        };
        match kind {
            "record" | "error" => self.record(object, namespace),
            "enum" => self.enumeration(object, namespace),
            "fixed" => {
                let (name, _) = self.name(object, namespace)?;
                let size = object
                    .get("size")
                    .and_then(Json::as_u64)
                    .and_then(|s| usize::try_from(s).ok())
                    .ok_or_else(|| invalid(format!("fixed {} needs a size", name.full)))?;
                self.define(name.clone(), Node::Fixed(Fixed { name, size }))
            }
            "array" => {
                let items = object
                    .get("items")
                    .ok_or_else(|| invalid("an array needs \"items\""))?;
                let items = self.node(items, namespace)?;
                Ok(self.push(Node::Array(items)))
            }
            "map" => {
                let values = object
                    .get("values")
                    .ok_or_else(|| invalid("a map needs \"values\""))?;
                let values = self.node(values, namespace)?;
                Ok(self.push(Node::Map(values)))
            }
            // Logical types ride on their underlying type; so does any other primitive.
            other => self.named_or_primitive(other, namespace),
        }
    }

    /// The full name of a named type, and the namespace its children inherit.
    fn name(
        &self,
        object: &Map<String, Json>,
        namespace: &str,
    ) -> Result<(Name, String), SchemaError> {
        let name = object
            .get("name")
            .and_then(Json::as_str)
            .ok_or_else(|| invalid("a named type needs a \"name\""))?;
        let own_namespace = object
            .get("namespace")
            .and_then(Json::as_str)
            .unwrap_or(namespace);
        let full = full_name(name, own_namespace);
        let child_namespace = full
            .rsplit_once('.')
            .map(|(ns, _)| ns.to_owned())
            .unwrap_or_default();
        let aliases = object
            .get("aliases")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Json::as_str)
                    .map(|alias| full_name(alias, &child_namespace))
                    .collect()
            })
            .unwrap_or_default();
        Ok((Name { full, aliases }, child_namespace))
    }

    fn define(&mut self, name: Name, node: Node) -> Result<NodeId, SchemaError> {
        if self.names.contains_key(&name.full) {
            return Err(invalid(format!("type {} is defined twice", name.full)));
        }
        let id = self.push(node);
        self.names.insert(name.full, id);
        Ok(id)
    }

    fn record(
        &mut self,
        object: &Map<String, Json>,
        namespace: &str,
    ) -> Result<NodeId, SchemaError> {
        let (name, child_namespace) = self.name(object, namespace)?;
        // Registered before its fields, so a field may refer to the record itself.
        let id = self.define(
            name.clone(),
            Node::Record(Record {
                name: name.clone(),
                fields: Vec::new(),
            }),
        )?;
        let declared = object
            .get("fields")
            .and_then(Json::as_array)
            .ok_or_else(|| invalid(format!("record {} needs \"fields\"", name.full)))?;
        let mut fields = Vec::with_capacity(declared.len());
        for field in declared {
            let field_name = field
                .get("name")
                .and_then(Json::as_str)
                .ok_or_else(|| invalid(format!("a field of {} has no name", name.full)))?;
            if fields.iter().any(|f: &Field| f.name == field_name) {
                return Err(invalid(format!(
                    "{} has two fields {field_name}",
                    name.full
                )));
            }
            let ty = field
                .get("type")
                .ok_or_else(|| invalid(format!("field {field_name} has no type")))?;
            let node = self.node(ty, &child_namespace)?;
            let aliases = field
                .get("aliases")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            fields.push(Field {
                name: field_name.to_owned(),
                aliases,
                node,
                default: field.get("default").cloned(),
            });
        }
        self.nodes[id] = Node::Record(Record { name, fields });
        Ok(id)
    }

    fn enumeration(
        &mut self,
        object: &Map<String, Json>,
        namespace: &str,
    ) -> Result<NodeId, SchemaError> {
        let (name, _) = self.name(object, namespace)?;
        let symbols: Vec<Arc<str>> = object
            .get("symbols")
            .and_then(Json::as_array)
            .ok_or_else(|| invalid(format!("enum {} needs \"symbols\"", name.full)))?
            .iter()
            .map(|s| s.as_str().map(Arc::from))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                invalid(format!(
                    "enum {} has a symbol that is not a string",
                    name.full
                ))
            })?;
        let default = match object.get("default").and_then(Json::as_str) {
            Some(d) => Some(
                symbols
                    .iter()
                    .position(|s| &**s == d)
                    .and_then(|i| u32::try_from(i).ok())
                    .ok_or_else(|| {
                        invalid(format!("enum {} default {d} is not a symbol", name.full))
                    })?,
            ),
            None => None,
        };
        self.define(
            name.clone(),
            Node::Enum(Enum {
                name,
                symbols,
                default,
            }),
        )
    }
}

fn full_name(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}.{name}")
    }
}

fn primitive(name: &str) -> Option<Node> {
    Some(match name {
        "null" => Node::Null,
        "boolean" => Node::Boolean,
        "int" => Node::Int,
        "long" => Node::Long,
        "float" => Node::Float,
        "double" => Node::Double,
        "bytes" => Node::Bytes,
        "string" => Node::String,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_named_recursive_and_nested_types() {
        let schema = Schema::parse(
            r#"{"type":"record","name":"List","namespace":"t","fields":[
                {"name":"value","type":{"type":"long","logicalType":"timestamp-millis"}},
                {"name":"colour","type":{"type":"enum","name":"Colour","symbols":["RED","BLUE"],"default":"RED"}},
                {"name":"tags","type":{"type":"map","values":{"type":"array","items":"string"}}},
                {"name":"next","type":["null","List"]}]}"#,
        )
        .expect("valid schema");
        assert_eq!(schema.full_name(), Some("t.List"));
        let Node::Record(record) = schema.node(schema.root()) else {
            panic!("root is a record");
        };
        assert_eq!(schema.node(record.fields[0].node), &Node::Long);
        let Node::Union(branches) = schema.node(record.fields[3].node) else {
            panic!("next is a union");
        };
        assert_eq!(branches[1], schema.root());
    }

    #[test]
    fn refuses_broken_schemas_with_a_reason() {
        for (text, reason) in [
            ("{", "not JSON"),
            (
                r#"{"type":"record","name":"A","fields":[{"name":"x","type":"Nope"}]}"#,
                "unknown type Nope",
            ),
            (r#"["null",["int"]]"#, "union"),
            (r#"{"type":"fixed","name":"F"}"#, "size"),
            (
                r#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#,
                "default",
            ),
        ] {
            let error = Schema::parse(text).expect_err(text).to_string();
            assert!(error.contains(reason), "{text}: {error}");
        }
    }
}
