//! The dead-letter pane: the team's dead-letter hub's events, each with where it came from
//! (hub, partition, sequence), the consumer group that could not process it, the reason,
//! who dead-lettered it and when; marked rows carry a `*`. Below, the selected event's
//! provenance in full. Everything from the events is sanitised before it is drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState, Wrap};

use super::sanitize::sanitize;
use super::{format, header_style, pane_block};
use crate::tui::app::App;
use crate::tui::state::DeadLetterRow;
use crate::tui::theme::{Slot, Theme};

use time::OffsetDateTime;

use super::pane::{Pane, View};
use crate::protocol::Request;
use crate::tui::app::ListArea;
use crate::tui::state::ListState;

impl View {
    pub const DEAD_LETTERS: View = View::named("dead_letters");
}

pub struct DeadLettersPane;

impl Pane for DeadLettersPane {
    fn view(&self) -> View {
        View::DEAD_LETTERS
    }

    fn len(&self, app: &App) -> usize {
        app.dead_letters.visible().len()
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut ListState> {
        Some(&mut app.dead_letters.list)
    }

    fn open(&self, app: &mut App) -> Vec<Request> {
        app.open_dead_letter_detail();
        Vec::new()
    }

    fn refresh(&self, app: &mut App) -> Vec<Request> {
        app.request_dead_letters().into_iter().collect()
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        _now: OffsetDateTime,
    ) -> Vec<ListArea> {
        render(frame, area, app);
        Vec::new()
    }
}

/// The cells of one row: mark, source, group, reason, by, when.
pub fn row_cells(row: &DeadLetterRow, marked: bool) -> [String; 6] {
    let p = &row.provenance;
    let clean = |text: Option<&str>| sanitize(text.unwrap_or("-"), false);
    [
        if marked { "*" } else { " " }.to_owned(),
        sanitize(&format!("{}/{}#{}", p.hub, p.partition, p.sequence), false),
        clean(p.consumer_group.as_deref()),
        clean(p.reason.as_deref()),
        clean(p.by.as_deref()),
        p.at.map_or_else(|| "-".to_owned(), format::timestamp),
    ]
}

fn detail_lines<'a>(row: &DeadLetterRow, theme: &Theme) -> Vec<Line<'a>> {
    let p = &row.provenance;
    let ce = &row.event.cloud_event;
    let field = |key: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{key:<10}"), theme.get(Slot::DetailKey)),
            Span::styled(sanitize(&value, false), theme.get(Slot::DetailValue)),
        ])
    };
    let or_dash = |v: Option<&String>| v.cloned().unwrap_or_else(|| "-".to_owned());
    vec![
        field(
            "from",
            format!(
                "{} › {} partition {} sequence {} offset {}",
                p.namespace, p.hub, p.partition, p.sequence, p.offset
            ),
        ),
        field(
            "event",
            format!(
                "{} {}",
                or_dash(ce.event_type.as_ref()),
                or_dash(ce.id.as_ref())
            ),
        ),
        field("reason", or_dash(p.reason.as_ref())),
        field(
            "copy",
            format!(
                "partition {} sequence {} of {}",
                row.event.partition, row.event.sequence, p.action
            ),
        ),
    ]
}

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let theme = &app.theme;
    let state = &app.dead_letters;
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(6)]).areas(area);
    let title = format!(
        "dead letters › {} ({}{}{})",
        state.hub,
        state.rows.len(),
        if state.list.filter.is_empty() {
            String::new()
        } else {
            format!(
                ", {} match /{}",
                state.visible().len(),
                sanitize(&state.list.filter, false)
            )
        },
        if state.marked.is_empty() {
            String::new()
        } else {
            format!(", {} marked", state.marked.len())
        }
    );
    let visible = state.visible();
    let rows = visible
        .iter()
        .map(|r| Row::new(row_cells(r, state.marked.contains(&r.key()))));
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Fill(2),
            Constraint::Fill(1),
            Constraint::Fill(4),
            Constraint::Fill(1),
            Constraint::Length(19),
        ],
    )
    .header(Row::new(["", "SOURCE", "GROUP", "REASON", "BY", "WHEN"]).style(header_style(theme)))
    .row_highlight_style(theme.selected(true))
    .block(pane_block(app, &title, true));
    if visible.is_empty() {
        let text = if !state.rows.is_empty() {
            "no dead-lettered event matches the filter"
        } else if state.loaded {
            "nothing dead-lettered"
        } else {
            "reading the dead-letter hub…"
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.get(Slot::Muted)))
                .block(pane_block(app, &title, true)),
            table_area,
        );
    } else {
        let mut table_state = TableState::default().with_selected(Some(state.list.selected));
        frame.render_stateful_widget(table, table_area, &mut table_state);
    }
    let lines = state
        .selected()
        .map(|row| detail_lines(row, theme))
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(lines)
            .block(super::titled_block(
                app,
                Line::styled(" provenance ", theme.title(false)),
                false,
            ))
            .wrap(Wrap { trim: false }),
        detail_area,
    );
}
