//! The capture pane: one hub's Capture files in a time range (window, partition, size,
//! events, first and last sequence number), and below, one page of the selected file's
//! events decoded exactly as the tail decodes them (marks included); `Enter` on an event
//! opens the detail. Above, where the files were read and any capture destination that is
//! failing (which hub and partition, which destination, why, since when).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, TableState};
use time::OffsetDateTime;

use super::pane::{Pane, View};
use super::sanitize::sanitize;
use super::table::{TableSpec, draw_table, fit_rows};
use super::tail::{event_table, styled_row};
use super::{format, pane_block, titled_block};
use crate::model::{CaptureFailure, CaptureFileInfo, TailEvent};
use crate::protocol::Request;
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::state::{CaptureState, ListState, needs_mark};
use crate::tui::theme::Slot;

impl View {
    pub const CAPTURE: View = View::named("capture");
}

const KEYS: &str = r#"
[capture]
keymap = [
	{ on = "<Enter>", run = "open", desc = "File's events / event detail" },
	{ on = "w", run = "capture_range", desc = "Time range (1h 6h 24h 7d all)" },
	{ on = "]", run = "next_page", desc = "Next page of events" },
	{ on = "[", run = "previous_page", desc = "Previous page of events" },
	{ on = "R", run = "replay_capture", desc = "Replay the file into the hub" },
	{ on = "T", run = "trace", desc = "Trace the event's aggregate" },
	{ on = "x", run = "clear_filter", desc = "Clear filter" },
	{ on = "r", run = "refresh", desc = "Read again" },
]
"#;

pub struct CapturePane;

impl Pane for CapturePane {
    fn view(&self) -> View {
        View::CAPTURE
    }

    fn default_keys(&self) -> Option<&'static str> {
        Some(KEYS)
    }

    fn len(&self, app: &App) -> usize {
        if app.capture.events_focused {
            app.capture.visible_events().len()
        } else {
            app.capture.visible_files().len()
        }
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut ListState> {
        let capture = &mut app.capture;
        Some(if capture.events_focused {
            &mut capture.events_list
        } else {
            &mut capture.files_list
        })
    }

    fn open(&self, app: &mut App) -> Vec<Request> {
        app.open_capture()
    }

    fn refresh(&self, app: &mut App) -> Vec<Request> {
        vec![app.request_capture_files()]
    }

    fn cycle_focus(&self, app: &mut App) {
        let capture = &mut app.capture;
        capture.events_focused = !capture.events_focused && capture.page.is_some();
    }

    /// A failing destination says for how long.
    fn shows_clock(&self) -> bool {
        true
    }

    fn hub(&self, app: &App) -> Option<String> {
        Some(app.capture.hub.clone()).filter(|h| !h.is_empty())
    }

    fn selected_event(&self, app: &App) -> Option<TailEvent> {
        let capture = &app.capture;
        let events = capture.visible_events();
        events.get(capture.events_list.selected).map(|e| e.unpack())
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        now: OffsetDateTime,
    ) -> Vec<ListArea> {
        let capture = &app.capture;
        let failures = capture
            .listing
            .as_ref()
            .map_or(&[][..], |l| &l.failures[..]);
        let header_rows = 1 + failures.len().min(4) as u16;
        let [header, files, events] = Layout::vertical([
            Constraint::Length(header_rows + 2),
            Constraint::Fill(1),
            Constraint::Fill(2),
        ])
        .areas(area);
        render_header(frame, header, app, failures, now);
        let files_area = render_files(frame, files, app);
        render_events(frame, events, app);
        vec![files_area]
    }
}

/// Where the files come from and the time range; then each failing destination in red.
fn render_header(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    failures: &[CaptureFailure],
    now: OffsetDateTime,
) {
    let capture = &app.capture;
    let theme = &app.theme;
    let source = capture
        .listing
        .as_ref()
        .map_or_else(|| "reading…".to_owned(), |l| sanitize(&l.source, false));
    let mut lines = vec![Line::styled(
        format!("range: last {} (w) · from {source}", capture.range_label()),
        theme.get(Slot::Muted),
    )];
    lines.extend(
        failures
            .iter()
            .take(4)
            .map(|f| Line::styled(failure_line(f, now), theme.get(Slot::StatusError))),
    );
    let title = format!("{} › capture", capture.hub);
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(app, &title, false)),
        area,
    );
}

/// `CAPTURE FAILING sale/0 since 2m ago: directory /x: cannot write a capture file: disk full`.
pub fn failure_line(f: &CaptureFailure, now: OffsetDateTime) -> String {
    let since = OffsetDateTime::from_unix_timestamp_nanos(i128::from(f.since_ms) * 1_000_000)
        .map_or_else(|_| "-".to_owned(), |t| format::relative(now, t));
    sanitize(
        &format!(
            "CAPTURE FAILING {}/{} since {since}: {}: cannot {}: {}",
            f.hub, f.partition, f.destination, f.doing, f.cause
        ),
        false,
    )
}

fn file_cells(file: &CaptureFileInfo) -> [String; 7] {
    let or_dash = |n: Option<i64>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
    [
        format::timestamp(file.window_start),
        sanitize(&file.partition, false),
        format::bytes(usize::try_from(file.size).unwrap_or(usize::MAX)),
        format::thousands(file.events as u64),
        or_dash(file.first_sequence),
        or_dash(file.last_sequence),
        if file.problems.is_empty() {
            sanitize(&file.name, false)
        } else {
            sanitize(
                &format!("{} damaged: {}", file.name, file.problems.join("; ")),
                false,
            )
        },
    ]
}

fn render_files(frame: &mut Frame<'_>, area: Rect, app: &App) -> ListArea {
    let capture = &app.capture;
    let theme = &app.theme;
    let files = capture.visible_files();
    let rows = files
        .iter()
        .map(|f| {
            let slot = if f.problems.is_empty() {
                Slot::Text
            } else {
                Slot::StatusWarn
            };
            (file_cells(f), theme.get(slot))
        })
        .collect();
    let header = [
        "WINDOW",
        "PART",
        "SIZE",
        "EVENTS",
        "FIRST SEQ",
        "LAST SEQ",
        "FILE",
    ];
    let (rows, widths) = fit_rows(&header, rows, area.width, 6, format::elide_middle);
    let total = capture.listing.as_ref().map_or(0, |l| l.files.len());
    let title = match &capture.listing {
        None => "files (reading…)".to_owned(),
        Some(_) => super::hubs::titled("files", files.len(), total, &capture.files_list),
    };
    let spec = TableSpec {
        title: &title,
        list: ListPane::Capture,
        header: &header,
        widths: &widths,
        selected: capture.files_list.selected,
        focused: !capture.events_focused,
    };
    draw_table(frame, area, app, &spec, rows)
}

fn events_title(capture: &CaptureState) -> String {
    if let Some(file) = &capture.loading {
        return format!("events of {} (reading…)", sanitize(file, false));
    }
    let Some(page) = &capture.page else {
        return "events (Enter on a file)".to_owned();
    };
    let last = page.start + page.events.len();
    let mut title = format!(
        "events {}–{} of {} · {} ([ ] pages)",
        format::thousands((page.start + 1).min(last) as u64),
        format::thousands(last as u64),
        format::thousands(page.total as u64),
        sanitize(&page.file, false),
    );
    if !capture.events_list.filter.is_empty() {
        title.push_str(&format!(
            " · filter \"{}\"",
            sanitize(&capture.events_list.filter, false)
        ));
    }
    if !page.problems.is_empty() {
        title.push_str(&format!(
            " · {} damaged blocks skipped",
            page.problems.len()
        ));
    }
    title
}

fn render_events(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let capture = &app.capture;
    let theme = &app.theme;
    let focused = capture.events_focused;
    let block = titled_block(
        app,
        super::crumbs(app, &events_title(capture), focused),
        focused,
    );
    let events = capture.visible_events();
    // Decode only what fits, as the tail does.
    let height = usize::from(area.height.saturating_sub(3));
    let offset = crate::tui::state::scroll_offset(capture.events_list.selected, height);
    let rows: Vec<Row<'_>> = events
        .iter()
        .skip(offset)
        .take(height)
        .map(|event| {
            let marked = needs_mark(&app.decoding.decode_packed(event));
            styled_row(event, marked, theme)
        })
        .collect();
    let table = event_table(rows, block, theme).row_highlight_style(theme.selected(focused));
    let selected = (!events.is_empty()).then(|| capture.events_list.selected - offset);
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}
