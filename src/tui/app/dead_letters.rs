//! The dead-letter pane (`:dlq`): the signed-in team's dead-letter hub, its events' reasons
//! and provenance, marks, and the redrive of the marked events; and dead-lettering a copy of
//! the event selected in the tail. Mutating keys refuse, with the reason and an audit
//! record, in a read-only context.

use super::{App, Notice, View};
use crate::model::permissions::ConsoleAction;
use crate::tui::command::Command;
use crate::tui::state::{DeadLettersState, DetailState};

impl App {
    pub(super) fn show_dead_letters(&mut self) -> Vec<Command> {
        let Some(hub) = self.team_dead_letter_hub() else {
            return Vec::new();
        };
        if self.dead_letters.hub != hub {
            self.dead_letters = DeadLettersState::for_hub(&hub);
        }
        let mut commands: Vec<Command> = self.stop_tail().into_iter().collect();
        self.stack.truncate(1);
        self.push(View::DeadLetters);
        commands.extend(self.request_dead_letters());
        commands
    }

    pub(super) fn request_dead_letters(&mut self) -> Option<Command> {
        if self.dead_letters.hub.is_empty() {
            return None;
        }
        let request = self.issue();
        self.latest.dead_letters = Some(request);
        Some(Command::ListDeadLetters {
            request,
            hub: self.dead_letters.hub.clone(),
        })
    }

    pub(super) fn mark_dead_letter(&mut self) {
        if self.view() == View::DeadLetters {
            self.dead_letters.toggle_mark();
        }
    }

    /// The dead-lettered event's copy, in the event detail.
    pub(super) fn open_dead_letter_detail(&mut self) {
        let Some(row) = self.dead_letters.selected() else {
            return;
        };
        self.detail = DetailState {
            event: Some(row.event.clone()),
            hex: self.detail.hex,
            scroll: 0,
        };
        self.push(View::Detail);
    }

    /// `R` in the dead-letter pane: the dry run of sending the marked events home.
    pub(super) fn redrive_marked(&mut self) -> Vec<Command> {
        if self.view() != View::DeadLetters {
            return Vec::new();
        }
        let hub = self.dead_letters.hub.clone();
        if self.read_only {
            return self.refuse(
                "redrive",
                &hub,
                None,
                "redrive refused: this context is read-only".to_owned(),
            );
        }
        let only = self.dead_letters.redrive_targets();
        if only.is_empty() {
            self.notice = Some(Notice::Error("nothing to redrive".to_owned()));
            return Vec::new();
        }
        self.open_redrive(hub, only)
    }

    /// `D` in the tail: the dry run of copying the selected event to the dead-letter hub
    /// (no consumer group: no checkpoint moves).
    pub(super) fn dead_letter_tail_event(&mut self) -> Vec<Command> {
        let selected = self.tail.as_ref().and_then(|t| {
            let event = match self.view() {
                View::Detail => self.detail.event.clone(),
                _ => t.buffer.visible(t.selected).map(|e| e.unpack()),
            };
            event.map(|e| (t.hub.clone(), e))
        });
        let Some((hub, event)) = selected else {
            self.notice = Some(Notice::Error("select an event in the tail".to_owned()));
            return Vec::new();
        };
        if self.read_only {
            let action = ConsoleAction::DeadLetter.name();
            return self.refuse(
                action,
                &hub,
                None,
                format!("{action} refused: this context is read-only"),
            );
        }
        self.open_dead_letter(hub, event.partition, None, Some(event.sequence))
    }
}
