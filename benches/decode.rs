//! Decode throughput on one core for the demo's Avro CloudEvents: the payloads the demo's
//! producers publish (every event kind, in proportion to how often each happens), decoded
//! against their writer schemas from a schema cache.
//! - `avro_datum`: schema lookup by id and the Avro datum into values; the figure compared
//!   with fastavro's `schemaless_reader` on the same payloads by `scripts/bench-decode.sh`.
//! - `avro_datum_apache`: the same datums through `apache-avro`'s `GenericDatumReader` (the
//!   design card's library), readers built once per schema: the side-by-side figure that
//!   decides whether the hand-written decoder keeps its place (README, "Dependencies").
//! - `event_to_json`: the whole event as the tail will show it: CloudEvents attributes from
//!   the application properties, the datum, the mandate check, the data as a JSON string.
//!
//! With `EHOPS_DECODE_PAYLOADS=FILE` the payloads are also written to FILE (JSON: schemas by
//! id, then `[id, base64]` pairs) for the Python side.

use std::collections::HashMap;
use std::hint::black_box;

use base64::Engine;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ehops::codec::avro::decode_datum;
use ehops::codec::cloudevents::PropertyValue;
use ehops::codec::{
    DecodeOptions, EventInput, Headers, Lookup, SchemaCache, SchemaLookup, decode_event,
};
use ehops::emulator::demo::avro::encode_record;
use ehops::emulator::demo::events::KINDS;
use ehops::emulator::demo::random::Rng;

const EVENTS: usize = 10_000;

struct Payload {
    schema_id: String,
    content_type: String,
    properties: Vec<(String, PropertyValue)>,
    body: Vec<u8>,
}

fn payloads() -> (SchemaCache, Vec<Payload>) {
    let mut rng = Rng::seeded(42);
    let mut cache = SchemaCache::complete();
    for kind in &KINDS {
        if let Err(error) = cache.insert_text(&kind.schema.id(), kind.schema.text) {
            panic!("{}: {error}", kind.schema.file);
        }
    }
    let total: u64 = KINDS.iter().map(|k| u64::from(k.weight)).sum();
    let now = 1_790_000_000_000;
    let payloads = (0..EVENTS)
        .map(|i| {
            let mut pick = rng.next_u64() % total;
            let kind = KINDS
                .iter()
                .find(|k| {
                    let hit = pick < u64::from(k.weight);
                    pick = pick.saturating_sub(u64::from(k.weight));
                    hit
                })
                .unwrap_or(&KINDS[0]);
            let event = kind.generate(&mut rng, now + i as i64);
            let schema_id = kind.schema.id();
            let properties = [
                ("specversion", "1.0".to_owned()),
                ("id", format!("bench-{i}")),
                ("source", kind.source.to_owned()),
                ("type", kind.ce_type.to_owned()),
                ("subject", event.subject.clone()),
                ("time", "2026-09-21T12:00:00Z".to_owned()),
            ]
            .into_iter()
            .map(|(k, v)| (format!("cloudEvents_{k}"), PropertyValue::String(v)))
            .collect();
            Payload {
                content_type: format!("avro/binary+{schema_id}"),
                schema_id,
                properties,
                body: encode_record(kind.schema, &event.fields).expect("the demo's records encode"),
            }
        })
        .collect();
    (cache, payloads)
}

fn write_payloads(path: &str, payloads: &[Payload]) {
    let schemas: HashMap<String, &str> = KINDS
        .iter()
        .map(|k| (k.schema.id(), k.schema.text))
        .collect();
    let pairs: Vec<(&str, String)> = payloads
        .iter()
        .map(|p| {
            (
                p.schema_id.as_str(),
                base64::engine::general_purpose::STANDARD.encode(&p.body),
            )
        })
        .collect();
    let file = serde_json::json!({ "schemas": schemas, "payloads": pairs });
    if let Err(error) = std::fs::write(path, file.to_string()) {
        panic!("cannot write {path}: {error}");
    }
}

fn bench(c: &mut Criterion) {
    let (cache, payloads) = payloads();
    if let Ok(path) = std::env::var("EHOPS_DECODE_PAYLOADS") {
        write_payloads(&path, &payloads);
    }
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(payloads.len() as u64));
    group.bench_function("avro_datum", |b| {
        b.iter(|| {
            for payload in &payloads {
                let Lookup::Found(schema) = cache.lookup(&payload.schema_id) else {
                    panic!("schema {} is loaded", payload.schema_id);
                };
                black_box(decode_datum(&schema, black_box(&payload.body)).is_ok());
            }
        });
    });
    let apache_schemas: HashMap<String, apache_avro::Schema> = KINDS
        .iter()
        .map(|k| {
            let schema = apache_avro::Schema::parse_str(k.schema.text)
                .unwrap_or_else(|e| panic!("{}: {e}", k.schema.file));
            (k.schema.id(), schema)
        })
        .collect();
    let apache_readers: HashMap<&str, apache_avro::reader::datum::GenericDatumReader<'_>> =
        apache_schemas
            .iter()
            .map(|(id, schema)| {
                let reader = apache_avro::reader::datum::GenericDatumReader::builder(schema)
                    .build()
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                (id.as_str(), reader)
            })
            .collect();
    group.bench_function("avro_datum_apache", |b| {
        b.iter(|| {
            for payload in &payloads {
                let Some(reader) = apache_readers.get(payload.schema_id.as_str()) else {
                    panic!("schema {} is loaded", payload.schema_id);
                };
                let mut body = black_box(&payload.body[..]);
                black_box(reader.read_value(&mut body).is_ok());
            }
        });
    });
    let readers = HashMap::new();
    let options = DecodeOptions {
        schemas: &cache,
        readers: &readers,
    };
    group.bench_function("event_to_json", |b| {
        b.iter(|| {
            for payload in &payloads {
                let decoded = decode_event(
                    &EventInput {
                        content_type: Some(&payload.content_type),
                        headers: Headers::Amqp(&payload.properties),
                        body: black_box(&payload.body),
                    },
                    &options,
                );
                black_box(serde_json::to_string(&decoded.data).map(|s| s.len()).ok());
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
