//! The operations overview: what is broken, since when, and when data is lost, with no key
//! pressed. Hubs (team, ingress, the worst status of their groups; those needing attention
//! first, then the team's own), the selected hub's consumer groups with their lag summary and
//! forecast, its partitions, and the selected group's lag per partition with why it is stuck.
//! Everything comes from the latest sampling round ([`crate::model::LagBoard`]); the hub
//! column, which also stands beside other panes, is `overview_hubs.rs`.
//!
//! Three columns from 160 terminal columns, two from 100, stacked below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Row;
use time::OffsetDateTime;

use super::consumer_groups::status_slot;
use super::format;
use super::layout::{Dashboard, dashboard};
use super::overview_hubs::{hub_column_width, render_hubs};
use super::overview_rows::{
    self, GROUPS, GroupRow, HUBS, LAG, Selection, group_rows, ordered_hubs,
};
use super::pane::{Move, Pane, View};
use super::sanitize::sanitize;
use super::table::{TableSpec, draw_table, fit_rows};
use super::{hubs, kafka_members, lag_why};
use crate::model::{GroupBoard, Hub, HubBoard};
use crate::protocol::Request;
use crate::tui::action::Action;
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::theme::Slot;

impl View {
    pub const OVERVIEW: View = View::named("overview");
}

/// Sparklines in the overview's tables.
pub(super) const SPARK: usize = 10;
/// Names longer than this lose their middle.
pub(super) const NAME_WIDTH: usize = 28;

const KEYS: &str = r#"
[overview]
keymap = [
	{ on = "<Enter>", run = "open", desc = "Next list, lag table" },
	{ on = "c", run = "show_consumer_groups", desc = "Lag" },
	{ on = "p", run = "show_partitions", desc = "Partitions" },
	{ on = "t", run = "show_tail", desc = "Tail" },
	{ on = "a", run = "action_menu", desc = "Actions" },
	{ on = "s", run = "show_schemas", desc = "Schemas" },
	{ on = "D", run = "show_dead_letters", desc = "Dead-letter pane" },
	{ on = "n", run = "show_namespaces", desc = "Namespaces" },
]
"#;

pub struct OverviewPane;

impl Pane for OverviewPane {
    fn view(&self) -> View {
        View::OVERVIEW
    }

    fn default_keys(&self) -> Option<&'static str> {
        Some(KEYS)
    }

    fn beside_hubs(&self) -> bool {
        false
    }

    fn len(&self, app: &App) -> usize {
        let at = Selection::of(app);
        match at.focus {
            HUBS => ordered_hubs(app).len(),
            GROUPS => at.hub(app).map_or(0, |h| {
                group_rows(h, app.board.hub(&h.namespace, &h.name)).len()
            }),
            _ => at.group(app).map_or(0, |g| g.lag.partitions.len()),
        }
    }

    fn cycle_focus(&self, app: &mut App) {
        let lists = app.pane_lists(View::OVERVIEW);
        lists.focus = (lists.focus + 1) % 3;
    }

    /// Into the next list; on a partition, the consumer-group pane on it, where the
    /// incident actions are.
    fn open(&self, app: &mut App) -> Vec<Request> {
        let at = Selection::of(app);
        if at.focus != LAG {
            self.cycle_focus(app);
            return Vec::new();
        }
        let Some(group) = at.group(app) else {
            return Vec::new();
        };
        let (name, kafka) = (group.lag.consumer_group.clone(), group.kafka.is_some());
        let mut requests = app.update(Action::ShowConsumerGroups);
        if let Some(index) = app.groups.index_of(&name, kafka) {
            app.groups.list.selected = index;
            app.groups.lag_focused = true;
            app.groups.lag_list.selected = at.lag;
            requests.extend(app.request_lag());
        }
        requests
    }

    fn refresh(&self, app: &mut App) -> Vec<Request> {
        app.request_hubs()
    }

    fn select(&self, app: &mut App, movement: &Move) -> Vec<Request> {
        let len = self.len(app);
        let lists = app.pane_lists(View::OVERVIEW);
        lists.chosen = true;
        let list = lists.focused();
        list.selected = movement.apply(list.selected, len);
        Vec::new()
    }

    fn selected_names(&self, app: &App) -> Option<Vec<String>> {
        overview_rows::selected_names(app)
    }

    fn reselect(&self, app: &mut App, names: &[String]) {
        overview_rows::reselect(app, names);
    }

    fn hold_selection(&self, app: &mut App) {
        app.pane_lists(View::OVERVIEW).chosen = true;
    }

    /// The selected group, with the selected lag row when the lag table has the focus, else
    /// the partition that needs attention (the one the "why" box is about).
    fn group_partition(&self, app: &App) -> Option<(String, Option<String>)> {
        let at = Selection::of(app);
        // A Kafka group's actions live in the consumer-group pane (`Enter`), which knows it.
        let group = at.group(app).filter(|g| g.kafka.is_none())?;
        let partition = if at.focus == LAG {
            group.lag.partitions.get(at.lag)
        } else {
            group
                .lag
                .worst_partition()
                .filter(|p| p.status.needs_attention())
        };
        Some((
            group.lag.consumer_group.clone(),
            partition.map(|p| p.partition.clone()),
        ))
    }

    fn hub(&self, app: &App) -> Option<String> {
        Selection::of(app).hub(app).map(|h| h.name.clone())
    }

    fn chosen_namespace(&self, app: &App) -> Option<String> {
        Selection::of(app).hub(app).map(|h| h.namespace.clone())
    }

    fn shows_board(&self) -> bool {
        true
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        _now: OffsetDateTime,
    ) -> Vec<ListArea> {
        let at = Selection::of(app);
        let hubs = ordered_hubs(app);
        let groups = hubs.get(at.hub).map_or(1, |h| {
            group_rows(h, app.board.hub(&h.namespace, &h.name)).len()
        });
        let mut areas = dashboard(area, hub_column_width(app, &hubs), groups);
        if app.zoomed {
            // Only the list in focus, over the whole pane.
            let zoomed = |part: usize| {
                if part == at.focus {
                    area
                } else {
                    Rect::default()
                }
            };
            areas = Dashboard {
                side: zoomed(HUBS),
                top: zoomed(GROUPS),
                extra: None,
                main: zoomed(LAG),
            };
        }
        // Who owns the selected hub and how to reach them, under the hubs.
        let card = (hubs.get(at.hub).and_then(|h| h.team.as_deref()))
            .and_then(|team| app.teams.get(team))
            .filter(|_| areas.side.height >= hubs::OWNER_CARD_MIN_HEIGHT);
        if let Some(card) = card {
            let [side, card_area] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(3)]).areas(areas.side);
            hubs::render_owner_card(frame, card_area, app, card);
            areas.side = side;
        }
        let mut lists = vec![render_hubs(frame, areas.side, app, &hubs, &at)];
        if let Some(hub) = hubs.get(at.hub) {
            let board = app.board.hub(&hub.namespace, &hub.name);
            let rows = group_rows(hub, board);
            lists.push(render_groups(frame, areas.top, app, hub, &rows, &at));
            if let Some(partitions) = areas.extra {
                render_partitions(frame, partitions, app, hub, board);
            }
            let group = rows.get(at.group).and_then(|r| r.board);
            lists.push(render_lag(frame, areas.main, app, group, &at));
        }
        // A click lands in the list in focus: the others are for reading.
        lists.into_iter().skip(at.focus).take(1).collect()
    }
}

/// The lag columns after the first (group or partition), in the groups and lag tables.
const LAG_HEADER: [&str; 6] = ["", "BEHIND", "TIME", "TREND", "STATUS", "FORECAST"];

fn render_groups(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    hub: &Hub,
    groups: &[GroupRow<'_>],
    at: &Selection,
) -> ListArea {
    let theme = &app.theme;
    let rows = groups.iter().map(|row| {
        let name = format::elide_middle(&row.name, NAME_WIDTH);
        let Some(group) = row.board else {
            let why = row.failure.unwrap_or("not sampled yet");
            let cells = [
                name,
                "-".into(),
                "-".into(),
                String::new(),
                "…".into(),
                why.into(),
            ];
            return (cells, theme.get(Slot::Muted));
        };
        let lag = &group.lag;
        let forecast = lag
            .worst_partition()
            .map(|p| format::forecast_cell(p.forecast));
        let cells = [
            name,
            format::thousands(lag.total_behind()),
            format::maybe_duration(lag.max_time_behind()),
            format::sparkline(&group.behind_trend, SPARK),
            group.status().label().to_owned(),
            forecast.unwrap_or_default(),
        ];
        (cells, theme.get(status_slot(group.status())))
    });
    let mut header = LAG_HEADER;
    header[0] = "GROUP";
    let fitted = fit_rows(&header, rows.collect(), area.width, 5, format::elide_end);
    let spec = TableSpec {
        title: &groups_title(app, hub, groups.len()),
        list: ListPane::ConsumerGroups,
        header: &header,
        widths: &fitted.1,
        selected: at.group,
        focused: at.focus == GROUPS,
    };
    draw_table(frame, area, app, &spec, fitted.0)
}

/// The groups table's title; when the round could not read the Kafka groups, why.
fn groups_title(app: &App, hub: &Hub, count: usize) -> String {
    let title = format!("{} › consumer groups ({count})", hub.name);
    match &app.board.kafka_failure {
        Some(why) => format!("{title} · Kafka groups unread: {}", sanitize(why, false)),
        None => title,
    }
}

/// The hub's partitions as the latest round read them (any group sees the same log).
fn render_partitions(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    hub: &Hub,
    board: Option<&HubBoard>,
) {
    let partitions = board
        .and_then(|b| b.groups.first())
        .map_or(&[][..], |g| g.lag.partitions.as_slice());
    let rows = partitions.iter().map(|p| {
        Row::new([
            p.partition.clone(),
            p.last_enqueued_sequence.to_string(),
            format::rate(p.ingress_per_sec),
        ])
        .style(app.theme.get(Slot::Text))
    });
    let spec = TableSpec {
        title: &format!("{} › partitions ({})", hub.name, hub.partition_count),
        list: ListPane::Partitions,
        header: &["ID", "LAST SEQ", "IN"],
        widths: &[
            Constraint::Length(4),
            Constraint::Length(12),
            Constraint::Fill(1),
        ],
        selected: 0,
        focused: false,
    };
    draw_table(frame, area, app, &spec, rows.collect());
}

fn render_lag(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    group: Option<&GroupBoard>,
    at: &Selection,
) -> ListArea {
    let theme = &app.theme;
    let partitions = group.map_or(&[][..], |g| g.lag.partitions.as_slice());
    let rows = partitions
        .iter()
        .zip(group.iter().flat_map(|g| &g.partition_trends));
    let rows = rows.map(|(p, trend)| {
        let cells = [
            p.partition.clone(),
            format::thousands(p.events_behind),
            format::maybe_duration(p.time_behind),
            format::sparkline(trend, SPARK),
            p.status.label().to_owned(),
            format::forecast_cell(p.forecast),
        ];
        (cells, theme.get(status_slot(p.status)))
    });
    let kafka = group.and_then(|g| g.kafka.as_ref());
    let why = group
        .and_then(|g| g.lag.worst_partition())
        .filter(|p| p.status.needs_attention() && kafka.is_none());
    // The box takes what it needs, up to half the pane, when the table keeps a few rows.
    let why_height = match (kafka, group, why) {
        // A Kafka group's members, in place of the why: its committed offsets do not age.
        (Some(kafka), _, _) if area.height >= 12 => {
            kafka_members::height(kafka).min(area.height / 2)
        }
        (None, Some(group), Some(p)) if area.height >= 12 => {
            lag_why::height(app, group, p, area.width).min(area.height / 2)
        }
        _ => 0,
    };
    let [table, why_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(why_height)]).areas(area);
    let name = group.map_or_else(|| "(no group)".to_owned(), GroupBoard::display_name);
    let mut header = LAG_HEADER;
    header[0] = "PART";
    let fitted = fit_rows(&header, rows.collect(), table.width, 5, format::elide_end);
    let spec = TableSpec {
        title: &format!("{name} › lag per partition"),
        list: ListPane::Lag,
        header: &header,
        widths: &fitted.1,
        selected: at.lag,
        focused: at.focus == LAG,
    };
    let drawn = draw_table(frame, table, app, &spec, fitted.0);
    if let Some(kafka) = kafka.filter(|_| why_height > 0) {
        kafka_members::render(frame, why_area, app, kafka);
    } else if let (Some(group), Some(p)) = (group, why.filter(|_| why_height > 0)) {
        lag_why::render(frame, why_area, app, group, p);
    }
    drawn
}

#[cfg(test)]
#[path = "overview_tests.rs"]
mod tests;
