//! The status bar (who, where, connection, key hints) and the input line below it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::sanitize::sanitize;
use crate::tui::action::{Action, ConnectionState};
use crate::tui::app::{App, Notice};
use crate::tui::keymap::Lookup;
use crate::tui::theme::Slot;

/// `key desc` pairs for the hint bar: the context's own bindings, then help.
pub fn key_hints(app: &App) -> Vec<(String, String)> {
    let context = app.context();
    let mut hints: Vec<(String, String)> = Vec::new();
    if !app.pending_keys.is_empty()
        && let Lookup::Pending(candidates) = app.keymap.lookup(context, &app.pending_keys)
    {
        return candidates
            .iter()
            .map(|b| (b.keys_label(), b.desc.clone()))
            .collect();
    }
    for binding in app.keymap.bindings(context) {
        if !hints.iter().any(|(_, d)| *d == binding.desc) {
            hints.push((binding.keys_label(), binding.desc.clone()));
        }
    }
    for action in [Action::Help, Action::CommandLine, Action::Quit] {
        if let Some(b) = app.keymap.key_for(context, &action) {
            hints.push((b.keys_label(), b.desc.clone()));
        }
    }
    hints
}

pub fn render_status(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let theme = &app.theme;
    let (conn_text, conn_slot) = match &app.connection {
        ConnectionState::Connecting => ("connecting".to_owned(), Slot::StatusWarn),
        ConnectionState::Connected => ("connected".to_owned(), Slot::StatusOk),
        ConnectionState::Reconnecting(what) => (sanitize(what, false), Slot::StatusWarn),
        ConnectionState::Disconnected(why) => (
            format!("disconnected: {}", sanitize(why, false)),
            Slot::StatusError,
        ),
    };
    let team = app.identity.team.as_deref().unwrap_or("no team");
    let mut spans = Vec::new();
    if let Some(context) = &app.context_name {
        spans.push(Span::raw(format!(" ctx {}", sanitize(context, false))));
    }
    if app.read_only {
        // Said on every screen: an engineer must know at a glance that nothing will change.
        spans.push(Span::styled(" read-only", theme.get(Slot::StatusWarn)));
    }
    spans.extend([
        Span::raw(format!(
            " {} ({team}) · {} · ",
            app.identity.name, app.namespace
        )),
        Span::styled(conn_text, theme.get(conn_slot)),
        Span::raw("  "),
    ]);
    for (key, desc) in key_hints(app) {
        spans.push(Span::styled(key, theme.get(Slot::HintKey)));
        spans.push(Span::styled(
            format!(" {desc}  "),
            theme.get(Slot::HintDesc),
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.get(Slot::StatusBar)),
        area,
    );
}

pub fn render_input(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let theme = &app.theme;
    let line = match (&app.input, &app.notice) {
        (Some(input), _) => {
            let [prompt, text] =
                Layout::horizontal([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
            let style = theme.get(Slot::Input);
            frame.render_widget(Span::styled(input.prompt().to_string(), style), prompt);
            // The theme may change while typing: styled for this frame.
            let mut editor = input.field.editor().clone();
            editor.set_style(style);
            editor.set_cursor_line_style(style);
            editor.set_cursor_style(style.add_modifier(Modifier::REVERSED));
            frame.render_widget(&editor, text);
            return;
        }
        (None, Some(Notice::Error(message))) => {
            Line::styled(sanitize(message, false), theme.get(Slot::StatusError))
        }
        (None, Some(Notice::Info(message))) => {
            Line::styled(sanitize(message, false), theme.get(Slot::Muted))
        }
        (None, None) => Line::default(),
    };
    frame.render_widget(Paragraph::new(line), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::sample;

    #[test]
    fn hints_come_from_the_keymap() {
        let app = sample::app_with_hubs();
        let hints = key_hints(&app);
        assert_eq!(hints[0], ("<Enter>".to_owned(), "Partitions".to_owned()));
        assert!(hints.contains(&("?".to_owned(), "Help".to_owned())));
    }
}
