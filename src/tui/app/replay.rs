//! The replay dialog as app state: re-publish a range of one partition (optionally
//! filtered) to the same hub or another, walked form -> dry run -> `y` -> permission check
//! -> send with progress -> result. The copies sent are exactly the dry run's: the plan the
//! backend read travels back unchanged.

use super::dead_letters::Gated;
use super::{App, Notice};
use crate::model::StartPosition;
use crate::ops::replay::ReplayRequest;
use crate::ops::replay::SendPlan;
use crate::protocol::{IncidentRequest, Request, Seen};
use crate::tui::action::Action;
use crate::tui::state::{IncidentDialog, IncidentKind, ReplayForm, Stage};

impl App {
    /// The action menu's `replay` on `hub`: from the tail's selected event when there is
    /// one, else from the lag table's selected partition, else a partition to type.
    pub(super) fn open_replay_from_menu(&mut self, hub: String) -> Vec<Request> {
        let selected = self.tail_selection();
        let (hub, partition, from) = match selected {
            Some((tail_hub, event)) => (
                tail_hub,
                Some(event.partition),
                Some(format!("seq:{}", event.sequence)),
            ),
            None => {
                let partition = self.menu_group().and_then(|(_, partition)| partition);
                (hub, partition, None)
            }
        };
        self.incident = Some(IncidentDialog {
            kind: IncidentKind::Replay,
            stage: Stage::ReplayForm(ReplayForm::new(&hub, partition, from)),
            hub,
            consumer_group: None,
            request: None,
        });
        Vec::new()
    }

    /// Keys for the replay form and its dry run.
    pub(super) fn replay_key(&mut self, action: Action) -> Vec<Request> {
        let waiting = self.gated.is_some();
        let Some(dialog) = &mut self.incident else {
            return Vec::new();
        };
        match &mut dialog.stage {
            Stage::ReplayForm(form) => match action {
                Action::FocusNext | Action::SelectDown => form.field = form.field.step(false),
                Action::FocusPrev | Action::SelectUp => form.field = form.field.step(true),
                Action::InsertChar(c) => form.focused_mut().insert(c),
                Action::DeleteChar => form.focused_mut().delete(),
                Action::EditInput(key) => {
                    form.focused_mut().edit(key);
                }
                Action::Submit => return self.plan_replay(),
                _ => {}
            },
            Stage::ReplayDryRun { plan, rate } => {
                // While the permissions are asked for, a second `y` would ask again.
                if waiting || !matches!(action, Action::Submit | Action::Confirm) {
                    return Vec::new();
                }
                if plan.events.is_empty() {
                    self.incident = None;
                    self.notice = Some(Notice::Info("nothing to replay".to_owned()));
                    return Vec::new();
                }
                let gated = Gated::Replay {
                    source_hub: dialog.hub.clone(),
                    target_hub: plan.events[0].target_hub.clone(),
                    plan: plan.clone(),
                    rate: *rate,
                    checking_target: false,
                };
                return self.ask_permission(gated);
            }
            _ => {}
        }
        Vec::new()
    }

    /// The form, parsed into a request for the dry run; a field that does not parse says
    /// why and keeps everything typed.
    fn plan_replay(&mut self) -> Vec<Request> {
        let Some(dialog) = &mut self.incident else {
            return Vec::new();
        };
        let Stage::ReplayForm(form) = &mut dialog.stage else {
            return Vec::new();
        };
        let (replay, rate) = match parse_form(&dialog.hub, form) {
            Ok(parsed) => parsed,
            Err(error) => {
                form.error = Some(error);
                return Vec::new();
            }
        };
        let request = self.issue();
        if let Some(dialog) = &mut self.incident {
            dialog.stage = Stage::ReplayPlanning { rate };
            dialog.request = Some(request);
        }
        vec![Request::Incident(IncidentRequest::PlanReplay {
            request,
            replay,
        })]
    }

    /// The dry run arrived: shown, with the rate the form asked for.
    pub(super) fn replay_planned(&mut self, plan: Seen<SendPlan>) {
        if let Some(dialog) = &mut self.incident
            && let Stage::ReplayPlanning { rate } = dialog.stage
        {
            dialog.stage = Stage::ReplayDryRun { plan, rate };
        }
    }

    /// Both rights are there: send the plan the user confirmed.
    pub(super) fn execute_replay(
        &mut self,
        plan: Seen<SendPlan>,
        source_hub: String,
        rate: Option<u32>,
    ) -> Vec<Request> {
        let request = self.start_running();
        vec![Request::Incident(IncidentRequest::ExecuteReplay {
            request,
            plan,
            source_hub,
            rate,
        })]
    }
}

fn parse_form(hub: &str, form: &ReplayForm) -> Result<(ReplayRequest, Option<u32>), String> {
    let partition = form.partition.text().trim();
    if partition.is_empty() {
        return Err("type the partition to replay from".to_owned());
    }
    let from = form
        .from
        .text()
        .trim()
        .parse::<StartPosition>()
        .map_err(|e| format!("from: {e}: type earliest, seq:N, offset:X or time:RFC3339"))?;
    let to_sequence = optional(form.to.text(), "to sequence", "a sequence number")?;
    let rate = optional::<u32>(
        form.rate.text(),
        "rate",
        "a whole number of events a second",
    )?;
    if rate == Some(0) {
        return Err("rate: at least 1 event a second, or empty for no limit".to_owned());
    }
    let target = form.target.text().trim();
    let filter = form.filter.text().trim();
    let replay = ReplayRequest {
        hub: hub.to_owned(),
        partition: partition.to_owned(),
        from,
        to_sequence,
        until: None,
        filter: (!filter.is_empty()).then(|| filter.to_owned()),
        target_hub: if target.is_empty() { hub } else { target }.to_owned(),
    };
    Ok((replay, rate))
}

/// An optional number field: empty is `None`.
fn optional<T: std::str::FromStr>(text: &str, name: &str, what: &str) -> Result<Option<T>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{name}: `{text}` is not {what}"))
}
