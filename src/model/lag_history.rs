//! What a consumer group's lag has done: enough recent samples per partition for rates and
//! forecasts, a short sparkline per partition, and a day of the group's totals.
//!
//! Bounded by construction, so that a platform team's 200 hubs x 32 partitions x 5 groups
//! stay within a few tens of megabytes: every series is a fixed-capacity ring of small
//! points, and the day-long group series keeps one point per [`TREND_BUCKET`].

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use super::lag::ConsumerGroupLag;

/// Rates are measured over at most this much history.
pub const RATE_WINDOW: Duration = Duration::from_secs(300);
/// Raw points kept per partition for rates are at least this far apart.
const RATE_SPACING_SECS: i64 = 40;
/// Raw points per partition: with the spacing above, a bit over the rate window.
const RATE_POINTS: usize = 9;
/// Sparkline points per partition, one per sample.
pub const PARTITION_TREND_POINTS: usize = 36;
/// The group's day-long series keeps one point per this much time (the worst within it).
pub const TREND_BUCKET: Duration = Duration::from_secs(60);
/// A day of group points.
pub const GROUP_TREND_POINTS: usize = 1_440;
/// Samples of the hub's arrivals per group: an ingress sparkline of 36 rates.
const ARRIVAL_POINTS: usize = 37;

/// One partition at one sample, as rates need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionPoint {
    /// Unix seconds.
    pub at: i64,
    pub last_sequence: i64,
    /// The last sequence number the group has processed (its checkpoint, or one before the
    /// start of the retained log when it has none).
    pub processed_sequence: i64,
    pub events_behind: u64,
}

/// One point of a sparkline: events and seconds behind, saturated to 32 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendPoint {
    /// Unix seconds (unsigned 32 bits reach 2106).
    pub at: u32,
    pub events_behind: u32,
    /// [`TrendPoint::UNKNOWN`] when the time behind was not known.
    pub seconds_behind: u32,
}

impl TrendPoint {
    pub const UNKNOWN: u32 = u32::MAX;

    pub fn new(at: i64, events_behind: u64, time_behind: Option<Duration>) -> Self {
        Self {
            at: u32::try_from(at.max(0)).unwrap_or(u32::MAX),
            events_behind: u32::try_from(events_behind).unwrap_or(u32::MAX - 1),
            seconds_behind: time_behind.map_or(Self::UNKNOWN, |d| {
                u32::try_from(d.as_secs()).unwrap_or(Self::UNKNOWN - 1)
            }),
        }
    }

    pub fn time_behind(&self) -> Option<Duration> {
        (self.seconds_behind != Self::UNKNOWN)
            .then(|| Duration::from_secs(self.seconds_behind.into()))
    }
}

/// Events arriving and processed per second between two samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    pub ingress: f64,
    pub drain: f64,
    /// How much history the rates span.
    pub seconds: f64,
}

impl Rates {
    /// Rates from the oldest point within [`RATE_WINDOW`] of `current` to `current`; none when
    /// the points span less than a second.
    pub fn between(earlier: &[PartitionPoint], current: &PartitionPoint) -> Option<Self> {
        let window = i64::try_from(RATE_WINDOW.as_secs()).unwrap_or(i64::MAX);
        let from = earlier
            .iter()
            .find(|p| current.at - p.at <= window && p.at < current.at)?;
        let seconds = (current.at - from.at) as f64;
        if seconds < 1.0 {
            return None;
        }
        // A reset moves the checkpoint backwards: that is not negative work.
        let per_second = |now: i64, then: i64| (now.saturating_sub(then)).max(0) as f64 / seconds;
        Some(Self {
            ingress: per_second(current.last_sequence, from.last_sequence),
            drain: per_second(current.processed_sequence, from.processed_sequence),
            seconds,
        })
    }
}

/// A fixed-capacity series, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ring<T> {
    points: VecDeque<T>,
    capacity: usize,
}

impl<T> Ring<T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            points: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    pub fn push(&mut self, point: T) {
        if self.points.len() == self.capacity {
            self.points.pop_front();
        }
        self.points.push_back(point);
    }

    pub fn last(&self) -> Option<&T> {
        self.points.back()
    }

    pub fn last_mut(&mut self) -> Option<&mut T> {
        self.points.back_mut()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.points.iter()
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The points as one slice, oldest first.
    pub fn as_slice(&mut self) -> &[T] {
        self.points.make_contiguous()
    }

    /// Bytes held, for the memory budget.
    pub fn heap_bytes(&self) -> usize {
        self.points.capacity() * std::mem::size_of::<T>()
    }
}

/// History of one partition of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionHistory {
    rate_points: Vec<PartitionPoint>,
    pub trend: Ring<TrendPoint>,
}

impl Default for PartitionHistory {
    fn default() -> Self {
        Self {
            rate_points: Vec::with_capacity(RATE_POINTS),
            trend: Ring::new(PARTITION_TREND_POINTS),
        }
    }
}

impl PartitionHistory {
    fn record(&mut self, point: PartitionPoint, time_behind: Option<Duration>) {
        self.trend
            .push(TrendPoint::new(point.at, point.events_behind, time_behind));
        // The newest raw point always stands (a stuck check compares with the last sample);
        // older ones are thinned to the spacing so that the window fits the capacity.
        if let [.., before_last, last] = self.rate_points.as_slice()
            && last.at - before_last.at < RATE_SPACING_SECS
        {
            self.rate_points.pop();
        }
        if self.rate_points.len() == RATE_POINTS {
            self.rate_points.remove(0);
        }
        self.rate_points.push(point);
    }

    /// Raw points, oldest first.
    pub fn points(&self) -> &[PartitionPoint] {
        &self.rate_points
    }
}

/// History of one consumer group on one hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupHistory {
    partitions: BTreeMap<String, PartitionHistory>,
    /// The group's totals: events behind summed, time behind the longest; the worst per bucket.
    pub trend: Ring<TrendPoint>,
    /// The hub's events in all at each sample (unix seconds, last sequences summed).
    arrivals: Ring<(i64, i64)>,
}

impl Default for GroupHistory {
    fn default() -> Self {
        Self {
            partitions: BTreeMap::new(),
            trend: Ring::new(GROUP_TREND_POINTS),
            arrivals: Ring::new(ARRIVAL_POINTS),
        }
    }
}

impl GroupHistory {
    /// A history holding one result: what a single earlier sample can tell.
    pub fn from_lag(lag: &ConsumerGroupLag) -> Self {
        let mut history = Self::default();
        history.record(lag);
        history
    }

    /// Adds a derived sample.
    pub fn record(&mut self, lag: &ConsumerGroupLag) {
        let at = lag.sampled_at.unix_timestamp();
        for p in &lag.partitions {
            let point = PartitionPoint {
                at,
                last_sequence: p.last_enqueued_sequence,
                processed_sequence: p.processed_sequence(),
                events_behind: p.events_behind,
            };
            self.partitions
                .entry(p.partition.clone())
                .or_default()
                .record(point, p.time_behind);
        }
        self.record_total(TrendPoint::new(
            at,
            lag.total_behind(),
            lag.max_time_behind(),
        ));
        self.record_arrivals(
            at,
            lag.partitions
                .iter()
                .map(|p| p.last_enqueued_sequence)
                .sum(),
        );
    }

    /// Adds a group total, merging it into the current bucket (keeping the worst).
    pub fn record_total(&mut self, point: TrendPoint) {
        let bucket = u32::try_from(TREND_BUCKET.as_secs()).unwrap_or(60);
        match self.trend.last_mut() {
            Some(last) if last.at / bucket == point.at / bucket => {
                last.events_behind = last.events_behind.max(point.events_behind);
                last.seconds_behind = match (last.time_behind(), point.time_behind()) {
                    (Some(a), Some(b)) => TrendPoint::new(0, 0, Some(a.max(b))).seconds_behind,
                    (Some(_), None) => last.seconds_behind,
                    (None, _) => point.seconds_behind,
                };
            }
            _ => self.trend.push(point),
        }
    }

    /// Restores one partition's raw point (from the history on disk).
    pub fn restore_partition(
        &mut self,
        partition: &str,
        point: PartitionPoint,
        time_behind: Option<Duration>,
    ) {
        self.partitions
            .entry(partition.to_owned())
            .or_default()
            .record(point, time_behind);
    }

    pub fn partition(&self, id: &str) -> Option<&[PartitionPoint]> {
        self.partitions.get(id).map(PartitionHistory::points)
    }

    pub fn partition_trend(&self, id: &str) -> Option<&Ring<TrendPoint>> {
        self.partitions.get(id).map(|p| &p.trend)
    }

    /// Records how many events the hub's partitions hold in all at `at` (their last sequence
    /// numbers summed), for [`GroupHistory::ingress_trend`].
    pub fn record_arrivals(&mut self, at: i64, last_sequences: i64) {
        if self.arrivals.last().is_some_and(|&(last, _)| last >= at) {
            return;
        }
        self.arrivals.push((at, last_sequences));
    }

    /// Events per second arriving on the hub between the group's recent samples, oldest
    /// first: what the hub's ingress sparkline shows, earlier runs' samples (kept on disk)
    /// included.
    pub fn ingress_trend(&self) -> Vec<u64> {
        let points: Vec<&(i64, i64)> = self.arrivals.iter().collect();
        points
            .windows(2)
            .filter_map(|pair| {
                let ((from, before), (to, after)) = (*pair[0], *pair[1]);
                let seconds = to - from;
                (seconds > 0).then(|| {
                    (after.saturating_sub(before).max(0) as f64 / seconds as f64).round() as u64
                })
            })
            .collect()
    }

    /// Bytes held on the heap, for the memory budget (rings at capacity, keys included).
    pub fn heap_bytes(&self) -> usize {
        self.trend.heap_bytes()
            + self.arrivals.heap_bytes()
            + self
                .partitions
                .iter()
                .map(|(id, p)| {
                    id.capacity()
                        + p.trend.heap_bytes()
                        + p.rate_points.capacity() * std::mem::size_of::<PartitionPoint>()
                        + std::mem::size_of::<PartitionHistory>()
                })
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(at: i64, last: i64, processed: i64) -> PartitionPoint {
        PartitionPoint {
            at,
            last_sequence: last,
            processed_sequence: processed,
            events_behind: u64::try_from(last - processed).unwrap_or(0),
        }
    }

    #[test]
    fn rates_use_the_oldest_point_inside_the_window() {
        let earlier = [point(0, 0, 0), point(100, 100, 50), point(200, 200, 150)];
        let rates = Rates::between(&earlier, &point(300, 400, 150)).expect("rates");
        // The point at 0 is exactly at the window's edge (300 s), so it is the one used.
        assert!((rates.ingress - 400.0 / 300.0).abs() < 1e-9, "{rates:?}");
        assert!((rates.drain - 0.5).abs() < 1e-9, "{rates:?}");
        let rates = Rates::between(&earlier, &point(301, 401, 150)).expect("rates");
        assert!((rates.ingress - 301.0 / 201.0).abs() < 1e-9, "{rates:?}");
    }

    #[test]
    fn a_checkpoint_moved_backwards_is_no_negative_drain() {
        let rates = Rates::between(&[point(0, 10, 9)], &point(10, 20, 0)).expect("rates");
        assert_eq!(rates.drain, 0.0);
    }

    #[test]
    fn rate_points_stay_bounded_and_keep_the_window() {
        let mut history = PartitionHistory::default();
        for i in 0..1_000 {
            history.record(point(i * 10, i, i), None);
        }
        assert!(history.points().len() <= RATE_POINTS);
        let span = history.points().last().map(|p| p.at).unwrap_or(0)
            - history.points().first().map(|p| p.at).unwrap_or(0);
        assert!(
            span >= 300,
            "the raw points span {span}s, less than the rate window"
        );
        assert_eq!(history.trend.len(), PARTITION_TREND_POINTS);
    }

    #[test]
    fn ingress_is_the_hub_arrivals_between_samples() {
        let mut history = GroupHistory::default();
        // Two partitions, 1 and 3 events a second: 4 in all.
        for at in [0, 60, 120] {
            history.record_arrivals(at, at + 3 * at);
        }
        history.record_arrivals(120, 0);
        assert_eq!(history.ingress_trend(), vec![4, 4]);
        for at in 0..100 {
            history.record_arrivals(200 + at * 10, 480 + at * 10);
        }
        assert_eq!(history.ingress_trend().len(), ARRIVAL_POINTS - 1);
        assert!(GroupHistory::default().ingress_trend().is_empty());
    }

    #[test]
    fn group_totals_keep_the_worst_per_bucket() {
        let mut history = GroupHistory::default();
        history.record_total(TrendPoint::new(60, 5, Some(Duration::from_secs(3))));
        history.record_total(TrendPoint::new(90, 2, Some(Duration::from_secs(9))));
        history.record_total(TrendPoint::new(120, 1, None));
        let points: Vec<_> = history.trend.iter().copied().collect();
        assert_eq!(points.len(), 2);
        assert_eq!(points[0].events_behind, 5);
        assert_eq!(points[0].time_behind(), Some(Duration::from_secs(9)));
        assert_eq!(points[1].time_behind(), None);
    }
}
