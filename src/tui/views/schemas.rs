//! The schema pane: groups › schemas › versions on the left; on the right the selected
//! version pretty-printed, or, when it has a predecessor or a marked version of the same
//! schema, the field changes between the two, their compatibility verdict, and both versions
//! side by side.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::sanitize::sanitize;
use super::{header_style, pane_block, titled_block};
use crate::codec::schema_compat::{self, Incompatibility};
use crate::codec::schema_diff::{self, FieldChange};
use crate::model::RegisteredSchema;
use crate::tui::app::App;
use crate::tui::state::Comparison;
use crate::tui::theme::Slot;

use time::OffsetDateTime;

use super::pane::{Pane, View};
use crate::protocol::Request;
use crate::tui::app::ListArea;
use crate::tui::state::ListState;

impl View {
    pub const SCHEMAS: View = View::named("schemas");
}

pub struct SchemasPane;

impl Pane for SchemasPane {
    fn view(&self) -> View {
        View::SCHEMAS
    }

    fn len(&self, app: &App) -> usize {
        app.schemas.visible().len()
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut ListState> {
        Some(&mut app.schemas.list)
    }

    fn refresh(&self, app: &mut App) -> Vec<Request> {
        vec![app.request_schemas()]
    }

    // Not clickable yet: its lists can report their areas as the others do.
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

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let [list, detail] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Fill(1)]).areas(area);
    render_list(frame, list, app);
    match app.schemas.comparison() {
        Some(pair) => render_comparison(frame, detail, app, &pair),
        None => render_one(frame, detail, app, app.schemas.selected()),
    }
}

fn render_list(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let theme = &app.theme;
    let state = &app.schemas;
    let mut previous: Option<&RegisteredSchema> = None;
    let visible = state.visible();
    let rows = visible.iter().map(|&at| {
        let s = &state.versions[at];
        // Group and name only where they change, so the list reads as a tree.
        let group = match previous {
            Some(p) if p.group == s.group => String::new(),
            _ => s.group.clone(),
        };
        let name = match previous {
            Some(p) if p.group == s.group && p.name == s.name => String::new(),
            _ => s.name.rsplit('.').next().unwrap_or(&s.name).to_owned(),
        };
        previous = Some(s);
        let mark = if state.marked == Some(at) { "*" } else { " " };
        Row::new([
            Cell::from(sanitize(&group, false)),
            Cell::from(sanitize(&name, false)),
            Cell::from(format!("{mark}v{}", s.version)),
        ])
        .style(theme.get(Slot::Text))
    });
    let title = if !state.loaded {
        "schemas (loading)".to_owned()
    } else if state.list.filter.is_empty() {
        format!("schemas ({} versions)", state.versions.len())
    } else {
        format!(
            "schemas /{} ({} of {} versions)",
            sanitize(&state.list.filter, false),
            visible.len(),
            state.versions.len()
        )
    };
    let table = Table::new(
        rows,
        [
            Constraint::Length(12),
            Constraint::Fill(1),
            Constraint::Length(5),
        ],
    )
    .header(Row::new(["GROUP", "SCHEMA", "VER"]).style(header_style(theme)))
    .row_highlight_style(theme.selected(true))
    .block(pane_block(app, &title, true));
    let mut table_state = TableState::default().with_selected(Some(state.list.selected));
    frame.render_stateful_widget(table, area, &mut table_state);
}

/// A schema's text, laid out for reading, one line each.
fn pretty_lines(schema: &RegisteredSchema) -> Vec<Line<'static>> {
    schema
        .pretty()
        .lines()
        .map(|l| Line::raw(sanitize(l, false)))
        .collect()
}

fn version_title(schema: &RegisteredSchema) -> String {
    format!("v{} · {}", schema.version, schema.id)
}

fn render_one(frame: &mut Frame<'_>, area: Rect, app: &App, schema: Option<&RegisteredSchema>) {
    let (title, lines) = match schema {
        Some(s) => (version_title(s), pretty_lines(s)),
        None => ("schema".to_owned(), vec![Line::raw("no schema selected")]),
    };
    let block = titled_block(app, Line::raw(format!(" {title} ")), false);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn verdict_line<'a>(app: &App, label: &'a str, result: &Result<(), Incompatibility>) -> Line<'a> {
    let (slot, text) = match result {
        Ok(()) => (Slot::LagOk, "yes".to_owned()),
        Err(e) => (Slot::LagLost, format!("no: {e}")),
    };
    Line::from(vec![
        Span::styled(label, app.theme.get(Slot::DetailKey)),
        Span::styled(sanitize(&text, false), app.theme.get(slot)),
    ])
}

fn render_comparison(frame: &mut Frame<'_>, area: Rect, app: &App, pair: &Comparison<'_>) {
    let theme = &app.theme;
    let mut lines = Vec::new();
    match schema_diff::diff(&pair.old.content, &pair.new.content) {
        Ok(changes) if changes.is_empty() => lines.push(Line::raw("no field changes")),
        Ok(changes) => lines.extend(changes.iter().map(|c| {
            let slot = match c {
                FieldChange::Added { .. } => Slot::LagOk,
                FieldChange::Removed { .. } => Slot::LagLost,
                _ => Slot::LagStuck,
            };
            Line::styled(sanitize(&c.describe(), false), theme.get(slot))
        })),
        Err(e) => lines.push(Line::styled(e.to_string(), theme.get(Slot::StatusError))),
    }
    if let Ok(verdict) = schema_compat::verdict(&pair.old.content, &pair.new.content) {
        lines.push(verdict_line(app, "backward: ", &verdict.backward));
        lines.push(verdict_line(app, "forward:  ", &verdict.forward));
        let full = if verdict.full() {
            Ok(())
        } else {
            Err(Incompatibility {
                field: "-".into(),
                reason: "not both".into(),
            })
        };
        lines.push(verdict_line(app, "full:     ", &full));
    }
    let summary_height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height / 2);
    let [summary, sides] =
        Layout::vertical([Constraint::Length(summary_height), Constraint::Fill(1)]).areas(area);
    let title = format!(" v{} → v{} ", pair.old.version, pair.new.version);
    frame.render_widget(
        Paragraph::new(lines).block(titled_block(app, Line::raw(title), false)),
        summary,
    );
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(sides);
    for (schema, side) in [(pair.old, left), (pair.new, right)] {
        let block = titled_block(app, Line::raw(format!(" v{} ", schema.version)), false);
        frame.render_widget(Paragraph::new(pretty_lines(schema)).block(block), side);
    }
}
