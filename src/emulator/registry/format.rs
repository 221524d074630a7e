//! The serialization formats a schema group holds, and the content types that name them on
//! the wire (the swagger's `consumes` list for register and get-id: `application/json;
//! serialization=Avro`, `application/json; serialization=json`, `text/plain; charset=utf-8`,
//! `text/vnd.ms.protobuf`). A group holds one format, as Azure's schema groups have one
//! schema type ("Group's serialization type should match the serialization type specified in
//! the request", 2023-07-01 swagger).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SchemaFormat {
    /// Avro schemas: parsed and held to the group's compatibility mode.
    #[default]
    Avro,
    /// JSON Schema documents: must be JSON; compatibility is not checked.
    Json,
    /// Any UTF-8 text (`text/plain`): stored as given.
    Custom,
}

/// What a request's content type says about the schema it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclaredFormat {
    Known(SchemaFormat),
    /// Protobuf: a format Azure names that this registry does not serve.
    Unsupported(&'static str),
    /// No content type, or one no format has.
    Unknown(String),
}

impl SchemaFormat {
    pub const ALL: [SchemaFormat; 3] =
        [SchemaFormat::Avro, SchemaFormat::Json, SchemaFormat::Custom];

    /// The name the SDKs use (`SchemaFormat.AVRO` is "Avro").
    pub fn name(self) -> &'static str {
        match self {
            SchemaFormat::Avro => "Avro",
            SchemaFormat::Json => "Json",
            SchemaFormat::Custom => "Custom",
        }
    }

    /// A format by its name, any case.
    pub fn parse(name: &str) -> Option<SchemaFormat> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The content type a schema of this format is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            SchemaFormat::Avro => "application/json;serialization=Avro",
            SchemaFormat::Json => "application/json;serialization=Json",
            SchemaFormat::Custom => "text/plain; charset=utf-8",
        }
    }

    /// The format a request's content type declares. Spaces and case do not matter, and
    /// parameters other than `serialization` (a `charset`) are ignored.
    pub fn declared_by(content_type: Option<&str>) -> DeclaredFormat {
        let Some(given) = content_type.filter(|t| !t.trim().is_empty()) else {
            return DeclaredFormat::Unknown(String::new());
        };
        let lowered = given.replace(' ', "").to_ascii_lowercase();
        let mut parts = lowered.split(';');
        let media_type = parts.next().unwrap_or("");
        let serialization = parts.find_map(|p| p.strip_prefix("serialization="));
        match (media_type, serialization) {
            ("application/json", Some("avro")) => DeclaredFormat::Known(SchemaFormat::Avro),
            ("application/json", Some("json")) => DeclaredFormat::Known(SchemaFormat::Json),
            ("text/plain", None) => DeclaredFormat::Known(SchemaFormat::Custom),
            ("text/vnd.ms.protobuf", _) => DeclaredFormat::Unsupported("Protobuf"),
            _ => DeclaredFormat::Unknown(given.to_owned()),
        }
    }
}

impl fmt::Display for SchemaFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_name_their_formats_and_nothing_else_does() {
        use DeclaredFormat::{Known, Unknown, Unsupported};
        let declared = |t: &str| SchemaFormat::declared_by(Some(t));
        assert_eq!(
            declared("application/json; serialization=Avro"),
            Known(SchemaFormat::Avro)
        );
        assert_eq!(
            declared("Application/JSON;Serialization=json"),
            Known(SchemaFormat::Json)
        );
        assert_eq!(
            declared("text/plain; charset=utf-8"),
            Known(SchemaFormat::Custom)
        );
        assert_eq!(declared("text/vnd.ms.protobuf"), Unsupported("Protobuf"));
        assert!(matches!(declared("application/json"), Unknown(_)));
        assert!(matches!(
            declared("application/xml; serialization=avro"),
            Unknown(_)
        ));
        assert!(matches!(SchemaFormat::declared_by(None), Unknown(_)));
        for format in SchemaFormat::ALL {
            assert_eq!(
                SchemaFormat::declared_by(Some(format.content_type())),
                Known(format),
                "what the registry serves, it takes back"
            );
        }
    }
}
