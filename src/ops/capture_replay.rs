//! Replay from Capture: events of a hub's capture files in a time range (optionally one
//! partition, optionally filtered) planned as a replay, so they go through the same dry run,
//! confirmation, permission check, provenance and audit as a replay from the hub
//! ([`super::replay`]). Copies keep their CloudEvent id and carry provenance naming the
//! captured event (hub, partition, sequence number, offset, enqueued time). `ehops import`
//! plans one file the same way ([`plan_file`]).

use time::OffsetDateTime;

use super::capture::{TimeRange, read_records};
use super::provenance::{CopyKind, Provenance};
use super::replay::{MAX_EVENTS, Outgoing, SendPlan, matches};
use crate::codec::capture::CaptureRecord;
use crate::connect::capture::CaptureSource;
use crate::connect::capture::events::tail_event;
use crate::connect::capture::message::amqp_message;
use crate::connect::error::ConnectError;
use crate::connect::read::RawEvent;

#[derive(Debug, Clone)]
pub struct CaptureReplayRequest {
    pub namespace: String,
    /// The hub the events were captured from (named in the provenance).
    pub hub: String,
    pub partition: Option<String>,
    pub range: TimeRange,
    pub filter: Option<String>,
    pub target_hub: String,
    /// Who replays, for the provenance.
    pub by: String,
}

/// A plan being built: one record at a time, refusing more than [`MAX_EVENTS`].
struct Planner<'a> {
    request: &'a CaptureReplayRequest,
    plan: SendPlan,
    too_many: bool,
}

impl Planner<'_> {
    /// Adds the record unless the request leaves it out; false once the plan is full.
    fn add(&mut self, partition: &str, record: &CaptureRecord) -> bool {
        let request = self.request;
        if request.partition.as_deref().is_some_and(|p| p != partition) {
            return true;
        }
        let event = tail_event(record, partition);
        if !request.range.contains(event.enqueued_time) {
            return true;
        }
        if !matches(&event, request.filter.as_deref()) {
            self.plan.filtered_out += 1;
            return true;
        }
        if self.plan.events.len() == MAX_EVENTS {
            self.too_many = true;
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
        let same_hub = request.target_hub.eq_ignore_ascii_case(&request.hub);
        self.plan.events.push(Outgoing {
            target_partition: (same_hub && !keyed).then(|| partition.to_string()),
            original: RawEvent {
                message: amqp_message(record),
                event,
            },
            target_hub: request.target_hub.clone(),
            provenance: Some(provenance),
        });
        true
    }

    fn finish(self) -> Result<SendPlan, ConnectError> {
        if self.too_many {
            return Err(ConnectError::usage(format!(
                "the range holds more than {MAX_EVENTS} events; narrow it with --from, --until or --partition"
            )));
        }
        Ok(self.plan)
    }
}

fn planner(request: &CaptureReplayRequest) -> Planner<'_> {
    Planner {
        request,
        plan: SendPlan {
            events: Vec::new(),
            filtered_out: 0,
        },
        too_many: false,
    }
}

/// Reads the range from the capture files and builds the copies; also returns the problems
/// met in damaged files.
pub async fn plan_capture_replay(
    source: &CaptureSource,
    request: &CaptureReplayRequest,
) -> Result<(SendPlan, Vec<String>), ConnectError> {
    let mut planner = planner(request);
    let problems = read_records(
        source,
        &request.namespace,
        &request.hub,
        async |listed, record| planner.add(&listed.parsed.partition, record),
    )
    .await?;
    Ok((planner.finish()?, problems))
}

/// The copies of one file's records, all from `partition`.
pub fn plan_file(
    records: &[CaptureRecord],
    partition: &str,
    request: &CaptureReplayRequest,
) -> Result<SendPlan, ConnectError> {
    let mut planner = planner(request);
    for record in records {
        if !planner.add(partition, record) {
            break;
        }
    }
    planner.finish()
}
