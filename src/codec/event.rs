//! One event, whole: its CloudEvent attributes from wherever the binding put them, its data
//! decoded by framing and content type, and what about it breaks the mandate. Pure: the
//! caller keeps the raw bytes, and a failure is a value on the event, never a panic.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value as Json;

use super::avro::container::read_container;
use super::avro::{AvroJson, Schema, Value, decode_datum, resolve};
use super::cloudevents::{self, CloudEvent, PropertyValue, StructuredData};
use super::error::DecodeError;
use super::framing::{self, Framing};
use super::mandate::{self, Violation};
use super::schemas::{Lookup, SchemaLookup};

/// Where the binary-mode attributes travel.
#[derive(Debug, Clone, Copy)]
pub enum Headers<'a> {
    Amqp(&'a [(String, PropertyValue)]),
    Kafka(&'a [(String, Vec<u8>)]),
}

/// What a receiver has of an event.
#[derive(Debug, Clone, Copy)]
pub struct EventInput<'a> {
    pub content_type: Option<&'a str>,
    pub headers: Headers<'a>,
    pub body: &'a [u8],
}

/// Where schemas come from, and which version to read each schema name as.
pub struct DecodeOptions<'a> {
    pub schemas: &'a dyn SchemaLookup,
    /// Reader schemas by full name (`namespace.name`), chosen by the user.
    pub readers: &'a HashMap<String, Arc<Schema>>,
}

/// The event's data, decoded as far as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    Empty,
    /// One Avro datum and the schema it is to be read as (the reader's if one was chosen).
    Avro {
        schema: Arc<Schema>,
        value: Value,
    },
    /// The records of an Avro object container file.
    AvroFile {
        schema: Arc<Schema>,
        records: Vec<Value>,
    },
    Json(Json),
    Text(String),
    /// Bytes that are neither Avro nor text, as lowercase hex.
    Hex(String),
    Failed(DecodeError),
}

impl Data {
    /// The data as JSON; a failure has none (its reason is in [`Data::Failed`]).
    pub fn to_json(&self) -> Json {
        match self {
            Data::Empty | Data::Failed(_) => Json::Null,
            Data::Avro { schema, value } => AvroJson::root(schema, value).to_json(),
            Data::AvroFile { schema, records } => Json::Array(
                records
                    .iter()
                    .map(|r| AvroJson::root(schema, r).to_json())
                    .collect(),
            ),
            Data::Json(json) => json.clone(),
            Data::Text(text) | Data::Hex(text) => Json::String(text.clone()),
        }
    }

    pub fn error(&self) -> Option<&DecodeError> {
        match self {
            Data::Failed(error) => Some(error),
            _ => None,
        }
    }
}

/// Serialises as [`Data::to_json`] would, but with records' fields in schema order.
impl serde::Serialize for Data {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Data::Empty | Data::Failed(_) => serializer.serialize_unit(),
            Data::Avro { schema, value } => AvroJson::root(schema, value).serialize(serializer),
            Data::AvroFile { schema, records } => {
                serializer.collect_seq(records.iter().map(|r| AvroJson::root(schema, r)))
            }
            Data::Json(json) => json.serialize(serializer),
            Data::Text(text) | Data::Hex(text) => serializer.serialize_str(text),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecodedEvent {
    pub cloud_event: Option<CloudEvent>,
    pub framing: Framing,
    pub schema_id: Option<String>,
    /// The full name of the schema the data was written with, when known.
    pub schema_name: Option<String>,
    pub data: Data,
    pub violations: Vec<Violation>,
}

impl DecodedEvent {
    /// Why a consumer would reject this event: its data does not decode, or (decoding
    /// fine) the first mandate rule it breaks. `None` for a sound event, and while its
    /// schema is still being fetched.
    pub fn rejection(&self) -> Option<String> {
        match self.data.error() {
            Some(DecodeError::SchemaPending { .. }) => None,
            Some(error) => Some(error.to_string()),
            None => self
                .violations
                .first()
                .map(|v| format!("{}: {}", v.rule, v.reason)),
        }
    }
}

pub fn decode_event(input: &EventInput, options: &DecodeOptions) -> DecodedEvent {
    let mut decoded = if cloudevents::is_structured(input.content_type) {
        structured(input.body, options)
    } else {
        let cloud_event = match input.headers {
            Headers::Amqp(properties) => cloudevents::from_amqp(input.content_type, properties),
            Headers::Kafka(headers) => cloudevents::from_kafka(headers),
        };
        DecodedEvent {
            cloud_event,
            ..body(input.content_type, input.body, options)
        }
    };
    decoded.violations = mandate::check(&decoded, input.content_type, input.body.is_empty());
    decoded
}

fn structured(body: &[u8], options: &DecodeOptions) -> DecodedEvent {
    match cloudevents::from_structured(body) {
        Ok((event, data)) => {
            let content_type = event.text("datacontenttype").map(str::to_owned);
            let inner = match data {
                StructuredData::None => empty(),
                StructuredData::Json(json) => DecodedEvent {
                    data: Data::Json(json),
                    ..empty()
                },
                StructuredData::Bytes(bytes) => {
                    self::body(content_type.as_deref(), &bytes, options)
                }
            };
            DecodedEvent {
                cloud_event: Some(event),
                ..inner
            }
        }
        Err(error) => DecodedEvent {
            data: Data::Failed(error.into()),
            ..empty()
        },
    }
}

fn empty() -> DecodedEvent {
    DecodedEvent {
        cloud_event: None,
        framing: Framing::None,
        schema_id: None,
        schema_name: None,
        data: Data::Empty,
        violations: Vec::new(),
    }
}

/// The data of a body by its framing and content type.
pub fn body(content_type: Option<&str>, bytes: &[u8], options: &DecodeOptions) -> DecodedEvent {
    let framed = framing::detect(content_type, bytes);
    let mut decoded = DecodedEvent {
        framing: framed.framing,
        schema_id: framed.schema_id.clone(),
        ..empty()
    };
    decoded.data = match (framed.framing, &framed.schema_id) {
        (Framing::ContainerFile, _) => match read_container(bytes) {
            Ok(file) => {
                decoded.schema_name = file.schema.full_name().map(str::to_owned);
                Data::AvroFile {
                    schema: Arc::new(file.schema),
                    records: file.records,
                }
            }
            Err(error) => Data::Failed(error.into()),
        },
        (_, Some(id)) => avro(id, framed.payload, options, &mut decoded.schema_name),
        _ => plain(content_type, bytes),
    };
    decoded
}

fn avro(id: &str, payload: &[u8], options: &DecodeOptions, name: &mut Option<String>) -> Data {
    let writer = match options.schemas.lookup(id) {
        Lookup::Found(schema) => schema,
        Lookup::Missing => return Data::Failed(DecodeError::SchemaPending { id: id.to_owned() }),
        Lookup::NotRegistered => {
            return Data::Failed(DecodeError::UnknownSchema { id: id.to_owned() });
        }
        Lookup::Unavailable(reason) => {
            return Data::Failed(DecodeError::SchemaUnavailable {
                id: id.to_owned(),
                reason,
            });
        }
    };
    *name = writer.full_name().map(str::to_owned);
    let value = match decode_datum(&writer, payload) {
        Ok(value) => value,
        Err(error) => {
            return Data::Failed(DecodeError::Avro {
                id: id.to_owned(),
                schema: name.clone().unwrap_or_else(|| "(unnamed)".to_owned()),
                error,
            });
        }
    };
    let reader = name.as_ref().and_then(|n| options.readers.get(n));
    match reader {
        Some(reader) if reader.text() != writer.text() => match resolve(&value, &writer, reader) {
            Ok(value) => Data::Avro {
                schema: Arc::clone(reader),
                value,
            },
            Err(error) => Data::Failed(error.into()),
        },
        _ => Data::Avro {
            schema: writer,
            value,
        },
    }
}

/// JSON and text as themselves, anything else as hex.
fn plain(content_type: Option<&str>, bytes: &[u8]) -> Data {
    if bytes.is_empty() {
        return Data::Empty;
    }
    let says_json = content_type.is_some_and(|c| {
        let essence = c
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        essence == "application/json" || essence.ends_with("+json")
    });
    match serde_json::from_slice::<Json>(bytes) {
        Ok(json) if says_json || content_type.is_none() => return Data::Json(json),
        Err(error) if says_json => {
            return Data::Failed(DecodeError::NotJson {
                content_type: content_type.unwrap_or_default().to_owned(),
                reason: error.to_string(),
            });
        }
        _ => {}
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if content_type.is_none_or(framing::is_textual) => Data::Text(text.to_owned()),
        _ => Data::Hex(super::avro::json::hex(bytes)),
    }
}
