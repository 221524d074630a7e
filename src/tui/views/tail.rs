//! The live tail: one row per buffered event, newest at the bottom. Only the rows on screen
//! are decoded from the packed buffer; every producer-supplied text is sanitised.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table, TableState};

use super::sanitize::sanitize;
use super::{crumbs, format, header_style, list_area, pane_block, titled_block};
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::state::{PackedEvent, TailState, needs_mark};
use crate::tui::theme::{Slot, Theme};

use time::OffsetDateTime;

use super::pane::{Move, Pane, View};
use crate::model::TailEvent;
use crate::protocol::Request;

impl View {
    pub const TAIL: View = View::named("tail");
}

/// The live tail; its rows, selection and filter live in its buffer.
pub struct TailPane;

impl Pane for TailPane {
    fn view(&self) -> View {
        View::TAIL
    }

    fn len(&self, app: &App) -> usize {
        app.tail.as_ref().map_or(0, |t| t.buffer.visible_len())
    }

    fn list<'a>(&self, _app: &'a mut App) -> Option<&'a mut crate::tui::state::ListState> {
        None
    }

    fn select(&self, app: &mut App, movement: &Move) -> Vec<Request> {
        let len = self.len(app);
        if let Some(tail) = &mut app.tail {
            tail.selected = movement.apply(tail.selected, len);
            // Selecting the newest event resumes following, like `tail -f`.
            tail.follow = tail.selected + 1 >= len;
        }
        Vec::new()
    }

    fn filter(&self, app: &mut App) -> String {
        let filter = app.tail.as_ref().map(|t| t.buffer.filter().to_owned());
        filter.unwrap_or_default()
    }

    fn set_filter(&self, app: &mut App, text: &str) {
        if let Some(tail) = &mut app.tail {
            tail.buffer.set_filter(text);
            tail.fix_selection();
        }
    }

    fn open(&self, app: &mut App) -> Vec<Request> {
        app.open_tail_event()
    }

    fn leave(&self, app: &mut App) -> Vec<Request> {
        app.stop_tail().into_iter().collect()
    }

    fn hub(&self, app: &App) -> Option<String> {
        app.tail.as_ref().map(|t| t.hub.clone())
    }

    fn selected_event(&self, app: &App) -> Option<TailEvent> {
        let tail = app.tail.as_ref()?;
        tail.buffer.visible(tail.selected).map(|e| e.unpack())
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        _now: OffsetDateTime,
    ) -> Vec<ListArea> {
        render(frame, area, app).into_iter().collect()
    }
}

/// Cells of one tail row: time, partition, seq, CE type, subject, source, size.
pub fn tail_cells(event: &PackedEvent) -> [String; 7] {
    let s = event.summary();
    let text = |field: Option<&str>| field.map_or_else(|| "-".to_owned(), |f| sanitize(f, false));
    [
        format::clock(event.enqueued_time()),
        sanitize(s.partition, false),
        event.sequence.to_string(),
        text(s.event_type),
        text(s.subject),
        text(s.source),
        format::bytes(s.body_len),
    ]
}

const SLOTS: [Slot; 7] = [
    Slot::TailTime,
    Slot::TailPartition,
    Slot::TailSequence,
    Slot::TailType,
    Slot::TailSubject,
    Slot::TailSource,
    Slot::TailSize,
];

/// `tail sale from latest · 1,234 buffered · 5 dropped · PAUSED (+12)`.
pub fn tail_title(tail: &TailState) -> String {
    let buffer = &tail.buffer;
    let mut title = format!(
        "{} › tail {} · {} buffered",
        tail.hub,
        tail.from,
        format::thousands(buffer.buffered() as u64)
    );
    if buffer.visible_len() != buffer.buffered() {
        title.push_str(&format!(
            " · {} shown",
            format::thousands(buffer.visible_len() as u64)
        ));
    }
    if !buffer.filter().is_empty() {
        title.push_str(&format!(" · filter \"{}\"", buffer.filter()));
    }
    title.push_str(&format!(
        " · {} dropped",
        format::thousands(buffer.dropped())
    ));
    if let Some(reason) = &tail.ended {
        title.push_str(&format!(" · ended: {reason}"));
    }
    title
}

/// Draws the tail; returns where its rows are (none before a tail starts).
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App) -> Option<ListArea> {
    let theme = &app.theme;
    let Some(tail) = &app.tail else {
        frame.render_widget(pane_block(app, "tail (none)", true), area);
        return None;
    };
    let mut title = crumbs(app, &tail_title(tail), true);
    if tail.buffer.is_frozen() {
        title.push_span(Span::styled(
            format!(
                " PAUSED (+{}) ",
                format::thousands(tail.buffer.held() as u64)
            ),
            theme.get(Slot::TailPaused),
        ));
    }
    let block = titled_block(app, title, true);
    // Decode only what fits: rows are the area minus borders and header.
    let height = usize::from(area.height.saturating_sub(3));
    let offset = crate::tui::state::scroll_offset(tail.selected, height);
    let rows = (offset..tail.buffer.visible_len())
        .take(height)
        .filter_map(|i| tail.buffer.visible(i))
        .map(|event| {
            // Decoded for the mark only; nothing decoded is kept.
            let marked = needs_mark(&app.decoding.decode_packed(event));
            styled_row(event, marked, theme)
        });
    let table = event_table(rows, block, theme);
    let selected = (tail.buffer.visible_len() > 0).then(|| tail.selected - offset);
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
    Some(list_area(ListPane::Tail, area, 1, offset))
}

/// The tail's table of events (the capture pane shows a file's events in it too).
pub(super) fn event_table<'a>(
    rows: impl IntoIterator<Item = Row<'a>>,
    block: ratatui::widgets::Block<'a>,
    theme: &Theme,
) -> Table<'a> {
    Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Length(9),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Length(9),
        ],
    )
    .header(
        Row::new(["TIME", "PART", "SEQ", "TYPE", "SUBJECT", "SOURCE", "SIZE"])
            .style(header_style(theme)),
    )
    .row_highlight_style(theme.selected(true))
    .block(block)
}

/// A row; a marked one (breaks the mandate, or does not decode) says so before its type.
pub(super) fn styled_row<'a>(event: &PackedEvent, marked: bool, theme: &Theme) -> Row<'a> {
    let cells = tail_cells(event)
        .into_iter()
        .zip(SLOTS)
        .map(|(text, slot)| match slot {
            Slot::TailType if marked => {
                Cell::from(format!("! {text}")).style(theme.get(Slot::StatusError))
            }
            _ => Cell::from(text).style(theme.get(slot)),
        });
    Row::new(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::sample;

    #[test]
    fn row_cells_are_sanitised() {
        let mut event = sample::event(5);
        event.cloud_event.subject = Some("evil\u{1b}[2Jsubject".into());
        let cells = tail_cells(&PackedEvent::pack(&event));
        assert_eq!(cells[0], "11:59:05");
        assert_eq!(cells[4], "evilsubject");
        assert_eq!(cells[3], "com.example.conversions.sale.confirmed");
    }

    #[test]
    fn title_counts() {
        let mut tail = TailState::new("sale", "from latest", 2);
        tail.receive(&[sample::event(1), sample::event(2), sample::event(3)], 4);
        assert_eq!(
            tail_title(&tail),
            "sale › tail from latest · 2 buffered · 5 dropped"
        );
    }
}
