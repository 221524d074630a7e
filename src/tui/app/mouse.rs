//! Mouse clicks: a click on a list focuses its pane and selects the row under the pointer.
//! The views report where they drew each list's rows ([`ScreenLayout`]); the app keeps the
//! last frame's report to tell what a click hit. No terminal I/O here either.

use ratatui::layout::{Position, Rect};

use super::navigate::Move;
use super::{App, View};
use crate::protocol::Request;

/// The lists a click can land on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListPane {
    Namespaces,
    Hubs,
    Partitions,
    ConsumerGroups,
    Lag,
    Tail,
    Audit,
    Capture,
    Search,
}

/// Where one list was drawn: its whole pane (borders and header included), the rows inside
/// it, and the index of the row drawn at the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListArea {
    pub list: ListPane,
    pub pane: Rect,
    pub rows: Rect,
    pub first_row: usize,
}

/// The lists of one frame, and the view they belong to (a click after the view changed but
/// before the next frame must not hit the old one's rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenLayout {
    pub view: View,
    pub lists: Vec<ListArea>,
}

impl App {
    /// Called after each frame with what the views drew.
    pub fn remember_layout(&mut self, layout: ScreenLayout) {
        self.layout = Some(layout);
    }

    /// A left click at `column`, `row` (terminal cells, 0-based).
    pub(super) fn click(&mut self, column: u16, row: u16) -> Vec<Request> {
        if self.help_open || self.input.is_some() {
            return Vec::new();
        }
        let at = Position::new(column, row);
        let hit = self
            .layout
            .as_ref()
            .filter(|layout| layout.view == self.view())
            .and_then(|layout| layout.lists.iter().find(|l| l.pane.contains(at)))
            .copied();
        let Some(area) = hit else {
            return Vec::new();
        };
        match area.list {
            ListPane::ConsumerGroups => self.groups.lag_focused = false,
            ListPane::Lag => self.groups.lag_focused = true,
            _ => {}
        }
        if !area.rows.contains(at) {
            return Vec::new();
        }
        let index = area.first_row + usize::from(row - area.rows.y);
        if index >= self.focused_len() {
            return Vec::new();
        }
        self.move_selection(Move::To(index))
    }
}
