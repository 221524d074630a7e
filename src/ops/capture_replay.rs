//! Replay from Capture: events of a hub's capture files in a time range (optionally one
//! partition, optionally filtered) planned as a replay, so they go through the same dry run,
//! confirmation, permission check, provenance and audit as a replay from the hub
//! ([`super::replay`]). Copies keep their CloudEvent id and carry provenance naming the
//! captured event (hub, partition, sequence number, offset, enqueued time).

use time::OffsetDateTime;

use super::capture::{TimeRange, read_records};
use super::provenance::{CopyKind, Provenance};
use super::replay::{MAX_EVENTS, Outgoing, SendPlan, matches};
use crate::connect::capture::CaptureSource;
use crate::connect::capture::events::tail_event;
use crate::connect::capture::message::amqp_message;
use crate::connect::error::ConnectError;
use crate::connect::read::RawEvent;

#[derive(Debug, Clone)]
pub struct CaptureReplayRequest {
    pub namespace: String,
    pub hub: String,
    pub partition: Option<String>,
    pub range: TimeRange,
    pub filter: Option<String>,
    pub target_hub: String,
    /// Who replays, for the provenance.
    pub by: String,
}

/// Reads the range from the capture files and builds the copies; more than [`MAX_EVENTS`]
/// is refused, as for a replay from the hub.
pub async fn plan_capture_replay(
    source: &CaptureSource,
    request: &CaptureReplayRequest,
) -> Result<(SendPlan, Vec<String>), ConnectError> {
    let mut events = Vec::new();
    let mut filtered_out = 0;
    let mut too_many = false;
    let same_hub = request.target_hub.eq_ignore_ascii_case(&request.hub);
    let problems = read_records(
        source,
        &request.namespace,
        &request.hub,
        async |listed, record| {
            let partition = &listed.parsed.partition;
            if request.partition.as_ref().is_some_and(|p| p != partition) {
                return true;
            }
            let event = tail_event(record, partition);
            if !request.range.contains(event.enqueued_time) {
                return true;
            }
            if !matches(&event, request.filter.as_deref()) {
                filtered_out += 1;
                return true;
            }
            if events.len() == MAX_EVENTS {
                too_many = true;
                return false;
            }
            let mut provenance =
                Provenance::of(&CopyKind::Replay, &request.namespace, &request.hub, &event);
            provenance.by = Some(request.by.clone());
            provenance.at = Some(OffsetDateTime::now_utc());
            let keyed = event
                .annotations
                .iter()
                .any(|(k, _)| k == "x-opt-partition-key");
            events.push(Outgoing {
                target_partition: (same_hub && !keyed).then(|| partition.clone()),
                original: RawEvent {
                    message: amqp_message(record),
                    event,
                },
                target_hub: request.target_hub.clone(),
                provenance: Some(provenance),
            });
            true
        },
    )
    .await?;
    if too_many {
        return Err(ConnectError::usage(format!(
            "the range holds more than {MAX_EVENTS} events; narrow it with --from, --until or --partition"
        )));
    }
    Ok((
        SendPlan {
            events,
            filtered_out,
        },
        problems,
    ))
}
