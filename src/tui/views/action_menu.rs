//! The action menu: what the signed-in identity may do to the selected hub or consumer group.
//! Every action is listed (the one list is [`ConsoleAction`]), enabled or disabled with the
//! missing permission named; mutating actions carry a `!` (dangerous, k9s style) and a
//! read-only context leaves them out altogether. Mutating actions are not implemented yet:
//! when permitted they say so rather than pretend.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::model::permissions::{ConsoleAction, Requirement, Verdict};
use crate::tui::theme::{Slot, Theme};

/// How one action shows in the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemState {
    /// Permitted and available: running it does it.
    Ready,
    /// Permitted, but left to the teams' own tooling (listed so its permissions show).
    NotOffered,
    /// Not permitted: the permissions it lacks.
    Denied(Vec<Requirement>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub action: ConsoleAction,
    pub state: ItemState,
}

impl MenuItem {
    pub fn dangerous(&self) -> bool {
        self.action.is_mutating()
    }

    /// What running the item says when it does not run.
    pub fn refusal(&self) -> Option<String> {
        match &self.state {
            ItemState::Ready => None,
            ItemState::NotOffered => Some(format!(
                "{}: not offered: use the team's tooling",
                self.action.name()
            )),
            ItemState::Denied(missing) => Verdict::Denied {
                missing: missing.clone(),
            }
            .reason(self.action),
        }
    }
}

/// The menu for one selection: `verdict` decides each action from the identity's
/// permissions; `read_only` drops the mutating ones.
pub fn menu_items(verdict: impl Fn(ConsoleAction) -> Verdict, read_only: bool) -> Vec<MenuItem> {
    ConsoleAction::ALL
        .into_iter()
        .filter(|a| !(read_only && a.is_mutating()))
        .map(|action| {
            let state = match verdict(action) {
                Verdict::Denied { missing } => ItemState::Denied(missing),
                Verdict::Allowed if action.is_implemented() => ItemState::Ready,
                Verdict::Allowed => ItemState::NotOffered,
            };
            MenuItem { action, state }
        })
        .collect()
}

fn item_lines<'a>(item: &MenuItem, selected: bool, theme: &Theme) -> Vec<Line<'a>> {
    let marker = if item.dangerous() { "! " } else { "  " };
    let name_style = match (&item.state, selected) {
        (_, true) => theme.get(Slot::Selected),
        (ItemState::Ready, false) => theme.get(Slot::Text),
        _ => theme.get(Slot::Muted),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(marker, theme.get(Slot::StatusWarn)),
        Span::styled(format!("{:<22}", item.action.name()), name_style),
        match &item.state {
            ItemState::Ready => Span::styled("enabled", theme.get(Slot::StatusOk)),
            ItemState::NotOffered => Span::styled(
                "not offered: use the team's tooling",
                theme.get(Slot::Muted),
            ),
            ItemState::Denied(_) => Span::styled("disabled", theme.get(Slot::StatusError)),
        },
    ])];
    // One line per missing operation, the scope left to the refusal message: the operation
    // name alone is what to ask an administrator for.
    if let ItemState::Denied(missing) = &item.state {
        for requirement in missing {
            lines.push(Line::styled(
                format!("    needs {}", requirement.operation),
                theme.get(Slot::Muted),
            ));
        }
    }
    lines
}

/// Draws the menu as a popup over `area`, titled with what it acts on.
pub fn render(
    frame: &mut Frame<'_>,
    area: Rect,
    target: &str,
    items: Option<&[MenuItem]>,
    selected: usize,
    theme: &Theme,
) {
    let popup = area.centered(Constraint::Max(76), Constraint::Percentage(90));
    let lines: Vec<Line<'_>> = match items {
        Some(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, item)| item_lines(item, i == selected, theme))
            .collect(),
        None => vec![Line::styled(
            "asking for your permissions…",
            theme.get(Slot::Muted),
        )],
    };
    let body = Paragraph::new(lines).wrap(Wrap { trim: false });
    super::overlay(frame, popup, &format!("actions › {target}"), body, theme);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::model::permissions::{Permission, Permissions, ScopeKind};

    const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

    /// What a Listen-only team rule is granted on another team's hub (Data Receiver).
    fn receiver() -> Permissions {
        Permissions::new(vec![Permission {
            actions: vec!["Microsoft.EventHub/*/eventhubs/consumergroups/read".into()],
            data_actions: vec!["Microsoft.EventHub/*/receive/action".into()],
            ..Permission::default()
        }])
    }

    fn owner() -> Permissions {
        Permissions::new(vec![Permission {
            actions: vec!["Microsoft.EventHub/*".into()],
            data_actions: vec!["Microsoft.EventHub/*".into()],
            ..Permission::default()
        }])
    }

    fn draw(target: &str, items: &[MenuItem], width: u16, height: u16) -> String {
        let theme = Theme::builtin("dark", true).expect("dark theme");
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("backend");
        terminal
            .draw(|frame| render(frame, frame.area(), target, Some(items), 0, &theme))
            .expect("draw");
        terminal.backend().to_string()
    }

    fn assert_menu(name: &str, target: &str, items: &[MenuItem]) {
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(target, items, w, h));
        }
    }

    #[test]
    fn own_hub_menu_is_enabled_and_says_what_is_left_to_other_tools() {
        let permissions = owner();
        // Local checkpoint files: no RBAC on that scope.
        let items = menu_items(
            |a| a.evaluate(|s| (s != ScopeKind::CheckpointStorage).then_some(&permissions)),
            false,
        );
        assert!(
            items
                .iter()
                .all(|i| !matches!(i.state, ItemState::Denied(_)))
        );
        let produce = items.iter().find(|i| i.action == ConsoleAction::Produce);
        assert_eq!(
            produce.and_then(MenuItem::refusal).as_deref(),
            Some("produce: not offered: use the team's tooling")
        );
        assert_menu("action_menu_enabled", "account", &items);
    }

    #[test]
    fn another_teams_hub_menu_names_the_missing_permissions() {
        // As the emulator answers for the customer team on conversions' sale hub: Data
        // Receiver on the hub, Schema Registry Reader on the namespace; local checkpoints.
        let hub = receiver();
        let namespace = Permissions::new(vec![Permission {
            actions: vec!["Microsoft.EventHub/namespaces/schemagroups/read".into()],
            data_actions: vec!["Microsoft.EventHub/namespaces/schemas/read".into()],
            ..Permission::default()
        }]);
        let items = menu_items(
            |a| {
                a.evaluate(|s| match s {
                    ScopeKind::EventHub => Some(&hub),
                    ScopeKind::Namespace => Some(&namespace),
                    ScopeKind::CheckpointStorage | ScopeKind::DeadLetterHub => None,
                })
            },
            false,
        );
        let produce = items.iter().find(|i| i.action == ConsoleAction::Produce);
        assert_eq!(
            produce.and_then(MenuItem::refusal).as_deref(),
            Some(
                "produce is not permitted: missing Microsoft.EventHub/namespaces/messages/send/action (data action) on the event hub"
            )
        );
        assert_menu("action_menu_disabled", "sale", &items);
    }

    #[test]
    fn read_only_drops_every_mutating_action() {
        let permissions = owner();
        let items = menu_items(|a| a.evaluate(|_| Some(&permissions)), true);
        let names: Vec<&str> = items.iter().map(|i| i.action.name()).collect();
        assert_eq!(names, ["tail", "lag", "view_schemas"]);
    }
}
