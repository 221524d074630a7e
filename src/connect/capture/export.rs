//! An event read from a hub as a Capture record, for `ehops export`: the same fields the
//! emulator's Capture writes (docs/capture.md), so an exported file reads like a captured one
//! and imports back with its sequence number, offset, time and properties.

use azure_core_amqp::AmqpSimpleValue;
use azure_core_amqp::message::{AmqpMessageBody, AmqpMessageId};

use crate::codec::capture::{CaptureRecord, CaptureValue, format_enqueued_time};
use crate::connect::read::RawEvent;

pub fn capture_record(raw: &RawEvent) -> CaptureRecord {
    let event = &raw.event;
    let enqueued_ms = (event.enqueued_time.unix_timestamp_nanos() / 1_000_000) as i64;
    let mut system = vec![
        (
            "x-opt-sequence-number".to_string(),
            CaptureValue::Long(event.sequence),
        ),
        (
            "x-opt-offset".to_string(),
            CaptureValue::String(event.offset.clone()),
        ),
        (
            "x-opt-enqueued-time".to_string(),
            CaptureValue::Long(enqueued_ms),
        ),
    ];
    if let Some((_, key)) = event
        .annotations
        .iter()
        .find(|(k, _)| k == "x-opt-partition-key")
    {
        system.push((
            "x-opt-partition-key".into(),
            CaptureValue::String(key.clone()),
        ));
    }
    if let Some(p) = &raw.message.properties {
        let id = |id: &AmqpMessageId| match id {
            AmqpMessageId::String(s) => s.clone(),
            AmqpMessageId::Uuid(u) => u.to_string(),
            AmqpMessageId::Binary(b) => crate::codec::avro::json::hex(b),
            AmqpMessageId::Ulong(n) => n.to_string(),
        };
        let texts = [
            ("message-id", p.message_id.as_ref().map(id)),
            ("correlation-id", p.correlation_id.as_ref().map(id)),
            ("content-type", p.content_type.as_ref().map(|s| s.0.clone())),
            ("subject", p.subject.clone()),
        ];
        for (name, value) in texts {
            if let Some(value) = value {
                system.push((name.to_string(), CaptureValue::String(value)));
            }
        }
    }
    let properties = raw
        .message
        .application_properties
        .as_ref()
        .map(|props| {
            props
                .0
                .iter()
                .map(|(k, v)| (k.clone(), capture_value(v, &event.properties, k)))
                .collect()
        })
        .unwrap_or_default();
    let body = match &raw.message.body {
        AmqpMessageBody::Empty => None,
        AmqpMessageBody::Binary(sections) => Some(sections.concat()),
        _ => Some(event.body.clone()),
    };
    CaptureRecord {
        sequence_number: event.sequence,
        offset: event.offset.clone(),
        enqueued_time_utc: format_enqueued_time(enqueued_ms),
        system_properties: system,
        properties,
        body,
    }
}

/// Capture's union has long, double, string and bytes; anything else is written as the text
/// the tail shows for it.
fn capture_value(value: &AmqpSimpleValue, texts: &[(String, String)], key: &str) -> CaptureValue {
    match value {
        AmqpSimpleValue::Null => CaptureValue::Null,
        AmqpSimpleValue::UByte(n) => CaptureValue::Long(i64::from(*n)),
        AmqpSimpleValue::Byte(n) => CaptureValue::Long(i64::from(*n)),
        AmqpSimpleValue::UShort(n) => CaptureValue::Long(i64::from(*n)),
        AmqpSimpleValue::Short(n) => CaptureValue::Long(i64::from(*n)),
        AmqpSimpleValue::UInt(n) => CaptureValue::Long(i64::from(*n)),
        AmqpSimpleValue::Int(n) => CaptureValue::Long(i64::from(*n)),
        AmqpSimpleValue::Long(n) => CaptureValue::Long(*n),
        AmqpSimpleValue::Float(f) => CaptureValue::Double(f64::from(*f)),
        AmqpSimpleValue::Double(d) => CaptureValue::Double(*d),
        AmqpSimpleValue::String(s) => CaptureValue::String(s.clone()),
        AmqpSimpleValue::Symbol(s) => CaptureValue::String(s.0.clone()),
        AmqpSimpleValue::Binary(b) => CaptureValue::Bytes(b.clone()),
        _ => CaptureValue::String(
            texts
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        ),
    }
}
