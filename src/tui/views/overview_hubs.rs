//! The overview's hub column: every listed hub with its team, ingress sparkline and the worst
//! status of its groups, in the overview's order. The same column stands beside another pane
//! on a wide terminal (the hub rail), so the fleet's state stays in sight.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::consumer_groups::status_slot;
use super::format;
use super::layout;
use super::overview::{NAME_WIDTH, SPARK};
use super::overview_rows::{GROUPS, HUBS, Selection, ordered_hubs};
use super::table::{TableSpec, draw_table, fit_rows};
use crate::model::{Hub, HubBoard, LagStatus};
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::theme::Slot;

/// Teams longer than this lose their middle.
const TEAM_WIDTH: usize = 12;

/// The overview's hubs column beside another pane (see [`Pane::beside_hubs`]): the hubs in
/// the overview's order, its selection shown, its width as on the overview; `None` when the
/// terminal is too narrow to spare it.
pub(super) fn hub_rail(area: Rect, app: &App) -> Option<(Rect, Rect)> {
    if !app.shows_hub_rail() || area.width < layout::THREE_COLUMNS {
        return None;
    }
    let width = hub_column_width(app, &ordered_hubs(app));
    let [rail, rest] =
        Layout::horizontal([Constraint::Length(width), Constraint::Fill(1)]).areas(area);
    Some((rail, rest))
}

/// Draws the rail [`hub_rail`] made room for; for reading (clicks go to the pane beside).
pub(super) fn render_hub_rail(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let hubs = ordered_hubs(app);
    let mut at = Selection::of(app);
    at.focus = GROUPS;
    render_hubs(frame, area, app, &hubs, &at);
}

/// The hub column: as wide as its names and teams need, within bounds.
pub(super) fn hub_column_width(app: &App, hubs: &[&Hub]) -> u16 {
    let widest = |f: &dyn Fn(&Hub) -> usize| hubs.iter().map(|h| f(h)).max().unwrap_or(0);
    let name = widest(&|h| app.hub_label(h).chars().count()).clamp(6, NAME_WIDTH);
    let team = widest(&|h| h.team.as_deref().map_or(0, |t| t.chars().count()));
    // Name, team, ingress, status ("no checkpoints"), the gaps and the borders.
    u16::try_from(name + team.clamp(4, TEAM_WIDTH) + SPARK + 14 + 3 + 2).unwrap_or(u16::MAX)
}

fn status_text(status: Option<LagStatus>) -> &'static str {
    status.map_or("…", LagStatus::label)
}

pub(super) fn render_hubs(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    hubs: &[&Hub],
    at: &Selection,
) -> ListArea {
    let theme = &app.theme;
    let rows = hubs.iter().map(|hub| {
        let board = app.board.hub(&hub.namespace, &hub.name);
        let status = board.and_then(HubBoard::worst_status);
        let ingress = board.map_or(&[][..], |b| b.ingress_trend.as_slice());
        let team = hub.team.as_deref().unwrap_or("(untagged)");
        let style = match status {
            Some(s) if s.needs_attention() => theme.get(status_slot(s)),
            _ if hub.is_owned_by(app.identity.team.as_deref()) => theme.get(Slot::OwnTeam),
            _ => theme.get(Slot::Text),
        };
        let cells = [
            app.hub_label(hub),
            format::elide_middle(team, TEAM_WIDTH),
            format::sparkline(ingress, SPARK),
            status_text(status).to_owned(),
        ];
        (cells, style)
    });
    let header = ["HUB", "TEAM", "INGRESS", "WORST"];
    let fitted = fit_rows(&header, rows.collect(), area.width, 0, format::elide_middle);
    let spec = TableSpec {
        title: &format!("hubs ({})", hubs.len()),
        list: ListPane::Hubs,
        header: &header,
        widths: &fitted.1,
        selected: at.hub,
        focused: at.focus == HUBS,
    };
    draw_table(frame, area, app, &spec, fitted.0)
}
