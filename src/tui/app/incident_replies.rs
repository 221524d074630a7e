//! The backend's answers to the incident dialog: the dry runs shown, the progress of a
//! send, the results, and failures said where the user is looking.

use super::{App, View};
use crate::ops::dead_letter::Mode;
use crate::protocol::{ReadRequest, Reply, Request};
use crate::tui::state::{DeadLetterFocus, Stage, TextField};

impl App {
    /// Answers for the dialog: only its latest request's count.
    pub(super) fn incident_reply(&mut self, reply: Reply) -> Vec<Request> {
        let Some(dialog) = &mut self.incident else {
            return Vec::new();
        };
        match reply {
            Reply::ResetPlanned { plan, .. } => {
                dialog.stage = Stage::ResetDryRun {
                    plan,
                    typed: TextField::new(""),
                    error: None,
                };
            }
            Reply::DeadLetterPlanned { plan, .. } => {
                let decoded = self.decoding.decode(&plan.event.event);
                let wanted = self.decoding.wanted(
                    plan.event.event.content_type.as_deref(),
                    &plan.event.event.body,
                );
                let decode_error = decoded.rejection();
                let reason = TextField::new(&default_reason(decode_error.as_deref()));
                if let Some(dialog) = &mut self.incident {
                    dialog.stage = Stage::DeadLetterDryRun {
                        plan,
                        reason,
                        reason_edited: false,
                        decode_error,
                        focus: DeadLetterFocus::Button(Mode::DeadLetter),
                    };
                }
                // The schema the event names, so the reason can say why it does not decode.
                return wanted
                    .map(|id| {
                        let request = self.issue();
                        Request::Read(ReadRequest::FetchSchema { request, id })
                    })
                    .into_iter()
                    .collect();
            }
            Reply::RedrivePlanned { plan, .. } => dialog.stage = Stage::RedriveDryRun { plan },
            Reply::ReplayPlanned { plan, .. } => self.replay_planned(plan),
            Reply::SendProgress { progress, .. } => {
                dialog.stage = Stage::Running {
                    progress: Some(progress),
                };
            }
            Reply::ResetExecuted { written, .. } => {
                let lines = written
                    .iter()
                    .map(|w| match &w.error {
                        None => format!(
                            "partition {}: next event is now {}",
                            w.partition, w.new_next
                        ),
                        Some(error) => format!("partition {}: NOT written: {error}", w.partition),
                    })
                    .collect();
                dialog.stage = Stage::Finished { lines };
                return self.after_checkpoint_move();
            }
            Reply::DeadLetterExecuted { mode, done, .. } => {
                let mut lines = Vec::new();
                if mode == Mode::DeadLetter {
                    lines.push(match (&done.copy_at, done.copied) {
                        (Some((p, s)), true) => {
                            format!("copied to partition {p} sequence {s} of the dead-letter hub")
                        }
                        (Some((p, s)), false) => format!(
                            "an earlier copy was found at partition {p} sequence {s}: not copied again"
                        ),
                        (None, true) => "copied to the dead-letter hub".to_owned(),
                        (None, false) => "no copy made".to_owned(),
                    });
                }
                lines.push(match done.new_next {
                    Some(next) => format!("the group's next event is now {next}"),
                    None => "no checkpoint moved".to_owned(),
                });
                lines.push("recorded in the audit trail".to_owned());
                dialog.stage = Stage::Finished { lines };
                return self.after_checkpoint_move();
            }
            Reply::RedriveExecuted { done, .. } => {
                let sent = format!("{} of {} events sent home", done.sent, done.total);
                dialog.stage = match &done.error {
                    None => Stage::Finished { lines: vec![sent] },
                    Some(error) => Stage::Failed {
                        message: format!("{sent}; stopped: {error}"),
                    },
                };
                self.dead_letters.marked.clear();
                return self.request_dead_letters().into_iter().collect();
            }
            Reply::ReplayExecuted { done, .. } => {
                let sent = format!("{} of {} events replayed", done.sent, done.total);
                dialog.stage = match &done.error {
                    None => Stage::Finished {
                        lines: vec![sent, "recorded in the audit trail".to_owned()],
                    },
                    Some(error) => Stage::Failed {
                        message: format!("{sent}; stopped: {error}"),
                    },
                };
            }
            Reply::RequestFailed { message, .. } => dialog.stage = Stage::Failed { message },
            _ => {}
        }
        Vec::new()
    }

    /// A schema arrived: a dead-letter dry run still showing its default reason says why the
    /// event does not decode now.
    pub(super) fn incident_schema_arrived(&mut self) {
        let Some(dialog) = &mut self.incident else {
            return;
        };
        if let Stage::DeadLetterDryRun {
            plan,
            reason,
            reason_edited: false,
            decode_error,
            ..
        } = &mut dialog.stage
        {
            *decode_error = self.decoding.decode(&plan.event.event).rejection();
            *reason = TextField::new(&default_reason(decode_error.as_deref()));
        }
    }

    /// The lag on screen is stale once a checkpoint moved.
    fn after_checkpoint_move(&mut self) -> Vec<Request> {
        if self.view() == View::CONSUMER_GROUPS {
            self.request_lag().into_iter().collect()
        } else {
            Vec::new()
        }
    }
}

fn default_reason(decode_error: Option<&str>) -> String {
    match decode_error {
        Some(error) => format!("poison event: {error}"),
        None => "poison event".to_owned(),
    }
}
