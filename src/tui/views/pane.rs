//! What every pane is: one type in one file that knows its rows, selection, filter, what
//! `Enter` and refresh do, what leaving it stops, and how it draws. The app routes keys and
//! frames to the pane in front and never asks which pane that is; a new pane is one new file
//! and one line in [`super::PANES`]. Its keymap section is named after it.

use ratatui::Frame;
use ratatui::layout::Rect;
use time::OffsetDateTime;

use crate::model::TailEvent;
use crate::protocol::Request;
use crate::tui::app::{App, ListArea};
use crate::tui::keymap::Context;
use crate::tui::state::ListState;

/// A pane, by name: the name of its keymap section too. Each pane file declares its own
/// constant (`View::HUBS`), so the stack of open panes needs no list of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct View(&'static str);

impl View {
    pub const fn named(name: &'static str) -> Self {
        Self(name)
    }

    pub fn name(self) -> &'static str {
        self.0
    }

    /// Where keys are interpreted while this pane is in front.
    pub fn context(self) -> Context {
        Context::Pane(self.0)
    }

    /// The pane's behaviour; a view not in the pane list is a bug caught by the tests, and
    /// falls back to the first pane rather than crashing a console in use.
    pub fn pane(self) -> &'static dyn Pane {
        super::PANES
            .iter()
            .copied()
            .find(|p| p.view() == self)
            .unwrap_or(super::PANES[0])
    }
}

/// Which way a selection moves.
pub enum Move {
    Up(usize),
    Down(usize),
    First,
    Last,
    /// To this row (a click).
    To(usize),
}

impl Move {
    /// The row `current` moves to in a list of `len` rows.
    pub fn apply(&self, current: usize, len: usize) -> usize {
        let last = len.saturating_sub(1);
        match self {
            Move::Up(n) => current.saturating_sub(*n),
            Move::Down(n) => (current + n).min(last),
            Move::First => 0,
            Move::Last => last,
            Move::To(row) => (*row).min(last),
        }
    }
}

pub trait Pane: Sync {
    fn view(&self) -> View;

    /// Rows after the filter.
    fn len(&self, app: &App) -> usize;

    /// The selection and filter of the focused list. A pane with no state of its own in the
    /// app keeps them in the app's per-pane lists.
    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut ListState> {
        Some(app.pane_lists(self.view()).focused())
    }

    /// Its keymap section's default bindings, as TOML (`[name] keymap = [...]`), for a pane
    /// that brings its own; `keymaps/default.toml` and the user's file are merged over them.
    fn default_keys(&self) -> Option<&'static str> {
        None
    }

    /// Moves the selection; returns what the new selection needs from the backend.
    fn select(&self, app: &mut App, movement: &Move) -> Vec<Request> {
        let len = self.len(app);
        if let Some(list) = self.list(app) {
            list.selected = movement.apply(list.selected, len);
        }
        Vec::new()
    }

    fn filter(&self, app: &mut App) -> String {
        self.list(app).map(|l| l.filter.clone()).unwrap_or_default()
    }

    fn set_filter(&self, app: &mut App, text: &str) {
        if let Some(list) = self.list(app) {
            list.filter = text.to_owned();
        }
    }

    /// `Enter` on the selected row.
    fn open(&self, _app: &mut App) -> Vec<Request> {
        Vec::new()
    }

    /// Asks the backend again for what the pane shows.
    fn refresh(&self, _app: &mut App) -> Vec<Request> {
        Vec::new()
    }

    /// The pane was closed (`back`): stop what it keeps running.
    fn leave(&self, _app: &mut App) -> Vec<Request> {
        Vec::new()
    }

    /// `Tab`: the next list inside the pane, when it has several.
    fn cycle_focus(&self, _app: &mut App) {}

    /// The hub the pane is about, once it is open on one.
    fn hub(&self, _app: &App) -> Option<String> {
        None
    }

    /// The namespace of the hub chosen in this pane, when it is a list of hubs (the overview,
    /// the hubs list): what the pane asks next is about that hub, so the backend is told to
    /// read that namespace first.
    fn chosen_namespace(&self, _app: &App) -> Option<String> {
        None
    }

    /// Whether, on a wide terminal and not zoomed, the pane shows beside the overview's hubs
    /// (so the fleet's state stays in sight while one hub is looked into). Lists of hubs or
    /// namespaces say no: they are that column.
    fn beside_hubs(&self) -> bool {
        true
    }

    /// What the pane's lists have selected, by name, before a lag round that may reorder
    /// them arrives; [`Pane::reselect`] finds the same rows afterwards, so a hub that stops
    /// needing attention (and sinks) stays selected instead of its neighbour taking its row.
    fn selected_names(&self, _app: &App) -> Option<Vec<String>> {
        None
    }

    fn reselect(&self, _app: &mut App, _names: &[String]) {}

    /// The user acted on what the pane has selected (opened its actions): keep it selected
    /// when the rows reorder, as if they had chosen it with a key.
    fn hold_selection(&self, _app: &mut App) {}

    /// The consumer group (and partition) the pane's selection is about, for the incident
    /// actions on a group (reset, dead-letter its next event).
    fn group_partition(&self, _app: &App) -> Option<(String, Option<String>)> {
        None
    }

    /// The event the pane has selected, for actions on one event (dead-letter, replay).
    fn selected_event(&self, _app: &App) -> Option<TailEvent> {
        None
    }

    /// Whether it shows times relative to now, so the slow tick redraws it.
    fn shows_clock(&self) -> bool {
        false
    }

    /// Whether it shows the lag board, so each sampling round redraws it.
    fn shows_board(&self) -> bool {
        false
    }

    /// Draws the pane into `area`; returns where its lists are, for mouse clicks.
    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        now: OffsetDateTime,
    ) -> Vec<ListArea>;
}
