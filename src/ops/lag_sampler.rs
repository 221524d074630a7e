//! Samples the lag of many consumer groups on an interval and keeps each group's history, in
//! memory and on disk: what `ehops watch` runs, and what the console's overview shows.
//!
//! A round reads each hub's partitions once (one management request per hub), then each
//! group's checkpoints and the enqueued time of its next unprocessed events (memoised), at
//! most [`LagSampler::concurrency`] hubs at a time, so 200 hubs do not flood the service.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use time::OffsetDateTime;

use super::lag::snapshot_of;
use super::lag_history::HistoryStore;
use crate::connect::backoff::retry_transient;
use crate::connect::checkpoints::CheckpointStore;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::connect::peek::EnqueuedTimes;
use crate::model::{ConsumerGroupLag, GroupHistory, LagPolicy, LagSnapshot};

const MINUTE: i64 = 60;

/// Hubs sampled at once by default.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// A checkpoint this old while events wait counts as stuck when there is no history yet.
pub const STUCK_AFTER: Duration = Duration::from_secs(300);

/// One hub and the groups on it to sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubGroups {
    /// The namespace holding the hub (the console samples every namespace it lists).
    pub namespace: String,
    pub hub: String,
    pub retention: Duration,
    pub consumer_groups: Vec<String>,
}

/// What one round found for one group.
#[derive(Debug)]
pub enum GroupSample {
    Lag(ConsumerGroupLag),
    Failed {
        hub: String,
        consumer_group: String,
        error: ConnectError,
    },
}

/// Keeps the histories between rounds; owned by one task (the watch loop or the console's
/// backend), never shared.
pub struct LagSampler {
    plane: Arc<DataPlane>,
    checkpoints: Arc<dyn CheckpointStore>,
    times: EnqueuedTimes,
    histories: HashMap<(String, String), GroupHistory>,
    /// Per group, the minute and status of the last sample written to disk.
    written: HashMap<(String, String), (i64, String)>,
    store: Option<HistoryStore>,
    pub concurrency: usize,
    /// Disk writes that failed (the history on disk is a convenience: sampling goes on).
    pub write_failures: u64,
}

impl LagSampler {
    pub fn new(
        plane: Arc<DataPlane>,
        checkpoints: Arc<dyn CheckpointStore>,
        store: Option<HistoryStore>,
    ) -> Self {
        Self {
            plane,
            checkpoints,
            times: EnqueuedTimes::new(),
            histories: HashMap::new(),
            written: HashMap::new(),
            store,
            concurrency: DEFAULT_CONCURRENCY,
            write_failures: 0,
        }
    }

    fn namespace(&self) -> String {
        self.plane.connection().namespace.clone()
    }

    /// The history of a group, loading the last day from disk the first time it is asked for.
    pub fn history(&mut self, hub: &str, group: &str) -> &GroupHistory {
        let key = (hub.to_owned(), group.to_owned());
        if !self.histories.contains_key(&key) {
            let loaded = self.store.as_ref().and_then(|store| {
                let since = OffsetDateTime::now_utc() - super::lag_history::KEEP;
                store
                    .load(&self.namespace(), hub, group, since)
                    .map_err(|error| tracing::info!(%error, hub, group, "lag history not loaded"))
                    .ok()
            });
            if let Some(last) = loaded.as_ref().and_then(|l| l.samples.last()) {
                self.written
                    .insert(key.clone(), (last.at / MINUTE, last.status.clone()));
            }
            let history = loaded.map(|l| l.history()).unwrap_or_default();
            self.histories.insert(key.clone(), history);
        }
        &self.histories[&key]
    }

    /// Samples every group of every hub once; results in the order asked.
    pub async fn round(&mut self, hubs: &[HubGroups]) -> Vec<GroupSample> {
        let plane = Arc::clone(&self.plane);
        let checkpoints = Arc::clone(&self.checkpoints);
        let times = &self.times;
        // Owned hubs: a closure over borrowed ones is not `Send` for every lifetime, which a
        // sampler on a spawned task (the console's backend) needs.
        let per_hub = futures_util::stream::iter(hubs.iter().cloned().enumerate())
            .map(|(index, hub)| {
                let plane = Arc::clone(&plane);
                let checkpoints = Arc::clone(&checkpoints);
                async move {
                    (
                        index,
                        sample_hub(&plane, checkpoints.as_ref(), times, &hub).await,
                    )
                }
            })
            .buffer_unordered(self.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        let mut per_hub = per_hub;
        per_hub.sort_by_key(|(index, _)| *index);
        let mut results = Vec::new();
        for ((_, snapshots), hub) in per_hub.into_iter().zip(hubs) {
            let policy = LagPolicy {
                retention: hub.retention,
                stuck_after: STUCK_AFTER,
            };
            for (group, snapshot) in hub.consumer_groups.iter().zip(snapshots) {
                match snapshot {
                    Ok(snapshot) => results.push(GroupSample::Lag(self.derive(&snapshot, policy))),
                    Err(error) => results.push(GroupSample::Failed {
                        hub: hub.hub.clone(),
                        consumer_group: group.clone(),
                        error,
                    }),
                }
            }
        }
        results
    }

    /// Derives a sample's lag from the group's history, then records it (memory and disk).
    fn derive(&mut self, snapshot: &LagSnapshot, policy: LagPolicy) -> ConsumerGroupLag {
        let name = snapshot.consumer_group.clone();
        self.derive_as(snapshot, policy, &name)
    }

    /// [`derive`](Self::derive) for a group whose history is kept under another name than
    /// the group's: a Kafka group's ([`crate::model::KafkaGroup::history_name`]), which must
    /// not mix with an AMQP group of the same name.
    pub fn derive_as(
        &mut self,
        snapshot: &LagSnapshot,
        policy: LagPolicy,
        history_name: &str,
    ) -> ConsumerGroupLag {
        let history = self.history(&snapshot.hub, history_name);
        let lag = ConsumerGroupLag::compute_with_history(snapshot, Some(history), policy);
        let key = (snapshot.hub.clone(), history_name.to_owned());
        if let Some(history) = self.histories.get_mut(&key) {
            history.record(&lag);
        }
        // On disk, one sample a minute per group, and every change of status: a day of a
        // large fleet stays within a couple of gigabytes, and no incident goes unrecorded.
        let mark = (
            lag.sampled_at.unix_timestamp() / MINUTE,
            lag.worst_status().key().to_owned(),
        );
        if let Some(store) = &self.store
            && self.written.get(&key) != Some(&mark)
        {
            let mut stored = lag.clone();
            stored.consumer_group = history_name.to_owned();
            match store.append(&self.plane.connection().namespace, &stored) {
                Ok(()) => {
                    self.written.insert(key, mark);
                }
                Err(error) => {
                    self.write_failures += 1;
                    tracing::warn!(%error, "lag history not written");
                }
            }
        }
        lag
    }
}

/// Tries of each read of a sampling round (partitions, then each group's checkpoints).
const TRIES: u32 = 3;

/// One hub's groups: its partitions once, then each group.
async fn sample_hub(
    plane: &DataPlane,
    checkpoints: &dyn CheckpointStore,
    times: &EnqueuedTimes,
    hub: &HubGroups,
) -> Vec<Result<LagSnapshot, ConnectError>> {
    // A busy or briefly unreachable service costs a retry, not a failed sample.
    let partitions = match retry_transient(TRIES, || plane.partitions(&hub.hub)).await {
        Ok(partitions) => partitions,
        Err(error) => {
            return hub
                .consumer_groups
                .iter()
                .map(|_| Err(error.clone()))
                .collect();
        }
    };
    let mut snapshots = Vec::with_capacity(hub.consumer_groups.len());
    for group in &hub.consumer_groups {
        let snapshot = retry_transient(TRIES, || {
            snapshot_of(plane, checkpoints, times, &hub.hub, group, &partitions)
        })
        .await;
        snapshots.push(snapshot);
    }
    snapshots
}
