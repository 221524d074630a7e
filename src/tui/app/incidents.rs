//! The incident dialog as app state: reset checkpoints, dead-letter (or checkpoint-on-error)
//! and redrive, each walked form -> dry run -> confirmation -> execution -> result. Every
//! step is a command with a request id; only the answer to the dialog's latest request moves
//! it on. Nothing executes without a dry run the user saw and confirmed.

use super::{App, Notice};
use crate::model::StartPosition;
use crate::model::dead_letter_hub_for;
use crate::ops::dead_letter::{DeadLetterRequest, Mode};
use crate::ops::redrive::RedriveRequest;
use crate::ops::reset::ResetRequest;
use crate::protocol::{IncidentRequest, Request};
use crate::tui::action::Action;
use crate::tui::state::{
    DeadLetterFocus, IncidentDialog, IncidentKind, ResetField, ResetForm, Stage, TextField,
};

impl App {
    /// The reset form for `group` on the open hub, the lag table's partition preselected.
    pub(super) fn open_reset(
        &mut self,
        hub: String,
        group: String,
        partition: Option<String>,
        kafka_group: Option<String>,
    ) {
        self.incident = Some(IncidentDialog {
            kind: IncidentKind::Reset,
            hub,
            consumer_group: Some(group),
            stage: Stage::ResetForm(ResetForm {
                all: partition.is_none(),
                selected_partition: partition,
                position: TextField::new(""),
                field: ResetField::Position,
                error: None,
                kafka_group,
            }),
            request: None,
        });
    }

    /// Asks for the dry run of dead-lettering the event at `sequence`, or the group's next
    /// event on `partition`, to the signed-in team's dead-letter hub.
    pub(super) fn open_dead_letter(
        &mut self,
        hub: String,
        partition: String,
        consumer_group: Option<String>,
        sequence: Option<i64>,
        kafka_group: Option<String>,
    ) -> Vec<Request> {
        let Some(dead_letter_hub) = self.team_dead_letter_hub() else {
            return Vec::new();
        };
        let request = self.issue();
        let dead_letter = DeadLetterRequest {
            hub: hub.clone(),
            partition,
            consumer_group: consumer_group.clone(),
            sequence,
            dead_letter_hub,
            reason: String::new(),
            mode: Mode::DeadLetter,
            kafka_group,
        };
        self.incident = Some(IncidentDialog {
            kind: IncidentKind::DeadLetter,
            hub,
            consumer_group,
            stage: Stage::Planning,
            request: Some(request),
        });
        vec![Request::Incident(IncidentRequest::PlanDeadLetter {
            request,
            dead_letter,
        })]
    }

    /// Asks for the dry run of sending `only` (copies in `dead_letter_hub`) home.
    pub(super) fn open_redrive(
        &mut self,
        dead_letter_hub: String,
        only: Vec<(String, i64)>,
    ) -> Vec<Request> {
        let request = self.issue();
        self.incident = Some(IncidentDialog {
            kind: IncidentKind::Redrive,
            hub: dead_letter_hub.clone(),
            consumer_group: None,
            stage: Stage::Planning,
            request: Some(request),
        });
        vec![Request::Incident(IncidentRequest::PlanRedrive {
            request,
            redrive: RedriveRequest {
                dead_letter_hub,
                only,
                source_hub: None,
            },
        })]
    }

    /// The signed-in team's dead-letter hub; says why when there is none.
    pub(super) fn team_dead_letter_hub(&mut self) -> Option<String> {
        let Some(team) = self.identity.team.clone() else {
            self.notice = Some(Notice::Error(
                "dead-lettering needs a team: the dead-letter hub is the team's".to_owned(),
            ));
            return None;
        };
        let hub = dead_letter_hub_for(&self.hubs_here(), &team).map(|h| h.name.clone());
        if hub.is_none() {
            self.notice = Some(Notice::Error(format!(
                "team {team} has no dead-letter hub (a hub tagged deadletter_for={team})"
            )));
        }
        hub
    }

    /// Refuses `action` with `reason`: said on screen and written to the audit trail.
    pub(super) fn refuse(
        &mut self,
        action: &str,
        hub: &str,
        consumer_group: Option<&str>,
        reason: String,
    ) -> Vec<Request> {
        self.notice = Some(Notice::Error(reason.clone()));
        let request = self.issue();
        vec![Request::Incident(IncidentRequest::AuditRefusal {
            request,
            action: action.to_owned(),
            hub: hub.to_owned(),
            consumer_group: consumer_group.map(str::to_owned),
            reason,
        })]
    }

    /// Keys while the dialog is open; nothing reaches the pane below.
    pub(super) fn incident_key(&mut self, action: Action) -> Vec<Request> {
        let Some(dialog) = &mut self.incident else {
            return Vec::new();
        };
        if matches!(action, Action::Back) {
            if dialog.is_running() {
                self.notice = Some(Notice::Info(
                    "the action is under way; its result shows here".to_owned(),
                ));
            } else {
                self.incident = None;
            }
            return Vec::new();
        }
        let with_group = dialog.consumer_group.is_some();
        match &mut dialog.stage {
            Stage::ResetForm(form) => match action {
                Action::FocusNext | Action::FocusPrev => {
                    form.field = match form.field {
                        ResetField::Scope => ResetField::Position,
                        ResetField::Position => ResetField::Scope,
                    };
                }
                Action::SelectUp | Action::SelectDown => {
                    // Without a selected partition, all partitions is the only choice.
                    form.all = !form.all || form.selected_partition.is_none();
                }
                Action::InsertChar(' ') if form.field == ResetField::Scope => {
                    form.all = !form.all || form.selected_partition.is_none();
                }
                Action::InsertChar(c) if form.field == ResetField::Position => {
                    form.position.insert(c);
                }
                Action::DeleteChar if form.field == ResetField::Position => {
                    form.position.delete();
                }
                Action::EditInput(key) if form.field == ResetField::Position => {
                    form.position.edit(key);
                }
                Action::Submit => return self.plan_reset(),
                _ => {}
            },
            Stage::ResetDryRun { typed, .. } => match action {
                Action::InsertChar(c) => typed.insert(c),
                Action::DeleteChar => typed.delete(),
                Action::EditInput(key) => {
                    typed.edit(key);
                }
                Action::Submit => return self.confirm_reset(),
                _ => {}
            },
            Stage::DeadLetterDryRun {
                reason,
                reason_edited,
                focus,
                ..
            } => {
                // Checkpoint-on-error needs a group whose checkpoint moves.
                let order: &[DeadLetterFocus] = if with_group {
                    &[
                        DeadLetterFocus::Button(Mode::DeadLetter),
                        DeadLetterFocus::Button(Mode::CheckpointOnError),
                        DeadLetterFocus::Reason,
                    ]
                } else {
                    &[
                        DeadLetterFocus::Button(Mode::DeadLetter),
                        DeadLetterFocus::Reason,
                    ]
                };
                let at = order.iter().position(|f| f == focus).unwrap_or(0);
                match action {
                    Action::FocusNext => *focus = order[(at + 1) % order.len()],
                    Action::FocusPrev => *focus = order[(at + order.len() - 1) % order.len()],
                    Action::InsertChar(c) if *focus == DeadLetterFocus::Reason => {
                        reason.insert(c);
                        *reason_edited = true;
                    }
                    Action::DeleteChar if *focus == DeadLetterFocus::Reason => {
                        reason.delete();
                        *reason_edited = true;
                    }
                    Action::EditInput(key) if *focus == DeadLetterFocus::Reason => {
                        *reason_edited |= reason.edit(key);
                    }
                    Action::Submit if *focus == DeadLetterFocus::Reason => {
                        *focus = DeadLetterFocus::Button(Mode::DeadLetter);
                    }
                    Action::Submit | Action::Confirm => {
                        if let DeadLetterFocus::Button(mode) = *focus {
                            return self.confirm_dead_letter(mode);
                        }
                    }
                    _ => {}
                }
            }
            Stage::RedriveDryRun { plan } => {
                if matches!(action, Action::Submit | Action::Confirm) {
                    if plan.events.is_empty() {
                        self.incident = None;
                        return Vec::new();
                    }
                    let plan = plan.clone();
                    let request = self.start_running();
                    let dead_letter_hub = self.dead_letters.hub.clone();
                    return vec![Request::Incident(IncidentRequest::ExecuteRedrive {
                        request,
                        plan,
                        dead_letter_hub,
                    })];
                }
            }
            Stage::ReplayForm(_) | Stage::ReplayDryRun { .. } => return self.replay_key(action),
            Stage::Finished { .. } | Stage::Failed { .. } => {
                if matches!(action, Action::Submit | Action::Confirm) {
                    self.incident = None;
                }
            }
            Stage::Planning | Stage::ReplayPlanning { .. } | Stage::Running { .. } => {}
        }
        Vec::new()
    }

    /// The dialog is now executing; returns the request whose answer ends it.
    pub(super) fn start_running(&mut self) -> crate::protocol::RequestId {
        let request = self.issue();
        if let Some(dialog) = &mut self.incident {
            dialog.request = Some(request);
            dialog.stage = Stage::Running { progress: None };
        }
        request
    }

    fn plan_reset(&mut self) -> Vec<Request> {
        let Some(dialog) = &mut self.incident else {
            return Vec::new();
        };
        let Stage::ResetForm(form) = &mut dialog.stage else {
            return Vec::new();
        };
        let to = match form.position.text().trim().parse::<StartPosition>() {
            Ok(to) => to,
            Err(error) => {
                form.error = Some(format!(
                    "{error}: type earliest, latest, seq:N, offset:X or time:RFC3339"
                ));
                return Vec::new();
            }
        };
        let partition = (!form.all)
            .then(|| form.selected_partition.clone())
            .flatten();
        let reset = ResetRequest {
            hub: dialog.hub.clone(),
            consumer_group: dialog.consumer_group.clone().unwrap_or_default(),
            partition,
            to,
            kafka_group: form.kafka_group.clone(),
        };
        let request = self.issue();
        if let Some(dialog) = &mut self.incident {
            dialog.stage = Stage::Planning;
            dialog.request = Some(request);
        }
        vec![Request::Incident(IncidentRequest::PlanReset {
            request,
            reset,
        })]
    }

    /// Executes the reset if the typed name is the group's; otherwise refuses (audited).
    fn confirm_reset(&mut self) -> Vec<Request> {
        let Some(dialog) = &mut self.incident else {
            return Vec::new();
        };
        let Stage::ResetDryRun { plan, typed, error } = &mut dialog.stage else {
            return Vec::new();
        };
        let group = plan.request.consumer_group.clone();
        if typed.text().trim() != group {
            let reason = format!(
                "reset refused: the confirmation `{}` is not the consumer group's name `{group}`",
                typed.text().trim()
            );
            *error = Some(reason.clone());
            typed.clear();
            let hub = dialog.hub.clone();
            return self.refuse("reset", &hub, Some(&group), reason);
        }
        let plan = plan.clone();
        let request = self.start_running();
        vec![Request::Incident(IncidentRequest::ExecuteReset {
            request,
            plan,
        })]
    }

    fn confirm_dead_letter(&mut self, mode: Mode) -> Vec<Request> {
        let Some(dialog) = &self.incident else {
            return Vec::new();
        };
        let Stage::DeadLetterDryRun { plan, reason, .. } = &dialog.stage else {
            return Vec::new();
        };
        let (plan, reason) = (plan.clone(), reason.text().trim().to_owned());
        if reason.is_empty() {
            if let Some(dialog) = &mut self.incident
                && let Stage::DeadLetterDryRun { focus, .. } = &mut dialog.stage
            {
                *focus = DeadLetterFocus::Reason;
            }
            self.notice = Some(Notice::Error(
                "give a reason: it goes with the copy and into the audit trail".to_owned(),
            ));
            return Vec::new();
        }
        let request = self.start_running();
        vec![Request::Incident(IncidentRequest::ExecuteDeadLetter {
            request,
            plan,
            mode,
            reason,
        })]
    }
}
