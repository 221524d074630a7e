//! OffsetCommit and OffsetFetch over the durable offsets (`offsets.rs`). A commit names hubs,
//! so it needs Listen on each; an empty group takes commits from anyone (generation -1), which
//! is how `ehops reset` and `kafka-consumer-groups --reset-offsets` set positions.

use kafka_protocol::ResponseError;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponsePartition, OffsetFetchResponseTopic,
};
use kafka_protocol::messages::{
    OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest, OffsetFetchResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use crate::emulator::config::Rights;

use super::Broker;
use super::metadata::resolve;
use super::offsets::Committed;
use super::session::Session;

pub fn commit(
    broker: &Broker,
    session: &Session,
    request: &OffsetCommitRequest,
) -> OffsetCommitResponse {
    let group = request.group_id.0.as_str();
    let allowed = if session.may_consume() {
        broker.groups.may_commit(
            &session.namespace,
            group,
            request.generation_id_or_member_epoch,
            &request.member_id,
        )
    } else {
        Err(ResponseError::GroupAuthorizationFailed)
    };
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let mut to_store = Vec::new();
    let mut response = OffsetCommitResponse::default();
    // Errors per partition first; what passes is stored in one durable write.
    let mut stored_at = Vec::new();
    for topic in &request.topics {
        let hub =
            allowed.and_then(|()| resolve(broker, session, &topic.name.0, Rights::can_listen));
        let mut answer = OffsetCommitResponseTopic::default();
        answer.name = topic.name.clone();
        for partition in &topic.partitions {
            let mut result = OffsetCommitResponsePartition::default();
            result.partition_index = partition.partition_index;
            match hub {
                Ok(hub)
                    if u32::try_from(partition.partition_index)
                        .is_ok_and(|p| p < hub.partitions) =>
                {
                    to_store.push((
                        (hub.name.clone(), partition.partition_index),
                        Committed {
                            offset: partition.committed_offset,
                            metadata: partition.committed_metadata.as_ref().map(|m| m.to_string()),
                            commit_ms: now_ms,
                        },
                    ));
                    stored_at.push((response.topics.len(), answer.partitions.len()));
                }
                Ok(_) => result.error_code = ResponseError::UnknownTopicOrPartition.code(),
                Err(error) => result.error_code = error.code(),
            }
            answer.partitions.push(result);
        }
        response.topics.push(answer);
    }
    if !to_store.is_empty()
        && let Err(error) = broker.offsets.commit(&session.namespace, group, to_store)
    {
        tracing::error!(%error, group, "cannot store kafka offsets");
        for (topic, partition) in stored_at {
            response.topics[topic].partitions[partition].error_code =
                ResponseError::KafkaStorageError.code();
        }
    }
    response
}

pub fn fetch(
    broker: &Broker,
    session: &Session,
    request: &OffsetFetchRequest,
    version: i16,
) -> OffsetFetchResponse {
    let mut response = OffsetFetchResponse::default();
    if !session.may_consume() {
        response.error_code = ResponseError::GroupAuthorizationFailed.code();
        return response;
    }
    let committed = broker
        .offsets
        .group(&session.namespace, &request.group_id.0);
    let partition = |index: i32, found: Option<&Committed>, error: Option<ResponseError>| {
        let mut p = OffsetFetchResponsePartition::default();
        p.partition_index = index;
        p.committed_offset = found.map_or(-1, |c| c.offset);
        p.committed_leader_epoch = -1;
        p.metadata = Some(StrBytes::from_string(
            found.and_then(|c| c.metadata.clone()).unwrap_or_default(),
        ));
        p.error_code = error.map_or(0, |e| e.code());
        p
    };
    match &request.topics {
        // v2+: no topics means every committed offset of the group.
        None if version >= 2 => {
            let mut by_topic: Vec<OffsetFetchResponseTopic> = Vec::new();
            for ((topic, index), found) in &committed {
                if !session.may(topic, Rights::can_listen) {
                    continue;
                }
                if by_topic.last().is_none_or(|t| t.name.0.as_str() != topic) {
                    let mut t = OffsetFetchResponseTopic::default();
                    t.name = TopicName(StrBytes::from_string(topic.clone()));
                    by_topic.push(t);
                }
                if let Some(t) = by_topic.last_mut() {
                    t.partitions.push(partition(*index, Some(found), None));
                }
            }
            response.topics = by_topic;
        }
        None => {}
        Some(topics) => {
            for topic in topics {
                let hub = resolve(broker, session, &topic.name.0, Rights::can_listen);
                let mut answer = OffsetFetchResponseTopic::default();
                answer.name = topic.name.clone();
                for index in &topic.partition_indexes {
                    answer.partitions.push(match hub {
                        Ok(hub) => {
                            partition(*index, committed.get(&(hub.name.clone(), *index)), None)
                        }
                        Err(error) => partition(*index, None, Some(error)),
                    });
                }
                response.topics.push(answer);
            }
        }
    }
    response
}
