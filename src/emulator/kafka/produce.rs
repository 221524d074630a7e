//! Produce: each partition's records are stored as AMQP events (`interop.rs`) in one atomic,
//! durable append before the response acknowledges them. Send is required.

use bytes::Bytes;
use kafka_protocol::ResponseError;
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::{ProduceRequest, ProduceResponse};
use kafka_protocol::protocol::StrBytes;

use crate::emulator::amqp::message::MAX_MESSAGE_BYTES;
use crate::emulator::config::Rights;
use crate::emulator::store::NewEvent;

use super::Broker;
use super::metadata::resolve;
use super::records::{self, Refusal};
use super::session::Session;

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
    let sets = records::decode(records.unwrap_or_default())?;
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
