//! One partition's pass: each event is judged as it arrives (decoded only if the expression
//! reaches `data`), counted, and sent on when it matches; the report says exactly what was
//! read. With Capture, the pass reads the hub first, then the captured history before the
//! first event the hub delivered: the boundary is where retention stood when the hub was
//! read, so no event is read twice and none falls between.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::from_capture::CapturePart;
use super::report::{Found, PartitionReport, PartitionStatus, SearchUpdate};
use crate::codec::query::{Candidate, Query};
use crate::codec::tail::data_with_schemas;
use crate::connect::scan::{self, AsyncVisit, Reconnect, ScanEnd, ScanRange};
use crate::connect::shared_client::SharedClient;
use crate::model::{StartPosition, TailEvent};
use crate::ops::event_decoder::TailDecoder;

/// Figures every partition adds to, read by the progress ticker.
#[derive(Debug, Default)]
pub struct Counters {
    pub scanned: AtomicU64,
    pub matched: AtomicU64,
    pub total: AtomicU64,
}

/// What a partition task needs besides its range.
pub struct Shared {
    pub query: Arc<Query>,
    pub until: Option<OffsetDateTime>,
    pub counters: Arc<Counters>,
    pub sender: mpsc::Sender<SearchUpdate>,
    pub cancel: CancellationToken,
}

/// What one partition's pass reads: the hub's range (none when the hub holds nothing asked
/// for) and the partition's capture files.
pub struct PartitionPass {
    pub client: Arc<SharedClient>,
    pub range: Option<ScanRange>,
    pub capture: Option<CapturePart>,
    /// The hub's oldest retained sequence number at the plan: Capture's boundary when the
    /// hub delivers nothing.
    pub retained_from: i64,
}

/// Reads the pass and reports on it; `report` arrives with the plan filled in. Capture
/// problems come back beside the report.
pub async fn search(
    pass: PartitionPass,
    shared: Arc<Shared>,
    decoder: TailDecoder,
    mut report: PartitionReport,
) -> (PartitionReport, Vec<String>) {
    let from_oldest = pass
        .range
        .as_ref()
        .is_some_and(|r| matches!(r.from, StartPosition::Earliest));
    let counted = report.planned_events();
    let mut visitor = Visitor {
        shared: &shared,
        decoder,
        report: &mut report,
        from_oldest,
        counted,
    };
    if let Some(range) = &pass.range {
        visitor.hub(&pass.client, range).await;
    }
    let mut problems = Vec::new();
    // Past `--until` on the hub, the older captured events may still be before it.
    if let Some(capture) = pass.capture
        && visitor.report.status != PartitionStatus::Cancelled
    {
        // The hub's first event, else where its retention began when planned.
        let before = visitor
            .report
            .read
            .map_or(pass.retained_from, |(first, _)| first);
        problems = visitor.capture(capture, before).await;
    }
    (report, problems)
}

struct Visitor<'a> {
    shared: &'a Shared,
    decoder: TailDecoder,
    report: &'a mut PartitionReport,
    from_oldest: bool,
    /// How many of this partition's events the shared total holds.
    counted: u64,
}

impl Visitor<'_> {
    async fn hub(&mut self, client: &SharedClient, range: &ScanRange) {
        let shared = self.shared;
        let ended = scan::scan(client, range, &shared.cancel, &mut *self).await;
        match ended {
            Ok(ScanEnd::Reached) => {}
            Ok(ScanEnd::Stopped) if self.report.status == PartitionStatus::Until => {}
            Ok(ScanEnd::Stopped | ScanEnd::Cancelled) => {
                self.report.status = PartitionStatus::Cancelled;
            }
            Err(error) => self.report.status = PartitionStatus::Failed(error.message),
        }
        // A pass that read all it was meant to leaves the total at what it read, so progress
        // ends at 100%; a cancelled or failed one leaves its unread part counted.
        if matches!(
            self.report.status,
            PartitionStatus::Complete | PartitionStatus::Until
        ) {
            let scanned = self.report.scanned;
            self.settle(scanned);
        }
    }

    /// Judges the captured events before sequence number `before`, file by file; returns
    /// the files and blocks that could not be read.
    async fn capture(&mut self, part: CapturePart, before: i64) -> Vec<String> {
        let planned_from = self.report.planned.map(|(from, _)| from);
        let mut reader = part.before(before);
        let mut recovered = 0;
        let mut last = None;
        let mut ended_early = false;
        'files: while let Some(events) = reader.next_file().await {
            let counters = &self.shared.counters;
            counters
                .total
                .fetch_add(events.len() as u64, Ordering::Relaxed);
            let mut left = events.len() as u64;
            for event in events {
                if self.shared.cancel.is_cancelled() || self.past_until(&event) {
                    if self.report.status != PartitionStatus::Until {
                        self.report.status = PartitionStatus::Cancelled;
                    }
                    counters.total.fetch_sub(left, Ordering::Relaxed);
                    ended_early = true;
                    break 'files;
                }
                left -= 1;
                let sequence = event.sequence;
                if let Some(previous) = last {
                    self.report.missing_from_capture += gap(previous, sequence);
                }
                last = Some(sequence);
                let report = &mut *self.report;
                report.capture_read = Some(
                    (report.capture_read)
                        .map_or((sequence, sequence), |(first, _)| (first, sequence)),
                );
                report.from_capture += 1;
                if planned_from.is_some_and(|from| sequence >= from) {
                    recovered += 1;
                }
                if self.judge(event).await.is_break() {
                    // Nobody listens any more.
                    self.report.status = PartitionStatus::Cancelled;
                    counters.total.fetch_sub(left, Ordering::Relaxed);
                    ended_early = true;
                    break 'files;
                }
            }
        }
        if let Some(last) = last
            && !ended_early
        {
            self.report.missing_from_capture += gap(last, before);
        }
        // Events retention removed between the plan and the read that Capture held.
        self.report.lost_to_retention = self.report.lost_to_retention.saturating_sub(recovered);
        reader.problems
    }

    /// Whether `event` lies past `--until`: the pass ends there.
    fn past_until(&mut self, event: &TailEvent) -> bool {
        let past = (self.shared.until).is_some_and(|until| event.enqueued_time > until);
        if past {
            self.report.status = PartitionStatus::Until;
        }
        past
    }

    /// Counts `event` as scanned and sends it on when the expression matches; breaks when
    /// nobody listens any more.
    async fn judge(&mut self, event: TailEvent) -> ControlFlow<()> {
        let shared = self.shared;
        if shared.query.needs_data() {
            self.decoder.prepare(&event).await;
        }
        let schemas = self.decoder.schemas();
        let decode = || data_with_schemas(&event, schemas);
        let verdict = shared.query.evaluate(&Candidate {
            hub: &self.report.hub,
            event: &event,
            decode: &decode,
        });
        let report = &mut *self.report;
        report.scanned += 1;
        shared.counters.scanned.fetch_add(1, Ordering::Relaxed);
        if verdict.decoded == Some(false) {
            report.undecodable += 1;
        }
        if !verdict.matched {
            return ControlFlow::Continue(());
        }
        report.matched += 1;
        shared.counters.matched.fetch_add(1, Ordering::Relaxed);
        let found = Found {
            hub: report.hub.clone(),
            event,
        };
        match shared.sender.send(SearchUpdate::Found(found)).await {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }

    /// The first event read: from the oldest retained, a later first event means retention
    /// removed the ones between the plan and the read.
    /// A start time is planned from the oldest event too: there the events before the first
    /// read were simply not asked for.
    fn first(&mut self, sequence: i64) {
        let Some((planned_from, planned_to)) = self.report.planned else {
            return;
        };
        if self.from_oldest {
            self.report.lost_to_retention = u64::try_from(sequence - planned_from).unwrap_or(0);
        }
        self.settle(u64::try_from(planned_to - sequence + 1).unwrap_or(0));
    }

    /// Makes the shared total hold `events` of this partition's instead of what it held.
    fn settle(&mut self, events: u64) {
        let total = &self.shared.counters.total;
        if events < self.counted {
            total.fetch_sub(self.counted - events, Ordering::Relaxed);
        } else {
            total.fetch_add(events - self.counted, Ordering::Relaxed);
        }
        self.counted = events;
    }
}

impl AsyncVisit for &mut Visitor<'_> {
    async fn visit(&mut self, event: TailEvent) -> ControlFlow<()> {
        let report = &mut *self.report;
        if report.read.is_none() {
            report.read = Some((event.sequence, event.sequence));
            self.first(event.sequence);
        }
        if self.past_until(&event) {
            return ControlFlow::Break(());
        }
        let report = &mut *self.report;
        if let Some((first, _)) = report.read {
            report.read = Some((first, event.sequence));
        }
        self.judge(event).await
    }

    fn reconnecting(&mut self, notice: Reconnect) {
        let update = SearchUpdate::Reconnecting {
            hub: self.report.hub.clone(),
            partition: self.report.partition.clone(),
            notice,
        };
        // A notice is news, not a record: it never waits for a slow reader.
        let _ = self.shared.sender.try_send(update);
    }
}

/// Sequence numbers strictly between `from` and `to`.
fn gap(from: i64, to: i64) -> u64 {
    u64::try_from(to - from - 1).unwrap_or(0)
}
