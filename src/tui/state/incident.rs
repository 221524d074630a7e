//! The incident dialog's state: one dialog at a time walks an action from its form through
//! the dry run and the confirmation to the result. What the user types lives here; plans
//! live in the backend's answers, and travel back unchanged to be executed.

use super::{ReplayForm, TextField};
use crate::ops::dead_letter::{DeadLetterPlan, Mode};
use crate::ops::replay::{Progress, SendPlan};
use crate::ops::reset::ResetPlan;
use crate::protocol::{RequestId, Seen};
use crate::tui::keymap::Context;

/// Which action the dialog carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentKind {
    Reset,
    DeadLetter,
    Redrive,
    Replay,
}

/// The reset form's fields, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetField {
    Scope,
    Position,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetForm {
    /// The partition selected in the lag table, if any.
    pub selected_partition: Option<String>,
    /// Reset every partition rather than the selected one.
    pub all: bool,
    /// `earliest`, `latest`, `seq:N`, `offset:X`, `time:RFC3339`.
    pub position: TextField,
    pub field: ResetField,
    /// Why the last submit was not accepted.
    pub error: Option<String>,
    /// The Kafka group whose committed offsets are reset, when it is one.
    pub kafka_group: Option<String>,
}

/// What the dead-letter dry run's focus is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadLetterFocus {
    Reason,
    /// The button that executes in this mode.
    Button(Mode),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    ResetForm(ResetForm),
    /// Waiting for the backend's dry run.
    Planning,
    ResetDryRun {
        plan: Seen<ResetPlan>,
        /// The consumer group's name as typed so far: the confirmation.
        typed: TextField,
        error: Option<String>,
    },
    DeadLetterDryRun {
        plan: Seen<DeadLetterPlan>,
        reason: TextField,
        /// Whether the user changed the reason (then a late decode leaves it alone).
        reason_edited: bool,
        /// Why the event does not decode, when the decoder says so.
        decode_error: Option<String>,
        focus: DeadLetterFocus,
    },
    RedriveDryRun {
        plan: Seen<SendPlan>,
    },
    ReplayForm(ReplayForm),
    /// Waiting for the replay's dry run; the rate waits here to go with the confirmation.
    ReplayPlanning {
        rate: Option<u32>,
    },
    /// The replay the backend read; `rate` is the form's, sent along on confirmation.
    ReplayDryRun {
        plan: Seen<SendPlan>,
        rate: Option<u32>,
    },
    /// Executing; a send reports how far it got.
    Running {
        progress: Option<Progress>,
    },
    Finished {
        lines: Vec<String>,
    },
    Failed {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncidentDialog {
    pub kind: IncidentKind,
    pub hub: String,
    pub consumer_group: Option<String>,
    pub stage: Stage,
    /// The request whose answer moves the dialog on.
    pub request: Option<RequestId>,
}

impl IncidentDialog {
    pub fn title(&self) -> String {
        let what = match self.kind {
            IncidentKind::Reset => "reset checkpoints",
            IncidentKind::DeadLetter => "dead-letter",
            IncidentKind::Redrive => "redrive",
            IncidentKind::Replay => "replay",
        };
        match &self.consumer_group {
            Some(group) => format!("{what} › {} › {group}", self.hub),
            None => format!("{what} › {}", self.hub),
        }
    }

    /// Whether the action is under way: it cannot be dismissed until it ends.
    /// Where its keys are looked up: on a field typed characters are text (`y` is a
    /// letter); elsewhere the keymap's `[confirm]` keys apply.
    pub fn key_context(&self) -> Context {
        let on_field = match &self.stage {
            Stage::ResetForm(_) | Stage::ResetDryRun { .. } | Stage::ReplayForm(_) => true,
            Stage::DeadLetterDryRun { focus, .. } => *focus == DeadLetterFocus::Reason,
            Stage::Planning
            | Stage::RedriveDryRun { .. }
            | Stage::ReplayPlanning { .. }
            | Stage::ReplayDryRun { .. }
            | Stage::Running { .. }
            | Stage::Finished { .. }
            | Stage::Failed { .. } => false,
        };
        if on_field {
            Context::Dialog
        } else {
            Context::Confirm
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.stage, Stage::Running { .. })
    }
}
