//! The console's search pane on the backend side: one search at a time (`ops::search`), its
//! matches forwarded in batches on the bounded event channel with `send` (a console that
//! falls behind slows the search down; no match is dropped), its progress and its summary on
//! the replies channel. A new search or `StopSearch` cancels the running one, whose summary
//! still comes (it says it was cancelled). Where the console reads the namespace's Capture,
//! a search reads it too, before each partition's oldest retained event.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Services;
use crate::codec::query::Query;
use crate::model::TailEvent;
use crate::ops::search::{self, CaptureHistory, HubTarget, SearchRequest, SearchUpdate, Summary};
use crate::ops::trace;
use crate::protocol::{Reply, RequestId, SearchAsk};

/// Matches sent in one reply at most, and how long a batch may wait for more.
const MAX_BATCH: usize = 256;
const BATCH_WINDOW: Duration = Duration::from_millis(100);

/// A search running for the console; dropping it cancels it (its summary still comes, and
/// its task ends after sending it).
pub struct RunningSearch {
    pub request: RequestId,
    stop: tokio_util::sync::CancellationToken,
}

impl Drop for RunningSearch {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

pub fn start(
    services: &Services,
    request: RequestId,
    hubs: Vec<String>,
    ask: SearchAsk,
    replies: mpsc::UnboundedSender<Reply>,
    matches: mpsc::Sender<Reply>,
) -> RunningSearch {
    let plane = Arc::clone(&services.plane);
    // The history before retention too, where the console reads this namespace's Capture.
    let capture = (services.capture.as_ref().ok())
        .filter(|access| access.namespace == plane.connection().namespace)
        .map(|access| CaptureHistory {
            source: access.source.clone(),
            namespace: access.namespace.clone(),
        });
    let stop = tokio_util::sync::CancellationToken::new();
    let cancel = stop.clone();
    tokio::spawn(async move {
        let compiled = match &ask {
            SearchAsk::Where(expression) => Query::compile(expression),
            SearchAsk::Trace(subject) => trace::query(subject),
        };
        let query = match compiled {
            Ok(query) => Arc::new(query),
            Err(error) => {
                let message = match &ask {
                    SearchAsk::Where(_) => {
                        format!("search: column {}: {}", error.column, error.message)
                    }
                    SearchAsk::Trace(_) => format!("trace: {}", error.message),
                };
                let _ = replies.send(Reply::RequestFailed { request, message });
                return;
            }
        };
        let targets = match &ask {
            SearchAsk::Where(_) => (hubs.iter())
                .map(|hub| HubTarget {
                    hub: hub.clone(),
                    only_key: None,
                })
                .collect(),
            SearchAsk::Trace(subject) => {
                let began = std::time::Instant::now();
                let targets = trace::targets(&plane, &hubs, subject).await;
                tracing::debug!(elapsed = ?began.elapsed(), ?targets, "trace: keyed hubs found");
                targets
            }
        };
        let search = search::start(
            plane,
            SearchRequest {
                hubs: targets,
                query,
                from: crate::model::StartPosition::Earliest,
                until: None,
                capture,
            },
        );
        forward(search, request, &replies, &matches, cancel).await;
    });
    RunningSearch { request, stop }
}

/// Passes the search's updates on until its summary.
async fn forward(
    mut search: search::Search,
    request: RequestId,
    replies: &mpsc::UnboundedSender<Reply>,
    matches: &mpsc::Sender<Reply>,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut batch: Vec<(String, TailEvent)> = Vec::new();
    let mut deadline = Instant::now() + BATCH_WINDOW;
    loop {
        let update = tokio::select! {
            update = search.updates.recv() => update,
            () = tokio::time::sleep_until(deadline), if !batch.is_empty() => {
                if !send_batch(matches, request, &mut batch).await {
                    return;
                }
                continue;
            }
            () = stop.cancelled(), if !stop.is_cancelled() => {
                search.cancel();
                continue;
            }
        };
        match update {
            Some(SearchUpdate::Found(found)) => {
                if batch.is_empty() {
                    deadline = Instant::now() + BATCH_WINDOW;
                }
                batch.push((found.hub, found.event));
                if batch.len() >= MAX_BATCH && !send_batch(matches, request, &mut batch).await {
                    return;
                }
            }
            Some(SearchUpdate::Progress(progress)) => {
                let _ = replies.send(Reply::SearchProgress { request, progress });
            }
            Some(SearchUpdate::Reconnecting { .. }) => {}
            Some(SearchUpdate::Finished(summary)) => {
                if !send_batch(matches, request, &mut batch).await {
                    return;
                }
                let _ = replies.send(Reply::SearchFinished {
                    request,
                    summary: sentence(&summary),
                    complete: summary.complete(),
                });
                return;
            }
            None => return,
        }
    }
}

/// Sends the batch (waiting for room); `false` when the console is gone.
async fn send_batch(
    matches: &mpsc::Sender<Reply>,
    request: RequestId,
    batch: &mut Vec<(String, TailEvent)>,
) -> bool {
    if batch.is_empty() {
        return true;
    }
    let found = std::mem::take(batch);
    matches
        .send(Reply::SearchFound { request, found })
        .await
        .is_ok()
}

/// What the search read and did not, in one line for the pane.
fn sentence(summary: &Summary) -> String {
    let mut text = format!(
        "{} events scanned in {:.1} s, {} matched, {} undecodable",
        summary.scanned, summary.seconds, summary.matched, summary.undecodable
    );
    let captured: u64 = summary.partitions.iter().map(|p| p.from_capture).sum();
    if captured > 0 {
        text.push_str(&format!(
            ", {captured} of them from Capture (before retention)"
        ));
    }
    let missing: u64 = (summary.partitions.iter())
        .map(|p| p.missing_from_capture)
        .sum();
    if missing > 0 {
        text.push_str(&format!(", {missing} missing from Capture"));
    }
    if summary.cancelled {
        text.push_str(", cancelled");
    }
    let failed = (summary.partitions.iter())
        .filter(|p| matches!(p.status, search::PartitionStatus::Failed(_)))
        .count();
    if failed > 0 {
        text.push_str(&format!(", {failed} partitions not read to the end"));
    }
    for skipped in &summary.skipped {
        text.push_str(&format!("; {} skipped: {}", skipped.hub, skipped.reason));
    }
    for problem in &summary.capture_problems {
        text.push_str(&format!("; Capture not read: {problem}"));
    }
    text
}
