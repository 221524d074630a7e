//! Events on the wire: splitting what producers send into stored events, and stamping the
//! annotations consumers read (docs/protocol-notes.md 1.5 and 1.7).

use bytes::Bytes;
use fe2o3_amqp_types::messaging::message::__private::{Deserializable, Serializable};
use fe2o3_amqp_types::messaging::{
    Body, DeliveryAnnotations, Message, MessageAnnotations, annotations::OwnedKey,
};
use fe2o3_amqp_types::primitives::{Symbol, Timestamp, Value};
use serde_amqp::primitives::OrderedMap;

use crate::emulator::store::{NewEvent, PartitionStats, StoredEvent};

pub type AmqpMessage = Message<Body<Value>>;

/// Message format of a batch: the body's Data sections each hold one encoded message.
pub const BATCH_FORMAT: u32 = 0x8001_3700;
/// The largest event or batch the service accepts (Standard tier; docs/protocol-notes.md section 9).
pub use super::ingress::MAX_MESSAGE_BYTES;
pub use super::sizes::sizes_fit;

pub const PARTITION_KEY: &str = "x-opt-partition-key";
const SEQUENCE_NUMBER: &str = "x-opt-sequence-number";
const OFFSET: &str = "x-opt-offset";
const ENQUEUED_TIME: &str = "x-opt-enqueued-time";

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("the message is {size} bytes; the limit is {MAX_MESSAGE_BYTES}")]
    TooLarge { size: usize },
    #[error("cannot decode the message: {0}")]
    Decode(String),
    #[error("an event batch holds a section that is not an encoded event")]
    BadBatch,
}

pub fn encode(message: &AmqpMessage) -> Result<Vec<u8>, serde_amqp::Error> {
    serde_amqp::to_vec(&Serializable(message))
}

pub fn decode(bytes: &[u8]) -> Result<AmqpMessage, MessageError> {
    // serde_amqp allocates what a size claims before reading it: a str32 claiming four
    // billion bytes would make the emulator allocate 4 GB and abort.
    if !sizes_fit(bytes) {
        return Err(MessageError::Decode(
            "the encoding claims a size larger than the bytes that follow it".into(),
        ));
    }
    serde_amqp::from_slice::<Deserializable<AmqpMessage>>(bytes)
        .map(|d| d.0)
        .map_err(|e| MessageError::Decode(e.to_string()))
}

fn annotation<'a>(annotations: &'a Option<MessageAnnotations>, key: &str) -> Option<&'a Value> {
    annotations
        .as_ref()?
        .0
        .iter()
        .find(|(k, _)| matches!(k, OwnedKey::Symbol(s) if s.as_str() == key))
        .map(|(_, v)| v)
}

pub fn partition_key(message: &AmqpMessage) -> Option<String> {
    match annotation(&message.message_annotations, PARTITION_KEY)? {
        Value::String(key) => Some(key.clone()),
        Value::Symbol(key) => Some(key.as_str().to_string()),
        _ => None,
    }
}

/// Turns one transfer into the events to store, in order. A batch (message format
/// 0x80013700) becomes one event per Data section, each kept byte for byte as the client
/// encoded it; anything else is one event.
pub fn events_of(
    message: &AmqpMessage,
    message_format: u32,
) -> Result<Vec<NewEvent>, MessageError> {
    let envelope_key = partition_key(message);
    if message_format == BATCH_FORMAT {
        let Body::Data(sections) = &message.body else {
            return Err(MessageError::BadBatch);
        };
        let size: usize = sections.iter().map(|d| d.0.len()).sum();
        if size > MAX_MESSAGE_BYTES {
            return Err(MessageError::TooLarge { size });
        }
        return sections
            .iter()
            .map(|data| {
                let inner = decode(&data.0).map_err(|_| MessageError::BadBatch)?;
                Ok(NewEvent {
                    partition_key: partition_key(&inner).or_else(|| envelope_key.clone()),
                    message: Bytes::copy_from_slice(&data.0),
                })
            })
            .collect();
    }
    let bytes = encode(message).map_err(|e| MessageError::Decode(e.to_string()))?;
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(MessageError::TooLarge { size: bytes.len() });
    }
    Ok(vec![NewEvent {
        partition_key: envelope_key,
        message: Bytes::from(bytes),
    }])
}

fn symbol_key(key: &str) -> OwnedKey {
    OwnedKey::Symbol(Symbol::from(key))
}

/// The stored event as a consumer receives it: the client's message with the service's
/// annotations, and the runtime metrics when the receiver asked for them. (Consumers are
/// mostly served without this decoding: `delivered_bytes.rs`; this is the reference.)
pub fn delivered(
    event: &StoredEvent,
    metrics: Option<&PartitionStats>,
    now_ms: i64,
) -> Result<AmqpMessage, MessageError> {
    let mut message = decode(&event.message)?;
    let mut annotations = message
        .message_annotations
        .take()
        .map(|a| a.0)
        .unwrap_or_default();
    stamp(&mut annotations, event);
    message.message_annotations = Some(MessageAnnotations(annotations));
    if let Some(stats) = metrics {
        message.delivery_annotations = Some(runtime_metrics(stats, now_ms));
    }
    Ok(message)
}

/// Adds the service's annotations of `event` to the client's: its sequence number, offset,
/// enqueued time and partition key.
pub(super) fn stamp(annotations: &mut OrderedMap<OwnedKey, Value>, event: &StoredEvent) {
    annotations.insert(
        symbol_key(SEQUENCE_NUMBER),
        Value::Long(event.sequence_number),
    );
    annotations.insert(symbol_key(OFFSET), Value::String(event.offset.to_string()));
    annotations.insert(
        symbol_key(ENQUEUED_TIME),
        Value::Timestamp(Timestamp::from_milliseconds(event.enqueued_ms)),
    );
    if let Some(key) = &event.partition_key {
        annotations.insert(symbol_key(PARTITION_KEY), Value::String(key.clone()));
    }
}

/// The delivery annotations of a receiver that asked for the partition's runtime metrics.
pub(super) fn runtime_metrics(stats: &PartitionStats, now_ms: i64) -> DeliveryAnnotations {
    let mut runtime: OrderedMap<OwnedKey, Value> = OrderedMap::new();
    runtime.insert(
        symbol_key("last_enqueued_sequence_number"),
        Value::Long(stats.last_sequence_number),
    );
    runtime.insert(
        symbol_key("last_enqueued_offset"),
        Value::String(stats.last_offset.to_string()),
    );
    runtime.insert(
        symbol_key("last_enqueued_time_utc"),
        Value::Timestamp(Timestamp::from_milliseconds(stats.last_enqueued_ms)),
    );
    runtime.insert(
        symbol_key("runtime_info_retrieval_time_utc"),
        Value::Timestamp(Timestamp::from_milliseconds(now_ms)),
    );
    DeliveryAnnotations(runtime)
}

#[cfg(test)]
mod tests {
    use fe2o3_amqp_types::messaging::{Batch, Data};
    use serde_amqp::primitives::Binary;

    use super::*;

    fn event_bytes(body: &[u8], key: Option<&str>) -> Vec<u8> {
        let mut message = Message::builder()
            .body(Body::<Value>::Data(Batch::new(vec![Data(Binary::from(
                body.to_vec(),
            ))])))
            .build();
        if let Some(key) = key {
            let mut annotations = OrderedMap::<OwnedKey, Value>::new();
            annotations.insert(symbol_key(PARTITION_KEY), Value::String(key.into()));
            message.message_annotations = Some(MessageAnnotations(annotations));
        }
        encode(&message).expect("encodable")
    }

    #[test]
    fn a_size_claiming_four_billion_bytes_is_refused_without_allocating_them() {
        // Found by fuzz/fuzz_targets/amqp_requests.rs: a described section whose list holds a
        // sym32 claiming 0x8b8b8b97 bytes made serde_amqp allocate them.
        let found = [
            0x22, 0x02, 0x3d, 0xa4, 0x31, 0xb3, 0x65, 0xfd, 0x8f, 0x53, 0x53, 0x53, 0x53, 0x53,
            0x53, 0x53, 0x70, 0x8b, 0x8b, 0x8b, 0x97, 0x8d,
        ];
        assert!(!sizes_fit(&found));
        assert!(matches!(decode(&found), Err(MessageError::Decode(_))));
        // The same lie inside a list inside a described section.
        let nested = [
            0x00, 0x53, 0x70, 0xc0, 0x07, 0x01, 0xb1, 0xff, 0xff, 0xff, 0xff, 0x41,
        ];
        assert!(!sizes_fit(&nested));
        assert!(matches!(decode(&nested), Err(MessageError::Decode(_))));
        // An array claiming more elements than its bytes.
        assert!(!sizes_fit(&[0xe0, 0x02, 0xff, 0x50]));
    }

    #[test]
    fn what_clients_encode_fits() {
        let message = event_bytes(b"body", Some("key"));
        assert!(sizes_fit(&message));
        let inner = [event_bytes(b"one", Some("k")), event_bytes(b"two", None)];
        let batch: AmqpMessage = Message::builder()
            .body(Body::Data(Batch::new(
                inner
                    .iter()
                    .map(|b| Data(Binary::from(b.clone())))
                    .collect::<Vec<_>>(),
            )))
            .build();
        assert!(sizes_fit(&encode(&batch).expect("encodable")));
    }

    #[test]
    fn a_batch_becomes_one_event_per_section_with_its_key() {
        let inner = [event_bytes(b"one", Some("k")), event_bytes(b"two", None)];
        let batch: AmqpMessage = Message::builder()
            .body(Body::Data(Batch::new(
                inner
                    .iter()
                    .map(|b| Data(Binary::from(b.clone())))
                    .collect::<Vec<_>>(),
            )))
            .build();
        let events = events_of(&batch, BATCH_FORMAT).expect("valid batch");
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].message.as_ref(), inner[0].as_slice());
        assert_eq!(events[0].partition_key.as_deref(), Some("k"));
        assert_eq!(events[1].partition_key, None);
    }

    #[test]
    fn delivered_events_carry_the_service_annotations() {
        let stored = StoredEvent {
            sequence_number: 5,
            offset: 1234,
            enqueued_ms: 1_700_000_000_000,
            partition_key: Some("k".into()),
            message: Bytes::from(event_bytes(b"body", None)),
        };
        let message = delivered(&stored, None, 0).expect("decodable");
        let annotations = &message.message_annotations;
        assert_eq!(
            annotation(annotations, SEQUENCE_NUMBER),
            Some(&Value::Long(5))
        );
        assert_eq!(
            annotation(annotations, OFFSET),
            Some(&Value::String("1234".into()))
        );
        assert_eq!(partition_key(&message).as_deref(), Some("k"));
        assert!(message.delivery_annotations.is_none());
    }

    #[test]
    fn oversize_single_event_is_refused() {
        let big: AmqpMessage = Message::builder()
            .body(Body::Data(Batch::new(vec![Data(Binary::from(
                vec![0u8; MAX_MESSAGE_BYTES + 1],
            ))])))
            .build();
        assert!(matches!(
            events_of(&big, 0),
            Err(MessageError::TooLarge { .. })
        ));
    }
}
