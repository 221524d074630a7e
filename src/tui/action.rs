//! Everything the console can do, as one enum.
//!
//! Unit variants are the names a keymap binds (`run = "refresh"`); variants carrying data are
//! internal (backend replies, typed characters, ticks) and cannot be bound, which is why they
//! are `#[serde(skip)]`.

use serde::{Deserialize, Serialize};

use super::keymap::Key;
pub use crate::protocol::ConnectionState;
use crate::protocol::Reply;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave ehops.
    Quit,
    /// Move focus to the next pane of the current view.
    FocusNext,
    /// Move focus to the previous pane of the current view.
    FocusPrev,
    /// Select the row above.
    SelectUp,
    /// Select the row below.
    SelectDown,
    /// Select the first row.
    SelectFirst,
    /// Select the last row (in the tail: follow new events).
    SelectLast,
    /// Move the selection one page up.
    PageUp,
    /// Move the selection one page down.
    PageDown,
    /// Drill into the selected item.
    Open,
    /// Close the overlay, or go back to the previous view.
    Back,
    /// Reload the current view from the service.
    Refresh,
    /// Type a filter for the current list.
    Filter,
    /// Remove the filter of the current list.
    ClearFilter,
    /// Open the `:` command line.
    CommandLine,
    /// Show or hide the key help.
    Help,
    /// Show the operations overview (the first screen).
    ShowOverview,
    /// Zoom the pane in focus to the whole screen, or back.
    Zoom,
    /// Show the audit trail of incident actions.
    ShowAudit,
    /// Show the namespaces.
    ShowNamespaces,
    /// Show the hubs of the current namespace.
    ShowHubs,
    /// Show the partitions of the selected hub.
    ShowPartitions,
    /// Show the consumer groups and their lag for the selected hub.
    ShowConsumerGroups,
    /// Tail the selected hub (from a lag row: from that partition's checkpoint).
    ShowTail,
    /// Show the Schema Registry (from an event: its schema version).
    ShowSchemas,
    /// Mark the selected schema version to compare others with (again: unmark).
    MarkVersion,
    /// Freeze or resume the live tail; events keep arriving while frozen.
    PauseTail,
    /// Show the event body as hex or as text.
    ToggleHex,
    /// Switch to the next theme.
    NextTheme,
    /// Open the action menu for the selected hub: what the identity may do to it.
    ActionMenu,
    /// Run the command line, or apply the filter being typed.
    Submit,
    /// Delete the character before the cursor in the input line.
    DeleteChar,
    /// Show the signed-in team's dead-letter hub: what was dead-lettered, why, by whom.
    ShowDeadLetters,
    /// Mark the selected row for a bulk action (again: unmark).
    MarkRow,
    /// Send the marked (or the selected) dead-lettered events back to their hub.
    Redrive,
    /// Copy the selected event to the team's dead-letter hub.
    DeadLetterEvent,
    /// In a dialog's dry run: carry out what it shows (on a result: close it).
    Confirm,
    /// Show the selected hub's Capture files and their events.
    ShowCapture,
    /// Every event of the selected event's aggregate, across the namespace's hubs.
    Trace,
    /// The next time range of the capture files (1h, 6h, 24h, 7d, all).
    CaptureRange,
    /// The next page of the capture file's events.
    NextPage,
    /// The previous page of the capture file's events.
    PreviousPage,
    /// Replay the selected capture file's events into its hub (dry run first).
    ReplayCapture,

    /// A typed character for the input line.
    #[serde(skip)]
    InsertChar(char),
    /// A key the keymap leaves to the input line's editor (cursor and word moves, undo).
    #[serde(skip)]
    EditInput(Key),
    /// A left click at this terminal cell.
    #[serde(skip)]
    Click { column: u16, row: u16 },
    /// The terminal was resized to this many columns and rows.
    #[serde(skip)]
    Resize(u16, u16),
    /// The slow clock for relative times moved on.
    #[serde(skip)]
    Tick,
    /// A backend's answer to a request, or news of the connection.
    #[serde(skip)]
    Reply(Reply),
}

impl Action {
    /// Every action a keymap may bind, in declaration order.
    pub const BINDABLE: &[Action] = &[
        Action::Quit,
        Action::FocusNext,
        Action::FocusPrev,
        Action::SelectUp,
        Action::SelectDown,
        Action::SelectFirst,
        Action::SelectLast,
        Action::PageUp,
        Action::PageDown,
        Action::Open,
        Action::Back,
        Action::Refresh,
        Action::Filter,
        Action::ClearFilter,
        Action::CommandLine,
        Action::Help,
        Action::ShowOverview,
        Action::Zoom,
        Action::ShowAudit,
        Action::ShowNamespaces,
        Action::ShowHubs,
        Action::ShowPartitions,
        Action::ShowConsumerGroups,
        Action::ShowTail,
        Action::ShowSchemas,
        Action::MarkVersion,
        Action::PauseTail,
        Action::ToggleHex,
        Action::NextTheme,
        Action::ActionMenu,
        Action::Submit,
        Action::DeleteChar,
        Action::ShowDeadLetters,
        Action::MarkRow,
        Action::Redrive,
        Action::DeadLetterEvent,
        Action::Confirm,
        Action::ShowCapture,
        Action::CaptureRange,
        Action::NextPage,
        Action::PreviousPage,
        Action::ReplayCapture,
        Action::Trace,
    ];

    /// Bindable actions that change something: help flags them, as the action menu does.
    pub fn is_dangerous(&self) -> bool {
        matches!(
            self,
            Action::Redrive | Action::DeadLetterEvent | Action::ReplayCapture
        )
    }

    /// Parses a bindable action name as written in a keymap (`"refresh"`).
    pub fn from_name(name: &str) -> Option<Action> {
        use serde::de::IntoDeserializer;
        let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            name.into_deserializer();
        Action::deserialize(de).ok()
    }

    /// The keymap name of a bindable action; `None` for internal ones.
    pub fn name(&self) -> Option<String> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => Some(name),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_for_every_bindable_action() {
        for action in Action::BINDABLE {
            let name = action.name().expect("bindable actions have names");
            assert_eq!(Action::from_name(&name).as_ref(), Some(action), "{name}");
        }
    }

    #[test]
    fn internal_actions_cannot_be_named() {
        assert_eq!(Action::from_name("tick"), None);
        assert_eq!(Action::from_name("insert_char"), None);
        assert_eq!(Action::Tick.name(), None);
    }

    #[test]
    fn bindable_list_snapshot() {
        let names: Vec<String> = Action::BINDABLE.iter().filter_map(Action::name).collect();
        insta::assert_snapshot!(names.join("\n"));
    }
}
