//! The incident actions driven by keys, as the on-call engineer meets them: from a stuck
//! partition of a consumer group through the action menu to the dry run, the confirmation
//! and the commands that execute exactly the plan shown; refusals said and audited. The
//! dialogs are snapshotted at two sizes.

use azure_core_amqp::AmqpMessage;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::connect::checkpoints::{CheckpointPosition, CheckpointScope};
use crate::connect::read::RawEvent;
use crate::ops::dead_letter::{DeadLetterDone, DeadLetterPlan, Mode};
use crate::ops::permissions::HubPermissions;
use crate::ops::reset::{PartitionReset, PartitionWritten, ResetPlan};
use crate::protocol::{IncidentRequest, ReadRequest, Reply, Request, RequestId, Seen};
use crate::tui::sample;
use crate::tui::state::Stage;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

pub(super) fn press(app: &mut App, keys: &[&str]) -> Vec<Request> {
    keys.iter()
        .flat_map(|k| app.handle_key(k.parse().expect("key")))
        .collect()
}

pub(super) fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("backend");
    terminal
        .draw(|frame| {
            crate::tui::views::render(frame, app, sample::now());
        })
        .expect("draw");
    terminal.backend().to_string()
}

pub(super) fn assert_screens(name: &str, app: &App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(app, w, h));
    }
}

/// Answers the one permissions request in `commands`, which must be for `hub`.
pub(super) fn answer_permissions(
    app: &mut App,
    commands: &[Request],
    hub: &str,
    permissions: HubPermissions,
) -> Vec<Request> {
    let [
        Request::Read(ReadRequest::Permissions {
            request,
            hub: asked,
            ..
        }),
    ] = commands
    else {
        panic!("permissions asked first, got {commands:?}");
    };
    assert_eq!(asked, hub);
    app.update(Action::Reply(Reply::PermissionsLoaded {
        request: *request,
        hub: hub.to_owned(),
        permissions,
    }))
}

/// The demo as the customer team sees it: its dead-letter hub is listed.
pub(super) fn customer_app() -> App {
    let mut app = sample::app_with_hubs();
    let mut dead_letter = app.hubs[0].clone();
    dead_letter.name = "deadletter-customer".into();
    dead_letter.team = Some("platform".into());
    dead_letter.dead_letter_for = Some("customer".into());
    dead_letter.partition_count = 1;
    app.hubs.push(dead_letter);
    app
}

/// sale -> consumer groups -> crm-sync's lag table, partition 1 (stuck) selected.
fn at_stuck_partition(app: &mut App) {
    // `sale` matches dead-letter-sale too, which sorts first.
    let commands = press(app, &["/", "s", "a", "l", "e", "<Enter>", "<End>", "c"]);
    let Some(Request::Read(ReadRequest::Lag { request, .. })) = commands.last() else {
        panic!("lag requested, got {commands:?}");
    };
    app.update(Action::Reply(Reply::LagLoaded {
        request: *request,
        snapshot: sample::lag_snapshot(0, 0),
    }));
    press(app, &["<Enter>", "j"]);
    assert_eq!(app.groups.selected_group(), Some("crm-sync"));
}

/// Opens the action menu (everything permitted) and runs its `index`th item.
fn run_menu_item(app: &mut App, index: usize) -> Vec<Request> {
    let commands = press(app, &["a"]);
    let [
        Request::Read(ReadRequest::Permissions {
            request,
            hub,
            dead_letter_hub,
            ..
        }),
    ] = commands.as_slice()
    else {
        panic!("permissions asked, got {commands:?}");
    };
    assert_eq!(dead_letter_hub.as_deref(), Some("deadletter-customer"));
    app.update(Action::Reply(Reply::PermissionsLoaded {
        request: *request,
        hub: hub.clone(),
        permissions: HubPermissions::default(),
    }));
    for _ in 0..index {
        press(app, &["j"]);
    }
    press(app, &["<Enter>"])
}

const RESET_ITEM: usize = 4;
const DEAD_LETTER_ITEM: usize = 5;

fn poison_plan(request: crate::ops::dead_letter::DeadLetterRequest) -> DeadLetterPlan {
    let mut event = sample::event(10_413);
    event.partition = "1".into();
    event.content_type = Some("avro/binary+0c6f1e2d".into());
    event.body = b"\x02\x1b[31mnot avro".to_vec();
    DeadLetterPlan {
        scope: Some(CheckpointScope {
            namespaces: vec!["contoso-events.servicebus.windows.net".into()],
            hub: "sale".into(),
            consumer_group: "crm-sync".into(),
        }),
        current_checkpoint: Some(10_412),
        current_next: Some(10_413),
        existing_copy: None,
        new_checkpoint: Some(CheckpointPosition {
            sequence: 10_413,
            offset: event.offset.clone(),
        }),
        skipped_before: 0,
        event: RawEvent {
            event,
            message: AmqpMessage::builder().with_body(b"x".to_vec()).build(),
        },
        request,
    }
}

#[test]
fn dead_letter_from_a_stuck_group_shows_the_dry_run_then_executes_that_plan() {
    let mut app = customer_app();
    at_stuck_partition(&mut app);
    let commands = run_menu_item(&mut app, DEAD_LETTER_ITEM);
    let [
        Request::Incident(IncidentRequest::PlanDeadLetter {
            request,
            dead_letter,
        }),
    ] = commands.as_slice()
    else {
        panic!("dry run asked, got {commands:?} {:?}", app.notice);
    };
    assert_eq!(
        (
            dead_letter.hub.as_str(),
            dead_letter.partition.as_str(),
            dead_letter.consumer_group.as_deref(),
            dead_letter.sequence,
            dead_letter.dead_letter_hub.as_str()
        ),
        ("sale", "1", Some("crm-sync"), None, "deadletter-customer"),
        "the group's next event on the selected partition"
    );
    let plan = Seen::new(poison_plan(dead_letter.clone()));
    let fetch = app.update(Action::Reply(Reply::DeadLetterPlanned {
        request: *request,
        plan: plan.clone(),
    }));
    assert!(
        matches!(fetch.as_slice(), [Request::Read(ReadRequest::FetchSchema { id, .. })] if id == "0c6f1e2d"),
        "the schema it names is fetched to say why it is poison: {fetch:?}"
    );
    app.update(Action::Reply(Reply::SchemaFetched {
        request: RequestId(999),
        id: "0c6f1e2d".into(),
        outcome: crate::model::SchemaFetch::NotRegistered,
    }));
    assert_screens("dead_letter_dry_run", &app);
    let Some(Stage::DeadLetterDryRun { reason, .. }) = app.incident.as_ref().map(|d| &d.stage)
    else {
        panic!("dry run on screen");
    };
    assert_eq!(
        reason.text(),
        "poison event: schema 0c6f1e2d is not registered"
    );

    // Nothing is sent before the confirmation; `y` on the Dead-letter button confirms.
    let commands = press(&mut app, &["y"]);
    let [
        Request::Incident(IncidentRequest::ExecuteDeadLetter {
            request,
            plan: executed,
            mode,
            reason,
        }),
    ] = commands.as_slice()
    else {
        panic!("execution asked, got {commands:?}");
    };
    assert_eq!(executed, &plan, "exactly the plan shown");
    assert_eq!(*mode, Mode::DeadLetter);
    assert_eq!(reason, "poison event: schema 0c6f1e2d is not registered");
    assert!(press(&mut app, &["<Esc>"]).is_empty());
    assert!(
        app.incident.is_some(),
        "a running action cannot be dismissed"
    );

    let after = app.update(Action::Reply(Reply::DeadLetterExecuted {
        request: *request,
        mode: Mode::DeadLetter,
        done: DeadLetterDone {
            copied: true,
            copy_at: Some(("0".into(), 7)),
            new_next: Some(10_414),
        },
    }));
    assert!(
        matches!(after.as_slice(), [Request::Read(ReadRequest::Lag { consumer_group, .. })] if consumer_group == "crm-sync"),
        "the lag is refreshed: {after:?}"
    );
    assert_screens("dead_letter_done", &app);
    press(&mut app, &["<Enter>"]);
    assert!(app.incident.is_none());
}

#[test]
fn checkpoint_on_error_uses_an_edited_reason_and_copies_nothing() {
    let mut app = customer_app();
    at_stuck_partition(&mut app);
    let commands = run_menu_item(&mut app, DEAD_LETTER_ITEM);
    let [
        Request::Incident(IncidentRequest::PlanDeadLetter {
            request,
            dead_letter,
        }),
    ] = commands.as_slice()
    else {
        panic!("dry run asked, got {commands:?} {:?}", app.notice);
    };
    app.update(Action::Reply(Reply::DeadLetterPlanned {
        request: *request,
        plan: Seen::new(poison_plan(dead_letter.clone())),
    }));
    // Tab to the reason, clear it, type one, Tab round to the checkpoint-on-error button.
    press(&mut app, &["<Tab>", "<Tab>"]);
    for _ in 0..80 {
        press(&mut app, &["<BS>"]);
    }
    press(&mut app, &["b", "a", "d", " ", "q", "<Tab>", "<Tab>"]);
    let commands = press(&mut app, &["<Enter>"]);
    assert!(
        matches!(
            commands.as_slice(),
            [Request::Incident(IncidentRequest::ExecuteDeadLetter { mode: Mode::CheckpointOnError, reason, .. })] if reason == "bad q"
        ),
        "{commands:?}"
    );
}

fn reset_plan(request: crate::ops::reset::ResetRequest) -> ResetPlan {
    ResetPlan {
        scope: CheckpointScope {
            namespaces: vec!["contoso-events.servicebus.windows.net".into()],
            hub: request.hub.clone(),
            consumer_group: request.consumer_group.clone(),
        },
        partitions: vec![PartitionReset {
            partition: "1".into(),
            current_checkpoint: Some(10_412),
            current_next: 10_413,
            new_next: 10_500,
            replayed: 0,
            skipped: 87,
            live_owner: Some("crm-sync-1".into()),
            write_sequence: 10_499,
            write_offset: "5375488".into(),
        }],
        request,
    }
}

#[test]
fn reset_asks_for_the_groups_name_and_refuses_anything_else() {
    let mut app = customer_app();
    at_stuck_partition(&mut app);
    assert!(
        run_menu_item(&mut app, RESET_ITEM).is_empty(),
        "a form first"
    );
    press(&mut app, &["s", "e", "q", ":", "x"]);
    assert!(press(&mut app, &["<Enter>"]).is_empty(), "not a position");
    press(&mut app, &["<BS>"]);
    for c in "10500".chars() {
        press(&mut app, &[&c.to_string()]);
    }
    assert_screens("reset_form", &app);
    let commands = press(&mut app, &["<Enter>"]);
    let [Request::Incident(IncidentRequest::PlanReset { request, reset })] = commands.as_slice()
    else {
        panic!("dry run asked, got {commands:?} {:?}", app.notice);
    };
    assert_eq!(reset.partition.as_deref(), Some("1"));
    assert_eq!(reset.to, crate::model::StartPosition::Sequence(10_500));
    let plan = Seen::new(reset_plan(reset.clone()));
    app.update(Action::Reply(Reply::ResetPlanned {
        request: *request,
        plan: plan.clone(),
    }));
    assert_screens("reset_dry_run", &app);

    // The hub's name is not the group's: refused, audited, nothing written.
    for c in "sale".chars() {
        press(&mut app, &[&c.to_string()]);
    }
    let refused = press(&mut app, &["<Enter>"]);
    assert!(
        matches!(refused.as_slice(), [Request::Incident(IncidentRequest::AuditRefusal { action, consumer_group: Some(g), .. })] if action == "reset" && g == "crm-sync"),
        "{refused:?}"
    );
    for c in "crm-sync".chars() {
        press(&mut app, &[&c.to_string()]);
    }
    let commands = press(&mut app, &["<Enter>"]);
    let [
        Request::Incident(IncidentRequest::ExecuteReset {
            request,
            plan: executed,
        }),
    ] = commands.as_slice()
    else {
        panic!("reset executed, got {commands:?}");
    };
    assert_eq!(executed, &plan);
    let after = app.update(Action::Reply(Reply::ResetExecuted {
        request: *request,
        written: vec![PartitionWritten {
            partition: "1".into(),
            new_next: 10_500,
            error: None,
        }],
    }));
    assert!(
        matches!(after.as_slice(), [Request::Read(ReadRequest::Lag { .. })]),
        "{after:?}"
    );
}

#[test]
fn a_failed_dry_run_says_why_and_changes_nothing() {
    let mut app = customer_app();
    at_stuck_partition(&mut app);
    let commands = run_menu_item(&mut app, DEAD_LETTER_ITEM);
    let [Request::Incident(IncidentRequest::PlanDeadLetter { request, .. })] = commands.as_slice()
    else {
        panic!("{commands:?}");
    };
    app.update(Action::Reply(Reply::RequestFailed {
        request: *request,
        message: "hub sale partition 1 has no event 10413 yet".into(),
    }));
    assert!(matches!(
        app.incident.as_ref().map(|d| &d.stage),
        Some(Stage::Failed { .. })
    ));
    assert!(press(&mut app, &["y", "<Enter>"]).is_empty());
    assert!(app.incident.is_none());
}

#[test]
fn a_denied_action_is_refused_with_its_reason_and_audited() {
    let mut app = customer_app();
    at_stuck_partition(&mut app);
    let commands = press(&mut app, &["a"]);
    let [Request::Read(ReadRequest::Permissions { request, hub, .. })] = commands.as_slice() else {
        panic!("{commands:?}");
    };
    let listen_only =
        crate::model::permissions::Permissions::new(vec![crate::model::permissions::Permission {
            data_actions: vec!["Microsoft.EventHub/*/receive/action".into()],
            ..Default::default()
        }]);
    app.update(Action::Reply(Reply::PermissionsLoaded {
        request: *request,
        hub: hub.clone(),
        permissions: HubPermissions {
            hub: Some(listen_only),
            namespace: None,
            dead_letter: None,
        },
    }));
    for _ in 0..RESET_ITEM {
        press(&mut app, &["j"]);
    }
    let commands = press(&mut app, &["<Enter>"]);
    assert!(
        matches!(commands.as_slice(), [Request::Incident(IncidentRequest::AuditRefusal { action, reason, .. })]
            if action == "reset_checkpoints" && reason.contains("consumergroups/write")),
        "{commands:?}"
    );
    assert!(app.incident.is_none());
    assert!(matches!(&app.notice, Some(Notice::Error(m)) if m.contains("not permitted")));
}
