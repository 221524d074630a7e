//! Gathers the raw facts of a consumer group's lag: each partition's runtime information
//! from the data plane, and the group's checkpoints and ownerships from its store.
//! `model::ConsumerGroupLag::compute` turns them into verdicts.

use std::sync::OnceLock;

use time::OffsetDateTime;

use crate::connect::checkpoints::{CheckpointStore, ConsumerState};
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::connect::peek::EnqueuedTimes;
use crate::model::{LagSnapshot, PartitionInfo, PartitionLagSample};

/// Reads a group's lag facts, including when each partition's next unprocessed event was
/// enqueued (read once per event, then remembered for the life of the process).
pub async fn snapshot(
    plane: &DataPlane,
    store: &dyn CheckpointStore,
    hub: &str,
    consumer_group: &str,
) -> Result<LagSnapshot, ConnectError> {
    static TIMES: OnceLock<EnqueuedTimes> = OnceLock::new();
    let times = TIMES.get_or_init(EnqueuedTimes::new);
    snapshot_with(plane, store, times, hub, consumer_group).await
}

/// [`snapshot`] with the caller's memo of enqueued times.
pub async fn snapshot_with(
    plane: &DataPlane,
    store: &dyn CheckpointStore,
    times: &EnqueuedTimes,
    hub: &str,
    consumer_group: &str,
) -> Result<LagSnapshot, ConnectError> {
    let partitions = plane.partitions(hub).await?;
    snapshot_of(plane, store, times, hub, consumer_group, &partitions).await
}

/// A group's lag facts given the hub's partitions, which a sampler reads once per hub for
/// all its groups.
pub async fn snapshot_of(
    plane: &DataPlane,
    store: &dyn CheckpointStore,
    times: &EnqueuedTimes,
    hub: &str,
    consumer_group: &str,
    hub_partitions: &[PartitionInfo],
) -> Result<LagSnapshot, ConnectError> {
    let scope = plane.checkpoint_scope(hub, consumer_group);
    let state = store.read(&scope).await?;
    snapshot_from(plane, times, hub, consumer_group, hub_partitions, state).await
}

/// A group's lag facts from its checkpoints and ownerships, wherever they were read (blob
/// checkpoints for AMQP groups, committed offsets for Kafka groups).
pub async fn snapshot_from(
    plane: &DataPlane,
    times: &EnqueuedTimes,
    hub: &str,
    consumer_group: &str,
    hub_partitions: &[PartitionInfo],
    mut state: ConsumerState,
) -> Result<LagSnapshot, ConnectError> {
    let sampled_at = OffsetDateTime::now_utc();
    let mut partitions: Vec<PartitionLagSample> = hub_partitions
        .iter()
        .map(|p| PartitionLagSample {
            checkpoint: state.checkpoints.remove(&p.id),
            ownership: state.ownerships.remove(&p.id),
            partition: p.id.clone(),
            // An empty partition has nothing to be behind on, whatever its numbers say.
            begin_sequence: if p.is_empty {
                p.last_sequence + 1
            } else {
                p.begin_sequence
            },
            last_enqueued_sequence: p.last_sequence,
            last_enqueued_time: p.last_enqueued,
            next_unprocessed_time: None,
        })
        .collect();
    let wanted: Vec<(String, i64)> = partitions
        .iter()
        .filter_map(|p| {
            let next = next_unprocessed(p);
            (next <= p.last_enqueued_sequence).then(|| (p.partition.clone(), next))
        })
        .collect();
    if !wanted.is_empty() {
        let found = times.read(plane, hub, &wanted).await;
        for p in &mut partitions {
            p.next_unprocessed_time = found.get(&p.partition).copied();
        }
    }
    Ok(LagSnapshot {
        hub: hub.to_owned(),
        consumer_group: consumer_group.to_owned(),
        sampled_at,
        partitions,
    })
}

/// The first sequence number the group has not processed: after its checkpoint, or the start
/// of the retained log (also when retention has moved past the checkpoint).
fn next_unprocessed(p: &PartitionLagSample) -> i64 {
    p.checkpoint
        .as_ref()
        .map_or(p.begin_sequence, |c| (c.sequence + 1).max(p.begin_sequence))
}

/// Fails with not-found when the catalog knows the hub and it has no such consumer group.
/// Without a catalog there is nothing to check against, and the lag is read anyway.
pub async fn ensure_consumer_group(
    plane: &DataPlane,
    hub: &str,
    consumer_group: &str,
) -> Result<(), ConnectError> {
    let connection = plane.connection();
    let Some(catalog) = &connection.catalog else {
        return Ok(());
    };
    let groups = match catalog.consumer_groups(&connection.namespace, hub).await {
        Ok(groups) => groups,
        Err(error) if error.failure == crate::connect::Failure::NotFound => {
            return Err(ConnectError::not_found(format!(
                "no hub {hub} in namespace {}",
                connection.namespace
            )));
        }
        Err(error) => {
            tracing::info!(%error, "catalog unavailable; consumer group not checked");
            return Ok(());
        }
    };
    if groups
        .iter()
        .any(|g| g.eq_ignore_ascii_case(consumer_group))
    {
        Ok(())
    } else {
        Err(ConnectError::not_found(format!(
            "hub {hub} has no consumer group {consumer_group} (it has: {})",
            groups.join(", ")
        )))
    }
}
