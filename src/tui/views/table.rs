//! The bordered table every list pane draws: a title with the crumbs, a header row, columns,
//! and the selection highlighted as focused or not. Returns where its rows went, for clicks.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Row, Table, TableState};

use super::{header_style, list_area, pane_block};
use crate::tui::app::{App, ListArea, ListPane};

/// What a table shows besides its rows.
pub struct TableSpec<'a> {
    pub title: &'a str,
    /// Which list a click on it selects in.
    pub list: ListPane,
    pub header: &'a [&'a str],
    pub widths: &'a [Constraint],
    pub selected: usize,
    pub focused: bool,
}

pub fn draw_table(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    spec: &TableSpec<'_>,
    rows: Vec<Row<'_>>,
) -> ListArea {
    let theme = &app.theme;
    let table = Table::new(rows, spec.widths)
        .header(Row::new(spec.header.to_vec()).style(header_style(theme)))
        .row_highlight_style(theme.selected(spec.focused))
        .block(pane_block(app, spec.title, spec.focused));
    let mut state = TableState::default().with_selected(Some(spec.selected));
    frame.render_stateful_widget(table, area, &mut state);
    list_area(spec.list, area, 1, state.offset())
}
