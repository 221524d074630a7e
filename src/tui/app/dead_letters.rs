//! The dead-letter pane (`:dlq`): the signed-in team's dead-letter hub, its events' reasons
//! and provenance, marks, and the redrive of the marked events; and dead-lettering a copy of
//! the event selected in the tail. Mutating keys refuse, with the reason and an audit
//! record, in a read-only context.

use super::{App, Notice, View};
use crate::model::TailEvent;
use crate::model::permissions::ConsoleAction;
use crate::ops::permissions::HubPermissions;
use crate::ops::replay::SendPlan;
use crate::protocol::{IncidentRequest, ReadRequest, Request, RequestId, Seen};
use crate::tui::state::{DeadLettersState, DetailState};

/// A mutating key waiting for the identity's permissions before its dry run: the refusal
/// with the missing right comes before anything is read, as in the action menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gated {
    /// Send these copies of the dead-letter hub back to `source_hub`.
    Redrive {
        source_hub: String,
        only: Vec<(String, i64)>,
    },
    /// Copy the event at `sequence` of `hub`'s `partition` to the dead-letter hub.
    DeadLetter {
        hub: String,
        partition: String,
        sequence: i64,
    },
    /// Send the confirmed replay: receive on `source_hub` is checked first, then (for
    /// another hub) send on `target_hub`.
    Replay {
        plan: Seen<SendPlan>,
        source_hub: String,
        target_hub: String,
        rate: Option<u32>,
        /// The source's check passed; this one is the target's.
        checking_target: bool,
    },
}

impl Gated {
    fn action(&self) -> ConsoleAction {
        match self {
            Gated::Redrive { .. } => ConsoleAction::Replay,
            Gated::DeadLetter { .. } => ConsoleAction::DeadLetter,
            Gated::Replay {
                checking_target: false,
                ..
            } => ConsoleAction::Replay,
            Gated::Replay { .. } => ConsoleAction::Produce,
        }
    }

    /// The action's name in the audit trail.
    fn name(&self) -> &'static str {
        match self {
            Gated::Redrive { .. } => "redrive",
            Gated::DeadLetter { .. } => "dead-letter",
            Gated::Replay { .. } => "replay",
        }
    }

    /// The hub whose permissions decide.
    fn hub(&self) -> &str {
        match self {
            Gated::Redrive { source_hub, .. } => source_hub,
            Gated::DeadLetter { hub, .. } => hub,
            Gated::Replay {
                source_hub,
                checking_target: false,
                ..
            } => source_hub,
            Gated::Replay { target_hub, .. } => target_hub,
        }
    }
}

impl App {
    /// Another identity: the dead-letter hub and pending checks were the previous one's. A
    /// running action keeps its dialog, since its result still arrives.
    pub(super) fn forget_incidents(&mut self) {
        self.dead_letters = DeadLettersState::default();
        self.gated = None;
        if !self.incident.as_ref().is_some_and(|d| d.is_running()) {
            self.incident = None;
        }
    }

    pub(super) fn show_dead_letters(&mut self) -> Vec<Request> {
        let Some(hub) = self.team_dead_letter_hub() else {
            return Vec::new();
        };
        if self.dead_letters.hub != hub {
            self.dead_letters = DeadLettersState::for_hub(&hub);
        }
        let mut commands: Vec<Request> = self.stop_tail().into_iter().collect();
        self.stack.truncate(1);
        self.push(View::DEAD_LETTERS);
        commands.extend(self.request_dead_letters());
        commands
    }

    pub(crate) fn request_dead_letters(&mut self) -> Option<Request> {
        if self.dead_letters.hub.is_empty() {
            return None;
        }
        let request = self.issue();
        self.latest.dead_letters = Some(request);
        Some(Request::Incident(IncidentRequest::ListDeadLetters {
            request,
            hub: self.dead_letters.hub.clone(),
        }))
    }

    pub(super) fn mark_dead_letter(&mut self) {
        if self.view() == View::DEAD_LETTERS {
            self.dead_letters.toggle_mark();
        }
    }

    /// The dead-lettered event's copy, in the event detail.
    pub(crate) fn open_dead_letter_detail(&mut self) {
        let Some(row) = self.dead_letters.selected() else {
            return;
        };
        self.detail = DetailState {
            event: Some(row.event.clone()),
            // A copy, not an event of a hub to act on again from here (redrive sends it home).
            hub: None,
            hex: self.detail.hex,
            scroll: 0,
        };
        self.push(View::DETAIL);
    }

    /// `R` in the dead-letter pane: the dry run of sending the marked events home.
    pub(super) fn redrive_marked(&mut self) -> Vec<Request> {
        if self.view() != View::DEAD_LETTERS {
            return Vec::new();
        }
        let hub = self.dead_letters.hub.clone();
        if self.read_only {
            return self.refuse(
                "redrive",
                &hub,
                None,
                "redrive is not permitted: this context is read-only".to_owned(),
            );
        }
        let only = self.dead_letters.redrive_targets();
        // Sending home needs send on the hub the events came from.
        let source_hub = self
            .dead_letters
            .rows
            .iter()
            .find(|r| only.contains(&r.key()))
            .map(|r| r.provenance.hub.clone());
        let Some(source_hub) = source_hub else {
            self.notice = Some(Notice::Error("nothing to redrive".to_owned()));
            return Vec::new();
        };
        self.ask_permission(Gated::Redrive { source_hub, only })
    }

    pub(super) fn ask_permission(&mut self, gated: Gated) -> Vec<Request> {
        let request = self.issue();
        let command = Request::Read(ReadRequest::Permissions {
            request,
            hub: gated.hub().to_owned(),
            dead_letter_hub: Some(self.dead_letters.hub.clone()).filter(|h| !h.is_empty()),
            fresh: false,
        });
        self.gated = Some((request, gated));
        self.notice = Some(Notice::Info("asking for your permissions…".to_owned()));
        vec![command]
    }

    /// The permissions a gated key waited for: its dry run, or its refusal.
    pub(super) fn gate_answered(
        &mut self,
        request: RequestId,
        permissions: &HubPermissions,
    ) -> Option<Vec<Request>> {
        if self.gated.as_ref().is_none_or(|(r, _)| *r != request) {
            return None;
        }
        let (_, gated) = self.gated.take()?;
        let action = gated.action();
        if let Some(reason) = permissions.verdict(action).reason(action) {
            let hub = gated.hub().to_owned();
            let reason = format!("{} on {hub}: {reason}", gated.name());
            if matches!(gated, Gated::Replay { .. })
                && let Some(dialog) = &mut self.incident
            {
                dialog.stage = crate::tui::state::Stage::Failed {
                    message: format!("refused: {reason}"),
                };
            }
            return Some(self.refuse(gated.name(), &hub, None, reason));
        }
        self.notice = None;
        Some(match gated {
            Gated::Redrive { only, .. } => {
                let dead_letter_hub = self.dead_letters.hub.clone();
                self.open_redrive(dead_letter_hub, only)
            }
            Gated::DeadLetter {
                hub,
                partition,
                sequence,
            } => self.open_dead_letter(hub, partition, None, Some(sequence), None),
            Gated::Replay {
                plan,
                source_hub,
                target_hub,
                rate,
                checking_target,
            } => {
                if !checking_target && !target_hub.eq_ignore_ascii_case(&source_hub) {
                    return Some(self.ask_permission(Gated::Replay {
                        plan,
                        source_hub,
                        target_hub,
                        rate,
                        checking_target: true,
                    }));
                }
                self.execute_replay(plan, source_hub, rate)
            }
        })
    }

    /// `D` in the tail: the dry run of copying the selected event to the dead-letter hub
    /// (no consumer group: no checkpoint moves).
    pub(super) fn dead_letter_tail_event(&mut self) -> Vec<Request> {
        let Some((hub, event)) = self.tail_selection() else {
            self.notice = Some(Notice::Error("select an event in the tail".to_owned()));
            return Vec::new();
        };
        if self.read_only {
            let action = ConsoleAction::DeadLetter.name();
            return self.refuse(
                action,
                &hub,
                None,
                format!("{action} is not permitted: this context is read-only"),
            );
        }
        // The dead-letter hub's scope is part of the check.
        let Some(dead_letter_hub) = self.team_dead_letter_hub() else {
            return Vec::new();
        };
        if self.dead_letters.hub != dead_letter_hub {
            self.dead_letters = DeadLettersState::for_hub(&dead_letter_hub);
        }
        self.ask_permission(Gated::DeadLetter {
            hub,
            partition: event.partition,
            sequence: event.sequence,
        })
    }
}

impl App {
    /// The event in front with the hub it is in: the tail's selected event, a search's
    /// selected match, or the detail of either. A Capture file's event or a dead-lettered
    /// copy is not one to take from there.
    pub(super) fn tail_selection(&self) -> Option<(String, TailEvent)> {
        match self.view() {
            View::TAIL => {
                let tail = self.tail.as_ref()?;
                let event = self.view().pane().selected_event(self)?;
                Some((tail.hub.clone(), event))
            }
            View::SEARCH => self.selected_hit(),
            View::DETAIL => Some((self.detail.hub.clone()?, self.detail.event.clone()?)),
            _ => None,
        }
    }
}
