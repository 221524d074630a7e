//! The bordered table every list pane draws: a title with the crumbs, a header row, columns,
//! and the selection highlighted as focused or not. Returns where its rows went, for clicks.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
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

/// Column widths for a table `total` cells wide inside its borders: every column as wide as
/// its content (`wanted`) but the `flexible` one, which takes what is left (its cells are
/// then elided to fit, never cut without a mark).
pub fn fit_widths(total: u16, wanted: &[usize], flexible: usize) -> Vec<usize> {
    let inner = usize::from(total.saturating_sub(2));
    let gaps = wanted.len().saturating_sub(1);
    let fixed: usize = wanted
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != flexible)
        .map(|(_, w)| *w)
        .sum();
    let left = inner.saturating_sub(fixed + gaps);
    let mut widths = wanted.to_vec();
    if let Some(w) = widths.get_mut(flexible) {
        *w = left;
    }
    widths
}

/// Rows of text cells, each with its style, fitted to a table `total` cells wide: columns as
/// wide as their content (header included), the `flexible` one's cells elided by `elide` to
/// what is left.
pub fn fit_rows<const N: usize>(
    header: &[&str; N],
    rows: Vec<([String; N], Style)>,
    total: u16,
    flexible: usize,
    elide: fn(&str, usize) -> String,
) -> (Vec<Row<'static>>, Vec<Constraint>) {
    let mut wanted: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for (cells, _) in &rows {
        for (w, cell) in wanted.iter_mut().zip(cells) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let widths = fit_widths(total, &wanted, flexible);
    let limit = widths.get(flexible).copied().unwrap_or(0);
    let rows = rows
        .into_iter()
        .map(|(mut cells, style)| {
            if let Some(cell) = cells.get_mut(flexible) {
                *cell = elide(cell, limit);
            }
            Row::new(cells).style(style)
        })
        .collect();
    let constraints = widths
        .iter()
        .map(|w| Constraint::Length(u16::try_from(*w).unwrap_or(u16::MAX)))
        .collect();
    (rows, constraints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flexible_column_takes_what_is_left() {
        assert_eq!(fit_widths(40, &[10, 0, 5], 1), [10, 21, 5]);
        assert_eq!(fit_widths(10, &[10, 0, 5], 1), [10, 0, 5], "nothing left");
    }
}
