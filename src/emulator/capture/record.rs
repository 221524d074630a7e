//! A stored event as Capture writes it: the AMQP message's body sections become `Body`, its
//! application properties `Properties`, and its properties section and the service's
//! annotations `SystemProperties` (docs/capture.md lists each name).

use fe2o3_amqp_types::messaging::{Body, MessageId};
use fe2o3_amqp_types::primitives::{SimpleValue, Value};

use crate::codec::capture::{CaptureRecord, CaptureValue, format_enqueued_time};
use crate::emulator::amqp::message::{AmqpMessage, decode};
use crate::emulator::store::StoredEvent;

/// The record for one stored event; an event whose message no longer decodes (it was checked
/// when it arrived, so only damage does this) keeps its raw bytes as the body.
pub fn capture_record(event: &StoredEvent) -> CaptureRecord {
    let mut system = vec![
        (
            "x-opt-sequence-number".to_string(),
            CaptureValue::Long(event.sequence_number),
        ),
        (
            "x-opt-offset".to_string(),
            CaptureValue::String(event.offset.to_string()),
        ),
        (
            "x-opt-enqueued-time".to_string(),
            CaptureValue::Long(event.enqueued_ms),
        ),
    ];
    if let Some(key) = &event.partition_key {
        system.push((
            "x-opt-partition-key".to_string(),
            CaptureValue::String(key.clone()),
        ));
    }
    let (properties, body) = match decode(&event.message) {
        Ok(message) => {
            system.extend(properties_section(&message));
            (application_properties(&message), body_bytes(&message))
        }
        Err(_) => (Vec::new(), Some(event.message.to_vec())),
    };
    CaptureRecord {
        sequence_number: event.sequence_number,
        offset: event.offset.to_string(),
        enqueued_time_utc: format_enqueued_time(event.enqueued_ms),
        system_properties: system,
        properties,
        body,
    }
}

fn application_properties(message: &AmqpMessage) -> Vec<(String, CaptureValue)> {
    let Some(props) = &message.application_properties else {
        return Vec::new();
    };
    props
        .0
        .iter()
        .map(|(k, v)| (k.clone(), simple_value(v)))
        .collect()
}

/// The union has long, double, string and bytes: integers widen to long, booleans, UUIDs and
/// symbols become text, timestamps their unix milliseconds.
fn simple_value(value: &SimpleValue) -> CaptureValue {
    match value {
        SimpleValue::Null => CaptureValue::Null,
        SimpleValue::Bool(b) => CaptureValue::String(b.to_string()),
        SimpleValue::Ubyte(n) => CaptureValue::Long(i64::from(*n)),
        SimpleValue::Ushort(n) => CaptureValue::Long(i64::from(*n)),
        SimpleValue::Uint(n) => CaptureValue::Long(i64::from(*n)),
        SimpleValue::Ulong(n) => match i64::try_from(*n) {
            Ok(n) => CaptureValue::Long(n),
            Err(_) => CaptureValue::String(n.to_string()),
        },
        SimpleValue::Byte(n) => CaptureValue::Long(i64::from(*n)),
        SimpleValue::Short(n) => CaptureValue::Long(i64::from(*n)),
        SimpleValue::Int(n) => CaptureValue::Long(i64::from(*n)),
        SimpleValue::Long(n) => CaptureValue::Long(*n),
        SimpleValue::Float(f) => CaptureValue::Double(f64::from(f.0)),
        SimpleValue::Double(d) => CaptureValue::Double(d.0),
        SimpleValue::Timestamp(t) => CaptureValue::Long(t.milliseconds()),
        SimpleValue::Uuid(u) => CaptureValue::String(uuid_text(u.as_inner())),
        SimpleValue::Binary(b) => CaptureValue::Bytes(b.to_vec()),
        SimpleValue::String(s) => CaptureValue::String(s.clone()),
        SimpleValue::Symbol(s) => CaptureValue::String(s.as_str().to_string()),
        SimpleValue::Char(c) => CaptureValue::String(c.to_string()),
        other => CaptureValue::String(format!("{other:?}")),
    }
}

/// The AMQP properties section under its AMQP field names.
fn properties_section(message: &AmqpMessage) -> Vec<(String, CaptureValue)> {
    let Some(p) = &message.properties else {
        return Vec::new();
    };
    let text =
        |name: &str, v: Option<String>| v.map(|v| (name.to_string(), CaptureValue::String(v)));
    let id = |id: &MessageId| match id {
        MessageId::Ulong(n) => n.to_string(),
        MessageId::Uuid(u) => uuid_text(u.as_inner()),
        MessageId::Binary(b) => crate::codec::avro::json::hex(b),
        MessageId::String(s) => s.clone(),
    };
    [
        text("message-id", p.message_id.as_ref().map(id)),
        p.user_id
            .as_ref()
            .map(|u| ("user-id".to_string(), CaptureValue::Bytes(u.to_vec()))),
        text("to", p.to.clone()),
        text("subject", p.subject.clone()),
        text("reply-to", p.reply_to.clone()),
        text("correlation-id", p.correlation_id.as_ref().map(id)),
        text(
            "content-type",
            p.content_type.as_ref().map(|s| s.as_str().to_string()),
        ),
        text(
            "content-encoding",
            p.content_encoding.as_ref().map(|s| s.as_str().to_string()),
        ),
        p.absolute_expiry_time.as_ref().map(|t| {
            (
                "absolute-expiry-time".to_string(),
                CaptureValue::Long(t.milliseconds()),
            )
        }),
        p.creation_time.as_ref().map(|t| {
            (
                "creation-time".to_string(),
                CaptureValue::Long(t.milliseconds()),
            )
        }),
        text("group-id", p.group_id.clone()),
        p.group_sequence.map(|n| {
            (
                "group-sequence".to_string(),
                CaptureValue::Long(i64::from(n)),
            )
        }),
        text("reply-to-group-id", p.reply_to_group_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Data sections as their bytes (concatenated when several); a string or binary value as its
/// bytes; anything else in its AMQP encoding; no body as null.
fn body_bytes(message: &AmqpMessage) -> Option<Vec<u8>> {
    match &message.body {
        Body::Empty => None,
        Body::Data(sections) => Some(sections.iter().flat_map(|d| d.0.iter().copied()).collect()),
        Body::Value(value) => match &value.0 {
            Value::String(s) => Some(s.clone().into_bytes()),
            Value::Binary(b) => Some(b.to_vec()),
            other => serde_amqp::to_vec(other).ok(),
        },
        Body::Sequence(seq) => serde_amqp::to_vec(seq).ok(),
    }
}

fn uuid_text(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
