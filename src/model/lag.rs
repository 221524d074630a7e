//! How far a consumer group is behind, per partition, and whether that is a problem.
//!
//! The backend reports raw facts ([`LagSnapshot`]); [`ConsumerGroupLag::compute`] derives the
//! numbers an on-call engineer reads, comparing with the previous sample to spot a consumer
//! that is stuck (lag growing while its checkpoint stays put).

use std::time::Duration;

use time::OffsetDateTime;

use super::lag_forecast::{Forecast, forecast};
use super::lag_history::{GroupHistory, PartitionPoint, RATE_WINDOW, Rates};

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

/// Time behind up to this much is a consumer keeping up: processors checkpoint every few
/// seconds, so a healthy group is always a little behind at the instant of a sample.
pub const BEHIND_AFTER: Duration = Duration::from_secs(30);

/// An ownership not renewed for this long has no live owner. The SDKs renew every 10 s
/// (Python and JS `load_balancing_interval`) and let ownership expire after 60 s; two missed
/// expiries leave no doubt.
pub const OWNER_EXPIRES_AFTER: Duration = Duration::from_secs(120);

/// A checkpoint younger than this belongs to a consumer at work (processors checkpoint every
/// few seconds), so it is never called stuck.
pub const STUCK_MIN_CHECKPOINT_AGE: Duration = Duration::from_secs(15);

/// Nothing processed over at least this much history, while events arrive, is stuck.
const STILL_WINDOW: Duration = Duration::from_secs(60);

/// A forecast of loss closer than this is urgent even when the group is merely stuck.
pub const LOSING_SOON: Duration = Duration::from_secs(3_600);

/// The verdict for one partition, ordered from fine to alarming, so that a group's worst
/// partition is its `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LagStatus {
    /// Caught up, or behind by no more than [`BEHIND_AFTER`].
    Ok,
    /// Behind, and the consumers process faster than events arrive.
    Draining,
    /// Behind, and not catching up.
    Behind,
    /// Events wait and the group has never checkpointed this partition.
    NoCheckpoints,
    /// Events wait and nobody owns the partition: the deployment is not running.
    Inactive,
    /// Lag is growing while the checkpoint does not move: a consumer is stuck (poison event).
    Stuck,
    /// At the current rate retention deletes events before the group reads them.
    Losing,
    /// Retention already deleted events the group had not read.
    Lost,
}

impl LagStatus {
    /// Every status, from fine to alarming.
    pub const ALL: [LagStatus; 8] = [
        LagStatus::Ok,
        LagStatus::Draining,
        LagStatus::Behind,
        LagStatus::NoCheckpoints,
        LagStatus::Inactive,
        LagStatus::Stuck,
        LagStatus::Losing,
        LagStatus::Lost,
    ];

    /// The name scripts read (`--json`, `ehops watch`).
    pub fn key(self) -> &'static str {
        match self {
            LagStatus::Ok => "ok",
            LagStatus::Draining => "draining",
            LagStatus::Behind => "behind",
            LagStatus::NoCheckpoints => "no_checkpoints",
            LagStatus::Inactive => "inactive",
            LagStatus::Stuck => "stuck",
            LagStatus::Losing => "losing",
            LagStatus::Lost => "lost",
        }
    }

    /// The words a person reads; alarms in capitals so they stand out without colour.
    pub fn label(self) -> &'static str {
        match self {
            LagStatus::Ok => "ok",
            LagStatus::Draining => "draining",
            LagStatus::Behind => "behind",
            LagStatus::NoCheckpoints => "no checkpoints",
            LagStatus::Inactive => "no owner",
            LagStatus::Stuck => "STUCK",
            LagStatus::Losing => "LOSING",
            LagStatus::Lost => "LOST",
        }
    }

    /// Whether a person should look: anything but ok and draining.
    pub fn needs_attention(self) -> bool {
        self > LagStatus::Draining
    }
}

/// Derived lag of one partition.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionLag {
    pub partition: String,
    pub last_enqueued_sequence: i64,
    pub checkpoint_sequence: Option<i64>,
    pub checkpoint_offset: Option<String>,
    pub events_behind: u64,
    /// How long the first unprocessed event has waited (now minus its enqueued time).
    pub time_behind: Option<Duration>,
    pub checkpoint_age: Option<Duration>,
    pub owner_id: Option<String>,
    pub ownership_age: Option<Duration>,
    /// Events arriving per second, over the history window.
    pub ingress_per_sec: Option<f64>,
    /// Events the consumers process per second (checkpoint movement), over the same window.
    pub drain_per_sec: Option<f64>,
    pub forecast: Forecast,
    pub status: LagStatus,
}

impl PartitionLag {
    /// The last sequence number the group has processed: its checkpoint, or one before the
    /// first event it still has to read.
    pub fn processed_sequence(&self) -> i64 {
        self.last_enqueued_sequence
            .saturating_sub(i64::try_from(self.events_behind).unwrap_or(i64::MAX))
    }
}

/// Derived lag of a consumer group on one hub.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerGroupLag {
    pub hub: String,
    pub consumer_group: String,
    pub sampled_at: OffsetDateTime,
    pub partitions: Vec<PartitionLag>,
}

impl ConsumerGroupLag {
    /// Derives lag from a snapshot; `previous` (the last result for the same group) lets a
    /// growing lag with a still checkpoint be called stuck. With a longer history use
    /// [`ConsumerGroupLag::compute_with_history`].
    pub fn compute(
        snapshot: &LagSnapshot,
        previous: Option<&ConsumerGroupLag>,
        policy: LagPolicy,
    ) -> Self {
        let history = previous
            .filter(|p| p.consumer_group == snapshot.consumer_group && p.hub == snapshot.hub)
            .map(GroupHistory::from_lag);
        Self::compute_with_history(snapshot, history.as_ref(), policy)
    }

    /// Derives lag from a snapshot and the group's earlier samples (oldest first), which give
    /// rates, trends and forecasts.
    pub fn compute_with_history(
        snapshot: &LagSnapshot,
        history: Option<&GroupHistory>,
        policy: LagPolicy,
    ) -> Self {
        let partitions = snapshot
            .partitions
            .iter()
            .map(|sample| {
                let earlier = history.and_then(|h| h.partition(&sample.partition));
                partition_lag(sample, earlier, policy, snapshot.sampled_at)
            })
            .collect();
        Self {
            hub: snapshot.hub.clone(),
            consumer_group: snapshot.consumer_group.clone(),
            sampled_at: snapshot.sampled_at,
            partitions,
        }
    }

    /// `$Default` that nobody has ever read with: not an incident, just Azure's default (it
    /// creates the group on every hub whether anyone reads with it or not).
    pub fn is_unused_default(&self) -> bool {
        self.consumer_group.eq_ignore_ascii_case("$Default")
            && self
                .partitions
                .iter()
                .all(|p| p.checkpoint_sequence.is_none() && p.owner_id.is_none())
    }

    pub fn total_behind(&self) -> u64 {
        self.partitions.iter().map(|p| p.events_behind).sum()
    }

    /// The longest time behind among the partitions.
    pub fn max_time_behind(&self) -> Option<Duration> {
        self.partitions.iter().filter_map(|p| p.time_behind).max()
    }

    /// The most alarming status among the partitions (`Ok` when there are none).
    pub fn worst_status(&self) -> LagStatus {
        self.partitions
            .iter()
            .map(|p| p.status)
            .max()
            .unwrap_or(LagStatus::Ok)
    }

    /// The partition that decides the group's status (the first with the worst status).
    pub fn worst_partition(&self) -> Option<&PartitionLag> {
        let worst = self.worst_status();
        self.partitions.iter().find(|p| p.status == worst)
    }
}

fn partition_lag(
    sample: &PartitionLagSample,
    earlier: Option<&[PartitionPoint]>,
    policy: LagPolicy,
    now: OffsetDateTime,
) -> PartitionLag {
    let checkpoint = sample.checkpoint.as_ref();
    // Without a checkpoint the group reads from the start of the retained log.
    let processed_up_to = checkpoint.map_or(sample.begin_sequence - 1, |c| c.sequence);
    let events_behind = u64::try_from(sample.last_enqueued_sequence - processed_up_to).unwrap_or(0);
    let time_behind = if events_behind == 0 {
        Some(Duration::ZERO)
    } else {
        sample
            .next_unprocessed_time
            .map(|next| non_negative(now - next))
    };
    let current = PartitionPoint {
        at: now.unix_timestamp(),
        last_sequence: sample.last_enqueued_sequence,
        processed_sequence: processed_up_to,
        events_behind,
    };
    let rates = earlier.and_then(|points| Rates::between(points, &current));
    let checkpoint_age = checkpoint.map(|c| non_negative(now - c.updated_at));
    let ownership = sample.ownership.as_ref();
    let ownership_age = ownership.map(|o| non_negative(now - o.renewed_at));
    let purged = checkpoint.is_some_and(|c| c.sequence + 1 < sample.begin_sequence);
    // Only a sample within the rate window is evidence (a console's last rounds, or the
    // history on disk a `watch --once` from cron reads, a line a minute): across a longer gap
    // nobody watched (the console or the service was down), a checkpoint that has not moved
    // yet may be a consumer starting up.
    let still_since_earlier = earlier.is_some_and(|points| {
        points.last().is_some_and(|before| {
            current.at - before.at <= RATE_WINDOW.as_secs() as i64
                && before.processed_sequence == processed_up_to
                && before.events_behind < events_behind
        })
    });
    let stuck = events_behind > 0
        && is_stuck(
            checkpoint_age,
            time_behind,
            still_since_earlier,
            rates,
            policy,
        );
    // A stuck consumer processes nothing now, whatever it did earlier in the window.
    let heading = if stuck {
        Some(rates.map_or(
            Rates {
                ingress: 0.0,
                drain: 0.0,
                seconds: 0.0,
            },
            |r| Rates { drain: 0.0, ..r },
        ))
    } else {
        rates
    };
    let forecast = forecast(events_behind, time_behind, purged, heading, policy);
    let facts = Facts {
        events_behind,
        time_behind,
        checkpoint_age,
        has_checkpoint: checkpoint.is_some(),
        owned: ownership_age.is_some_and(|age| age <= OWNER_EXPIRES_AFTER),
        purged,
        rates,
        stuck,
        forecast,
    };
    PartitionLag {
        partition: sample.partition.clone(),
        last_enqueued_sequence: sample.last_enqueued_sequence,
        checkpoint_sequence: checkpoint.map(|c| c.sequence),
        checkpoint_offset: checkpoint.map(|c| c.offset.clone()),
        events_behind,
        time_behind,
        checkpoint_age,
        owner_id: ownership.map(|o| o.owner_id.clone()),
        ownership_age,
        ingress_per_sec: rates.map(|r| r.ingress),
        drain_per_sec: rates.map(|r| r.drain),
        forecast,
        status: classify(&facts, policy),
    }
}

/// What [`classify`] decides on.
struct Facts {
    events_behind: u64,
    time_behind: Option<Duration>,
    checkpoint_age: Option<Duration>,
    has_checkpoint: bool,
    owned: bool,
    purged: bool,
    rates: Option<Rates>,
    stuck: bool,
    forecast: Forecast,
}

fn classify(facts: &Facts, policy: LagPolicy) -> LagStatus {
    let too_old = facts
        .checkpoint_age
        .is_some_and(|age| age > policy.retention);
    if facts.purged || (too_old && facts.events_behind > 0) {
        return LagStatus::Lost;
    }
    if facts.events_behind == 0 {
        return LagStatus::Ok;
    }
    // A loss days away is a forecast beside another status; within the hour it is the status.
    let losing = match facts.forecast {
        Forecast::AlreadyLosing => true,
        Forecast::LosesIn(eta) => eta < LOSING_SOON,
        _ => false,
    };
    if losing {
        return LagStatus::Losing;
    }
    if !facts.has_checkpoint {
        return LagStatus::NoCheckpoints;
    }
    // Nobody running says more than a checkpoint standing still, which follows from it.
    if !facts.owned {
        return LagStatus::Inactive;
    }
    if facts.stuck {
        return LagStatus::Stuck;
    }
    let within = facts.time_behind.is_some_and(|t| t <= BEHIND_AFTER);
    if within {
        return LagStatus::Ok;
    }
    match facts.rates {
        Some(r) if r.drain > r.ingress => LagStatus::Draining,
        _ => LagStatus::Behind,
    }
}

/// Whether the checkpoint stands still while events wait: no checkpoint for [`BEHIND_AFTER`]
/// while the first unprocessed event has waited as long (a consumer at work checkpoints every
/// few seconds, and one that is merely behind keeps checkpointing); or it has not moved since
/// the last sample while the lag grew; or nothing was processed over a minute of arrivals; or
/// it is older than the policy allows. A checkpoint written moments ago is a consumer at work.
fn is_stuck(
    checkpoint_age: Option<Duration>,
    time_behind: Option<Duration>,
    still_since_earlier: bool,
    rates: Option<Rates>,
    policy: LagPolicy,
) -> bool {
    let Some(age) = checkpoint_age else {
        return false;
    };
    let quiet_while_waiting =
        age >= BEHIND_AFTER && time_behind.is_some_and(|waited| waited >= BEHIND_AFTER);
    age >= STUCK_MIN_CHECKPOINT_AGE
        && (quiet_while_waiting
            || still_since_earlier
            || age > policy.stuck_after
            || rates.is_some_and(|r| {
                r.seconds >= STILL_WINDOW.as_secs_f64() && r.drain == 0.0 && r.ingress > 0.0
            }))
}

fn non_negative(d: time::Duration) -> Duration {
    Duration::try_from(d).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
#[path = "lag_tests.rs"]
mod tests;
