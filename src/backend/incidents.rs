//! The incident actions on the backend side: dry runs (which write nothing) and the
//! executions of plans the user confirmed, each executed through `ops::audited`, so the
//! console leaves the same audit record as the headless commands. One task per request,
//! never cancelled by the user leaving a view: a half-done action is worse than a late reply.

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::Services;
use crate::connect::error::ConnectError;
use crate::ops::replay::Progress;
use crate::ops::{audited, dead_letter, redrive, replay, reset};
use crate::tui::action::Action;
use crate::tui::command::{Command, Seen};
use crate::tui::state::DeadLetterRow;

/// Whether the backend runs `command` here.
pub fn handles(command: &Command) -> bool {
    matches!(
        command,
        Command::PlanReset { .. }
            | Command::ExecuteReset { .. }
            | Command::PlanDeadLetter { .. }
            | Command::ExecuteDeadLetter { .. }
            | Command::ListDeadLetters { .. }
            | Command::PlanRedrive { .. }
            | Command::ExecuteRedrive { .. }
            | Command::PlanReplay { .. }
            | Command::ExecuteReplay { .. }
            | Command::AuditRefusal { .. }
    )
}

/// Runs `command` off the loop, in `running` (which the backend lets finish before it
/// ends, so quitting right after an action does not lose its audit record); its answer (or
/// failure) goes to `replies`.
pub fn spawn(
    services: &Services,
    command: Command,
    replies: mpsc::UnboundedSender<Action>,
    running: &mut JoinSet<()>,
) {
    let services = services.clone();
    running.spawn(async move {
        let request = super::jobs::request_of(&command);
        let reply = match run(&services, command, &replies).await {
            Ok(action) => action,
            Err(error) => Action::RequestFailed {
                request,
                message: error.message,
            },
        };
        let _ = replies.send(reply);
    });
}

async fn run(
    services: &Services,
    command: Command,
    replies: &mpsc::UnboundedSender<Action>,
) -> Result<Action, ConnectError> {
    let plane = services.plane.as_ref();
    let store = services.checkpoints.as_ref();
    let trail = &services.trail;
    match command {
        Command::PlanReset { request, reset } => Ok(Action::ResetPlanned {
            request,
            plan: Seen::new(reset::plan(plane, store, &reset).await?),
        }),
        Command::ExecuteReset { request, plan } => {
            let (written, _) = audited::reset(plane, store, trail, &plan).await?;
            Ok(Action::ResetExecuted { request, written })
        }
        Command::PlanDeadLetter {
            request,
            dead_letter,
        } => Ok(Action::DeadLetterPlanned {
            request,
            plan: Seen::new(dead_letter::plan(plane, store, &dead_letter).await?),
        }),
        Command::ExecuteDeadLetter {
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
            let (done, _) = audited::dead_letter(plane, store, trail, &confirmed).await?;
            Ok(Action::DeadLetterExecuted {
                request,
                mode,
                done,
            })
        }
        Command::ListDeadLetters { request, hub } => {
            let rows = redrive::list_dead_lettered(plane, &hub)
                .await?
                .into_iter()
                .map(|d| DeadLetterRow {
                    event: d.copy.event,
                    provenance: d.provenance,
                })
                .collect();
            Ok(Action::DeadLettersLoaded { request, hub, rows })
        }
        Command::PlanRedrive { request, redrive } => Ok(Action::RedrivePlanned {
            request,
            plan: Seen::new(redrive::plan_redrive(plane, &redrive).await?),
        }),
        Command::ExecuteRedrive {
            request,
            plan,
            dead_letter_hub,
        } => {
            let progress = |progress: Progress| {
                let _ = replies.send(Action::SendProgress { request, progress });
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
            Ok(Action::RedriveExecuted { request, done })
        }
        Command::PlanReplay { request, replay } => Ok(Action::ReplayPlanned {
            request,
            plan: Seen::new(replay::plan_replay(plane, &replay).await?),
        }),
        Command::ExecuteReplay {
            request,
            plan,
            source_hub,
            rate,
        } => {
            let progress = |progress: Progress| {
                let _ = replies.send(Action::SendProgress { request, progress });
            };
            let (done, _) =
                audited::send(plane, trail, "replay", &source_hub, &plan, rate, progress).await?;
            Ok(Action::ReplayExecuted { request, done })
        }
        Command::AuditRefusal {
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
            Ok(Action::RefusalAudited { request })
        }
        other => Err(ConnectError::usage(format!(
            "not an incident action: {other:?}"
        ))),
    }
}
