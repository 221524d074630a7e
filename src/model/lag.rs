//! How far a consumer group is behind, per partition, and whether that is a problem.
//!
//! The backend reports raw facts ([`LagSnapshot`]); [`ConsumerGroupLag::compute`] derives the
//! numbers an on-call engineer reads, comparing with the previous sample to spot a consumer
//! that is stuck (lag growing while its checkpoint stays put).

use std::time::Duration;

use time::OffsetDateTime;

/// A checkpoint as the standard blob layout stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub sequence: i64,
    pub offset: String,
    /// When the checkpoint blob was last written.
    pub updated_at: OffsetDateTime,
}

/// Which consumer instance owns (is reading) a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    pub owner_id: String,
    /// When the ownership blob was last renewed.
    pub renewed_at: OffsetDateTime,
}

/// Raw facts about one partition for one consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionLagSample {
    pub partition: String,
    pub begin_sequence: i64,
    pub last_enqueued_sequence: i64,
    pub last_enqueued_time: Option<OffsetDateTime>,
    /// Enqueued time of the first event after the checkpoint, when the backend peeked it.
    pub next_unprocessed_time: Option<OffsetDateTime>,
    pub checkpoint: Option<Checkpoint>,
    pub ownership: Option<Ownership>,
}

/// Everything the backend read for one consumer group at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LagSnapshot {
    pub hub: String,
    pub consumer_group: String,
    pub sampled_at: OffsetDateTime,
    pub partitions: Vec<PartitionLagSample>,
}

/// Thresholds that turn numbers into a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LagPolicy {
    /// The hub's retention: a checkpoint older than this points at purged events.
    pub retention: Duration,
    /// With no previous sample, a checkpoint this old while events wait counts as stuck.
    pub stuck_after: Duration,
}

/// The verdict for one partition, ordered from fine to alarming.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LagStatus {
    Ok,
    /// Lag is growing while the checkpoint does not move: a consumer is stuck (poison event).
    Stuck,
    /// The checkpoint is older than retention: events between it and the log start are gone.
    Lost,
}

/// Derived lag of one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionLag {
    pub partition: String,
    pub last_enqueued_sequence: i64,
    pub checkpoint_sequence: Option<i64>,
    pub checkpoint_offset: Option<String>,
    pub events_behind: u64,
    pub time_behind: Option<Duration>,
    pub checkpoint_age: Option<Duration>,
    pub owner_id: Option<String>,
    pub ownership_age: Option<Duration>,
    pub status: LagStatus,
}

/// Derived lag of a consumer group on one hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerGroupLag {
    pub hub: String,
    pub consumer_group: String,
    pub sampled_at: OffsetDateTime,
    pub partitions: Vec<PartitionLag>,
}

impl ConsumerGroupLag {
    /// Derives lag from a snapshot; `previous` (the last result for the same group) lets a
    /// growing lag with a still checkpoint be called stuck.
    pub fn compute(
        snapshot: &LagSnapshot,
        previous: Option<&ConsumerGroupLag>,
        policy: LagPolicy,
    ) -> Self {
        let partitions = snapshot
            .partitions
            .iter()
            .map(|sample| {
                let before = previous
                    .filter(|p| {
                        p.consumer_group == snapshot.consumer_group && p.hub == snapshot.hub
                    })
                    .and_then(|p| {
                        p.partitions
                            .iter()
                            .find(|l| l.partition == sample.partition)
                    });
                partition_lag(sample, before, policy, snapshot.sampled_at)
            })
            .collect();
        Self {
            hub: snapshot.hub.clone(),
            consumer_group: snapshot.consumer_group.clone(),
            sampled_at: snapshot.sampled_at,
            partitions,
        }
    }

    pub fn total_behind(&self) -> u64 {
        self.partitions.iter().map(|p| p.events_behind).sum()
    }

    /// The most alarming status among the partitions (`Ok` when there are none).
    pub fn worst_status(&self) -> LagStatus {
        self.partitions
            .iter()
            .map(|p| p.status)
            .max()
            .unwrap_or(LagStatus::Ok)
    }
}

fn partition_lag(
    sample: &PartitionLagSample,
    previous: Option<&PartitionLag>,
    policy: LagPolicy,
    now: OffsetDateTime,
) -> PartitionLag {
    let checkpoint = sample.checkpoint.as_ref();
    // Without a checkpoint the group reads from the start of the retained log.
    let processed_up_to = checkpoint.map_or(sample.begin_sequence - 1, |c| c.sequence);
    let events_behind = u64::try_from(sample.last_enqueued_sequence - processed_up_to).unwrap_or(0);
    let time_behind = match (sample.last_enqueued_time, sample.next_unprocessed_time) {
        (Some(last), Some(next)) if events_behind > 0 => Some(non_negative(last - next)),
        _ if events_behind == 0 => Some(Duration::ZERO),
        _ => None,
    };
    let checkpoint_age = checkpoint.map(|c| non_negative(now - c.updated_at));
    let ownership = sample.ownership.as_ref();
    let lag = PartitionLag {
        partition: sample.partition.clone(),
        last_enqueued_sequence: sample.last_enqueued_sequence,
        checkpoint_sequence: checkpoint.map(|c| c.sequence),
        checkpoint_offset: checkpoint.map(|c| c.offset.clone()),
        events_behind,
        time_behind,
        checkpoint_age,
        owner_id: ownership.map(|o| o.owner_id.clone()),
        ownership_age: ownership.map(|o| non_negative(now - o.renewed_at)),
        status: LagStatus::Ok,
    };
    let status = classify(&lag, sample, previous, policy);
    PartitionLag { status, ..lag }
}

fn classify(
    lag: &PartitionLag,
    sample: &PartitionLagSample,
    previous: Option<&PartitionLag>,
    policy: LagPolicy,
) -> LagStatus {
    let purged = lag
        .checkpoint_sequence
        .is_some_and(|seq| seq + 1 < sample.begin_sequence);
    let too_old = lag.checkpoint_age.is_some_and(|age| age > policy.retention);
    if purged || (too_old && lag.events_behind > 0) {
        return LagStatus::Lost;
    }
    if lag.events_behind == 0 {
        return LagStatus::Ok;
    }
    let stuck = match previous {
        Some(before) => {
            lag.events_behind > before.events_behind
                && lag.checkpoint_sequence == before.checkpoint_sequence
        }
        None => lag
            .checkpoint_age
            .is_some_and(|age| age > policy.stuck_after),
    };
    if stuck {
        LagStatus::Stuck
    } else {
        LagStatus::Ok
    }
}

fn non_negative(d: time::Duration) -> Duration {
    Duration::try_from(d).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_714_564_800;

    fn at(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(T0 + secs).expect("valid test timestamp")
    }

    fn policy() -> LagPolicy {
        LagPolicy {
            retention: Duration::from_secs(86_400),
            stuck_after: Duration::from_secs(300),
        }
    }

    fn sample(last: i64, checkpoint: Option<(i64, i64)>) -> PartitionLagSample {
        PartitionLagSample {
            partition: "0".into(),
            begin_sequence: 0,
            last_enqueued_sequence: last,
            last_enqueued_time: Some(at(0)),
            next_unprocessed_time: Some(at(-90)),
            checkpoint: checkpoint.map(|(sequence, updated)| Checkpoint {
                sequence,
                offset: format!("{}", sequence * 100),
                updated_at: at(updated),
            }),
            ownership: Some(Ownership {
                owner_id: "crm-sync-1".into(),
                renewed_at: at(-5),
            }),
        }
    }

    fn snapshot(parts: Vec<PartitionLagSample>) -> LagSnapshot {
        LagSnapshot {
            hub: "sale".into(),
            consumer_group: "crm-sync".into(),
            sampled_at: at(0),
            partitions: parts,
        }
    }

    #[test]
    fn computes_behind_and_ages() {
        let lag = ConsumerGroupLag::compute(
            &snapshot(vec![sample(120, Some((100, -30)))]),
            None,
            policy(),
        );
        let p = &lag.partitions[0];
        assert_eq!(p.events_behind, 20);
        assert_eq!(p.time_behind, Some(Duration::from_secs(90)));
        assert_eq!(p.checkpoint_age, Some(Duration::from_secs(30)));
        assert_eq!(p.ownership_age, Some(Duration::from_secs(5)));
        assert_eq!(p.checkpoint_offset.as_deref(), Some("10000"));
        assert_eq!(p.status, LagStatus::Ok);
    }

    #[test]
    fn no_checkpoint_means_behind_from_log_start() {
        let mut s = sample(9, None);
        s.begin_sequence = 5;
        let lag = ConsumerGroupLag::compute(&snapshot(vec![s]), None, policy());
        assert_eq!(lag.partitions[0].events_behind, 5);
        assert_eq!(lag.partitions[0].status, LagStatus::Ok);
    }

    #[test]
    fn caught_up_is_ok_with_zero_time_behind() {
        let lag = ConsumerGroupLag::compute(
            &snapshot(vec![sample(100, Some((100, -9_999)))]),
            None,
            policy(),
        );
        assert_eq!(lag.partitions[0].events_behind, 0);
        assert_eq!(lag.partitions[0].time_behind, Some(Duration::ZERO));
        assert_eq!(lag.partitions[0].status, LagStatus::Ok);
    }

    #[test]
    fn growing_lag_with_still_checkpoint_is_stuck() {
        let first = ConsumerGroupLag::compute(
            &snapshot(vec![sample(120, Some((100, -30)))]),
            None,
            policy(),
        );
        let second = ConsumerGroupLag::compute(
            &snapshot(vec![sample(150, Some((100, -30)))]),
            Some(&first),
            policy(),
        );
        assert_eq!(second.partitions[0].status, LagStatus::Stuck);
        assert_eq!(second.worst_status(), LagStatus::Stuck);
    }

    #[test]
    fn moving_checkpoint_is_not_stuck_even_if_lag_grows() {
        let first = ConsumerGroupLag::compute(
            &snapshot(vec![sample(120, Some((100, -30)))]),
            None,
            policy(),
        );
        let second = ConsumerGroupLag::compute(
            &snapshot(vec![sample(160, Some((110, -1)))]),
            Some(&first),
            policy(),
        );
        assert_eq!(second.partitions[0].status, LagStatus::Ok);
    }

    #[test]
    fn old_checkpoint_without_history_is_stuck() {
        let lag = ConsumerGroupLag::compute(
            &snapshot(vec![sample(120, Some((100, -600)))]),
            None,
            policy(),
        );
        assert_eq!(lag.partitions[0].status, LagStatus::Stuck);
    }

    #[test]
    fn checkpoint_older_than_retention_or_purged_is_lost() {
        let old = ConsumerGroupLag::compute(
            &snapshot(vec![sample(120, Some((100, -90_000)))]),
            None,
            policy(),
        );
        assert_eq!(old.partitions[0].status, LagStatus::Lost);
        let mut purged = sample(120, Some((100, -10)));
        purged.begin_sequence = 105;
        let lag = ConsumerGroupLag::compute(&snapshot(vec![purged]), None, policy());
        assert_eq!(lag.partitions[0].status, LagStatus::Lost);
        assert_eq!(lag.total_behind(), 20);
    }
}
