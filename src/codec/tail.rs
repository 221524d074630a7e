//! Decoding a live tail's events: [`TailEvent`] keeps application properties as text, which
//! the AMQP binding allows (canonical string forms must be accepted).

use std::collections::HashMap;

use crate::model::TailEvent;

use super::cloudevents::{PropertyValue, is_structured};
use super::event::{Data, DecodeOptions, DecodedEvent, EventInput, Headers, body, decode_event};
use super::schemas::SchemaLookup;

/// Decodes one tail event; its raw body stays in the event.
pub fn decode_tail_event(event: &TailEvent, options: &DecodeOptions) -> DecodedEvent {
    let properties = borrowed(&event.properties);
    decode_borrowed(
        event.content_type.as_deref(),
        &properties,
        &event.body,
        options,
    )
}

/// Decodes one tail event with the writer schemas of `schemas` and no reader schema.
pub fn decode_with_schemas(event: &TailEvent, schemas: &dyn SchemaLookup) -> DecodedEvent {
    let properties = borrowed(&event.properties);
    decode_parts(
        event.content_type.as_deref(),
        &properties,
        &event.body,
        schemas,
    )
}

/// The same from borrowed parts, as the console's packed tail buffer holds them: the body is
/// read where it lies, not copied out for each row drawn.
pub fn decode_parts(
    content_type: Option<&str>,
    properties: &[(&str, &str)],
    body: &[u8],
    schemas: &dyn SchemaLookup,
) -> DecodedEvent {
    let readers = HashMap::new();
    let options = DecodeOptions {
        schemas,
        readers: &readers,
    };
    decode_borrowed(content_type, properties, body, &options)
}

fn borrowed(properties: &[(String, String)]) -> Vec<(&str, &str)> {
    properties
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Every tail decode goes through here, whichever way its parts are held.
fn decode_borrowed(
    content_type: Option<&str>,
    properties: &[(&str, &str)],
    body: &[u8],
    options: &DecodeOptions,
) -> DecodedEvent {
    // An event a Kafka producer sent with CloudEvents' Kafka binding: `ce_*` headers, which
    // reach AMQP as application properties (their text, see connect/received.rs).
    let kafka_binding = properties
        .iter()
        .any(|(k, _)| super::cloudevents::is_kafka_attribute(k));
    if kafka_binding {
        let headers: Vec<(String, Vec<u8>)> = properties
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
            .collect();
        let content_type = content_type.or_else(|| {
            properties
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| *v)
        });
        return decode_event(
            &EventInput {
                content_type,
                headers: Headers::Kafka(&headers),
                body,
            },
            options,
        );
    }
    let properties: Vec<(String, PropertyValue)> = properties
        .iter()
        .map(|(k, v)| ((*k).to_owned(), PropertyValue::String((*v).to_owned())))
        .collect();
    decode_event(
        &EventInput {
            content_type,
            headers: Headers::Amqp(&properties),
            body,
        },
        options,
    )
}

/// Only the data of one tail event (what a search expression reads): a binary-mode event's
/// body is decoded without its attributes or the mandate check.
pub fn data_with_schemas(event: &TailEvent, schemas: &dyn SchemaLookup) -> Data {
    let readers = HashMap::new();
    let options = DecodeOptions {
        schemas,
        readers: &readers,
    };
    if is_structured(event.content_type.as_deref()) {
        return decode_tail_event(event, &options).data;
    }
    body(event.content_type.as_deref(), &event.body, &options).data
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::codec::schemas::SchemaCache;
    use crate::model::CloudEventAttributes;

    #[test]
    fn a_kafka_binding_cloud_event_decodes_from_its_properties() {
        // What a Kafka producer's `ce_*` headers look like once read over AMQP.
        let event = TailEvent {
            enqueued_time: OffsetDateTime::UNIX_EPOCH,
            partition: "0".into(),
            sequence: 0,
            offset: "0".into(),
            cloud_event: CloudEventAttributes::default(),
            content_type: None,
            properties: vec![
                ("ce_specversion".into(), "1.0".into()),
                ("ce_id".into(), "k-1".into()),
                ("ce_type".into(), "com.example.sale".into()),
                ("ce_source".into(), "/shop".into()),
                ("content-type".into(), "application/json".into()),
            ],
            annotations: Vec::new(),
            body: br#"{"amount":1}"#.to_vec(),
        };
        let decoded = decode_with_schemas(&event, &SchemaCache::complete());
        let cloud_event = decoded.cloud_event.expect("a CloudEvent");
        assert_eq!(cloud_event.text("id"), Some("k-1"));
        assert_eq!(cloud_event.text("type"), Some("com.example.sale"));
        assert_eq!(
            cloud_event.text("datacontenttype"),
            Some("application/json")
        );
    }
}
