//! The cost of the Kafka endpoint's length guard (`emulator/kafka/length_guard.rs`): request
//! frames decoded as the endpoint decodes them (`decode_request`: the guarded first pass, and
//! a second pass when a 32-bit value exceeded the bytes left) beside the `kafka-protocol`
//! crate's own `RequestKind::decode` on the same frames, which is unsafe on hostile input.
//! - `fetch_v12`: a consumer's long poll (one topic, four partitions; `max_bytes` 50 MB and
//!   the wait exceed the frame, so the guard decodes twice).
//! - `produce_v9`: a producer's batch of 100 records of 256 bytes (one pass).
//! - `metadata_v12`: a metadata refresh of three topics (one pass).

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{Criterion, criterion_group, criterion_main};
use ehops::emulator::kafka::decode_request;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    ApiKey, FetchRequest, MetadataRequest, ProduceRequest, RequestHeader, RequestKind, TopicName,
};
use kafka_protocol::protocol::{Encodable, StrBytes};
use kafka_protocol::records::{
    Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};

fn frame(key: ApiKey, version: i16, body: &impl Encodable) -> Bytes {
    let mut out = BytesMut::new();
    RequestHeader::default()
        .with_request_api_key(key as i16)
        .with_request_api_version(version)
        .with_correlation_id(1)
        .with_client_id(Some(StrBytes::from_static_str("bench")))
        .encode(&mut out, key.request_header_version(version))
        .expect("header");
    body.encode(&mut out, version).expect("body");
    out.freeze()
}

fn topic(name: &'static str) -> TopicName {
    TopicName(StrBytes::from_static_str(name))
}

fn fetch() -> Bytes {
    let partitions = (0..4)
        .map(|p| {
            FetchPartition::default()
                .with_partition(p)
                .with_fetch_offset(1_000)
                .with_partition_max_bytes(1_048_576)
        })
        .collect();
    let request = FetchRequest::default()
        .with_max_wait_ms(500)
        .with_min_bytes(1)
        .with_max_bytes(52_428_800)
        .with_topics(vec![
            FetchTopic::default()
                .with_topic(topic("orders"))
                .with_partitions(partitions),
        ]);
    frame(ApiKey::Fetch, 12, &request)
}

fn produce() -> Bytes {
    let records: Vec<Record> = (0..100)
        .map(|i| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: 0,
            producer_id: -1,
            producer_epoch: -1,
            timestamp_type: TimestampType::Creation,
            offset: i,
            sequence: -1,
            timestamp: 0,
            key: None,
            value: Some(Bytes::from(vec![b'x'; 256])),
            headers: Default::default(),
        })
        .collect();
    let mut batch = BytesMut::new();
    let options = RecordEncodeOptions {
        version: 2,
        compression: Compression::None,
    };
    RecordBatchEncoder::encode(&mut batch, &records, &options).expect("batch");
    let request = ProduceRequest::default()
        .with_acks(-1)
        .with_timeout_ms(30_000)
        .with_topic_data(vec![
            TopicProduceData::default()
                .with_name(topic("orders"))
                .with_partition_data(vec![
                    PartitionProduceData::default()
                        .with_index(0)
                        .with_records(Some(batch.freeze())),
                ]),
        ]);
    frame(ApiKey::Produce, 9, &request)
}

fn metadata() -> Bytes {
    let topics = ["orders", "sale", "account"]
        .map(|name| MetadataRequestTopic::default().with_name(Some(topic(name))))
        .to_vec();
    frame(
        ApiKey::Metadata,
        12,
        &MetadataRequest::default().with_topics(Some(topics)),
    )
}

fn bench(c: &mut Criterion) {
    for (name, key, version, frame) in [
        ("fetch_v12", ApiKey::Fetch, 12, fetch()),
        ("produce_v9", ApiKey::Produce, 9, produce()),
        ("metadata_v12", ApiKey::Metadata, 12, metadata()),
    ] {
        let mut group = c.benchmark_group(name);
        group.bench_function("guarded", |b| {
            b.iter(|| decode_request(black_box(frame.clone())).expect("decodes"))
        });
        group.bench_function("crate_alone", |b| {
            b.iter(|| {
                let mut body = black_box(frame.clone());
                kafka_protocol::protocol::decode_request_header_from_buffer(&mut body)
                    .expect("header");
                RequestKind::decode(key, &mut body, version).expect("decodes")
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
