//! ListOffsets: earliest (-2), latest (-1), the newest record's (-3), or the first event
//! enqueued at or after a time, each as a sequence number (docs/kafka.md). Listen is required.

use kafka_protocol::ResponseError;
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::{ListOffsetsRequest, ListOffsetsResponse};

use crate::emulator::config::Rights;
use crate::emulator::store::{PartitionLog, Start};

use super::Broker;
use super::metadata::resolve;
use super::session::Session;

const LATEST: i64 = -1;
const EARLIEST: i64 = -2;
const MAX_TIMESTAMP: i64 = -3;

pub fn handle(
    broker: &Broker,
    session: &Session,
    request: &ListOffsetsRequest,
) -> ListOffsetsResponse {
    let mut response = ListOffsetsResponse::default();
    for topic in &request.topics {
        let hub = resolve(broker, session, &topic.name.0, Rights::can_listen);
        let mut answer = ListOffsetsTopicResponse::default();
        answer.name = topic.name.clone();
        for partition in &topic.partitions {
            let mut result = ListOffsetsPartitionResponse::default();
            result.partition_index = partition.partition_index;
            result.timestamp = -1;
            result.offset = -1;
            let found = hub.and_then(|hub| {
                let log = broker
                    .store
                    .partition(
                        &session.namespace,
                        &hub.name,
                        &partition.partition_index.to_string(),
                    )
                    .ok_or(ResponseError::UnknownTopicOrPartition)?;
                offset_for(log, partition.timestamp)
            });
            match found {
                Ok((offset, timestamp)) => {
                    result.offset = offset;
                    result.timestamp = timestamp;
                }
                Err(error) => result.error_code = error.code(),
            }
            answer.partitions.push(result);
        }
        response.topics.push(answer);
    }
    response
}

/// The offset (sequence number) and its event's time for a ListOffsets timestamp.
pub fn offset_for(log: &PartitionLog, timestamp: i64) -> Result<(i64, i64), ResponseError> {
    let stats = log.stats();
    let end = stats.last_sequence_number + 1;
    match timestamp {
        LATEST => Ok((end, -1)),
        EARLIEST => Ok((stats.begin_sequence_number, -1)),
        MAX_TIMESTAMP if stats.is_empty => Ok((-1, -1)),
        MAX_TIMESTAMP => Ok((stats.last_sequence_number, stats.last_enqueued_ms)),
        time if time >= 0 => {
            let storage = |_| ResponseError::KafkaStorageError;
            let from = log
                .locate(&Start::Enqueued {
                    unix_ms: time,
                    inclusive: true,
                })
                .map_err(storage)?;
            let first = log.read(from, 1, 1).map_err(storage)?;
            Ok(first
                .first()
                .map_or((-1, -1), |e| (e.sequence_number, e.enqueued_ms)))
        }
        _ => Err(ResponseError::InvalidRequest),
    }
}
