//! Any bytes as a structured-mode CloudEvent (its data_base64 decoded by its own
//! datacontenttype), then as Kafka headers.
#![no_main]

use std::sync::OnceLock;

use ehops_fuzz::codec::cloudevents::from_kafka;
use ehops_fuzz::codec::{DecodeOptions, EventInput, Headers, decode_event};
use ehops_fuzz::{Fixture, fixture};
use libfuzzer_sys::fuzz_target;

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let fixture = FIXTURE.get_or_init(fixture);
    let decoded = decode_event(
        &EventInput {
            content_type: Some("application/cloudevents+json; charset=utf-8"),
            headers: Headers::Kafka(&[]),
            body: data,
        },
        &DecodeOptions { schemas: &fixture.cache, readers: &fixture.readers },
    );
    let _ = serde_json::to_string(&decoded.data.to_json());
    let headers: Vec<(String, Vec<u8>)> = data
        .split(|b| *b == b'\n')
        .filter_map(|line| {
            let at = line.iter().position(|b| *b == b'=')?;
            Some((String::from_utf8_lossy(&line[..at]).into_owned(), line[at + 1..].to_vec()))
        })
        .collect();
    let _ = from_kafka(&headers);
});
