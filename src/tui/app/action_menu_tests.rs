//! The action menu driven by keys, as a user meets it: opened on a hub, filled by the
//! backend's permissions, refusing with the missing permission named, running what it may.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::model::permissions::{Permission, Permissions};
use crate::ops::permissions::HubPermissions;
use crate::protocol::{IncidentRequest, ReadRequest, Reply, Request};
use crate::tui::sample;

fn press(app: &mut App, keys: &[&str]) -> Vec<Request> {
    keys.iter()
        .flat_map(|k| app.handle_key(k.parse().expect("key")))
        .collect()
}

/// What the emulator grants a Listen-only team rule on a hub (Data Receiver).
fn receiver() -> HubPermissions {
    HubPermissions {
        hub: Some(Permissions::new(vec![Permission {
            actions: vec!["Microsoft.EventHub/*/eventhubs/consumergroups/read".into()],
            data_actions: vec!["Microsoft.EventHub/*/receive/action".into()],
            ..Permission::default()
        }])),
        namespace: Some(Permissions::default()),
        dead_letter: None,
    }
}

/// Opens the menu on the selected hub and answers it with `permissions`.
fn open_menu(app: &mut App, permissions: HubPermissions) {
    let commands = press(app, &["a"]);
    let [Request::Read(ReadRequest::Permissions { request, hub, .. })] = commands.as_slice() else {
        panic!("expected a permissions request, got {commands:?}");
    };
    app.update(Action::Reply(Reply::PermissionsLoaded {
        request: *request,
        hub: hub.clone(),
        permissions,
    }));
}

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("backend");
    terminal
        .draw(|frame| {
            crate::tui::views::render(frame, app, sample::now());
        })
        .expect("draw");
    terminal.backend().to_string()
}

#[test]
fn a_disabled_action_says_which_permission_is_missing() {
    let mut app = sample::app_with_hubs();
    open_menu(&mut app, receiver());
    for (w, h) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(format!("menu_on_hubs_{w}x{h}"), draw(&app, w, h));
    }
    // tail, lag, view_schemas, then produce.
    let commands = press(&mut app, &["j", "j", "j", "<Enter>"]);
    assert!(
        matches!(commands.as_slice(), [Request::Incident(IncidentRequest::AuditRefusal { action, .. })] if action == "produce"),
        "the refusal is audited: {commands:?}"
    );
    assert_eq!(
        app.notice,
        Some(Notice::Error(
            "produce is not permitted: missing Microsoft.EventHub/namespaces/messages/send/action (data action) on the event hub".into()
        ))
    );
    assert!(
        app.action_menu.is_some(),
        "the menu stays open after a refusal"
    );
    press(&mut app, &["<Esc>"]);
    assert!(app.action_menu.is_none());
}

#[test]
fn a_permitted_read_runs_from_the_menu() {
    let mut app = sample::app_with_hubs();
    open_menu(&mut app, receiver());
    let commands = press(&mut app, &["<Enter>"]);
    assert!(
        matches!(commands.last(), Some(Request::StartTail { .. })),
        "{commands:?}"
    );
    assert!(app.action_menu.is_none());
    assert_eq!(app.view(), View::TAIL);
}

#[test]
fn keys_of_the_pane_below_do_nothing_while_the_menu_is_open() {
    let mut app = sample::app_with_hubs();
    open_menu(&mut app, receiver());
    assert!(press(&mut app, &["t"]).is_empty());
    assert_eq!(app.view(), View::HUBS);
}

#[test]
fn read_only_lists_reads_only() {
    let mut app = sample::app_with_hubs();
    app.read_only = true;
    open_menu(&mut app, HubPermissions::default());
    let names: Vec<&str> = app
        .action_menu
        .as_ref()
        .and_then(|m| m.items.as_ref())
        .map(|items| items.iter().map(|i| i.action.name()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["tail", "lag", "view_schemas"]);
}
