//! Turns an event as the SDK received it into the console's owned [`TailEvent`]: the
//! CloudEvents attributes (binary mode: application properties `cloudEvents_*` or
//! `cloudEvents:*`; structured mode: the JSON body of `application/cloudevents+json`),
//! content type, properties and annotations as text, and the body's bytes.

use azure_core_amqp::message::{AmqpAnnotationKey, AmqpMessageBody};
use azure_core_amqp::{AmqpSimpleValue, AmqpValue};
use azure_messaging_eventhubs::models::ReceivedEventData;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::{CloudEventAttributes, TailEvent};

pub fn to_tail_event(partition: &str, received: &ReceivedEventData) -> TailEvent {
    let message = received.raw_amqp_message();
    let properties: Vec<(String, String)> = message
        .application_properties
        .as_ref()
        .map(|p| {
            p.0.iter()
                .map(|(k, v)| (k.clone(), property_text(k, v)))
                .collect()
        })
        .unwrap_or_default();
    let annotations = message
        .message_annotations
        .as_ref()
        .map(|a| {
            a.0.iter()
                .map(|(k, v)| (key_text(k), value_text(v)))
                .collect()
        })
        .unwrap_or_default();
    let content_type = message
        .properties
        .as_ref()
        .and_then(|p| p.content_type.as_ref())
        .map(|s| s.0.clone());
    let body = body_bytes(&message.body);
    let mut attributes = cloud_event(&properties);
    if attributes == CloudEventAttributes::default()
        && content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().starts_with(STRUCTURED))
    {
        attributes = structured_cloud_event(&body);
    }
    TailEvent {
        enqueued_time: received
            .enqueued_time()
            .map_or(OffsetDateTime::UNIX_EPOCH, OffsetDateTime::from),
        partition: partition.to_owned(),
        sequence: received.sequence_number().unwrap_or(-1),
        offset: received.offset().clone().unwrap_or_default(),
        cloud_event: attributes,
        content_type,
        properties,
        annotations,
        body,
    }
}

/// Content types of structured-mode CloudEvents (JSON and batched JSON).
const STRUCTURED: &str = "application/cloudevents";

/// The context attributes of a structured-mode CloudEvent: top-level members of its JSON.
pub fn structured_cloud_event(body: &[u8]) -> CloudEventAttributes {
    let Ok(serde_json::Value::Object(event)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return CloudEventAttributes::default();
    };
    let get = |name: &str| event.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    CloudEventAttributes {
        id: get("id"),
        source: get("source"),
        event_type: get("type"),
        subject: get("subject"),
    }
}

/// The context attributes of a binary-mode CloudEvent, if the properties carry them. One
/// pass, comparing without regard to case in place: this runs for every event received.
pub fn cloud_event(properties: &[(String, String)]) -> CloudEventAttributes {
    let mut attributes = CloudEventAttributes::default();
    for (key, value) in properties {
        let Some(name) = attribute_name(key) else {
            continue;
        };
        let slot = if name.eq_ignore_ascii_case("id") {
            &mut attributes.id
        } else if name.eq_ignore_ascii_case("source") {
            &mut attributes.source
        } else if name.eq_ignore_ascii_case("type") {
            &mut attributes.event_type
        } else if name.eq_ignore_ascii_case("subject") {
            &mut attributes.subject
        } else {
            continue;
        };
        // The first property naming an attribute wins, as before.
        if slot.is_none() {
            *slot = Some(value.clone());
        }
    }
    attributes
}

/// The attribute a property names after `cloudEvents_` or `cloudEvents:` (AMQP binding) or
/// `ce_` (Kafka binding), in any case.
fn attribute_name(key: &str) -> Option<&str> {
    const PREFIX_LEN: usize = "cloudevents_".len();
    if let Some(head) = key.get(..PREFIX_LEN)
        && (head.eq_ignore_ascii_case("cloudevents_") || head.eq_ignore_ascii_case("cloudevents:"))
    {
        return Some(&key[PREFIX_LEN..]);
    }
    let head = key.get(..3)?;
    head.eq_ignore_ascii_case("ce_").then(|| &key[3..])
}

fn body_bytes(body: &AmqpMessageBody) -> Vec<u8> {
    match body {
        AmqpMessageBody::Binary(sections) => sections.concat(),
        AmqpMessageBody::Value(AmqpValue::String(text)) => text.clone().into_bytes(),
        AmqpMessageBody::Value(AmqpValue::Binary(bytes)) => bytes.clone(),
        AmqpMessageBody::Value(other) => value_text(other).into_bytes(),
        AmqpMessageBody::Sequence(items) => format!("{items:?}").into_bytes(),
        AmqpMessageBody::Empty => Vec::new(),
    }
}

fn key_text(key: &AmqpAnnotationKey) -> String {
    match key {
        AmqpAnnotationKey::Symbol(symbol) => symbol.0.clone(),
        AmqpAnnotationKey::Ulong(n) => n.to_string(),
    }
}

fn time_text(time: Option<std::time::SystemTime>) -> String {
    time.map(OffsetDateTime::from)
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// CloudEvents' Kafka binding (`ce_*` headers and `content-type`, UTF-8) reaches AMQP as
/// binary application properties (docs/kafka.md section 4): shown as their text, not hex.
fn property_text(key: &str, value: &AmqpSimpleValue) -> String {
    let kafka_binding = crate::codec::cloudevents::is_kafka_attribute(key)
        || key.eq_ignore_ascii_case("content-type");
    match value {
        AmqpSimpleValue::Binary(bytes) if kafka_binding => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => hex(bytes),
        },
        other => simple_text(other),
    }
}

fn simple_text(value: &AmqpSimpleValue) -> String {
    match value {
        AmqpSimpleValue::Null => String::new(),
        AmqpSimpleValue::Boolean(b) => b.to_string(),
        AmqpSimpleValue::UByte(n) => n.to_string(),
        AmqpSimpleValue::Byte(n) => n.to_string(),
        AmqpSimpleValue::Char(c) => c.to_string(),
        AmqpSimpleValue::UShort(n) => n.to_string(),
        AmqpSimpleValue::Short(n) => n.to_string(),
        AmqpSimpleValue::UInt(n) => n.to_string(),
        AmqpSimpleValue::Int(n) => n.to_string(),
        AmqpSimpleValue::ULong(n) => n.to_string(),
        AmqpSimpleValue::Long(n) => n.to_string(),
        AmqpSimpleValue::Float(n) => n.to_string(),
        AmqpSimpleValue::Double(n) => n.to_string(),
        AmqpSimpleValue::TimeStamp(t) => time_text(t.0),
        AmqpSimpleValue::Uuid(u) => u.to_string(),
        AmqpSimpleValue::Binary(b) => hex(b),
        AmqpSimpleValue::String(s) => s.clone(),
        AmqpSimpleValue::Symbol(s) => s.0.clone(),
        other => format!("{other:?}"),
    }
}

fn value_text(value: &AmqpValue) -> String {
    match value {
        AmqpValue::Null => String::new(),
        AmqpValue::Boolean(b) => b.to_string(),
        AmqpValue::UByte(n) => n.to_string(),
        AmqpValue::UShort(n) => n.to_string(),
        AmqpValue::UInt(n) => n.to_string(),
        AmqpValue::ULong(n) => n.to_string(),
        AmqpValue::Byte(n) => n.to_string(),
        AmqpValue::Short(n) => n.to_string(),
        AmqpValue::Int(n) => n.to_string(),
        AmqpValue::Long(n) => n.to_string(),
        AmqpValue::Float(n) => n.to_string(),
        AmqpValue::Double(n) => n.to_string(),
        AmqpValue::Char(c) => c.to_string(),
        AmqpValue::TimeStamp(t) => time_text(t.0),
        AmqpValue::Uuid(u) => u.to_string(),
        AmqpValue::Binary(b) => hex(b),
        AmqpValue::String(s) => s.clone(),
        AmqpValue::Symbol(s) => s.0.clone(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_property_prefixes_name_cloud_event_attributes() {
        let props = vec![
            ("cloudEvents_id".to_owned(), "e-1".to_owned()),
            (
                "cloudEvents:source".to_owned(),
                "/teams/customer/crm".to_owned(),
            ),
            (
                "cloudEvents_type".to_owned(),
                "com.example.sale.confirmed".to_owned(),
            ),
            ("index".to_owned(), "3".to_owned()),
        ];
        let ce = cloud_event(&props);
        assert_eq!(ce.id.as_deref(), Some("e-1"));
        assert_eq!(ce.source.as_deref(), Some("/teams/customer/crm"));
        assert_eq!(ce.event_type.as_deref(), Some("com.example.sale.confirmed"));
        assert_eq!(ce.subject, None);
    }

    #[test]
    fn structured_mode_reads_the_json_envelope() {
        let body = br#"{"specversion":"1.0","id":"x","source":"/s","type":"t","data":{}}"#;
        let ce = structured_cloud_event(body);
        assert_eq!(
            (ce.id.as_deref(), ce.event_type.as_deref()),
            (Some("x"), Some("t"))
        );
        assert_eq!(
            structured_cloud_event(b"not json"),
            CloudEventAttributes::default()
        );
    }

    #[test]
    fn bodies_become_bytes() {
        let body = AmqpMessageBody::Binary(vec![b"ab".to_vec(), b"c".to_vec()]);
        assert_eq!(body_bytes(&body), b"abc");
        assert!(body_bytes(&AmqpMessageBody::Empty).is_empty());
    }
}
