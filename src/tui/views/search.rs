//! The search pane (`:search EXPR`, `:trace SUBJECT`, `T` on an event): what was asked, the
//! progress while it runs ("Scanned N of M (P%), K matches, R events/s") and what it read
//! once it ended; below, the matches in enqueued order as they stream in, with the hub each
//! was found in. `Enter` opens a match in the detail; `D` dead-letters a copy of it, `a` offers
//! the actions (replay from here) and `T` traces its aggregate, here or in the detail.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use time::OffsetDateTime;

use super::pane::{Pane, View};
use super::sanitize::sanitize;
use super::table::{TableSpec, draw_table, fit_rows};
use super::{format, pane_block};
use crate::model::TailEvent;
use crate::protocol::Request;
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::state::{ListState, SEARCH_KEEP, SearchHit};
use crate::tui::theme::Slot;

impl View {
    pub const SEARCH: View = View::named("search");
}

const KEYS: &str = r#"
[search]
keymap = [
	{ on = "<Enter>", run = "open", desc = "Event detail" },
	{ on = "T", run = "trace", desc = "Trace the event's aggregate" },
	{ on = "D", run = "dead_letter_event", desc = "Dead-letter a copy" },
	{ on = "a", run = "action_menu", desc = "Actions (replay from here)" },
	{ on = "x", run = "clear_filter", desc = "Clear filter" },
]
"#;

pub struct SearchPane;

impl Pane for SearchPane {
    fn view(&self) -> View {
        View::SEARCH
    }

    fn default_keys(&self) -> Option<&'static str> {
        Some(KEYS)
    }

    fn len(&self, app: &App) -> usize {
        app.search.visible().len()
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut ListState> {
        Some(&mut app.search.list)
    }

    fn open(&self, app: &mut App) -> Vec<Request> {
        app.open_search_hit()
    }

    /// The selected match's hub: what the action menu and dead-letter act on.
    fn hub(&self, app: &App) -> Option<String> {
        app.selected_hit().map(|(hub, _)| hub)
    }

    fn leave(&self, app: &mut App) -> Vec<Request> {
        app.stop_search().into_iter().collect()
    }

    fn selected_event(&self, app: &App) -> Option<TailEvent> {
        app.selected_hit().map(|(_, event)| event)
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        _now: OffsetDateTime,
    ) -> Vec<ListArea> {
        let [header, results] =
            Layout::vertical([Constraint::Length(5), Constraint::Fill(1)]).areas(area);
        render_header(frame, header, app);
        vec![render_results(frame, results, app)]
    }
}

/// The question, then how far the search is, or what it read once it ended (wrapped: the
/// summary names every hub it could not read, and why).
fn render_header(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let search = &app.search;
    let theme = &app.theme;
    let status = match (&search.finished, &search.progress) {
        (Some((summary, true)), _) => Line::styled(sanitize(summary, false), theme.get(Slot::Text)),
        (Some((summary, false)), _) => {
            Line::styled(sanitize(summary, false), theme.get(Slot::StatusWarn))
        }
        (None, Some(progress)) => Line::styled(progress.to_string(), theme.get(Slot::Text)),
        (None, None) => Line::styled("opening the hubs' partitions…", theme.get(Slot::Muted)),
    };
    let kept = if search.beyond > 0 {
        format!(
            "showing the first {} matches; {} more found, not kept",
            format::thousands(SEARCH_KEEP as u64),
            format::thousands(search.beyond)
        )
    } else {
        "Enter: detail · D: dead-letter a copy · a: actions (replay from here) · T: trace"
            .to_owned()
    };
    let lines = vec![status, Line::styled(kept, theme.get(Slot::Muted))];
    let title = sanitize(&search.asked, false);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(pane_block(app, &format!("search {title}"), false)),
        area,
    );
}

fn hit_cells(hit: &SearchHit) -> [String; 6] {
    let s = hit.event.summary();
    let text = |field: Option<&str>| field.map_or_else(|| "-".to_owned(), |f| sanitize(f, false));
    [
        format::timestamp(hit.event.enqueued_time()),
        sanitize(&hit.hub, false),
        sanitize(s.partition, false),
        hit.event.sequence.to_string(),
        text(s.event_type),
        text(s.subject),
    ]
}

fn render_results(frame: &mut Frame<'_>, area: Rect, app: &App) -> ListArea {
    let search = &app.search;
    let hits = search.visible();
    let style = app.theme.get(Slot::Text);
    let rows = hits.iter().map(|hit| (hit_cells(hit), style)).collect();
    let header = ["ENQUEUED", "HUB", "P", "SEQ", "TYPE", "SUBJECT"];
    let fitted = fit_rows(&header, rows, area.width, 4, format::elide_middle);
    let spec = TableSpec {
        title: &format!("matches ({})", hits.len()),
        list: ListPane::Search,
        header: &header,
        widths: &fitted.1,
        selected: search.list.selected,
        focused: true,
    };
    draw_table(frame, area, app, &spec, fitted.0)
}
