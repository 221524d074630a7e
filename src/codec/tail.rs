//! Decoding a live tail's events: [`TailEvent`] keeps application properties as text, which
//! the AMQP binding allows (canonical string forms must be accepted).

use std::collections::HashMap;

use crate::model::TailEvent;

use super::cloudevents::{PropertyValue, is_structured};
use super::event::{Data, DecodeOptions, DecodedEvent, EventInput, Headers, body, decode_event};
use super::schemas::SchemaLookup;

/// Decodes one tail event; its raw body stays in the event.
pub fn decode_tail_event(event: &TailEvent, options: &DecodeOptions) -> DecodedEvent {
    let properties = text_properties(&event.properties);
    decode_event(
        &EventInput {
            content_type: event.content_type.as_deref(),
            headers: Headers::Amqp(&properties),
            body: &event.body,
        },
        options,
    )
}

/// Decodes one tail event with the writer schemas of `schemas` and no reader schema.
pub fn decode_with_schemas(event: &TailEvent, schemas: &dyn SchemaLookup) -> DecodedEvent {
    let readers = HashMap::new();
    decode_tail_event(
        event,
        &DecodeOptions {
            schemas,
            readers: &readers,
        },
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

pub fn text_properties(properties: &[(String, String)]) -> Vec<(String, PropertyValue)> {
    properties
        .iter()
        .map(|(k, v)| (k.clone(), PropertyValue::String(v.clone())))
        .collect()
}
