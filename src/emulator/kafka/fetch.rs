//! Fetch: records from the partition logs, offsets being sequence numbers (docs/kafka.md).
//! A fetch that finds fewer than `min_bytes` waits, up to `max_wait_ms`, for new events.
//! Listen is required.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::future::select_all;
use kafka_protocol::ResponseError;
use kafka_protocol::messages::fetch_response::{FetchableTopicResponse, PartitionData};
use kafka_protocol::messages::{FetchRequest, FetchResponse};
use kafka_protocol::records::{Compression, RecordBatchEncoder, RecordEncodeOptions};

use crate::emulator::config::Rights;
use crate::emulator::store::{PartitionLog, Start};

use super::Broker;
use super::interop::to_kafka;
use super::metadata::resolve;
use super::session::Session;

/// Longer waits are cut here: clients ask for at most a few seconds, and a connection blocked
/// in a fetch serves nothing else.
const MAX_WAIT: Duration = Duration::from_secs(10);
const MAX_EVENTS_PER_PARTITION: usize = 10_000;

struct Wanted {
    topic: usize,
    partition: i32,
    log: Result<Arc<PartitionLog>, ResponseError>,
    fetch_offset: i64,
    max_bytes: usize,
}

pub async fn handle(broker: &Broker, session: &Session, request: FetchRequest) -> FetchResponse {
    let mut response = FetchResponse::default();
    let mut wanted = Vec::new();
    for (topic_index, topic) in request.topics.iter().enumerate() {
        let hub = resolve(broker, session, &topic.topic.0, Rights::can_listen);
        let mut answer = FetchableTopicResponse::default();
        answer.topic = topic.topic.clone();
        response.responses.push(answer);
        for partition in &topic.partitions {
            let log = hub.and_then(|hub| {
                broker
                    .store
                    .partition(
                        &session.namespace,
                        &hub.name,
                        &partition.partition.to_string(),
                    )
                    .cloned()
                    .ok_or(ResponseError::UnknownTopicOrPartition)
            });
            wanted.push(Wanted {
                topic: topic_index,
                partition: partition.partition,
                log,
                fetch_offset: partition.fetch_offset,
                max_bytes: usize::try_from(partition.partition_max_bytes).unwrap_or(0),
            });
        }
    }
    let wait = Duration::from_millis(u64::try_from(request.max_wait_ms).unwrap_or(0)).min(MAX_WAIT);
    let deadline = tokio::time::Instant::now() + wait;
    let min_bytes = usize::try_from(request.min_bytes).unwrap_or(0);
    let max_bytes = usize::try_from(request.max_bytes).unwrap_or(usize::MAX);
    loop {
        // Subscribe before reading, so an append between the read and the wait still wakes us.
        let mut watches: Vec<_> = wanted
            .iter()
            .filter_map(|w| w.log.as_ref().ok().map(|log| log.subscribe()))
            .collect();
        let (partitions, bytes, errors) = read_all(&wanted, max_bytes);
        let now = tokio::time::Instant::now();
        if bytes >= min_bytes.max(1) || errors || now >= deadline || watches.is_empty() {
            for (topic, data) in partitions {
                response.responses[topic].partitions.push(data);
            }
            return response;
        }
        let changed = select_all(watches.iter_mut().map(|w| Box::pin(w.changed())));
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            // Timed out: one more read answers with whatever arrived at the last moment.
            let (partitions, _, _) = read_all(&wanted, max_bytes);
            for (topic, data) in partitions {
                response.responses[topic].partitions.push(data);
            }
            return response;
        }
    }
}

/// Each partition's answer, the record bytes in all, and whether any partition failed.
fn read_all(wanted: &[Wanted], max_bytes: usize) -> (Vec<(usize, PartitionData)>, usize, bool) {
    let mut total = 0usize;
    let mut errors = false;
    let mut out = Vec::with_capacity(wanted.len());
    for want in wanted {
        let mut data = PartitionData::default();
        data.partition_index = want.partition;
        data.high_watermark = -1;
        data.last_stable_offset = -1;
        data.log_start_offset = -1;
        data.preferred_read_replica = kafka_protocol::messages::BrokerId(-1);
        let budget = want.max_bytes.min(max_bytes.saturating_sub(total));
        match want
            .log
            .as_ref()
            .map_err(|e| *e)
            .and_then(|log| read_one(log, want.fetch_offset, budget, &mut data))
        {
            Ok(bytes) => total += bytes,
            Err(error) => {
                data.error_code = error.code();
                errors = true;
            }
        }
        out.push((want.topic, data));
    }
    (out, total, errors)
}

fn read_one(
    log: &PartitionLog,
    fetch_offset: i64,
    budget: usize,
    data: &mut PartitionData,
) -> Result<usize, ResponseError> {
    let stats = log.stats();
    let high_watermark = stats.last_sequence_number + 1;
    data.high_watermark = high_watermark;
    data.last_stable_offset = high_watermark;
    data.log_start_offset = stats.begin_sequence_number;
    if fetch_offset < stats.begin_sequence_number || fetch_offset > high_watermark {
        return Err(ResponseError::OffsetOutOfRange);
    }
    if fetch_offset == high_watermark || budget == 0 {
        data.records = Some(Bytes::new());
        return Ok(0);
    }
    let storage = |error: std::io::Error| {
        tracing::error!(%error, "kafka fetch could not read the partition log");
        ResponseError::KafkaStorageError
    };
    let from = log
        .locate(&Start::Sequence {
            sequence_number: fetch_offset,
            inclusive: true,
        })
        .map_err(storage)?;
    let events = log
        .read(from, MAX_EVENTS_PER_PARTITION, budget)
        .map_err(storage)?;
    let records: Vec<_> = events.iter().map(to_kafka).collect();
    let mut encoded = BytesMut::new();
    let options = RecordEncodeOptions {
        version: 2,
        compression: Compression::None,
    };
    RecordBatchEncoder::encode(&mut encoded, records.iter(), &options).map_err(|error| {
        tracing::error!(%error, "cannot encode a kafka record batch");
        ResponseError::UnknownServerError
    })?;
    let len = encoded.len();
    data.records = Some(encoded.freeze());
    Ok(len)
}
