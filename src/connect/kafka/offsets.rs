//! A Kafka group's committed offsets as a [`CheckpointStore`], so the incident actions that
//! move an AMQP group past a poison event (dead-letter, checkpoint-on-error:
//! `ops::dead_letter`) move a Kafka group the same way, by committing past it. A Kafka offset
//! is a sequence number (docs/kafka.md): the committed offset `N` reads as a checkpoint at
//! `N - 1`, and a checkpoint at `S` is committed as offset `S + 1`.
//!
//! One store serves one group of one hub; the scope's consumer group is the label the actions
//! record (`G (kafka)`), not the group id. Kafka takes a commit from outside the group only
//! while the group has no members; the endpoint refuses it otherwise (UNKNOWN_MEMBER_ID).

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::KafkaAdmin;
use crate::connect::checkpoints::{
    CheckpointPosition, CheckpointScope, CheckpointStore, ConsumerState, FoundBlob, GroupPath,
};
use crate::connect::error::ConnectError;
use crate::model::Checkpoint;

pub struct KafkaOffsets {
    admin: Mutex<KafkaAdmin>,
    group: String,
}

impl std::fmt::Debug for KafkaOffsets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaOffsets")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl KafkaOffsets {
    pub fn new(admin: KafkaAdmin, group: &str) -> Self {
        Self {
            admin: Mutex::new(admin),
            group: group.to_owned(),
        }
    }

    /// The connection back, for more requests after the action.
    pub fn into_admin(self) -> KafkaAdmin {
        self.admin.into_inner()
    }
}

fn not_blobs() -> ConnectError {
    ConnectError::usage("a Kafka group keeps offsets in the service, not in checkpoint blobs")
}

#[async_trait::async_trait]
impl CheckpointStore for KafkaOffsets {
    async fn list(&self, _group: &GroupPath) -> Result<Vec<FoundBlob>, ConnectError> {
        Err(not_blobs())
    }

    async fn put_checkpoint(
        &self,
        _group: &GroupPath,
        _partition: &str,
        _position: &CheckpointPosition,
    ) -> Result<(), ConnectError> {
        Err(not_blobs())
    }

    /// The group's committed offsets on the scope's hub, as checkpoints; no ownerships
    /// (who reads is the group's membership, not a blob).
    async fn read(&self, scope: &CheckpointScope) -> Result<ConsumerState, ConnectError> {
        let committed = self.admin.lock().await.committed(&self.group).await?;
        let now = OffsetDateTime::now_utc();
        let checkpoints: HashMap<String, Checkpoint> = committed
            .into_iter()
            .filter(|((topic, _), _)| topic.eq_ignore_ascii_case(&scope.hub))
            .map(|((_, partition), offset)| {
                let checkpoint = Checkpoint {
                    sequence: offset - 1,
                    offset: offset.to_string(),
                    updated_at: now,
                };
                (partition.to_string(), checkpoint)
            })
            .collect();
        Ok(ConsumerState {
            checkpoints,
            ownerships: HashMap::new(),
        })
    }

    /// Commits the offset after the checkpoint: the group's next event.
    async fn set_checkpoint(
        &self,
        scope: &CheckpointScope,
        partition: &str,
        position: &CheckpointPosition,
    ) -> Result<(), ConnectError> {
        let index = partition.parse::<i32>().map_err(|_| {
            ConnectError::usage(format!(
                "partition {partition} is not a Kafka partition number"
            ))
        })?;
        let offsets = BTreeMap::from([(index, position.sequence + 1)]);
        (self.admin.lock().await)
            .commit(&self.group, &scope.hub, &offsets)
            .await
    }
}
