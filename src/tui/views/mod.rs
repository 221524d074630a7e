//! Rendering: one module per pane, each drawing from app state and the theme.
//!
//! ```text
//! ┌ contoso-events › sale › consumer groups ───────────────┐  crumbs in the top border
//! │ pane (hubs | partitions | consumer groups | tail | schemas | ...) │
//! └─────────────────────────────────────────────────────────┘
//!  identity · team · namespace · connection      key hints     status bar
//!  :command or /filter, or a notice                             input line
//! ```
//! Help is an overlay on top. Nothing here reads a clock: `now` is passed in.

pub mod action_menu;
mod audit;
mod capture;
mod consumer_groups;
mod dead_letters;
mod detail;
pub mod format;
mod help;
mod hubs;
pub mod incident;
mod kafka_lag;
mod kafka_members;
mod lag_why;
pub mod layout;
mod namespaces;
mod overview;
mod overview_hubs;
mod overview_rows;
mod pane;
mod partitions;
mod replay;
pub mod sanitize;
mod schemas;
mod search;
mod status;
pub mod table;
mod tail;

#[cfg(test)]
pub(crate) use overview_rows::ordered_hubs as overview_hub_order;
pub(crate) use overview_rows::select_first_hub_of;
pub use pane::{Move, Pane, View};

/// Every pane of the console, in help order. A new pane is its file plus a line here.
pub static PANES: &[&dyn Pane] = &[
    &overview::OverviewPane,
    &namespaces::NamespacesPane,
    &hubs::HubsPane,
    &partitions::PartitionsPane,
    &consumer_groups::ConsumerGroupsPane,
    &tail::TailPane,
    &detail::DetailPane,
    &schemas::SchemasPane,
    &dead_letters::DeadLettersPane,
    &audit::AuditPane,
    &capture::CapturePane,
    &search::SearchPane,
];

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use time::OffsetDateTime;

use super::app::{App, ListArea, ListPane, ScreenLayout};
use super::theme::{Slot, Theme};

/// Below this the panes cannot show anything useful.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 10;

/// Draws the frame; returns where its lists are, for mouse clicks.
pub fn render(frame: &mut Frame<'_>, app: &App, now: OffsetDateTime) -> ScreenLayout {
    let area = frame.area();
    let theme = &app.theme;
    let mut layout = ScreenLayout {
        view: app.view(),
        lists: Vec::new(),
    };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(frame, area, theme);
        return layout;
    }
    let [main, status_row, input_row] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let pane = app.view().pane();
    let rail = overview_hubs::hub_rail(main, app);
    let main = match rail {
        Some((rail, rest)) => {
            overview_hubs::render_hub_rail(frame, rail, app);
            rest
        }
        None => main,
    };
    layout.lists = pane.render(frame, main, app, now);
    status::render_status(frame, status_row, app);
    status::render_input(frame, input_row, app);
    if app.help_open {
        help::render(frame, main, app);
    }
    if let Some(menu) = &app.action_menu {
        let items = menu.items.as_deref();
        action_menu::render(frame, main, &menu.hub, items, menu.selected, &app.theme);
    }
    if let Some(dialog) = &app.incident {
        incident::render(frame, main, dialog, &app.keymap, &app.theme);
    }
    layout
}

/// Where a bordered table with `header` heading rows drew its rows, `first_row` at the top.
fn list_area(list: ListPane, pane: Rect, header: u16, first_row: usize) -> ListArea {
    let inner = Block::bordered().inner(pane);
    let rows = Rect {
        y: inner.y.saturating_add(header),
        height: inner.height.saturating_sub(header),
        ..inner
    };
    ListArea {
        list,
        pane,
        rows,
        first_row,
    }
}

fn render_too_small(frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let text = format!(
        "Terminal too small: {}x{}, need {MIN_WIDTH}x{MIN_HEIGHT}. Enlarge it or press q.",
        area.width, area.height
    );
    let paragraph = Paragraph::new(text)
        .style(theme.get(Slot::StatusError))
        .wrap(Wrap { trim: true });
    frame.render_widget(paragraph, area);
}

/// A bordered pane whose title shows where the user is: `ns › hub › pane`.
fn pane_block<'a>(app: &App, title: &str, focused: bool) -> Block<'a> {
    titled_block(app, crumbs(app, title, focused), focused)
}

/// The title line of a pane: the namespace crumb, then the pane's own title.
fn crumbs<'a>(app: &App, title: &str, focused: bool) -> Line<'a> {
    let theme = &app.theme;
    // On a list of hubs, the chosen hub's namespace (the backend is told when the user acts).
    let namespace =
        (app.view().pane().chosen_namespace(app)).unwrap_or_else(|| app.namespace.clone());
    Line::from(vec![
        Span::raw(" "),
        Span::styled(format!("{namespace} › "), theme.get(Slot::Crumbs)),
        Span::styled(title.to_owned(), theme.title(focused)),
        Span::raw(" "),
    ])
}

fn titled_block<'a>(app: &App, title: Line<'a>, focused: bool) -> Block<'a> {
    Block::bordered()
        .border_style(app.theme.border(focused))
        .title(title)
}

/// An overlay (help, the action menu, the incident dialog): clears what is under `popup` and
/// draws `body` in a focused frame titled `title` (sanitised: it may name a hub).
fn overlay(frame: &mut Frame<'_>, popup: Rect, title: &str, body: Paragraph<'_>, theme: &Theme) {
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Span::styled(
            format!(" {} ", sanitize::sanitize(title, false)),
            theme.title(true),
        ));
    frame.render_widget(Clear, popup);
    frame.render_widget(body.block(block), popup);
}

/// A header row style plus a cell helper, shared by the tables.
fn header_style(theme: &Theme) -> Style {
    theme.get(Slot::TableHeader)
}

#[cfg(test)]
mod snapshot_tests;
