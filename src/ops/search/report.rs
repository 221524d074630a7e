//! What a search tells as it goes and when it ends: every match, the progress, and per
//! partition exactly what was read (from which sequence to which), what matched, what did not
//! decode, and what could not be read and why. Nothing is left out silently.

use serde::Serialize;

use crate::connect::scan::Reconnect;
use crate::model::TailEvent;

/// One message from a running search, in the order they happen.
// A match is nearly every message; boxing it to shrink the rare summary would cost an
// allocation per match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum SearchUpdate {
    Found(Found),
    Progress(Progress),
    /// A partition's link was lost; its pass reopens it after the last event it read.
    Reconnecting {
        hub: String,
        partition: String,
        notice: Reconnect,
    },
    /// The last message: the search is over (complete, cancelled or failed in parts).
    Finished(Summary),
}

/// An event the expression matched.
#[derive(Debug, Clone)]
pub struct Found {
    pub hub: String,
    pub event: TailEvent,
}

/// "Scanned N of M (P%), K matches, R events/s".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    pub scanned: u64,
    /// Events to scan in all; it shrinks when a partition turns out to start later than
    /// planned (retention, a start time) or ends early (`--until`).
    pub total: u64,
    pub matched: u64,
    pub events_per_second: f64,
}

impl Progress {
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            return 100.0;
        }
        (self.scanned as f64 * 100.0 / self.total as f64).min(100.0)
    }
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Scanned {} of {} ({:.0}%), {} matches, {:.0} events/s",
            self.scanned,
            self.total,
            self.percent(),
            self.matched,
            self.events_per_second
        )
    }
}

/// How one partition's pass ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum PartitionStatus {
    /// Read up to the newest event there was when the search started.
    Complete,
    /// Read up to the first event enqueued after `--until`.
    Until,
    /// Not read: the search's key hashes to another partition.
    NotKeyed,
    Cancelled,
    Failed(String),
}

/// One partition: what was planned, what was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionReport {
    pub hub: String,
    pub partition: String,
    /// The first and last sequence numbers the search meant to read (`None`: an empty
    /// partition, or a start past its newest event).
    pub planned: Option<(i64, i64)>,
    /// The first and last sequence numbers read.
    pub read: Option<(i64, i64)>,
    pub scanned: u64,
    pub matched: u64,
    /// Events whose data the expression needed and that did not decode.
    pub undecodable: u64,
    /// Events planned from the oldest retained that were gone when the read reached them
    /// (and, when Capture is read, not found there either).
    pub lost_to_retention: u64,
    /// Of `scanned`, the events read from Capture: the history before the hub's first event.
    pub from_capture: u64,
    /// The first and last sequence numbers read from Capture.
    pub capture_read: Option<(i64, i64)>,
    /// Sequence numbers between the first captured event read and the hub's first event that
    /// no capture file held (files missing or damaged).
    pub missing_from_capture: u64,
    #[serde(flatten)]
    pub status: PartitionStatus,
}

impl PartitionReport {
    pub fn new(hub: &str, partition: &str, planned: Option<(i64, i64)>) -> Self {
        PartitionReport {
            hub: hub.to_owned(),
            partition: partition.to_owned(),
            planned,
            read: None,
            scanned: 0,
            matched: 0,
            undecodable: 0,
            lost_to_retention: 0,
            from_capture: 0,
            capture_read: None,
            missing_from_capture: 0,
            status: PartitionStatus::Complete,
        }
    }

    /// Events the plan covered.
    pub fn planned_events(&self) -> u64 {
        self.planned
            .map_or(0, |(from, to)| u64::try_from(to - from + 1).unwrap_or(0))
    }
}

/// A hub that was not searched, and why (the missing permission, or that it is gone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub hub: String,
    pub reason: String,
    /// Refused for a missing permission (rather than gone or unreachable).
    pub denied: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub partitions: Vec<PartitionReport>,
    pub skipped: Vec<Skipped>,
    /// Capture files, blocks or listings that could not be read, each named.
    pub capture_problems: Vec<String>,
    pub scanned: u64,
    pub matched: u64,
    pub undecodable: u64,
    pub seconds: f64,
    pub cancelled: bool,
}

impl Summary {
    /// Whether every planned part was read (nothing skipped, failed, cancelled, or left
    /// unread in Capture).
    pub fn complete(&self) -> bool {
        self.skipped.is_empty()
            && self.capture_problems.is_empty()
            && self.partitions.iter().all(|p| p.missing_from_capture == 0)
            && !self.cancelled
            && self
                .partitions
                .iter()
                .all(|p| !matches!(p.status, PartitionStatus::Failed(_)))
    }
}
