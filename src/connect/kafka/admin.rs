//! The group APIs ehops needs: list and describe Kafka consumer groups, read their committed
//! offsets and the partitions' offsets, and commit offsets for an empty group (a reset).
//! Versions are old ones every Event Hubs Kafka endpoint and Kafka broker serve.

use std::collections::BTreeMap;

use bytes::Bytes;
use kafka_protocol::ResponseError;
use kafka_protocol::error::ParseResponseErrorCode;
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::{
    ConsumerProtocolAssignment, DescribeGroupsRequest, GroupId, ListGroupsRequest,
    ListOffsetsRequest, OffsetCommitRequest, OffsetFetchRequest, TopicName,
};
use kafka_protocol::protocol::{Decodable, StrBytes};

use super::KafkaEndpoint;
use super::wire::KafkaConnection;
use crate::connect::error::{ConnectError, Failure};
use crate::model::{KafkaGroup, KafkaMember};

pub struct KafkaAdmin {
    connection: KafkaConnection,
}

fn refused(what: &str, code: i16) -> ConnectError {
    let error = code.err().unwrap_or(ResponseError::UnknownServerError);
    let failure = match error {
        ResponseError::GroupAuthorizationFailed
        | ResponseError::TopicAuthorizationFailed
        | ResponseError::ClusterAuthorizationFailed => Failure::Denied,
        ResponseError::UnknownTopicOrPartition | ResponseError::GroupIdNotFound => {
            Failure::NotFound
        }
        _ => Failure::Service,
    };
    ConnectError::new(
        failure,
        format!("{what}: the Kafka endpoint answered {error:?} ({code})"),
    )
}

fn name(text: &str) -> StrBytes {
    StrBytes::from_string(text.to_owned())
}

impl KafkaAdmin {
    pub async fn connect(endpoint: &KafkaEndpoint) -> Result<Self, ConnectError> {
        Ok(KafkaAdmin {
            connection: KafkaConnection::open(endpoint).await?,
        })
    }

    /// Every group the endpoint knows, with its state.
    pub async fn list_groups(&mut self) -> Result<Vec<String>, ConnectError> {
        let answer = self
            .connection
            .call(2, &ListGroupsRequest::default())
            .await?;
        if answer.error_code != 0 {
            return Err(refused("listing Kafka groups", answer.error_code));
        }
        let mut groups: Vec<String> = answer
            .groups
            .iter()
            .map(|g| g.group_id.0.to_string())
            .collect();
        groups.sort();
        Ok(groups)
    }

    pub async fn describe(&mut self, group: &str) -> Result<KafkaGroup, ConnectError> {
        let mut request = DescribeGroupsRequest::default();
        request.groups = vec![GroupId(name(group))];
        let answer = self.connection.call(1, &request).await?;
        let described = answer.groups.into_iter().next().ok_or_else(|| {
            refused(
                "describing a Kafka group",
                ResponseError::UnknownServerError.code(),
            )
        })?;
        if described.error_code != 0 {
            return Err(refused(
                &format!("describing Kafka group {group}"),
                described.error_code,
            ));
        }
        Ok(KafkaGroup {
            group_id: group.to_owned(),
            state: described.group_state.to_string(),
            members: described
                .members
                .into_iter()
                .map(|m| KafkaMember {
                    member_id: m.member_id.to_string(),
                    client_id: m.client_id.to_string(),
                    host: m.client_host.to_string(),
                    partitions: assigned(m.member_assignment),
                })
                .collect(),
        })
    }

    /// The group's committed offsets, `(topic, partition)` to the next offset to read.
    pub async fn committed(
        &mut self,
        group: &str,
    ) -> Result<BTreeMap<(String, i32), i64>, ConnectError> {
        let mut request = OffsetFetchRequest::default();
        request.group_id = GroupId(name(group));
        // v2+: no topics asks for every committed offset of the group.
        request.topics = None;
        let answer = self.connection.call(3, &request).await?;
        if answer.error_code != 0 {
            return Err(refused(
                &format!("reading Kafka group {group}'s offsets"),
                answer.error_code,
            ));
        }
        let mut committed = BTreeMap::new();
        for topic in answer.topics {
            for partition in topic.partitions {
                if partition.error_code == 0 && partition.committed_offset >= 0 {
                    committed.insert(
                        (topic.name.0.to_string(), partition.partition_index),
                        partition.committed_offset,
                    );
                }
            }
        }
        Ok(committed)
    }

    /// ListOffsets: -2 earliest, -1 latest, or a time in unix ms (the first offset at or after
    /// it; -1 when none is). Partition to offset.
    pub async fn offsets(
        &mut self,
        topic: &str,
        partitions: &[i32],
        timestamp: i64,
    ) -> Result<BTreeMap<i32, i64>, ConnectError> {
        let mut wanted = ListOffsetsTopic::default();
        wanted.name = TopicName(name(topic));
        wanted.partitions = partitions
            .iter()
            .map(|p| {
                let mut partition = ListOffsetsPartition::default();
                partition.partition_index = *p;
                partition.timestamp = timestamp;
                partition
            })
            .collect();
        let mut request = ListOffsetsRequest::default();
        request.replica_id = kafka_protocol::messages::BrokerId(-1);
        request.topics = vec![wanted];
        let answer = self.connection.call(1, &request).await?;
        let mut offsets = BTreeMap::new();
        for topic in answer.topics {
            for partition in topic.partitions {
                if partition.error_code != 0 {
                    return Err(refused(
                        &format!("reading {topic_name}'s offsets", topic_name = topic.name.0),
                        partition.error_code,
                    ));
                }
                offsets.insert(partition.partition_index, partition.offset);
            }
        }
        Ok(offsets)
    }

    /// Commits offsets for a group with no members (generation -1, no member id), as a reset
    /// does; a group with members refuses (UNKNOWN_MEMBER_ID).
    pub async fn commit(
        &mut self,
        group: &str,
        topic: &str,
        offsets: &BTreeMap<i32, i64>,
    ) -> Result<(), ConnectError> {
        let mut wanted = OffsetCommitRequestTopic::default();
        wanted.name = TopicName(name(topic));
        wanted.partitions = offsets
            .iter()
            .map(|(p, offset)| {
                let mut partition = OffsetCommitRequestPartition::default();
                partition.partition_index = *p;
                partition.committed_offset = *offset;
                partition.committed_metadata = Some(StrBytes::from_static_str("ehops reset"));
                partition
            })
            .collect();
        let mut request = OffsetCommitRequest::default();
        request.group_id = GroupId(name(group));
        request.generation_id_or_member_epoch = -1;
        request.retention_time_ms = -1;
        request.topics = vec![wanted];
        let answer = self.connection.call(2, &request).await?;
        for topic in answer.topics {
            for partition in topic.partitions {
                if partition.error_code != 0 {
                    return Err(refused(
                        &format!("committing Kafka group {group}'s offsets"),
                        partition.error_code,
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The partitions in a consumer's assignment (Kafka's ConsumerProtocolAssignment: a version,
/// then the topics); an assignment that does not decode assigns nothing.
fn assigned(mut bytes: Bytes) -> Vec<(String, i32)> {
    if bytes.len() < 2 {
        return Vec::new();
    }
    let version = i16::from_be_bytes([bytes[0], bytes[1]]);
    bytes = bytes.slice(2..);
    let Ok(assignment) = ConsumerProtocolAssignment::decode(&mut bytes, version.clamp(0, 3)) else {
        return Vec::new();
    };
    assignment
        .assigned_partitions
        .into_iter()
        .flat_map(|t| {
            let topic = t.topic.0.to_string();
            t.partitions.into_iter().map(move |p| (topic.clone(), p))
        })
        .collect()
}
