//! Kafka consumer groups' lag, beside the AMQP groups': the group as the Kafka endpoint
//! describes it, and per hub it reads, the same lag verdicts as for AMQP groups, computed from
//! its committed offsets (a Kafka offset is a sequence number, docs/kafka.md) and its
//! members' assignments. Groups without members but with committed offsets are included:
//! they are the inactive consumers nobody else shows.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use time::OffsetDateTime;

use super::lag::snapshot_from;
use super::lag_sampler::{HubGroups, STUCK_AFTER};
use crate::connect::checkpoints::ConsumerState;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::connect::kafka::KafkaAdmin;
use crate::connect::peek::EnqueuedTimes;
use crate::model::{Checkpoint, ConsumerGroupLag, KafkaGroup, LagPolicy, LagSnapshot, Ownership};

/// One Kafka group and its lag on each hub it reads or has committed offsets for.
#[derive(Debug, Clone)]
pub struct KafkaGroupLag {
    pub group: KafkaGroup,
    pub lags: Vec<ConsumerGroupLag>,
}

impl KafkaGroupLag {
    /// The offset the group committed for a partition (the next one it reads), recovered from
    /// the checkpoint the lag was computed with.
    pub fn committed(lag: &crate::model::PartitionLag) -> Option<i64> {
        lag.checkpoint_sequence.map(|s| s + 1)
    }
}

/// What one reading found for one Kafka group: per hub, the facts its lag is computed from
/// (with or without the group's history) and the verdict thresholds of that hub.
#[derive(Debug, Clone)]
pub struct KafkaGroupSnapshot {
    pub group: KafkaGroup,
    pub hubs: Vec<(LagSnapshot, LagPolicy)>,
}

/// Every Kafka group (or only `only`) on `hubs`, with its lag computed from this reading
/// alone (`ehops lag`; the console's feed adds each group's history).
pub async fn sample(
    plane: &DataPlane,
    admin: &mut KafkaAdmin,
    hubs: &[HubGroups],
    only: Option<&str>,
) -> Result<Vec<KafkaGroupLag>, ConnectError> {
    let read = snapshots(plane, admin, hubs, only).await?;
    Ok(read
        .into_iter()
        .map(|found| KafkaGroupLag {
            lags: (found.hubs.iter())
                .map(|(snapshot, policy)| ConsumerGroupLag::compute(snapshot, None, *policy))
                .collect(),
            group: found.group,
        })
        .collect())
}

/// Every Kafka group (or only `only`) on `hubs`: its description, and per hub it reads or
/// has committed offsets for, the lag facts.
pub async fn snapshots(
    plane: &DataPlane,
    admin: &mut KafkaAdmin,
    hubs: &[HubGroups],
    only: Option<&str>,
) -> Result<Vec<KafkaGroupSnapshot>, ConnectError> {
    static TIMES: OnceLock<EnqueuedTimes> = OnceLock::new();
    let times = TIMES.get_or_init(EnqueuedTimes::new);
    let mut groups = admin.list_groups().await?;
    if let Some(only) = only {
        groups.retain(|g| g == only);
        if groups.is_empty() {
            return Err(ConnectError::not_found(format!(
                "the Kafka endpoint has no group {only}"
            )));
        }
    }
    let mut out = Vec::new();
    for id in groups {
        let group = admin.describe(&id).await?;
        let committed = admin.committed(&id).await?;
        let mut found = Vec::new();
        for hub in hubs {
            let reads = |topic: &str| topic.eq_ignore_ascii_case(&hub.hub);
            let relevant = committed.keys().any(|(t, _)| reads(t))
                || group
                    .members
                    .iter()
                    .any(|m| m.partitions.iter().any(|(t, _)| reads(t)));
            if !relevant {
                continue;
            }
            let partitions = plane.partitions(&hub.hub).await?;
            let state = consumer_state(&group, &committed, &hub.hub);
            let snapshot = snapshot_from(plane, times, &hub.hub, &id, &partitions, state).await?;
            let policy = LagPolicy {
                retention: hub.retention,
                stuck_after: STUCK_AFTER,
            };
            found.push((snapshot, policy));
        }
        out.push(KafkaGroupSnapshot { group, hubs: found });
    }
    Ok(out)
}

/// The group's committed offsets as checkpoints (the last event processed is the one before
/// the committed offset) and its assignments as ownerships. Kafka does not report when an
/// offset was committed, so a checkpoint's age reads as the sample's time: a stuck Kafka
/// group is told by its lag growing while its offset stays, across samples.
fn consumer_state(
    group: &KafkaGroup,
    committed: &BTreeMap<(String, i32), i64>,
    hub: &str,
) -> ConsumerState {
    let now = OffsetDateTime::now_utc();
    let checkpoints: HashMap<String, Checkpoint> = committed
        .iter()
        .filter(|((topic, _), _)| topic.eq_ignore_ascii_case(hub))
        .map(|((_, partition), offset)| {
            (
                partition.to_string(),
                Checkpoint {
                    sequence: offset - 1,
                    offset: offset.to_string(),
                    updated_at: now,
                },
            )
        })
        .collect();
    let mut ownerships = HashMap::new();
    for member in &group.members {
        for (topic, partition) in &member.partitions {
            if topic.eq_ignore_ascii_case(hub)
                && let Some(owner_id) = group.owner_of(hub, *partition)
            {
                ownerships.insert(
                    partition.to_string(),
                    Ownership {
                        owner_id,
                        renewed_at: now,
                    },
                );
            }
        }
    }
    ConsumerState {
        checkpoints,
        ownerships,
    }
}
