//! Resetting a consumer group's checkpoints: where each partition stands, where it will
//! resume, how many events that processes again or skips, and then the writes.
//!
//! Official event processors resume AFTER the checkpointed event (exclusive), so making a
//! group's next event `N` means writing the checkpoint of event `N - 1`, with that event's
//! offset (Python and .NET resume by offset when there is one; JS requires it). To resume at
//! the oldest retained event there is no event before it, so the checkpoint names offset
//! `-1`, the service's "start of the partition", and the sequence number before it.
//!
//! The plan is computed in full (reading the events whose offsets the checkpoints need)
//! before anything is written, so the dry run and the execution show the same numbers.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::connect::checkpoints::{CheckpointPosition, CheckpointScope, CheckpointStore};
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::connect::read;
use crate::model::{Checkpoint, Ownership, PartitionInfo, StartPosition};

/// An ownership renewed this recently means a processor is running and may overwrite the
/// new checkpoint with its own (the SDKs' default ownership expiry is two minutes).
pub const LIVE_OWNER_WINDOW: Duration = Duration::minutes(2);

/// The offset that means "the start of the partition" to Event Hubs.
pub const START_OF_PARTITION: &str = "-1";

/// What to reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetRequest {
    pub hub: String,
    pub consumer_group: String,
    /// One partition, or all of them.
    pub partition: Option<String>,
    /// The group's next event: the oldest, after the newest, a sequence number, the event
    /// at an offset, or the first enqueued at or after a time.
    pub to: StartPosition,
    /// A Kafka group's id: its committed offsets are the checkpoints moved (then
    /// `consumer_group` is the label actions record, `G (kafka)`).
    pub kafka_group: Option<String>,
}

/// One partition's reset, as the dry run shows it and the execution writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionReset {
    pub partition: String,
    /// The checkpoint today, if any.
    pub current_checkpoint: Option<i64>,
    /// The next sequence number the group would receive today.
    pub current_next: i64,
    /// The next sequence number it receives after the reset.
    pub new_next: i64,
    /// Events processed again (new position before the current one).
    pub replayed: i64,
    /// Events never processed (new position after the current one).
    pub skipped: i64,
    /// The owner that may overwrite the reset, when its ownership is live.
    pub live_owner: Option<String>,
    /// The checkpoint written: sequence and offset.
    pub write_sequence: i64,
    pub write_offset: String,
}

impl PartitionReset {
    pub fn position(&self) -> CheckpointPosition {
        CheckpointPosition {
            sequence: self.write_sequence,
            offset: self.write_offset.clone(),
        }
    }

    pub fn changes_anything(&self) -> bool {
        self.current_next != self.new_next
    }
}

/// The whole reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetPlan {
    pub request: ResetRequest,
    pub scope: CheckpointScope,
    pub partitions: Vec<PartitionReset>,
}

impl ResetPlan {
    /// The running processors that may overwrite the reset, each named once.
    pub fn live_owners(&self) -> Vec<&str> {
        let mut owners: Vec<&str> = self
            .partitions
            .iter()
            .filter_map(|p| p.live_owner.as_deref())
            .collect();
        owners.sort_unstable();
        owners.dedup();
        owners
    }
}

/// The next sequence number a group receives on a partition starting at `begin`: after its
/// checkpoint, or from the start without one.
pub fn current_next(checkpoint: Option<&Checkpoint>, begin: i64) -> i64 {
    checkpoint.map_or(begin, |c| (c.sequence + 1).max(begin))
}

/// The oldest sequence number a partition still holds (for an empty one, the next).
fn begin_of(p: &PartitionInfo) -> i64 {
    if p.is_empty {
        p.last_sequence + 1
    } else {
        p.begin_sequence
    }
}

/// Counts and warnings for one partition, given where it will resume (`new_next`, clamped
/// to what the partition holds: an event past retention cannot be resumed at).
pub fn plan_partition(
    partition: &PartitionInfo,
    checkpoint: Option<&Checkpoint>,
    ownership: Option<&Ownership>,
    new_next: i64,
    now: OffsetDateTime,
) -> PartitionReset {
    let begin = begin_of(partition);
    let current = current_next(checkpoint, begin);
    let new_next = new_next.clamp(begin, partition.last_sequence + 1);
    let live_owner = ownership
        .filter(|o| now - o.renewed_at < LIVE_OWNER_WINDOW && !o.owner_id.is_empty())
        .map(|o| o.owner_id.clone());
    let (write_sequence, write_offset) = if new_next <= begin {
        (begin - 1, START_OF_PARTITION.to_owned())
    } else if new_next > partition.last_sequence {
        (partition.last_sequence, partition.last_offset.clone())
    } else {
        // Filled in from the event before `new_next` by `plan`.
        (new_next - 1, String::new())
    };
    PartitionReset {
        partition: partition.id.clone(),
        current_checkpoint: checkpoint.map(|c| c.sequence),
        current_next: current,
        new_next,
        replayed: (current - new_next).max(0),
        skipped: (new_next - current).max(0),
        live_owner,
        write_sequence,
        write_offset,
    }
}

/// The dry run: reads checkpoints, ownerships and partitions, and the events the new
/// positions depend on. Nothing is written.
pub async fn plan(
    plane: &DataPlane,
    store: &dyn CheckpointStore,
    request: &ResetRequest,
) -> Result<ResetPlan, ConnectError> {
    // A checkpoint for a group that does not exist is one nobody reads; and the group's name
    // becomes part of a blob name, so it must stay one segment of it.
    crate::connect::checkpoints::check_segment("consumer group", &request.consumer_group)?;
    // A Kafka group lives in the Kafka endpoint, not the catalog's consumer groups.
    if request.kafka_group.is_none() {
        crate::ops::lag::ensure_consumer_group(plane, &request.hub, &request.consumer_group)
            .await?;
    }
    let scope = plane.checkpoint_scope(&request.hub, &request.consumer_group);
    let state = store.read(&scope).await?;
    let now = OffsetDateTime::now_utc();
    let mut partitions = plane.partitions(&request.hub).await?;
    if let Some(wanted) = &request.partition {
        partitions.retain(|p| &p.id == wanted);
        if partitions.is_empty() {
            return Err(ConnectError::not_found(format!(
                "hub {} has no partition {wanted}",
                request.hub
            )));
        }
    }
    let mut planned = Vec::with_capacity(partitions.len());
    for p in &partitions {
        let new_next = resolve_next(plane, &request.hub, p, &request.to).await?;
        let checkpoint = state.checkpoints.get(&p.id);
        let ownership = state.ownerships.get(&p.id);
        let mut reset = plan_partition(p, checkpoint, ownership, new_next, now);
        if reset.write_offset.is_empty() {
            let before = read::read_one(plane, &request.hub, &p.id, reset.write_sequence).await?;
            reset.write_offset = before.event.offset;
        }
        planned.push(reset);
    }
    Ok(ResetPlan {
        request: request.clone(),
        scope,
        partitions: planned,
    })
}

/// The sequence number the group will receive next on `partition` for `to`.
pub(crate) async fn resolve_next(
    plane: &DataPlane,
    hub: &str,
    partition: &PartitionInfo,
    to: &StartPosition,
) -> Result<i64, ConnectError> {
    let after_last = partition.last_sequence + 1;
    Ok(match to {
        StartPosition::Earliest => begin_of(partition),
        StartPosition::Latest => after_last,
        StartPosition::Sequence(n) => *n,
        StartPosition::Offset(_) | StartPosition::Time(_) => {
            if partition.is_empty {
                after_last
            } else {
                read::first_at(plane, hub, &partition.id, to.clone())
                    .await?
                    .map_or(after_last, |e| e.event.sequence)
            }
        }
    })
}

/// One partition's write, as it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionWritten {
    pub partition: String,
    pub new_next: i64,
    pub error: Option<String>,
}

/// Writes every partition's checkpoint of `plan`, each on its own: a failure on one
/// partition is reported and the others still move.
pub async fn execute(store: &dyn CheckpointStore, plan: &ResetPlan) -> Vec<PartitionWritten> {
    let mut written = Vec::with_capacity(plan.partitions.len());
    for p in &plan.partitions {
        let result = store
            .set_checkpoint(&plan.scope, &p.partition, &p.position())
            .await;
        written.push(PartitionWritten {
            partition: p.partition.clone(),
            new_next: p.new_next,
            error: result.err().map(|e| e.message),
        });
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(sequence: i64) -> Checkpoint {
        Checkpoint {
            sequence,
            offset: String::new(),
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn partition(begin: i64, last: i64) -> PartitionInfo {
        PartitionInfo {
            id: "1".into(),
            begin_sequence: begin,
            last_sequence: last,
            last_offset: "9900".into(),
            last_enqueued: None,
            is_empty: false,
        }
    }

    #[test]
    fn rewinding_counts_replayed_events_and_checkpoints_the_event_before() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let plan = plan_partition(&partition(0, 99), Some(&checkpoint(49)), None, 20, now);
        assert_eq!((plan.current_next, plan.new_next), (50, 20));
        assert_eq!((plan.replayed, plan.skipped), (30, 0));
        assert_eq!(plan.write_sequence, 19);
        assert!(plan.write_offset.is_empty(), "read from event 19 by plan()");
    }

    #[test]
    fn earliest_names_the_start_of_the_partition_and_latest_the_newest_event() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let earliest = plan_partition(&partition(10, 99), Some(&checkpoint(49)), None, 0, now);
        assert_eq!((earliest.new_next, earliest.replayed), (10, 40));
        assert_eq!(
            (earliest.write_sequence, earliest.write_offset.as_str()),
            (9, "-1")
        );
        let latest = plan_partition(&partition(10, 99), Some(&checkpoint(49)), None, 100, now);
        assert_eq!((latest.new_next, latest.skipped), (100, 50));
        assert_eq!(
            (latest.write_sequence, latest.write_offset.as_str()),
            (99, "9900")
        );
    }

    #[test]
    fn skipping_past_the_end_stops_at_latest_and_warns_of_a_live_owner() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::hours(1);
        let owner = Ownership {
            owner_id: "crm-sync-1".into(),
            renewed_at: now - Duration::seconds(10),
        };
        let plan = plan_partition(&partition(0, 9), None, Some(&owner), 500, now);
        assert_eq!((plan.new_next, plan.skipped), (10, 10));
        assert_eq!(plan.live_owner.as_deref(), Some("crm-sync-1"));
        let stale = Ownership {
            renewed_at: now - Duration::minutes(5),
            ..owner
        };
        let quiet = plan_partition(&partition(0, 9), None, Some(&stale), 5, now);
        assert_eq!(quiet.live_owner, None);
    }
}
