//! Resetting a Kafka consumer group's committed offsets through the namespace's Kafka
//! endpoint: the same plan as an AMQP group's reset (where each partition stands, where it
//! will resume, what is processed again or skipped), then one OffsetCommit. Kafka accepts
//! offsets for a group only while it has no members, so a group with members is refused and
//! the dry run says so. A Kafka offset is a sequence number (docs/kafka.md): the group's next
//! event `N` is the committed offset `N`.

use std::collections::BTreeMap;

use serde_json::json;
use time::OffsetDateTime;

use super::audit::{AuditRecord, Outcome};
use super::audited::Trail;
use super::reset::{PartitionReset, plan_partition, resolve_next};
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::connect::kafka::KafkaAdmin;
use crate::model::{Checkpoint, KafkaGroup, StartPosition};

#[derive(Debug, Clone)]
pub struct KafkaResetPlan {
    pub hub: String,
    pub group: KafkaGroup,
    pub partition: Option<String>,
    pub to: StartPosition,
    pub partitions: Vec<PartitionReset>,
}

impl KafkaResetPlan {
    /// Why Kafka will not take the new offsets now: the group has members.
    pub fn blocked_by_members(&self) -> Option<String> {
        self.group.members_block()
    }
}

/// The dry run: the group, its committed offsets, the hub's partitions and the events the new
/// positions depend on. Nothing is written.
pub async fn plan(
    plane: &DataPlane,
    admin: &mut KafkaAdmin,
    hub: &str,
    group_id: &str,
    partition: Option<&str>,
    to: &StartPosition,
) -> Result<KafkaResetPlan, ConnectError> {
    let group = admin.describe(group_id).await?;
    let committed = admin.committed(group_id).await?;
    let mut partitions = plane.partitions(hub).await?;
    if let Some(wanted) = partition {
        partitions.retain(|p| p.id == wanted);
        if partitions.is_empty() {
            return Err(ConnectError::not_found(format!(
                "hub {hub} has no partition {wanted}"
            )));
        }
    }
    let now = OffsetDateTime::now_utc();
    let mut planned = Vec::with_capacity(partitions.len());
    for p in &partitions {
        let new_next = resolve_next(plane, hub, p, to).await?;
        let offset = p.id.parse::<i32>().ok().and_then(|index| {
            committed
                .iter()
                .find(|((topic, i), _)| topic.eq_ignore_ascii_case(hub) && *i == index)
                .map(|(_, offset)| *offset)
        });
        let checkpoint = offset.map(|o| Checkpoint {
            sequence: o - 1,
            offset: o.to_string(),
            updated_at: now,
        });
        planned.push(plan_partition(p, checkpoint.as_ref(), None, new_next, now));
    }
    Ok(KafkaResetPlan {
        hub: hub.to_owned(),
        group,
        partition: partition.map(str::to_owned),
        to: to.clone(),
        partitions: planned,
    })
}

/// Commits the plan's offsets and records the reset in the audit trail.
pub async fn execute(
    plane: &DataPlane,
    admin: &mut KafkaAdmin,
    trail: &Trail,
    plan: &KafkaResetPlan,
) -> Result<AuditRecord, ConnectError> {
    let offsets: BTreeMap<i32, i64> = plan
        .partitions
        .iter()
        .filter_map(|p| p.partition.parse::<i32>().ok().map(|i| (i, p.new_next)))
        .collect();
    let committed = admin
        .commit(&plan.group.group_id, &plan.hub, &offsets)
        .await;
    let mut record = trail.record(plane, "reset", &plan.hub);
    record.consumer_group = Some(format!("{} (kafka)", plan.group.group_id));
    record.partition = plan.partition.clone();
    record.before = json!(
        plan.partitions
            .iter()
            .map(|p| json!({"partition": p.partition, "committed_offset": p.current_checkpoint.map(|c| c + 1), "next": p.current_next}))
            .collect::<Vec<_>>()
    );
    record.after = json!(offsets);
    if let Err(error) = &committed {
        record.outcome = Outcome::Failed;
        record.detail = Some(error.to_string());
    }
    let record = trail.log.record(plane, record).await?;
    committed.map(|()| record)
}
