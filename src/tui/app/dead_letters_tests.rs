//! The dead-letter pane and the tail's dead-letter key driven by keys: listing, marks, the
//! redrive's permission check, dry run, progress and result; refusals (permission,
//! read-only) said and audited. The pane and the redrive dry run are snapshotted.

use azure_core_amqp::AmqpMessage;

use super::incidents_tests::{self, assert_screens, customer_app, draw, press};
use super::*;
use crate::connect::read::RawEvent;
use crate::ops::permissions::HubPermissions;
use crate::ops::provenance::Provenance;
use crate::ops::replay::{Outgoing, Progress, SendDone, SendPlan};
use crate::protocol::{IncidentRequest, ReadRequest, Reply, Request, Seen};
use crate::tui::sample;
use crate::tui::state::DeadLetterRow;

#[test]
fn read_only_refuses_the_mutating_keys_and_audits_it() {
    let mut app = customer_app();
    app.read_only = true;
    let commands = press(&mut app, &["t"]);
    let Some(Request::StartTail { request, .. }) = commands.last() else {
        panic!("{commands:?}");
    };
    app.update(Action::Reply(Reply::TailReceived {
        request: *request,
        events: vec![sample::event(1)],
        lost: 0,
    }));
    let commands = press(&mut app, &["D"]);
    assert!(
        matches!(commands.as_slice(), [Request::Incident(IncidentRequest::AuditRefusal { reason, .. })] if reason.contains("read-only")),
        "{commands:?}"
    );
    assert!(app.incident.is_none());
}

/// Answers the permissions request in `commands` (for `hub`, naming the team's dead-letter
/// hub) with `permissions`.
fn answer_permissions(
    app: &mut App,
    commands: &[Request],
    hub: &str,
    permissions: HubPermissions,
) -> Vec<Request> {
    let [
        Request::Read(ReadRequest::Permissions {
            dead_letter_hub, ..
        }),
    ] = commands
    else {
        panic!("permissions asked first, got {commands:?}");
    };
    assert_eq!(dead_letter_hub.as_deref(), Some("deadletter-customer"));
    incidents_tests::answer_permissions(app, commands, hub, permissions)
}

fn tailing_sale(app: &mut App) {
    let commands = press(app, &["/", "s", "a", "l", "e", "<Enter>", "<End>", "t"]);
    let Some(Request::StartTail { request, hub, .. }) = commands.last() else {
        panic!("{commands:?}");
    };
    assert_eq!(hub, "sale");
    app.update(Action::Reply(Reply::TailReceived {
        request: *request,
        events: vec![sample::event(1)],
        lost: 0,
    }));
}

#[test]
fn dead_lettering_from_the_tail_asks_permission_then_copies_without_moving_a_checkpoint() {
    let mut app = customer_app();
    tailing_sale(&mut app);
    let asked = press(&mut app, &["D"]);
    // Without send on the dead-letter hub: refused before anything is read, and audited.
    let listen_only =
        crate::model::permissions::Permissions::new(vec![crate::model::permissions::Permission {
            data_actions: vec!["Microsoft.EventHub/*/receive/action".into()],
            ..Default::default()
        }]);
    let refused = answer_permissions(
        &mut app,
        &asked,
        "sale",
        HubPermissions {
            hub: Some(listen_only.clone()),
            namespace: None,
            dead_letter: Some(listen_only),
        },
    );
    assert!(
        matches!(refused.as_slice(), [Request::Incident(IncidentRequest::AuditRefusal { reason, .. })]
            if reason.contains("send/action (data action) on the dead-letter hub")),
        "{refused:?}"
    );
    assert!(app.incident.is_none());

    let asked = press(&mut app, &["D"]);
    let planned = answer_permissions(&mut app, &asked, "sale", HubPermissions::default());
    assert!(
        matches!(planned.as_slice(), [Request::Incident(IncidentRequest::PlanDeadLetter { dead_letter, .. })]
            if dead_letter.sequence == Some(1) && dead_letter.partition == "1" && dead_letter.consumer_group.is_none()),
        "{planned:?}"
    );
}

fn dead_letter_rows() -> Vec<DeadLetterRow> {
    (0..3)
        .map(|i| {
            let mut event = sample::event(i);
            event.partition = "0".into();
            DeadLetterRow {
                event: event.clone(),
                provenance: Provenance {
                    action: "dead-letter".into(),
                    namespace: "contoso-events".into(),
                    hub: "sale".into(),
                    partition: "1".into(),
                    sequence: 10_413 + i,
                    offset: "5330944".into(),
                    enqueued_time: Some(sample::at(-600)),
                    consumer_group: Some("crm-sync".into()),
                    reason: Some(format!("poison event: \u{1b}[31mbad avro {i}")),
                    by: Some("team-customer".into()),
                    at: Some(sample::at(-30)),
                },
            }
        })
        .collect()
}

/// `R` on the dead-letter pane, permitted, answered with a dry run of every row: the events
/// the redrive names, and the plan shown.
fn open_redrive_dry_run(app: &mut App) -> (Vec<(String, i64)>, Seen<SendPlan>) {
    let commands = press(app, &["R"]);
    let commands = answer_permissions(app, &commands, "sale", HubPermissions::default());
    let [Request::Incident(IncidentRequest::PlanRedrive { request, redrive })] =
        commands.as_slice()
    else {
        panic!("{commands:?}");
    };
    let rows = dead_letter_rows();
    let plan = Seen::new(SendPlan {
        events: rows
            .iter()
            .map(|r| Outgoing {
                original: RawEvent {
                    event: r.event.clone(),
                    message: AmqpMessage::builder().with_body(b"x".to_vec()).build(),
                },
                target_hub: "sale".into(),
                target_partition: Some("1".into()),
                provenance: None,
            })
            .collect(),
        filtered_out: 1,
    });
    app.update(Action::Reply(Reply::RedrivePlanned {
        request: *request,
        plan: plan.clone(),
    }));
    (redrive.only.clone(), plan)
}

fn dead_letter_pane(app: &mut App) {
    let commands = press(app, &[":", "d", "l", "q", "<Enter>"]);
    let [Request::Incident(IncidentRequest::ListDeadLetters { request, hub })] =
        commands.as_slice()
    else {
        panic!("{commands:?}");
    };
    assert_eq!(hub, "deadletter-customer");
    app.update(Action::Reply(Reply::DeadLettersLoaded {
        request: *request,
        hub: hub.clone(),
        rows: dead_letter_rows(),
    }));
}

/// Issue #10: the dialog's `y` was hard-coded beside the keymap, and its hints written out.
/// A user keymap that moves the confirmation to `Y` (and `y` to cancel) moves both.
#[test]
fn the_confirm_key_and_its_hint_come_from_the_keymap() {
    let mut app = customer_app();
    let rebound = "[confirm]\nkeymap = [\n  { on = \"Y\", run = \"confirm\", desc = \"Confirm\" },\n  { on = \"y\", run = \"back\", desc = \"Cancel\" },\n]\n";
    app.keymap = app
        .keymap
        .merged(rebound, "test keymap")
        .expect("the test keymap parses");
    dead_letter_pane(&mut app);
    let (_, plan) = open_redrive_dry_run(&mut app);
    let screen = draw(&app, 120, 40);
    assert!(
        screen.contains("Y or <Enter>: redrive   y or <Esc>: cancel"),
        "{screen}"
    );
    let commands = press(&mut app, &["Y"]);
    let [Request::Incident(IncidentRequest::ExecuteRedrive { plan: executed, .. })] =
        commands.as_slice()
    else {
        panic!("Y confirms: {commands:?}");
    };
    assert_eq!(executed, &plan);
}

#[test]
fn dead_letter_pane_lists_marks_and_redrives() {
    let mut app = customer_app();
    dead_letter_pane(&mut app);
    // A filter narrows the list; the selection follows what is shown.
    press(&mut app, &["/"]);
    for c in "avro 1".chars() {
        press(&mut app, &[&c.to_string()]);
    }
    press(&mut app, &["<Enter>"]);
    assert_eq!(app.dead_letters.visible().len(), 1);
    assert_eq!(
        app.dead_letters.selected().map(|r| r.provenance.sequence),
        Some(10_414)
    );
    press(&mut app, &["x"]);
    press(&mut app, &["<Space>", "j", "j", "<Space>"]);
    assert_screens("dead_letter_pane", &app);
    let (only, plan) = open_redrive_dry_run(&mut app);
    assert_eq!(only, [("0".to_owned(), 0), ("0".to_owned(), 2)]);
    assert_screens("redrive_dry_run", &app);
    let commands = press(&mut app, &["y"]);
    let [
        Request::Incident(IncidentRequest::ExecuteRedrive {
            request,
            plan: executed,
            dead_letter_hub,
        }),
    ] = commands.as_slice()
    else {
        panic!("{commands:?}");
    };
    assert_eq!(
        (executed, dead_letter_hub.as_str()),
        (&plan, "deadletter-customer")
    );
    app.update(Action::Reply(Reply::SendProgress {
        request: *request,
        progress: Progress { sent: 1, total: 3 },
    }));
    assert!(draw(&app, 120, 40).contains("sending… 1 of 3"));
    let after = app.update(Action::Reply(Reply::RedriveExecuted {
        request: *request,
        done: SendDone {
            sent: 3,
            total: 3,
            error: None,
        },
    }));
    assert!(matches!(
        after.as_slice(),
        [Request::Incident(IncidentRequest::ListDeadLetters { .. })]
    ));
    assert!(draw(&app, 120, 40).contains("3 of 3 events sent home"));
}
