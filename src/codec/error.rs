//! Why an event's data could not be decoded. Each is shown on the event itself, beside its
//! raw bytes; none stops a tail.

use super::avro::container::ContainerError;
use super::avro::{AvroError, ResolveError};
use super::cloudevents::CloudEventError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error("schema {id} is not registered")]
    UnknownSchema { id: String },
    #[error("schema {id} is not fetched yet")]
    SchemaPending { id: String },
    #[error("schema {id} is unavailable: {reason}")]
    SchemaUnavailable { id: String, reason: String },
    #[error("Avro data does not match schema {schema} ({id}): {error}")]
    Avro {
        id: String,
        schema: String,
        error: AvroError,
    },
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error("invalid CloudEvent: {0}")]
    CloudEvent(#[from] CloudEventError),
    #[error("content type {content_type} says JSON, but the body is not: {reason}")]
    NotJson {
        content_type: String,
        reason: String,
    },
}

impl DecodeError {
    /// A short stable name for scripts (`ehops decode` prints it as `error.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeError::UnknownSchema { .. } => "unknown_schema",
            DecodeError::SchemaPending { .. } => "schema_pending",
            DecodeError::SchemaUnavailable { .. } => "schema_unavailable",
            DecodeError::Avro { .. } => "avro",
            DecodeError::Resolve(_) => "resolution",
            DecodeError::Container(_) => "container_file",
            DecodeError::CloudEvent(_) => "cloudevent",
            DecodeError::NotJson { .. } => "json",
        }
    }
}
