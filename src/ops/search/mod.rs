//! Search through everything hubs retain: one pass over each partition, all partitions at
//! once, each bounded to the newest event there was when the search started, so a hub with
//! live traffic still has an end. Results and progress stream over a bounded channel (the
//! reader's pace bounds memory; a console pane and a headless command read it alike), and the
//! last message is a summary saying exactly what was read, per partition, and what was not
//! and why. Hubs the identity may not read are skipped with the missing permission named.

mod from_capture;
mod partition;
pub mod report;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::codec::query::Query;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::Failure;
use crate::connect::scan::ScanRange;
use crate::connect::shared_client::SharedClient;
use crate::model::permissions::{ConsoleAction, Verdict};
use crate::model::{PartitionInfo, StartPosition, partition_for_key};
use crate::ops::event_decoder::TailDecoder;
use crate::ops::{hubs, permissions};
pub use from_capture::CaptureHistory;
use partition::{Counters, PartitionPass, Shared};
pub use report::{
    Found, PartitionReport, PartitionStatus, Progress, SearchUpdate, Skipped, Summary,
};

/// One hub to search, or only the partition a key hashes to in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubTarget {
    pub hub: String,
    /// Read only the partition this partition key lands in (the service's hash).
    pub only_key: Option<String>,
}

pub struct SearchRequest {
    pub hubs: Vec<HubTarget>,
    pub query: Arc<Query>,
    pub from: StartPosition,
    /// Stop each partition at its first event enqueued after this.
    pub until: Option<OffsetDateTime>,
    /// Also read what retention removed, from the hubs' Capture files.
    pub capture: Option<CaptureHistory>,
}

/// A running search; dropping it cancels it.
pub struct Search {
    pub updates: mpsc::Receiver<SearchUpdate>,
    cancel: CancellationToken,
}

impl Search {
    /// Stops reading; what was found stays, and the summary still comes.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}

impl Drop for Search {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Matches and progress waiting for the reader; a full channel makes the partitions wait.
const CHANNEL: usize = 1024;
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// How long a partition may stay quiet short of its planned end.
const QUIET: Duration = Duration::from_secs(30);

pub fn start(plane: Arc<DataPlane>, request: SearchRequest) -> Search {
    let (sender, updates) = mpsc::channel(CHANNEL);
    let cancel = CancellationToken::new();
    tokio::spawn(run(plane, request, sender, cancel.clone()));
    Search { updates, cancel }
}

async fn run(
    plane: Arc<DataPlane>,
    request: SearchRequest,
    sender: mpsc::Sender<SearchUpdate>,
    cancel: CancellationToken,
) {
    let started = Instant::now();
    let shared = Arc::new(Shared {
        query: Arc::clone(&request.query),
        until: request.until,
        counters: Arc::new(Counters::default()),
        sender: sender.clone(),
        cancel: cancel.clone(),
    });
    let decoder = TailDecoder::new(plane.connection());
    let mut skipped = Vec::new();
    let mut capture_problems = Vec::new();
    let mut reports = Vec::new();
    let mut passes = JoinSet::new();
    let mut seen = HashSet::new();
    for target in &request.hubs {
        if !seen.insert(target.hub.to_ascii_lowercase()) {
            continue;
        }
        let planned = match plan(&plane, target, &request).await {
            Ok(planned) => planned,
            Err((reason, denied)) => {
                skipped.push(Skipped {
                    hub: target.hub.clone(),
                    reason,
                    denied,
                });
                continue;
            }
        };
        capture_problems.extend(planned.capture_problem);
        for (report, pass) in planned.partitions {
            let Some(pass) = pass else {
                reports.push(report);
                continue;
            };
            shared
                .counters
                .total
                .fetch_add(report.planned_events(), Ordering::Relaxed);
            passes.spawn(partition::search(
                pass,
                Arc::clone(&shared),
                decoder.sibling(),
                report,
            ));
        }
    }
    let ticker = tokio::spawn(tick(Arc::clone(&shared.counters), sender.clone(), started));
    while let Some(done) = passes.join_next().await {
        match done {
            Ok((report, problems)) => {
                let name = format!("{} p{}", report.hub, report.partition);
                capture_problems.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
                reports.push(report);
            }
            Err(error) => tracing::error!(%error, "a partition's search task failed"),
        }
    }
    ticker.abort();
    let counters = &shared.counters;
    let _ = sender.try_send(SearchUpdate::Progress(progress(counters, started)));
    reports.sort_by(|a, b| {
        (
            a.hub.as_str(),
            a.partition.parse::<u64>().ok(),
            &a.partition,
        )
            .cmp(&(
                b.hub.as_str(),
                b.partition.parse::<u64>().ok(),
                &b.partition,
            ))
    });
    let summary = Summary {
        scanned: reports.iter().map(|r| r.scanned).sum(),
        matched: reports.iter().map(|r| r.matched).sum(),
        undecodable: reports.iter().map(|r| r.undecodable).sum(),
        partitions: reports,
        skipped,
        capture_problems,
        seconds: started.elapsed().as_secs_f64(),
        cancelled: cancel.is_cancelled(),
    };
    let _ = sender.send(SearchUpdate::Finished(summary)).await;
}

fn progress(counters: &Counters, started: Instant) -> Progress {
    let scanned = counters.scanned.load(Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    Progress {
        scanned,
        total: counters.total.load(Ordering::Relaxed).max(scanned),
        matched: counters.matched.load(Ordering::Relaxed),
        events_per_second: if seconds > 0.0 {
            scanned as f64 / seconds
        } else {
            0.0
        },
    }
}

/// Progress every half second; dropped rather than waited on when the reader is behind.
async fn tick(counters: Arc<Counters>, sender: mpsc::Sender<SearchUpdate>, started: Instant) {
    let mut every = tokio::time::interval(PROGRESS_EVERY);
    loop {
        every.tick().await;
        if sender.is_closed() {
            return;
        }
        let _ = sender.try_send(SearchUpdate::Progress(progress(&counters, started)));
    }
}

/// A hub's partitions: a report for each, and a pass for those with something to read.
struct Planned {
    partitions: Vec<(PartitionReport, Option<PartitionPass>)>,
    /// The hub's capture files could not be listed.
    capture_problem: Option<String>,
}

/// Checks the right to read, then what each partition holds (and, with Capture, which files
/// it has). `Err((reason, denied))` skips the hub.
async fn plan(
    plane: &DataPlane,
    target: &HubTarget,
    request: &SearchRequest,
) -> Result<Planned, (String, bool)> {
    let hub = &target.hub;
    let from = &request.from;
    let verdict = permissions::for_hub(plane.connection(), hub)
        .await
        .verdict(ConsoleAction::Tail);
    if let Verdict::Denied { missing } = verdict {
        // The catalog refuses a hub that is gone as it refuses one not permitted: ask the
        // data plane which it is.
        if let Err(error) = plane.hub_runtime(hub).await
            && error.failure == Failure::NotFound
        {
            return Err((error.message, false));
        }
        let principal = &plane.connection().principal;
        let missing: Vec<String> = missing.iter().map(ToString::to_string).collect();
        let mut reason = format!(
            "reading is not permitted: missing {} (as {principal})",
            missing.join(", ")
        );
        if let Some(unseen) = hubs::unseen(plane, hub).await {
            reason = format!("{reason}; {unseen}");
        }
        return Err((reason, true));
    }
    let infos = plane
        .partitions(hub)
        .await
        .map_err(|e| (e.message, false))?;
    let client = plane
        .open_consumer(hub)
        .await
        .map_err(|e| (e.message, false))?;
    // A data plane of its own, so the passes can reconnect whoever else uses the caller's.
    let own_plane = DataPlane::new(plane.connection().clone(), plane.consumer_group());
    let client = Arc::new(SharedClient::new(own_plane, hub.clone(), client));
    let (capture, capture_problem) = match &request.capture {
        None => (None, None),
        Some(history) => match history.hub_files(plane.connection(), hub).await {
            Ok(files) => (Some(files), None),
            Err(problem) => (None, Some(problem)),
        },
    };
    let count = u32::try_from(infos.len()).unwrap_or(u32::MAX);
    let keyed = target
        .only_key
        .as_deref()
        .map(|key| partition_for_key(key, count).to_string());
    let partitions = infos
        .iter()
        .map(|info| {
            let planned = planned_range(info, from);
            let mut report = PartitionReport::new(hub, &info.id, planned);
            if keyed.as_ref().is_some_and(|k| *k != info.id) {
                report.status = PartitionStatus::NotKeyed;
                return (report, None);
            }
            let range = planned.map(|(_, to)| ScanRange {
                hub: hub.clone(),
                partition: info.id.clone(),
                consumer_group: plane.consumer_group().to_owned(),
                from: from.clone(),
                to_sequence: to,
                quiet: QUIET,
            });
            let capture = capture.as_ref().and_then(|c| c.partition(&info.id, from));
            if range.is_none() && capture.is_none() {
                return (report, None);
            }
            let pass = PartitionPass {
                client: Arc::clone(&client),
                range,
                capture,
                retained_from: if info.is_empty {
                    info.last_sequence + 1
                } else {
                    info.begin_sequence
                },
            };
            (report, Some(pass))
        })
        .collect();
    Ok(Planned {
        partitions,
        capture_problem,
    })
}

/// The sequence numbers a search from `from` meant to read in a partition as it stands;
/// `None` when there is nothing. A start time or offset is planned from the oldest event and
/// corrected by the first event read. A start time after the newest event plans nothing: a
/// receiver would wait for an event that is not there (`--since 15m` on a quiet hub).
fn planned_range(info: &PartitionInfo, from: &StartPosition) -> Option<(i64, i64)> {
    if info.is_empty {
        return None;
    }
    let first = match from {
        StartPosition::Sequence(n) => (*n).max(info.begin_sequence),
        StartPosition::Latest => return None,
        // The service compares whole milliseconds.
        StartPosition::Time(start)
            if info
                .last_enqueued
                .is_some_and(|last| last < whole_milliseconds(*start)) =>
        {
            return None;
        }
        _ => info.begin_sequence,
    };
    (first <= info.last_sequence).then_some((first, info.last_sequence))
}

fn whole_milliseconds(at: OffsetDateTime) -> OffsetDateTime {
    at - time::Duration::nanoseconds(i64::from(at.nanosecond() % 1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(begin: i64, last: i64, is_empty: bool) -> PartitionInfo {
        PartitionInfo {
            id: "0".into(),
            begin_sequence: begin,
            last_sequence: last,
            last_offset: String::new(),
            last_enqueued: None,
            is_empty,
        }
    }

    #[test]
    fn a_plan_reads_from_the_start_or_the_sequence_asked_to_the_newest_event() {
        let held = partition(10, 19, false);
        assert_eq!(
            planned_range(&held, &StartPosition::Earliest),
            Some((10, 19))
        );
        assert_eq!(
            planned_range(&held, &StartPosition::Sequence(3)),
            Some((10, 19))
        );
        assert_eq!(
            planned_range(&held, &StartPosition::Sequence(15)),
            Some((15, 19))
        );
        assert_eq!(planned_range(&held, &StartPosition::Sequence(20)), None);
        assert_eq!(planned_range(&held, &StartPosition::Latest), None);
        let newest = OffsetDateTime::from_unix_timestamp_nanos(1_764_590_400_250_000_000)
            .expect("a valid instant");
        let held = PartitionInfo {
            last_enqueued: Some(newest),
            ..held
        };
        let at = |t| planned_range(&held, &StartPosition::Time(t));
        assert_eq!(
            at(newest),
            Some((10, 19)),
            "the newest event is at the start"
        );
        assert_eq!(at(newest - time::Duration::hours(1)), Some((10, 19)));
        assert_eq!(
            at(newest + time::Duration::microseconds(400)),
            Some((10, 19)),
            "the same millisecond"
        );
        assert_eq!(at(newest + time::Duration::milliseconds(1)), None);
        assert_eq!(
            planned_range(&partition(0, 0, true), &StartPosition::Earliest),
            None
        );
        let report = PartitionReport::new("h", "0", Some((15, 19)));
        assert_eq!(report.planned_events(), 5);
    }

    #[test]
    fn progress_reads_as_people_expect() {
        let progress = Progress {
            scanned: 250,
            total: 1000,
            matched: 3,
            events_per_second: 1234.4,
        };
        assert_eq!(
            progress.to_string(),
            "Scanned 250 of 1000 (25%), 3 matches, 1234 events/s"
        );
        let nothing = Progress {
            total: 0,
            scanned: 0,
            ..progress
        };
        assert_eq!(nothing.percent(), 100.0);
    }
}
