//! Following one aggregate across hubs: which hubs key their events by the subject (so only
//! the partition the key hashes to needs reading), and the search that finds every event
//! whose subject or partition key is the aggregate.

use std::ops::ControlFlow;
use std::time::Duration;

use futures_util::future::join_all;
use tokio_util::sync::CancellationToken;

use crate::codec::query::{Query, QueryError};
use crate::connect::data_plane::DataPlane;
use crate::connect::scan::{FnVisit, ScanRange, scan};
use crate::connect::shared_client::SharedClient;
use crate::model::{StartPosition, TailEvent};
use crate::ops::search::{HubTarget, PartitionReport, PartitionStatus};

/// How long finding out whether a hub is keyed may take.
const DETECT_WITHIN: Duration = Duration::from_secs(5);

/// Whether `hub`'s newest event carries its CloudEvents subject as its partition key: then
/// producers key by the aggregate, and its events all live in the partition the key hashes
/// to. A hub that cannot be asked, or holds nothing, is read in full.
pub async fn keyed_by_subject(plane: &DataPlane, hub: &str) -> bool {
    let Ok(partitions) = plane.partitions(hub).await else {
        return false;
    };
    let Some(newest) = partitions
        .iter()
        .filter(|p| !p.is_empty)
        .max_by_key(|p| p.last_enqueued)
    else {
        return false;
    };
    // Bounded: the SDK has been seen to wait 15 s opening a client right after another
    // process closed one; a hub not known to be keyed is read in full, which is only slower.
    let read = newest_event(plane, hub, &newest.id, newest.last_sequence);
    let Ok(Some(event)) = tokio::time::timeout(DETECT_WITHIN, read).await else {
        tracing::info!(
            hub,
            "newest event not read in time; the hub is read in full"
        );
        return false;
    };
    let key = event.partition_key();
    key.is_some() && key == event.cloud_event.subject.as_deref()
}

/// The event at `sequence`, read with a pass of one event (bounded in time: a partition that
/// does not deliver it is read in full rather than waited on).
async fn newest_event(
    plane: &DataPlane,
    hub: &str,
    partition: &str,
    sequence: i64,
) -> Option<TailEvent> {
    let client = plane.open_consumer(hub).await.ok()?;
    let own_plane = DataPlane::new(plane.connection().clone(), plane.consumer_group());
    let shared = SharedClient::new(own_plane, hub.to_owned(), client);
    let range = ScanRange {
        hub: hub.to_owned(),
        partition: partition.to_owned(),
        consumer_group: plane.consumer_group().to_owned(),
        from: StartPosition::Sequence(sequence),
        to_sequence: sequence,
        quiet: Duration::from_secs(5),
    };
    let mut found = None;
    let visit = |event: TailEvent| {
        found = Some(event);
        std::future::ready(ControlFlow::Break(()))
    };
    let _ = scan(&shared, &range, &CancellationToken::new(), FnVisit(visit)).await;
    // The client's connection is not needed any more; closing it is not waited on.
    tokio::spawn(shared.close());
    found
}

/// Each hub, read only where `subject` hashes to when the hub keys by subject.
pub async fn targets(plane: &DataPlane, hubs: &[String], subject: &str) -> Vec<HubTarget> {
    let keyed = join_all(hubs.iter().map(|hub| keyed_by_subject(plane, hub))).await;
    hubs.iter()
        .zip(keyed)
        .map(|(hub, keyed)| HubTarget {
            hub: hub.clone(),
            only_key: keyed.then(|| subject.to_owned()),
        })
        .collect()
}

/// Events whose subject or partition key is `subject`.
pub fn query(subject: &str) -> Result<Query, QueryError> {
    // An empty subject would read every hub for the events that have none.
    if subject.trim().is_empty() {
        return Err(QueryError {
            column: 1,
            message: "the subject is empty; name an aggregate, e.g. cont-00042".into(),
        });
    }
    let literal = serde_json::to_string(subject).unwrap_or_else(|_| "\"\"".to_owned());
    // A JSON string is a valid CEL string literal (the same escapes), so any subject is safe.
    Query::compile(&format!("subject == {literal} || key == {literal}"))
}

/// What the key-hash shortcut saved: events held in the partitions not read, of all held.
pub fn saved(partitions: &[PartitionReport]) -> (u64, u64) {
    let held: u64 = partitions.iter().map(PartitionReport::planned_events).sum();
    let skipped = partitions
        .iter()
        .filter(|p| p.status == PartitionStatus::NotKeyed)
        .map(PartitionReport::planned_events)
        .sum();
    (skipped, held)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_subject_becomes_a_safe_literal() {
        for subject in ["cont-00042", r#"a"b\c"#, "line\nbreak", "ünï"] {
            let query = query(subject).unwrap_or_else(|e| panic!("{subject}: {e}"));
            assert!(query.text().contains("subject == "));
        }
    }

    #[test]
    fn an_empty_subject_is_refused() {
        for subject in ["", "  "] {
            let error = query(subject).err().expect("refused");
            assert!(error.message.contains("the subject is empty"), "{error}");
        }
    }
}
