//! Partitions of one hub: retained range, newest event, and recent events per second.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};
use time::OffsetDateTime;

use super::{format, header_style, list_area, pane_block};
use crate::model::PartitionInfo;
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::theme::Slot;

use super::pane::{Pane, View};
use crate::protocol::Request;
use crate::tui::state::ListState;

impl View {
    pub const PARTITIONS: View = View::named("partitions");
}

/// The partitions of one hub, sampled while the pane is open.
pub struct PartitionsPane;

impl Pane for PartitionsPane {
    fn view(&self) -> View {
        View::PARTITIONS
    }

    fn len(&self, app: &App) -> usize {
        app.partitions.partitions.len()
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut ListState> {
        Some(&mut app.partitions.list)
    }

    fn refresh(&self, app: &mut App) -> Vec<Request> {
        app.request_partitions().into_iter().collect()
    }

    fn leave(&self, app: &mut App) -> Vec<Request> {
        app.stop_partitions_refresh().into_iter().collect()
    }

    fn hub(&self, app: &App) -> Option<String> {
        Some(app.partitions.hub.clone())
    }

    fn shows_clock(&self) -> bool {
        true
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        now: OffsetDateTime,
    ) -> Vec<ListArea> {
        vec![render(frame, area, app, now)]
    }
}

const SPARK_WIDTH: usize = 16;

/// Cells of a partition row except the sparkline: id, begin, last, offset, last enqueued.
pub fn partition_cells(p: &PartitionInfo, now: OffsetDateTime) -> [String; 5] {
    let enqueued = match p.last_enqueued {
        _ if p.is_empty => "empty".to_owned(),
        Some(t) => format!("{} ({})", format::relative(now, t), format::clock(t)),
        None => "-".to_owned(),
    };
    [
        p.id.clone(),
        p.begin_sequence.to_string(),
        p.last_sequence.to_string(),
        p.last_offset.clone(),
        enqueued,
    ]
}

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, now: OffsetDateTime) -> ListArea {
    let theme = &app.theme;
    let state = &app.partitions;
    let rows = state.partitions.iter().map(|p| {
        let mut cells: Vec<Cell<'_>> = partition_cells(p, now)
            .into_iter()
            .map(Cell::from)
            .collect();
        let rates = state
            .rates
            .get(&p.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let latest = rates
            .last()
            .map_or_else(|| "-".to_owned(), |r| format!("{r}/s"));
        cells.push(Cell::from(Line::from(vec![
            Span::styled(
                format::sparkline(rates, SPARK_WIDTH),
                theme.get(Slot::Sparkline),
            ),
            Span::raw(format!(" {latest}")),
        ])));
        Row::new(cells).style(theme.get(Slot::Text))
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(4),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Fill(1),
            Constraint::Length(20),
            Constraint::Length(SPARK_WIDTH as u16 + 7),
        ],
    )
    .header(
        Row::new([
            "ID",
            "BEGIN SEQ",
            "LAST SEQ",
            "LAST OFFSET",
            "LAST ENQUEUED",
            "EVENTS/S",
        ])
        .style(header_style(theme)),
    )
    .row_highlight_style(theme.selected(true))
    .block(pane_block(
        app,
        &format!("{} › partitions ({})", state.hub, state.partitions.len()),
        true,
    ));
    let mut table_state = TableState::default().with_selected(Some(state.list.selected));
    frame.render_stateful_widget(table, area, &mut table_state);
    list_area(ListPane::Partitions, area, 1, table_state.offset())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::sample;

    #[test]
    fn cells_show_relative_and_absolute_time() {
        let p = &sample::partitions(0)[1];
        assert_eq!(
            partition_cells(p, sample::now()),
            ["1", "100", "11000", "8589938688", "43s ago (11:59:17)"]
        );
        let mut empty = p.clone();
        empty.is_empty = true;
        assert_eq!(partition_cells(&empty, sample::now())[4], "empty");
    }
}
