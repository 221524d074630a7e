//! Redrive: dead-lettered events go back to the hub and partition they came from, as they
//! were first published (the dead-letter provenance is dropped). Listing them is also what
//! the dead-letter pane shows. Sending is [`super::replay::send`].

use std::time::Duration;

use super::provenance::Provenance;
use super::replay::{MAX_EVENTS, Outgoing, SendPlan, has_partition_key};
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::connect::read::{self, RawEvent, ReadRange};
use crate::model::StartPosition;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedriveRequest {
    pub dead_letter_hub: String,
    /// Only these copies (partition, sequence in the dead-letter hub); all when empty.
    pub only: Vec<(String, i64)>,
    /// Only copies that came from this hub.
    pub source_hub: Option<String>,
}

/// A dead-lettered event as the dead-letter pane and `ehops redrive` list it.
#[derive(Debug, Clone)]
pub struct DeadLettered {
    pub copy: RawEvent,
    pub provenance: Provenance,
}

/// Every event ehops dead-lettered into `hub` (events without provenance are skipped).
pub async fn list_dead_lettered(
    plane: &DataPlane,
    hub: &str,
) -> Result<Vec<DeadLettered>, ConnectError> {
    let mut found = Vec::new();
    for partition in plane.partitions(hub).await? {
        if partition.is_empty {
            continue;
        }
        let range = ReadRange {
            hub: hub.to_owned(),
            partition: partition.id.clone(),
            from: StartPosition::Earliest,
            to_sequence: partition.last_sequence,
            max: MAX_EVENTS,
            idle: Duration::from_secs(5),
        };
        for copy in read::read(plane, &range).await? {
            if let Some(provenance) = Provenance::read(&copy.event.properties) {
                found.push(DeadLettered { copy, provenance });
            }
        }
    }
    Ok(found)
}

/// The dead-lettered events to send home.
pub async fn plan_redrive(
    plane: &DataPlane,
    request: &RedriveRequest,
) -> Result<SendPlan, ConnectError> {
    let listed = list_dead_lettered(plane, &request.dead_letter_hub).await?;
    let total = listed.len();
    let events: Vec<Outgoing> = listed
        .into_iter()
        .filter(|d| {
            request.only.is_empty()
                || request
                    .only
                    .iter()
                    .any(|(p, s)| *p == d.copy.event.partition && *s == d.copy.event.sequence)
        })
        .filter(|d| {
            request
                .source_hub
                .as_ref()
                .is_none_or(|h| h.eq_ignore_ascii_case(&d.provenance.hub))
        })
        .map(|d| {
            let target_partition =
                (!has_partition_key(&d.copy.event)).then(|| d.provenance.partition.clone());
            Outgoing {
                target_hub: d.provenance.hub.clone(),
                target_partition,
                original: d.copy,
                provenance: None,
            }
        })
        .collect();
    if let Some((p, s)) = request.only.iter().find(|(p, s)| {
        !events
            .iter()
            .any(|o| o.original.event.partition == *p && o.original.event.sequence == *s)
    }) {
        return Err(ConnectError::not_found(format!(
            "{} holds no dead-lettered event at partition {p} sequence {s}",
            request.dead_letter_hub
        )));
    }
    Ok(SendPlan {
        filtered_out: total - events.len(),
        events,
    })
}
