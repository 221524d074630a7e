//! Consumer groups of a hub and the lag table of the selected one. A stuck partition stands
//! out; a lost one (checkpoint past retention) is an alarm. Status is also spelled out, so it
//! reads without colour.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Row, Table, TableState};

use super::sanitize::sanitize;
use super::{format, header_style, kafka_lag, list_area, pane_block};
use crate::model::{LagStatus, PartitionLag};
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::theme::{Slot, Theme};

use time::OffsetDateTime;

use super::pane::{Move, Pane, View};
use crate::protocol::Request;
use crate::tui::state::ListState;

impl View {
    pub const CONSUMER_GROUPS: View = View::named("consumer_groups");
}

/// The consumer groups of one hub and the lag of the selected one; `Tab` moves between them.
pub struct ConsumerGroupsPane;

impl Pane for ConsumerGroupsPane {
    fn view(&self) -> View {
        View::CONSUMER_GROUPS
    }

    fn len(&self, app: &App) -> usize {
        if app.groups.lag_focused {
            app.groups_lag().map_or(0, |l| l.partitions.len())
        } else {
            app.groups.len()
        }
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut ListState> {
        if app.groups.lag_focused {
            Some(&mut app.groups.lag_list)
        } else {
            Some(&mut app.groups.list)
        }
    }

    /// Another group selected: its lag.
    fn select(&self, app: &mut App, movement: &Move) -> Vec<Request> {
        let before = app.groups.list.selected;
        let len = self.len(app);
        if let Some(list) = self.list(app) {
            list.selected = movement.apply(list.selected, len);
        }
        if app.groups.list.selected == before {
            return Vec::new();
        }
        if app.groups.selected_kafka_group().is_some() {
            // A Kafka group's lag comes with every lag round; nothing to read for it.
            return app.stop_lag_refresh().into_iter().collect();
        }
        app.request_lag().into_iter().collect()
    }

    fn open(&self, app: &mut App) -> Vec<Request> {
        app.groups.lag_focused = true;
        Vec::new()
    }

    fn refresh(&self, app: &mut App) -> Vec<Request> {
        app.request_lag().into_iter().collect()
    }

    fn leave(&self, app: &mut App) -> Vec<Request> {
        app.stop_lag_refresh().into_iter().collect()
    }

    fn cycle_focus(&self, app: &mut App) {
        app.groups.lag_focused = !app.groups.lag_focused;
    }

    fn hub(&self, app: &App) -> Option<String> {
        Some(app.groups.hub.clone())
    }

    fn shows_clock(&self) -> bool {
        true
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        _now: OffsetDateTime,
    ) -> Vec<ListArea> {
        render(frame, area, app).to_vec()
    }
}

pub fn status_label(status: LagStatus) -> &'static str {
    status.label()
}

pub(super) fn status_slot(status: LagStatus) -> Slot {
    match status {
        LagStatus::Ok | LagStatus::Draining => Slot::LagOk,
        LagStatus::Behind | LagStatus::NoCheckpoints | LagStatus::Inactive | LagStatus::Stuck => {
            Slot::LagStuck
        }
        LagStatus::Losing | LagStatus::Lost => Slot::LagLost,
    }
}

/// Cells of one lag row, in column order.
pub fn lag_cells(p: &PartitionLag) -> [String; 9] {
    let opt =
        |d: Option<std::time::Duration>| d.map_or_else(|| "-".to_owned(), format::short_duration);
    [
        p.partition.clone(),
        p.last_enqueued_sequence.to_string(),
        p.checkpoint_sequence
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
        format::thousands(p.events_behind),
        opt(p.time_behind),
        opt(p.checkpoint_age),
        p.owner_id.clone().unwrap_or_else(|| "-".to_owned()),
        opt(p.ownership_age),
        status_label(p.status).to_owned(),
    ]
}

fn lag_row<'a>(p: &PartitionLag, theme: &Theme) -> Row<'a> {
    let style = match p.status {
        LagStatus::Ok => theme.get(Slot::Text),
        other => theme.get(status_slot(other)),
    };
    Row::new(lag_cells(p)).style(style)
}

/// The groups list's title; when the last lag round could not read the Kafka groups, why.
fn groups_title(app: &App) -> String {
    let state = &app.groups;
    let title = format!("{} › consumer groups ({})", state.hub, state.len());
    match &app.board.kafka_failure {
        Some(why) => format!("{title} · Kafka groups unread: {}", sanitize(why, false)),
        None => title,
    }
}

/// Draws the groups list and the lag table; returns where both are.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App) -> [ListArea; 2] {
    let theme = &app.theme;
    let state = &app.groups;
    // A third of the pane at most, yet always room for one group: `clamp` would panic on a
    // pane shorter than 12 rows, where a third is less than the minimum.
    let rows_wanted = u16::try_from(state.len()).unwrap_or(u16::MAX);
    let list_height = rows_wanted.saturating_add(3).min(area.height / 3).max(4);
    let [groups_area, lag_area] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Fill(1)]).areas(area);

    let groups = state.groups.iter().map(|g| {
        let summary = match &state.lag {
            Some(lag) if &lag.consumer_group == g => format!(
                "{} behind · {}",
                format::thousands(lag.total_behind()),
                status_label(lag.worst_status())
            ),
            _ => String::new(),
        };
        Row::new([g.clone(), summary]).style(theme.get(Slot::Text))
    });
    let hub_board = app.board.hub(&app.namespace, &state.hub);
    let kafka_rows = state.kafka_groups.iter().map(|id| {
        let board = hub_board.and_then(|b| b.kafka_group(id));
        let summary = board.map_or_else(String::new, |g| {
            format!(
                "{} behind · {} · {}",
                format::thousands(g.lag.total_behind()),
                status_label(g.status()),
                g.kafka.as_ref().map_or("", |k| k.state.as_str())
            )
        });
        Row::new([format!("{} [kafka]", sanitize(id, false)), summary]).style(theme.get(Slot::Text))
    });
    let groups = groups.chain(kafka_rows);
    let groups_table = Table::new(groups, [Constraint::Fill(1), Constraint::Fill(2)])
        .row_highlight_style(theme.selected(!state.lag_focused))
        .block(pane_block(app, &groups_title(app), !state.lag_focused));
    let mut groups_state = TableState::default().with_selected(Some(state.list.selected));
    frame.render_stateful_widget(groups_table, groups_area, &mut groups_state);
    let groups_list = list_area(
        ListPane::ConsumerGroups,
        groups_area,
        0,
        groups_state.offset(),
    );
    let kafka =
        (state.selected_kafka_group()).and_then(|id| hub_board.and_then(|b| b.kafka_group(id)));
    if let Some(kafka) = kafka {
        return [groups_list, kafka_lag::render(frame, lag_area, app, kafka)];
    }

    let rows: Vec<Row<'_>> = state
        .lag
        .iter()
        .flat_map(|lag| lag.partitions.iter())
        .map(|p| lag_row(p, theme))
        .collect();
    let title = match (&state.lag, state.selected_group()) {
        (Some(lag), _) => format!(
            "lag of {} at {}",
            lag.consumer_group,
            format::clock(lag.sampled_at)
        ),
        (None, Some(group)) => format!("lag of {group} (loading)"),
        (None, None) => "lag (no consumer groups)".to_owned(),
    };
    let table = Table::new(
        rows,
        [
            Constraint::Length(4),
            Constraint::Length(9),
            Constraint::Length(10),
            Constraint::Length(9),
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(6),
        ],
    )
    .header(
        Row::new([
            "PART", "LAST SEQ", "CHECKPT", "BEHIND", "TIME", "CP AGE", "OWNER", "OWNED", "STATUS",
        ])
        .style(header_style(theme)),
    )
    .row_highlight_style(theme.selected(state.lag_focused))
    .block(pane_block(app, &title, state.lag_focused));
    let mut lag_state = TableState::default().with_selected(Some(state.lag_list.selected));
    frame.render_stateful_widget(table, lag_area, &mut lag_state);
    [
        groups_list,
        list_area(ListPane::Lag, lag_area, 1, lag_state.offset()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConsumerGroupLag, LagPolicy};
    use crate::tui::sample;

    #[test]
    fn lag_cells_spell_out_status() {
        let policy = LagPolicy {
            retention: std::time::Duration::from_secs(7 * 86_400),
            stuck_after: std::time::Duration::from_secs(300),
        };
        let lag = ConsumerGroupLag::compute(&sample::lag_snapshot(0, 0), None, policy);
        assert_eq!(
            lag_cells(&lag.partitions[1]),
            [
                "1",
                "11000",
                "10412",
                "588",
                "9m48s",
                "30m00s",
                "crm-sync-1",
                "4s",
                "STUCK"
            ]
        );
        assert_eq!(lag_cells(&lag.partitions[3])[8], "LOST");
        assert_eq!(lag_cells(&lag.partitions[0])[8], "ok");
    }
}
