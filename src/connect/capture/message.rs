//! A captured record as an AMQP message again, for replay and import: the body as one Data
//! section, the properties section from SystemProperties (content type, message and
//! correlation ids, subject), the application properties with their Capture types (long,
//! double, string, bytes), and the partition key as the annotation that routes it.

use azure_core_amqp::message::{
    AmqpApplicationProperties, AmqpMessageBody, AmqpMessageId, AmqpMessageProperties,
};
use azure_core_amqp::{AmqpMessage, AmqpSimpleValue, AmqpSymbol};

use crate::codec::capture::{CaptureRecord, CaptureValue};

pub fn amqp_message(record: &CaptureRecord) -> AmqpMessage {
    let text = |name: &str| match record.system_property(name) {
        Some(CaptureValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let properties = AmqpMessageProperties {
        message_id: text("message-id").map(AmqpMessageId::String),
        correlation_id: text("correlation-id").map(AmqpMessageId::String),
        content_type: text("content-type").map(AmqpSymbol::from),
        subject: text("subject"),
        ..Default::default()
    };
    let mut application = AmqpApplicationProperties::new();
    for (key, value) in &record.properties {
        let value: AmqpSimpleValue = match value {
            CaptureValue::Long(n) => (*n).into(),
            CaptureValue::Double(d) => (*d).into(),
            CaptureValue::String(s) => s.clone().into(),
            CaptureValue::Bytes(b) => AmqpSimpleValue::Binary(b.clone()),
            CaptureValue::Null => AmqpSimpleValue::Null,
        };
        application.insert(key.clone(), value);
    }
    let mut message = AmqpMessage::builder()
        .with_body(AmqpMessageBody::Binary(vec![
            record.body.clone().unwrap_or_default(),
        ]))
        .with_properties(properties)
        .build();
    if !record.properties.is_empty() {
        message.application_properties = Some(application);
    }
    if let Some(key) = text("x-opt-partition-key") {
        message.add_message_annotation(AmqpSymbol::from("x-opt-partition-key"), key);
    }
    message
}
