//! The incident actions on the backend side: dry runs (which write nothing) and the
//! executions of plans the user confirmed, each executed through `ops::audited`, so the
//! console leaves the same audit record as the headless commands. One task per request,
//! never cancelled by the user leaving a view: a half-done action is worse than a late reply.

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::Services;
use crate::connect::checkpoints::CheckpointStore;
use crate::connect::error::ConnectError;
use crate::connect::kafka::{KafkaAdmin, KafkaOffsets};
use crate::ops::replay::Progress;
use crate::ops::{audited, dead_letter, redrive, replay, reset};
use crate::protocol::{DeadLetterRow, IncidentRequest, Reply, Seen};

/// Runs `incident` off the loop, in `running` (which the backend lets finish before it
/// ends, so quitting right after an action does not lose its audit record); its answer (or
/// failure) goes to `replies`.
pub fn spawn(
    services: &Services,
    incident: IncidentRequest,
    replies: mpsc::UnboundedSender<Reply>,
    running: &mut JoinSet<()>,
) {
    let services = services.clone();
    running.spawn(async move {
        let request = incident.id();
        let reply = match run(&services, incident, &replies).await {
            Ok(action) => action,
            Err(error) => Reply::RequestFailed {
                request,
                message: error.message,
            },
        };
        let _ = replies.send(reply);
    });
}

async fn run(
    services: &Services,
    incident: IncidentRequest,
    replies: &mpsc::UnboundedSender<Reply>,
) -> Result<Reply, ConnectError> {
    let plane = services.plane.as_ref();
    let store = services.checkpoints.as_ref();
    let trail = &services.trail;
    match incident {
        IncidentRequest::PlanReset { request, reset } => {
            let kafka = kafka_offsets(services, reset.kafka_group.as_deref()).await?;
            let store = kafka.as_ref().map_or(store, |k| k as &dyn CheckpointStore);
            Ok(Reply::ResetPlanned {
                request,
                plan: Seen::new(reset::plan(plane, store, &reset).await?),
            })
        }
        IncidentRequest::ExecuteReset { request, plan } => {
            let kafka = kafka_offsets(services, plan.request.kafka_group.as_deref()).await?;
            let store = kafka.as_ref().map_or(store, |k| k as &dyn CheckpointStore);
            let (written, _) = audited::reset(plane, store, trail, &plan).await?;
            Ok(Reply::ResetExecuted { request, written })
        }
        IncidentRequest::PlanDeadLetter {
            request,
            dead_letter,
        } => {
            let kafka = kafka_offsets(services, dead_letter.kafka_group.as_deref()).await?;
            let store = kafka.as_ref().map_or(store, |k| k as &dyn CheckpointStore);
            Ok(Reply::DeadLetterPlanned {
                request,
                plan: Seen::new(dead_letter::plan(plane, store, &dead_letter).await?),
            })
        }
        IncidentRequest::ExecuteDeadLetter {
            request,
            plan,
            mode,
            reason,
        } => {
            // The user may have switched to checkpoint-on-error and edited the reason after
            // the dry run; the event and the positions are the ones they saw.
            let mut confirmed = (*plan).clone();
            confirmed.request.mode = mode;
            confirmed.request.reason = reason;
            let kafka = kafka_offsets(services, confirmed.request.kafka_group.as_deref()).await?;
            let store = kafka.as_ref().map_or(store, |k| k as &dyn CheckpointStore);
            let (done, _) = audited::dead_letter(plane, store, trail, &confirmed).await?;
            Ok(Reply::DeadLetterExecuted {
                request,
                mode,
                done,
            })
        }
        IncidentRequest::ListDeadLetters { request, hub } => {
            // Reading the dead-letter hub is a tail of it: refused up front with the permission.
            let read = crate::model::permissions::ConsoleAction::Tail;
            crate::ops::permissions::require(plane.connection(), &hub, read).await?;
            let rows = redrive::list_dead_lettered(plane, &hub)
                .await?
                .into_iter()
                .map(|d| DeadLetterRow {
                    event: d.copy.event,
                    provenance: d.provenance,
                })
                .collect();
            Ok(Reply::DeadLettersLoaded { request, hub, rows })
        }
        IncidentRequest::PlanRedrive { request, redrive } => Ok(Reply::RedrivePlanned {
            request,
            plan: Seen::new(redrive::plan_redrive(plane, &redrive).await?),
        }),
        IncidentRequest::ExecuteRedrive {
            request,
            plan,
            dead_letter_hub,
        } => {
            let progress = |progress: Progress| {
                let _ = replies.send(Reply::SendProgress { request, progress });
            };
            let (done, _) = audited::send(
                plane,
                trail,
                "redrive",
                &dead_letter_hub,
                &plan,
                None,
                progress,
            )
            .await?;
            Ok(Reply::RedriveExecuted { request, done })
        }
        IncidentRequest::PlanReplay { request, replay } => Ok(Reply::ReplayPlanned {
            request,
            plan: Seen::new(replay::plan_replay(plane, &replay).await?),
        }),
        IncidentRequest::PlanCaptureReplay {
            request,
            hub,
            file,
            partition,
        } => {
            let by = &services.trail.actor.principal;
            let plan =
                super::capture_reads::plan_replay(&services.capture, &hub, &file, &partition, by)
                    .await?;
            Ok(Reply::ReplayPlanned {
                request,
                plan: Seen::new(plan),
            })
        }
        IncidentRequest::ExecuteReplay {
            request,
            plan,
            source_hub,
            rate,
        } => {
            let progress = |progress: Progress| {
                let _ = replies.send(Reply::SendProgress { request, progress });
            };
            let (done, _) =
                audited::send(plane, trail, "replay", &source_hub, &plan, rate, progress).await?;
            Ok(Reply::ReplayExecuted { request, done })
        }
        IncidentRequest::AuditRefusal {
            request,
            action,
            hub,
            consumer_group,
            reason,
        } => {
            audited::refused(
                plane,
                trail,
                &action,
                &hub,
                consumer_group.as_deref(),
                &reason,
            )
            .await?;
            Ok(Reply::RefusalAudited { request })
        }
    }
}

/// For an action on a Kafka group (a reset, a dead-letter): its committed offsets as the
/// checkpoint store, over the namespace's Kafka endpoint. Kafka takes the commit only while the group has no members, so
/// a group with members is refused here, for the dry run as for the execution: the dialog
/// says why and what to do.
async fn kafka_offsets(
    services: &Services,
    kafka_group: Option<&str>,
) -> Result<Option<KafkaOffsets>, ConnectError> {
    let Some(id) = kafka_group else {
        return Ok(None);
    };
    let endpoint = services.kafka.as_ref().ok_or_else(|| {
        ConnectError::usage(
            "Kafka groups need the namespace's Kafka endpoint: start the console with \
             --connection-string (and --kafka-endpoint on an emulator)",
        )
    })?;
    let mut admin = KafkaAdmin::connect(endpoint).await?;
    let group = admin.describe(id).await?;
    if let Some(reason) = group.members_block() {
        return Err(ConnectError::usage(reason));
    }
    Ok(Some(KafkaOffsets::new(admin, id)))
}
