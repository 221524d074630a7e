//! Any body, with the first byte choosing the content type: an Azure encoder content type
//! naming one of the fixture's schemas, none (so preambles and Confluent framing are
//! detected from the body), or an opaque type. Decoding must return, never panic or hang.
#![no_main]

use std::sync::OnceLock;

use ehops_fuzz::codec::cloudevents::PropertyValue;
use ehops_fuzz::codec::{DecodeOptions, EventInput, Headers, decode_event};
use ehops_fuzz::{Fixture, fixture};
use libfuzzer_sys::fuzz_target;

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let fixture = FIXTURE.get_or_init(fixture);
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = match usize::from(selector) % (fixture.ids.len() + 2) {
        i if i < fixture.ids.len() => Some(format!("avro/binary+{}", fixture.ids[i])),
        i if i == fixture.ids.len() => None,
        _ => Some("application/octet-stream".to_owned()),
    };
    let properties = [("cloudEvents_id".to_owned(), PropertyValue::String("x".to_owned()))];
    let decoded = decode_event(
        &EventInput { content_type: content_type.as_deref(), headers: Headers::Amqp(&properties), body },
        &DecodeOptions { schemas: &fixture.cache, readers: &fixture.readers },
    );
    let _ = serde_json::to_string(&decoded.data.to_json());
});
