//! One partition's pass: each event is judged as it arrives (decoded only if the expression
//! reaches `data`), counted, and sent on when it matches; the report says exactly what was
//! read.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

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

/// Reads `range` and reports on it; `report` arrives with the plan filled in.
pub async fn search(
    client: Arc<SharedClient>,
    range: ScanRange,
    shared: Arc<Shared>,
    decoder: TailDecoder,
    mut report: PartitionReport,
) -> PartitionReport {
    let from_oldest = matches!(range.from, StartPosition::Earliest);
    let counted = report.planned_events();
    let mut visitor = Visitor {
        shared: &shared,
        decoder,
        report: &mut report,
        from_oldest,
        counted,
    };
    let ended = scan::scan(&client, &range, &shared.cancel, &mut visitor).await;
    match ended {
        Ok(ScanEnd::Reached) => {}
        Ok(ScanEnd::Stopped) if visitor.report.status == PartitionStatus::Until => {}
        Ok(ScanEnd::Stopped | ScanEnd::Cancelled) => {
            visitor.report.status = PartitionStatus::Cancelled;
        }
        Err(error) => visitor.report.status = PartitionStatus::Failed(error.message),
    }
    // A pass that read all it was meant to leaves the total at what it read, so progress
    // ends at 100%; a cancelled or failed one leaves its unread part counted.
    if matches!(
        visitor.report.status,
        PartitionStatus::Complete | PartitionStatus::Until
    ) {
        let scanned = visitor.report.scanned;
        visitor.settle(scanned);
    }
    report
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
        let shared = self.shared;
        if shared
            .until
            .is_some_and(|until| event.enqueued_time > until)
        {
            self.report.status = PartitionStatus::Until;
            return ControlFlow::Break(());
        }
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
        if let Some((first, _)) = report.read {
            report.read = Some((first, event.sequence));
        }
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
            // Nobody listens any more: stop reading.
            Err(_) => ControlFlow::Break(()),
        }
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
