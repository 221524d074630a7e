//! Moving a consumer group past a poison event: dead-letter (copy the event to the team's
//! dead-letter hub, wait for the hub to accept it, then move the group's checkpoint past it)
//! or checkpoint-on-error (move past without a copy, with the reason recorded in the audit).
//!
//! Event Hubs has no dead-letter queue and no server-side offsets for AMQP consumers, so the
//! two steps cannot be one transaction. The order makes a crash harmless: a crash after the
//! copy and before the checkpoint leaves the group stuck where it was, and a repeated run
//! finds the copy by its provenance (source hub, partition, sequence number) in the
//! dead-letter hub instead of copying again; a crash before the copy changed nothing.

use serde::Serialize;
use time::OffsetDateTime;

use super::provenance::{self, CopyKind, Provenance};
use crate::connect::checkpoints::{CheckpointPosition, CheckpointScope, CheckpointStore};
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::connect::read::{self, RawEvent, ReadRange};
use crate::model::StartPosition;

/// Set to `after-copy` to end the process right after the copy is acknowledged and before
/// the checkpoint moves: how the tests show that a crash there loses and duplicates nothing.
pub const CRASH_ENV: &str = "EHOPS_INJECT_CRASH";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Copy to the dead-letter hub, then move the checkpoint.
    DeadLetter,
    /// Move the checkpoint only; the reason is the only record.
    CheckpointOnError,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::DeadLetter => "dead-letter",
            Mode::CheckpointOnError => "checkpoint-on-error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterRequest {
    pub hub: String,
    pub partition: String,
    /// The group whose checkpoint moves past the event; `None` copies only (from the tail).
    pub consumer_group: Option<String>,
    /// The poison event; by default the group's next event on the partition.
    pub sequence: Option<i64>,
    /// Where the copy goes (ignored for checkpoint-on-error).
    pub dead_letter_hub: String,
    pub reason: String,
    pub mode: Mode,
    /// When `consumer_group` names a Kafka group (labelled `G (kafka)`), its id: the move is a
    /// commit of the next offset through the namespace's Kafka endpoint.
    pub kafka_group: Option<String>,
}

/// What the dry run found.
#[derive(Debug, Clone)]
pub struct DeadLetterPlan {
    pub request: DeadLetterRequest,
    pub scope: Option<CheckpointScope>,
    pub event: RawEvent,
    /// The group's checkpoint today (sequence), if any.
    pub current_checkpoint: Option<i64>,
    /// The group's next event today.
    pub current_next: Option<i64>,
    /// Where a copy made earlier already is (partition, sequence in the dead-letter hub).
    pub existing_copy: Option<(String, i64)>,
    /// The checkpoint to write, or `None` when the group is already past the event.
    pub new_checkpoint: Option<CheckpointPosition>,
    /// Events between the group's position and the poison event that moving past it skips.
    pub skipped_before: i64,
}

/// What was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetterDone {
    /// The copy sent now; `false` when an earlier run's copy was found.
    pub copied: bool,
    /// The dead-letter hub's copy (partition, sequence) when known.
    pub copy_at: Option<(String, i64)>,
    /// The group's next event now.
    pub new_next: Option<i64>,
}

/// Looks at the event, the group's checkpoint and the dead-letter hub; writes nothing.
pub async fn plan(
    plane: &DataPlane,
    store: &dyn CheckpointStore,
    request: &DeadLetterRequest,
) -> Result<DeadLetterPlan, ConnectError> {
    let scope = request
        .consumer_group
        .as_ref()
        .map(|group| plane.checkpoint_scope(&request.hub, group));
    let info = plane.partition(&request.hub, &request.partition).await?;
    let (current_checkpoint, current_next) = match &scope {
        Some(scope) => {
            let state = store.read(scope).await?;
            let checkpoint = state.checkpoints.get(&request.partition);
            let begin = if info.is_empty {
                info.last_sequence + 1
            } else {
                info.begin_sequence
            };
            let next = super::reset::current_next(checkpoint, begin);
            (checkpoint.map(|c| c.sequence), Some(next))
        }
        None => (None, None),
    };
    let sequence = match (request.sequence, current_next) {
        (Some(sequence), _) => sequence,
        (None, Some(next)) => next,
        (None, None) => {
            return Err(ConnectError::usage(
                "name the event (--sequence) or the consumer group stuck on it",
            ));
        }
    };
    if sequence > info.last_sequence {
        return Err(ConnectError::not_found(format!(
            "hub {} partition {} has no event {sequence} yet (newest {}): the group is not \
             stuck on an event",
            request.hub, request.partition, info.last_sequence
        )));
    }
    let event = read::read_one(plane, &request.hub, &request.partition, sequence).await?;
    let existing_copy = match request.mode {
        Mode::DeadLetter => {
            find_copy(
                plane,
                &request.dead_letter_hub,
                &provenance_of(plane, request, &event),
            )
            .await?
        }
        Mode::CheckpointOnError => None,
    };
    let (new_checkpoint, skipped_before) = match current_next {
        Some(next) if next <= sequence => (
            Some(CheckpointPosition {
                sequence,
                offset: event.event.offset.clone(),
            }),
            sequence - next,
        ),
        _ => (None, 0),
    };
    Ok(DeadLetterPlan {
        request: request.clone(),
        scope,
        event,
        current_checkpoint,
        current_next,
        existing_copy,
        new_checkpoint,
        skipped_before,
    })
}

/// The provenance a copy of `event` carries.
fn provenance_of(plane: &DataPlane, request: &DeadLetterRequest, event: &RawEvent) -> Provenance {
    let connection = plane.connection();
    let mut provenance = Provenance::of(
        &CopyKind::DeadLetter,
        &connection.namespace,
        &request.hub,
        &event.event,
    );
    provenance.consumer_group = request.consumer_group.clone();
    provenance.reason = Some(request.reason.clone());
    provenance.by = Some(connection.principal.clone());
    provenance.at = Some(OffsetDateTime::now_utc());
    provenance
}

/// A copy of the same original already in `dead_letter_hub`, searched from the original's
/// enqueued time on (a copy is always newer than its original).
pub async fn find_copy(
    plane: &DataPlane,
    dead_letter_hub: &str,
    original: &Provenance,
) -> Result<Option<(String, i64)>, ConnectError> {
    let from = original
        .enqueued_time
        .map_or(StartPosition::Earliest, StartPosition::Time);
    for partition in plane.partitions(dead_letter_hub).await? {
        // Nothing enqueued since the original: no copy there, and no reason to wait on it.
        let older = matches!(
            (partition.last_enqueued, original.enqueued_time),
            (Some(newest), Some(original)) if newest < original
        );
        if partition.is_empty || older {
            continue;
        }
        let range = ReadRange {
            hub: dead_letter_hub.to_owned(),
            partition: partition.id.clone(),
            from: from.clone(),
            to_sequence: partition.last_sequence,
            max: usize::MAX,
            idle: std::time::Duration::from_secs(5),
        };
        for copy in read::read(plane, &range).await? {
            if Provenance::read(&copy.event.properties).is_some_and(|p| p.same_original(original)) {
                return Ok(Some((copy.event.partition, copy.event.sequence)));
            }
        }
    }
    Ok(None)
}

/// Reads of the dead-letter hub for a copy just made before its place is left unsaid.
const LOCATE_TRIES: usize = 3;

/// Carries the plan out: the copy (unless one exists or none is wanted), then the checkpoint.
pub async fn execute(
    plane: &DataPlane,
    store: &dyn CheckpointStore,
    plan: &DeadLetterPlan,
) -> Result<DeadLetterDone, ConnectError> {
    let request = &plan.request;
    let mut copied = false;
    let mut copy_at = plan.existing_copy.clone();
    if request.mode == Mode::DeadLetter && copy_at.is_none() {
        let provenance = provenance_of(plane, request, &plan.event);
        // Found since the dry run? Then a concurrent or interrupted run made it.
        copy_at = find_copy(plane, &request.dead_letter_hub, &provenance).await?;
        if copy_at.is_none() {
            let message = provenance::copy_message(&plan.event.message, &provenance);
            let producer = plane.open_producer(&request.dead_letter_hub).await?;
            let sent = producer.send_message(message, None).await.map_err(|e| {
                ConnectError::from_sdk(
                    &format!(
                        "dead-letter hub {} did not accept the copy",
                        request.dead_letter_hub
                    ),
                    &e,
                )
            });
            let _ = producer.close().await;
            sent?;
            copied = true;
            // Where it landed, for the audit record; the copy is made whether or not this
            // read succeeds. The hub acknowledged the copy, so a read that misses it was cut
            // short (once in CI, under load): it is read again, a few times at most.
            for _ in 0..LOCATE_TRIES {
                copy_at = find_copy(plane, &request.dead_letter_hub, &provenance)
                    .await
                    .ok()
                    .flatten();
                if copy_at.is_some() {
                    break;
                }
            }
        }
    }
    if copied && std::env::var(CRASH_ENV).is_ok_and(|v| v == "after-copy") {
        eprintln!("{CRASH_ENV}=after-copy: ending before the checkpoint moves");
        std::process::abort();
    }
    let new_next = match (&plan.scope, &plan.new_checkpoint) {
        (Some(scope), Some(position)) => {
            store
                .set_checkpoint(scope, &request.partition, position)
                .await?;
            Some(position.sequence + 1)
        }
        _ => plan.current_next,
    };
    Ok(DeadLetterDone {
        copied,
        copy_at,
        new_next,
    })
}
