//! Decoding a live tail's events: [`TailEvent`] keeps application properties as text, which
//! the AMQP binding allows (canonical string forms must be accepted).

use crate::model::TailEvent;

use super::cloudevents::PropertyValue;
use super::event::{DecodeOptions, DecodedEvent, EventInput, Headers, decode_event};

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

pub fn text_properties(properties: &[(String, String)]) -> Vec<(String, PropertyValue)> {
    properties
        .iter()
        .map(|(k, v)| (k.clone(), PropertyValue::String(v.clone())))
        .collect()
}
