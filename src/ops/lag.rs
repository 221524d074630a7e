//! Gathers the raw facts of a consumer group's lag: each partition's runtime information
//! from the data plane, and the group's checkpoints and ownerships from its store.
//! `model::ConsumerGroupLag::compute` turns them into verdicts.

use time::OffsetDateTime;

use crate::connect::checkpoints::CheckpointStore;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::model::{LagSnapshot, PartitionLagSample};

pub async fn snapshot(
    plane: &DataPlane,
    store: &dyn CheckpointStore,
    hub: &str,
    consumer_group: &str,
) -> Result<LagSnapshot, ConnectError> {
    let partitions = plane.partitions(hub).await?;
    let scope = plane.checkpoint_scope(hub, consumer_group);
    let mut state = store.read(&scope).await?;
    let sampled_at = OffsetDateTime::now_utc();
    let partitions = partitions
        .into_iter()
        .map(|p| PartitionLagSample {
            checkpoint: state.checkpoints.remove(&p.id),
            ownership: state.ownerships.remove(&p.id),
            partition: p.id,
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
    Ok(LagSnapshot {
        hub: hub.to_owned(),
        consumer_group: consumer_group.to_owned(),
        sampled_at,
        partitions,
    })
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
