//! Events between Kafka and AMQP, as Microsoft's article "Exchange events between consumers
//! and producers that use different protocols" describes (docs/kafka.md): a Kafka record
//! becomes an AMQP message whose body is one Data section with the value, whose application
//! properties are the headers (values as byte arrays) and whose message annotation
//! `x-opt-kafka-key` is the key. An AMQP event reaches Kafka with its body as the value, its
//! application properties as headers (binary values as they are, others in their AMQP
//! encoding) and its partition key as the header `x-opt-partition-key`. Neither key is
//! promoted to the other.

use bytes::Bytes;
use fe2o3_amqp_types::messaging::annotations::OwnedKey;
use fe2o3_amqp_types::messaging::{
    ApplicationProperties, Batch, Body, Data, Message, MessageAnnotations,
};
use fe2o3_amqp_types::primitives::{Binary, SimpleValue, Symbol, Value};
use kafka_protocol::indexmap::IndexMap;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{Record, TimestampType};
use serde_amqp::primitives::OrderedMap;

use crate::emulator::amqp::message::{self, AmqpMessage, PARTITION_KEY};
use crate::emulator::store::StoredEvent;

pub const KAFKA_KEY: &str = "x-opt-kafka-key";

/// The AMQP encoding of a record a Kafka producer sent.
pub fn to_amqp(record: &Record) -> Result<Vec<u8>, String> {
    let value = record.value.clone().unwrap_or_default();
    let mut amqp: AmqpMessage = Message::builder()
        .body(Body::Data(Batch::new(vec![Data(Binary::from(
            value.to_vec(),
        ))])))
        .build();
    if !record.headers.is_empty() {
        let mut properties = OrderedMap::new();
        for (name, value) in &record.headers {
            let value = match value {
                Some(bytes) => SimpleValue::Binary(Binary::from(bytes.to_vec())),
                None => SimpleValue::Null,
            };
            properties.insert(name.to_string(), value);
        }
        amqp.application_properties = Some(ApplicationProperties(properties));
    }
    if let Some(key) = &record.key {
        let mut annotations = OrderedMap::new();
        annotations.insert(
            OwnedKey::Symbol(Symbol::from(KAFKA_KEY)),
            Value::Binary(Binary::from(key.to_vec())),
        );
        amqp.message_annotations = Some(MessageAnnotations(annotations));
    }
    message::encode(&amqp).map_err(|e| e.to_string())
}

/// A stored event as a Kafka consumer receives it; its offset is its sequence number.
pub fn to_kafka(event: &StoredEvent) -> Record {
    let decoded = message::decode(&event.message).ok();
    let mut headers: IndexMap<StrBytes, Option<Bytes>> = IndexMap::new();
    let mut key = None;
    let value;
    if let Some(amqp) = &decoded {
        value = body_bytes(&amqp.body);
        if let Some(properties) = &amqp.application_properties {
            for (name, property) in properties.0.iter() {
                headers.insert(StrBytes::from_string(name.clone()), header_bytes(property));
            }
        }
        key = kafka_key(amqp);
    } else {
        // Not an AMQP message (cannot happen for what the endpoints store): hand it on whole.
        value = Some(event.message.clone());
    }
    if let Some(partition_key) = &event.partition_key {
        headers.insert(
            StrBytes::from_static_str(PARTITION_KEY),
            Some(Bytes::from(partition_key.clone().into_bytes())),
        );
    }
    Record {
        transactional: false,
        control: false,
        delete_horizon: false,
        partition_leader_epoch: 0,
        producer_id: -1,
        producer_epoch: -1,
        timestamp_type: TimestampType::LogAppend,
        offset: event.sequence_number,
        // Equal offset and sequence keep every record in one batch (the encoder splits where
        // offset minus sequence changes); idempotence is not offered, so nothing reads it.
        sequence: event.sequence_number as i32,
        timestamp: event.enqueued_ms,
        key,
        value,
        headers,
    }
}

fn kafka_key(amqp: &AmqpMessage) -> Option<Bytes> {
    let annotations = amqp.message_annotations.as_ref()?;
    let (_, value) = annotations
        .0
        .iter()
        .find(|(k, _)| matches!(k, OwnedKey::Symbol(s) if s.as_str() == KAFKA_KEY))?;
    match value {
        Value::Binary(bytes) => Some(Bytes::from(bytes.to_vec())),
        Value::String(text) => Some(Bytes::from(text.clone().into_bytes())),
        other => serde_amqp::to_vec(other).ok().map(Bytes::from),
    }
}

fn body_bytes(body: &Body<Value>) -> Option<Bytes> {
    match body {
        Body::Data(sections) => {
            let mut out = Vec::new();
            for section in sections.iter() {
                out.extend_from_slice(&section.0);
            }
            Some(Bytes::from(out))
        }
        Body::Value(value) => match &value.0 {
            Value::Binary(bytes) => Some(Bytes::from(bytes.to_vec())),
            Value::String(text) => Some(Bytes::from(text.clone().into_bytes())),
            Value::Null => None,
            other => serde_amqp::to_vec(other).ok().map(Bytes::from),
        },
        Body::Sequence(sequences) => serde_amqp::to_vec(sequences).ok().map(Bytes::from),
        Body::Empty => None,
    }
}

fn header_bytes(property: &SimpleValue) -> Option<Bytes> {
    match property {
        SimpleValue::Binary(bytes) => Some(Bytes::from(bytes.to_vec())),
        SimpleValue::Null => None,
        other => serde_amqp::to_vec(other).ok().map(Bytes::from),
    }
}

/// The record of an empty event at sequence 0, to set fields of in tests.
#[cfg(test)]
pub(super) fn blank_record() -> Record {
    to_kafka(&StoredEvent {
        sequence_number: 0,
        offset: 0,
        enqueued_ms: 0,
        partition_key: None,
        message: Bytes::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kafka_record_round_trips_through_its_amqp_form() {
        let mut headers = IndexMap::new();
        headers.insert(
            StrBytes::from_static_str("h"),
            Some(Bytes::from_static(b"v")),
        );
        let record = Record {
            key: Some(Bytes::from_static(b"k")),
            value: Some(Bytes::from_static(b"body")),
            headers,
            ..blank_record()
        };
        let stored = StoredEvent {
            sequence_number: 7,
            offset: 99,
            enqueued_ms: 5,
            partition_key: Some("pk".into()),
            message: Bytes::from(to_amqp(&record).expect("encodes")),
        };
        let back = to_kafka(&stored);
        assert_eq!(back.offset, 7);
        assert_eq!(back.key.as_deref(), Some(&b"k"[..]));
        assert_eq!(back.value.as_deref(), Some(&b"body"[..]));
        assert_eq!(
            back.headers
                .get("h".as_bytes())
                .cloned()
                .flatten()
                .as_deref(),
            Some(&b"v"[..])
        );
        assert_eq!(
            back.headers
                .get(PARTITION_KEY.as_bytes())
                .cloned()
                .flatten()
                .as_deref(),
            Some(&b"pk"[..])
        );
        // The AMQP side sees the key as an annotation, never as a partition key.
        let amqp = message::decode(&stored.message).expect("decodes");
        assert_eq!(message::partition_key(&amqp), None);
    }
}
