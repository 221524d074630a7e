//! Business events as CloudEvents 1.0 on AMQP (docs/protocol-notes.md section 4), the way the demo's
//! producers publish them and its consumers read them back:
//! - binary mode: attributes in `cloudEvents_*` application properties, the content type
//!   `avro/binary+<schema id>` in `properties.content-type` (as the Azure Schema Registry
//!   Avro encoder writes it), the raw Avro record in one Data section;
//! - structured mode: `application/cloudevents+json; charset=utf-8` and the whole event, data
//!   inline as JSON, in one Data section.
//!
//! Either way the aggregate id is the subject and the `x-opt-partition-key` annotation.

use bytes::Bytes;
use fe2o3_amqp_types::messaging::annotations::OwnedKey;
use fe2o3_amqp_types::messaging::{
    ApplicationProperties, Batch, Body, Data, Message, MessageAnnotations, Properties,
};
use fe2o3_amqp_types::primitives::{Binary, SimpleValue, Symbol, Value as AmqpValue};
use serde_amqp::primitives::OrderedMap;
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use super::avro;
use super::events::Generated;
use crate::emulator::amqp::message::{self, AmqpMessage, PARTITION_KEY};

pub const STRUCTURED_CONTENT_TYPE: &str = "application/cloudevents+json; charset=utf-8";
const PREFIX: &str = "cloudEvents_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Binary,
    Structured,
}

/// The envelope of one event: what every CloudEvent carries whatever its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub id: String,
    pub source: String,
    pub ce_type: String,
    pub subject: String,
    /// RFC 3339.
    pub time: String,
}

impl Envelope {
    pub fn new(event: &Generated, id: String, time_ms: i64) -> Envelope {
        Envelope {
            id,
            source: event.kind.source.to_string(),
            ce_type: event.kind.ce_type.to_string(),
            subject: event.subject.clone(),
            time: rfc3339(time_ms),
        }
    }
}

pub fn rfc3339(unix_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

pub fn avro_content_type(schema_id: &str) -> String {
    format!("avro/binary+{schema_id}")
}

/// The AMQP message for an event, encoded as the store keeps it.
pub fn encode(event: &Generated, envelope: &Envelope, mode: Mode) -> Result<Bytes, String> {
    let (content_type, body, properties) = match mode {
        Mode::Binary => (
            avro_content_type(&event.kind.schema.id()),
            avro::encode_record(event.kind.schema, &event.fields)?,
            Some(binary_properties(envelope)),
        ),
        Mode::Structured => (
            STRUCTURED_CONTENT_TYPE.to_string(),
            structured_body(event, envelope),
            None,
        ),
    };
    let message = build(&envelope.subject, &content_type, body, properties);
    message::encode(&message)
        .map(Bytes::from)
        .map_err(|e| e.to_string())
}

/// A message with the given content type and body (and CloudEvents attributes in binary
/// mode); the poison event is built with this too, so only its body is wrong.
pub fn build(
    partition_key: &str,
    content_type: &str,
    body: Vec<u8>,
    application_properties: Option<ApplicationProperties>,
) -> AmqpMessage {
    let mut annotations = OrderedMap::<OwnedKey, AmqpValue>::new();
    annotations.insert(
        OwnedKey::Symbol(Symbol::from(PARTITION_KEY)),
        AmqpValue::String(partition_key.to_string()),
    );
    let properties = Properties::builder()
        .content_type(Symbol::from(content_type))
        .build();
    let mut message = Message::builder()
        .properties(properties)
        .message_annotations(MessageAnnotations(annotations))
        .body(Body::<AmqpValue>::Data(Batch::new(vec![Data(
            Binary::from(body),
        )])))
        .build();
    message.application_properties = application_properties;
    message
}

pub fn binary_properties(envelope: &Envelope) -> ApplicationProperties {
    let mut map = OrderedMap::new();
    for (name, value) in [
        ("specversion", "1.0"),
        ("id", &envelope.id),
        ("source", &envelope.source),
        ("type", &envelope.ce_type),
        ("subject", &envelope.subject),
        ("time", &envelope.time),
    ] {
        map.insert(
            format!("{PREFIX}{name}"),
            SimpleValue::String(value.to_string()),
        );
    }
    ApplicationProperties(map)
}

fn structured_body(event: &Generated, envelope: &Envelope) -> Vec<u8> {
    let data: serde_json::Map<String, serde_json::Value> = event
        .kind
        .schema
        .field_names()
        .into_iter()
        .zip(&event.fields)
        .map(|(name, value)| (name, avro::to_json(value)))
        .collect();
    let document = json!({
        "specversion": "1.0",
        "id": envelope.id,
        "source": envelope.source,
        "type": envelope.ce_type,
        "subject": envelope.subject,
        "time": envelope.time,
        "datacontenttype": "application/json",
        "data": data,
    });
    serde_json::to_vec(&document).unwrap_or_default()
}

/// A CloudEvent read back from a stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub mode: Mode,
    pub envelope: Envelope,
    pub content_type: String,
    /// The Data section: Avro in binary mode, the JSON document in structured mode.
    pub body: Vec<u8>,
}

/// Reads a stored message as a CloudEvent; an error says why it is not one.
pub fn read(stored: &[u8]) -> Result<Received, String> {
    let message = message::decode(stored).map_err(|e| e.to_string())?;
    let content_type = message
        .properties
        .as_ref()
        .and_then(|p| p.content_type.as_ref())
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let body = match &message.body {
        Body::Data(sections) => sections
            .iter()
            .flat_map(|d| d.0.iter().copied())
            .collect::<Vec<u8>>(),
        _ => return Err("the body is not a Data section".into()),
    };
    if content_type
        .to_ascii_lowercase()
        .starts_with("application/cloudevents")
    {
        let document: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| format!("structured event: {e}"))?;
        let text = |name: &str| document[name].as_str().unwrap_or_default().to_string();
        if text("specversion") != "1.0" {
            return Err("structured event without specversion 1.0".into());
        }
        let envelope = Envelope {
            id: text("id"),
            source: text("source"),
            ce_type: text("type"),
            subject: text("subject"),
            time: text("time"),
        };
        return Ok(Received {
            mode: Mode::Structured,
            envelope,
            content_type,
            body,
        });
    }
    let attribute = |name: &str| -> Option<String> {
        let properties = message.application_properties.as_ref()?;
        // Receivers accept either separator (AMQP binding).
        ["cloudEvents_", "cloudEvents:"].iter().find_map(|prefix| {
            match properties.0.get(&format!("{prefix}{name}"))? {
                SimpleValue::String(s) => Some(s.clone()),
                _ => None,
            }
        })
    };
    if attribute("specversion").as_deref() != Some("1.0") {
        return Err("no cloudEvents_specversion 1.0 application property".into());
    }
    let envelope = Envelope {
        id: attribute("id").unwrap_or_default(),
        source: attribute("source").unwrap_or_default(),
        ce_type: attribute("type").unwrap_or_default(),
        subject: attribute("subject").unwrap_or_default(),
        time: attribute("time").unwrap_or_default(),
    };
    Ok(Received {
        mode: Mode::Binary,
        envelope,
        content_type,
        body,
    })
}
