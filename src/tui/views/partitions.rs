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
