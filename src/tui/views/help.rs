//! The help overlay, generated from the keymap so it can never drift from the bindings.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::theme::{Slot, Theme};

/// `consumer_groups` as `ConsumerGroups`: the heading of a section.
fn section_title(context: Context) -> String {
    context
        .name()
        .split('_')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// Help lines for `context`: its own bindings, then the global ones.
pub fn help_lines<'a>(keymap: &Keymap, context: Context, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for (title, ctx) in [
        (section_title(context), context),
        ("Everywhere".to_owned(), Context::Global),
    ] {
        if ctx == context && ctx == Context::Global && !lines.is_empty() {
            continue;
        }
        lines.push(Line::styled(title, theme.get(Slot::DetailSection)));
        for binding in keymap.bindings(ctx) {
            // Dangerous actions carry the action menu's `!`.
            let flag = if binding.action.is_dangerous() {
                "! "
            } else {
                "  "
            };
            lines.push(Line::from(vec![
                Span::styled(flag, theme.get(Slot::StatusWarn)),
                Span::styled(
                    format!("{:<12}", binding.keys_label()),
                    theme.get(Slot::HintKey),
                ),
                Span::styled(binding.desc.clone(), theme.get(Slot::Text)),
            ]));
        }
    }
    lines
}

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let popup = area.centered(Constraint::Percentage(70), Constraint::Percentage(85));
    let lines = help_lines(&app.keymap, app.view().context(), &app.theme);
    let scroll = u16::try_from(app.help_scroll).unwrap_or(u16::MAX);
    let body = Paragraph::new(lines).scroll((scroll, 0));
    super::overlay(frame, popup, "help", body, &app.theme);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;

    #[test]
    fn help_lists_every_bound_action() {
        let keymap = Keymap::builtin();
        let theme = Theme::builtin("dark", true).expect("dark");
        for context in &Context::all() {
            let text: Vec<String> = help_lines(&keymap, *context, &theme)
                .iter()
                .map(|l| l.to_string())
                .collect();
            let text = text.join("\n");
            for ctx in [*context, Context::Global] {
                if ctx == Context::Global && *context == Context::CommandLine {
                    continue;
                }
                for binding in keymap.bindings(ctx) {
                    assert!(
                        text.contains(&binding.desc),
                        "{context:?} help misses {binding:?}"
                    );
                    assert!(
                        text.contains(&binding.keys_label()),
                        "{context:?} help misses {binding:?}"
                    );
                }
            }
        }
        // And every bindable action is reachable from some help page.
        for action in Action::BINDABLE {
            assert!(
                Context::all()
                    .iter()
                    .any(|c| keymap.key_for(*c, action).is_some()),
                "{action:?}"
            );
        }
    }
}
