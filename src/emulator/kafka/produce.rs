//! Produce: each partition's records are stored as AMQP events (`interop.rs`) in one atomic,
//! durable append before the response acknowledges them. Send is required.

use bytes::Bytes;
use kafka_protocol::ResponseError;
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::{ProduceRequest, ProduceResponse};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::RecordBatchDecoder;

use crate::emulator::amqp::message::MAX_MESSAGE_BYTES;
use crate::emulator::config::Rights;
use crate::emulator::store::NewEvent;

use super::Broker;
use super::metadata::resolve;
use super::session::Session;

/// Offset of the record count in a v2 record batch header, and the header's length.
const COUNT_AT: usize = 57;
const HEADER_LEN: usize = 61;
/// The smallest encoding of one record (length, attributes, three varints, two lengths,
/// header count).
const MIN_RECORD_BYTES: usize = 7;
/// A compressed batch may hold more records than bytes, but no more than fit in an Event Hubs
/// batch of 1 MiB.
const MAX_COMPRESSED_RECORDS: usize = MAX_MESSAGE_BYTES / MIN_RECORD_BYTES;

pub async fn handle(
    broker: &Broker,
    session: &Session,
    request: ProduceRequest,
) -> ProduceResponse {
    let mut response = ProduceResponse::default();
    for topic in request.topic_data {
        let hub = resolve(broker, session, &topic.name.0, Rights::can_send);
        let mut answer = TopicProduceResponse::default();
        answer.name = topic.name.clone();
        for partition in topic.partition_data {
            let mut result = PartitionProduceResponse::default();
            result.index = partition.index;
            result.base_offset = -1;
            result.log_append_time_ms = -1;
            result.log_start_offset = -1;
            let outcome = match &hub {
                Ok(hub) => {
                    append(
                        broker,
                        session,
                        &hub.name,
                        partition.index,
                        partition.records,
                    )
                    .await
                }
                Err(error) => Err((*error, None)),
            };
            match outcome {
                Ok((base_offset, append_ms, log_start)) => {
                    result.base_offset = base_offset;
                    result.log_append_time_ms = append_ms;
                    result.log_start_offset = log_start;
                }
                Err((error, message)) => {
                    result.error_code = error.code();
                    result.error_message = message.map(StrBytes::from_string);
                }
            }
            answer.partition_responses.push(result);
        }
        response.responses.push(answer);
    }
    response
}

type Refusal = (ResponseError, Option<String>);

/// Stores one partition's records; answers the base offset, append time and log start.
async fn append(
    broker: &Broker,
    session: &Session,
    hub: &str,
    partition: i32,
    records: Option<Bytes>,
) -> Result<(i64, i64, i64), Refusal> {
    let log = broker
        .store
        .partition(&session.namespace, hub, &partition.to_string())
        .ok_or((ResponseError::UnknownTopicOrPartition, None))?;
    let mut records = records.unwrap_or_default();
    check_batches(&records)?;
    let sets = RecordBatchDecoder::decode_all(&mut records)
        .map_err(|e| (ResponseError::CorruptMessage, Some(e.to_string())))?;
    let mut events = Vec::new();
    for record in sets.iter().flat_map(|set| &set.records) {
        let message = super::interop::to_amqp(record)
            .map_err(|e| (ResponseError::CorruptMessage, Some(e)))?;
        if message.len() > MAX_MESSAGE_BYTES {
            return Err((
                ResponseError::MessageTooLarge,
                Some(format!(
                    "The record is {} bytes as an event; the limit is {MAX_MESSAGE_BYTES}",
                    message.len()
                )),
            ));
        }
        events.push(NewEvent {
            partition_key: None,
            message: Bytes::from(message),
        });
    }
    if events.is_empty() {
        let stats = log.stats();
        return Ok((
            stats.last_sequence_number + 1,
            -1,
            stats.begin_sequence_number,
        ));
    }
    let appended = log.append(events).await.map_err(|e| {
        tracing::error!(error = %e, hub, partition, "kafka append failed");
        (ResponseError::KafkaStorageError, Some(e.to_string()))
    })?;
    let first = appended
        .first()
        .ok_or((ResponseError::UnknownServerError, None))?;
    Ok((
        first.sequence_number,
        first.enqueued_ms,
        log.stats().begin_sequence_number,
    ))
}

/// Walks the v2 batch headers before the crate decodes them: it reserves room for as many
/// records as a header claims, so a claim the bytes cannot hold is refused here.
fn check_batches(records: &[u8]) -> Result<(), Refusal> {
    let corrupt = |what: &str| (ResponseError::CorruptMessage, Some(what.to_string()));
    let mut at = 0;
    while at < records.len() {
        let header = records
            .get(at..at + HEADER_LEN)
            .ok_or_else(|| corrupt("a record batch ends inside its header"))?;
        let batch_len = i32::from_be_bytes([header[8], header[9], header[10], header[11]]);
        let magic = header[16];
        let compression = header[22] & 0x07;
        let count = i32::from_be_bytes([
            header[COUNT_AT],
            header[COUNT_AT + 1],
            header[COUNT_AT + 2],
            header[COUNT_AT + 3],
        ]);
        let batch_len = usize::try_from(batch_len).map_err(|_| corrupt("negative batch length"))?;
        let count = usize::try_from(count).map_err(|_| corrupt("negative record count"))?;
        if magic != 2 {
            return Err((
                ResponseError::UnsupportedForMessageFormat,
                Some("only record batches (magic 2) are accepted".into()),
            ));
        }
        if compression > 1 {
            return Err((
                ResponseError::UnsupportedCompressionType,
                Some("the emulator accepts uncompressed and gzip batches".into()),
            ));
        }
        let limit = if compression == 0 {
            batch_len / MIN_RECORD_BYTES
        } else {
            MAX_COMPRESSED_RECORDS
        };
        if count > limit {
            return Err(corrupt("a batch claims more records than it can hold"));
        }
        at = at
            .checked_add(12 + batch_len)
            .ok_or_else(|| corrupt("batch length overflows"))?;
    }
    Ok(())
}
