//! A stored event as a consumer receives it, built from its stored encoding without decoding
//! it (issue #12: decoding and encoding each delivered event was most of the emulator's work
//! on a read). Only the message-annotations section is decoded, to add the service's
//! annotations; the header, properties, application properties, body and footer are copied
//! byte for byte. The result decodes to exactly what `message::delivered` builds.

use fe2o3_amqp_types::messaging::MessageAnnotations;

use super::frames::{descriptor, skip_value};
use super::message::{runtime_metrics, stamp};
use crate::emulator::store::{PartitionStats, StoredEvent};

const HEADER: u64 = 0x70;
const DELIVERY_ANNOTATIONS: u64 = 0x71;
const MESSAGE_ANNOTATIONS: u64 = 0x72;

/// The delivered encoding of `event`, or `None` when its encoding is not one this reads (a
/// section with a symbolic descriptor, say): `message::delivered` then decides.
pub fn delivered_bytes(
    event: &StoredEvent,
    metrics: Option<&PartitionStats>,
    now_ms: i64,
) -> Option<Vec<u8>> {
    let stored = &event.message[..];
    let sections = sections(stored)?;
    let mut annotations = match sections
        .iter()
        .find(|(code, _)| *code == MESSAGE_ANNOTATIONS)
    {
        Some((_, section)) => {
            serde_amqp::from_slice::<MessageAnnotations>(section)
                .ok()?
                .0
        }
        None => Default::default(),
    };
    stamp(&mut annotations, event);
    let annotations = serde_amqp::to_vec(&MessageAnnotations(annotations)).ok()?;
    let runtime = match metrics {
        Some(stats) => Some(serde_amqp::to_vec(&runtime_metrics(stats, now_ms)).ok()?),
        None => None,
    };
    let mut out = Vec::with_capacity(stored.len() + annotations.len() + 128);
    // Sections in the order AMQP gives them; the client's delivery annotations stay unless
    // the runtime metrics take their place, as in `message::delivered`.
    for (code, section) in &sections {
        if *code == HEADER {
            out.extend_from_slice(section);
        }
    }
    match &runtime {
        Some(runtime) => out.extend_from_slice(runtime),
        None => {
            for (code, section) in &sections {
                if *code == DELIVERY_ANNOTATIONS {
                    out.extend_from_slice(section);
                }
            }
        }
    }
    out.extend_from_slice(&annotations);
    for (code, section) in &sections {
        if !matches!(*code, HEADER | DELIVERY_ANNOTATIONS | MESSAGE_ANNOTATIONS) {
            out.extend_from_slice(section);
        }
    }
    Some(out)
}

/// Each top-level section of a message: its descriptor code and its bytes.
fn sections(message: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    let mut sections = Vec::with_capacity(6);
    let mut at = 0;
    while at < message.len() {
        let (code, _) = descriptor(&message[at..])?;
        let end = skip_value(message, at)?;
        sections.push((code, &message[at..end]));
        at = end;
    }
    Some(sections)
}

#[cfg(test)]
mod tests {
    use fe2o3_amqp_types::messaging::{
        ApplicationProperties, Batch, Body, Data, Header, Message, Properties,
        annotations::OwnedKey,
    };
    use fe2o3_amqp_types::primitives::{Binary, SimpleValue, Symbol, Value};
    use serde_amqp::primitives::OrderedMap;

    use super::*;
    use crate::emulator::amqp::message::{AmqpMessage, decode, delivered, encode};

    fn stored(message: &AmqpMessage, key: Option<&str>) -> StoredEvent {
        StoredEvent {
            sequence_number: 41,
            offset: 9_000,
            enqueued_ms: 1_765_000_000_123,
            partition_key: key.map(str::to_owned),
            message: encode(message).expect("encodable").into(),
        }
    }

    fn cloud_event() -> AmqpMessage {
        let mut properties = OrderedMap::new();
        for (name, value) in [
            ("cloudEvents:id", "evt-1"),
            ("cloudEvents:type", "com.contoso.contact.created"),
            ("cloudEvents:source", "/teams/customer"),
        ] {
            properties.insert(name.to_owned(), SimpleValue::String(value.to_owned()));
        }
        let mut annotations = OrderedMap::<OwnedKey, Value>::new();
        annotations.insert(
            OwnedKey::Symbol(Symbol::from("x-opt-partition-key")),
            Value::String("cont-00042".into()),
        );
        annotations.insert(
            OwnedKey::Symbol(Symbol::from("x-opt-sequence-number")),
            Value::Long(-1),
        );
        Message::builder()
            .header(Header {
                durable: true,
                ..Default::default()
            })
            .message_annotations(MessageAnnotations(annotations))
            .properties(Properties {
                content_type: Some(Symbol::from("avro/binary+v1")),
                ..Default::default()
            })
            .application_properties(ApplicationProperties(properties))
            .body(Body::<Value>::Data(Batch::new(vec![Data(Binary::from(
                b"\x02\x00avro".to_vec(),
            ))])))
            .build()
    }

    fn stats() -> PartitionStats {
        PartitionStats {
            begin_sequence_number: 0,
            last_sequence_number: 99,
            last_offset: 12_345,
            last_enqueued_ms: 1_765_000_001_000,
            is_empty: false,
            end_offset: 13_000,
        }
    }

    #[test]
    fn the_bytes_are_what_the_decoded_delivery_encodes_to() {
        let bare = Message::builder()
            .body(Body::<Value>::Data(Batch::new(vec![Data(Binary::from(
                b"plain".to_vec(),
            ))])))
            .build();
        for message in [cloud_event(), bare] {
            for key in [Some("cont-00042"), None] {
                let event = stored(&message, key);
                for metrics in [None, Some(stats())] {
                    let bytes = delivered_bytes(&event, metrics.as_ref(), 1_765_000_002_000)
                        .expect("readable");
                    let reference =
                        delivered(&event, metrics.as_ref(), 1_765_000_002_000).expect("decodable");
                    assert_eq!(bytes, encode(&reference).expect("encodable"));
                    assert_eq!(decode(&bytes).expect("decodable"), reference);
                }
            }
        }
    }

    #[test]
    fn a_section_with_a_symbolic_descriptor_is_left_to_the_decoding_path() {
        // An amqp-value section described by its symbol instead of its code.
        let mut bytes = vec![0x00, 0xa3, 0x15];
        bytes.extend_from_slice(b"amqp:amqp-value:*    ");
        bytes.extend_from_slice(&[0xa1, 0x02, b'h', b'i']);
        let event = StoredEvent {
            message: bytes.into(),
            ..stored(&cloud_event(), None)
        };
        assert_eq!(delivered_bytes(&event, None, 0), None);
    }
}
