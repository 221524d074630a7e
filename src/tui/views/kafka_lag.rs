//! The lag table of a Kafka group in the consumer-groups pane: per partition, the offset the
//! group committed (the next it reads), events and time behind, the member reading it and the
//! status; under it the group's state and members. It comes from the latest lag round (the
//! backend reads Kafka groups over the namespace's Kafka endpoint), so nothing is fetched here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Row, Table, TableState};

use super::consumer_groups::{status_label, status_slot};
use super::sanitize::sanitize;
use super::{format, header_style, kafka_members, list_area, pane_block};
use crate::model::{GroupBoard, LagStatus, PartitionLag};
use crate::ops::kafka_groups::KafkaGroupLag;
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::theme::Slot;

const HEADER: [&str; 7] = [
    "PART",
    "LAST SEQ",
    "COMMITTED",
    "BEHIND",
    "TIME",
    "MEMBER",
    "STATUS",
];
/// The member (`client-id (host)`) takes what the numbers leave.
const WIDTHS: [Constraint; 7] = [
    Constraint::Length(4),
    Constraint::Length(9),
    Constraint::Length(10),
    Constraint::Length(9),
    Constraint::Length(8),
    Constraint::Fill(1),
    Constraint::Length(8),
];

/// Cells of one row, in column order.
pub fn kafka_lag_cells(p: &PartitionLag) -> [String; 7] {
    let dash = || "-".to_owned();
    [
        p.partition.clone(),
        p.last_enqueued_sequence.to_string(),
        KafkaGroupLag::committed(p).map_or_else(dash, |o| o.to_string()),
        format::thousands(p.events_behind),
        p.time_behind.map_or_else(dash, format::short_duration),
        p.owner_id
            .as_deref()
            .map_or_else(dash, |o| sanitize(o, false)),
        status_label(p.status).to_owned(),
    ]
}

/// Draws the table and the members under it; returns where the table's rows are.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, group: &GroupBoard) -> ListArea {
    let theme = &app.theme;
    let state = &app.groups;
    let members = group.kafka.as_ref().map_or(0, kafka_members::height);
    let members = members.min(area.height / 2);
    let [table_area, members_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(members)]).areas(area);
    let rows: Vec<Row<'_>> = (group.lag.partitions.iter())
        .map(|p| {
            let style = match p.status {
                LagStatus::Ok => theme.get(Slot::Text),
                other => theme.get(status_slot(other)),
            };
            Row::new(kafka_lag_cells(p)).style(style)
        })
        .collect();
    let title = format!(
        "lag of {} at {}",
        sanitize(&group.display_name(), false),
        format::clock(group.lag.sampled_at)
    );
    let table = Table::new(rows, WIDTHS)
        .header(Row::new(HEADER).style(header_style(theme)))
        .row_highlight_style(theme.selected(state.lag_focused))
        .block(pane_block(app, &title, state.lag_focused));
    let mut table_state = TableState::default().with_selected(Some(state.lag_list.selected));
    frame.render_stateful_widget(table, table_area, &mut table_state);
    if let Some(kafka) = group.kafka.as_ref().filter(|_| members > 0) {
        kafka_members::render(frame, members_area, app, kafka);
    }
    list_area(ListPane::Lag, table_area, 1, table_state.offset())
}
