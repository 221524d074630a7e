//! The replay dialog driven by keys: from the action menu on a hub (or the tail's selected
//! event) through the form, the dry run and `y` to the command that sends exactly the plan
//! shown; the permission checks on the source and on another target hub, refusals said and
//! audited. The form and the dry run are snapshotted at two sizes.

use azure_core_amqp::AmqpMessage;

use super::incidents_tests::{answer_permissions as answer, assert_screens, customer_app, press};
use super::*;
use crate::connect::read::RawEvent;
use crate::model::StartPosition;
use crate::model::permissions::{Permission, Permissions};
use crate::ops::permissions::HubPermissions;
use crate::ops::replay::{Outgoing, Progress, ReplayRequest, SendDone, SendPlan};
use crate::protocol::{IncidentRequest, Reply, Request, RequestId, Seen};
use crate::tui::sample;
use crate::tui::state::{ReplayField, Stage};

const REPLAY_ITEM: usize = 6;

/// The action menu's replay item, everything permitted.
fn open_replay(app: &mut App) {
    let asked = press(app, &["a"]);
    let hub = app
        .action_menu
        .as_ref()
        .map(|m| m.hub.clone())
        .unwrap_or_default();
    answer(app, &asked, &hub, HubPermissions::default());
    for _ in 0..REPLAY_ITEM {
        press(app, &["j"]);
    }
    assert!(
        press(app, &["<Enter>"]).is_empty(),
        "the form reads nothing"
    );
}

fn on_sale_hub(app: &mut App) {
    // `sale` matches dead-letter-sale too, which sorts first.
    press(app, &["/", "s", "a", "l", "e", "<Enter>", "<End>"]);
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::InsertChar(c));
    }
}

fn erase(app: &mut App, count: usize) {
    for _ in 0..count {
        press(app, &["<BS>"]);
    }
}

fn replay_plan(request: &ReplayRequest, sequences: &[i64]) -> SendPlan {
    let events = sequences
        .iter()
        .map(|&sequence| {
            let mut event = sample::event(sequence);
            event.partition = request.partition.clone();
            Outgoing {
                original: RawEvent {
                    event,
                    message: AmqpMessage::builder().with_body(b"x".to_vec()).build(),
                },
                target_hub: request.target_hub.clone(),
                target_partition: Some(request.partition.clone()),
                provenance: None,
            }
        })
        .collect();
    SendPlan {
        events,
        filtered_out: 2,
    }
}

/// Fills the form on `sale`: partition 1, seq:5 to 9, filter `order`, target `target`,
/// rate 50; returns the dry run asked for.
fn fill_form(app: &mut App, target: &str) -> (RequestId, ReplayRequest) {
    type_text(app, "1");
    press(app, &["<Tab>"]);
    erase(app, "earliest".len());
    type_text(app, "seq:5");
    press(app, &["<Tab>"]);
    type_text(app, "9");
    press(app, &["<Tab>"]);
    type_text(app, "order");
    press(app, &["<Tab>"]);
    erase(app, "sale".len());
    type_text(app, target);
    press(app, &["<Tab>"]);
    type_text(app, "50");
    let commands = press(app, &["<Enter>"]);
    let [Request::Incident(IncidentRequest::PlanReplay { request, replay })] = commands.as_slice()
    else {
        panic!("dry run asked, got {commands:?}");
    };
    (*request, replay.clone())
}

/// Issue #10: the dialogs' fields were a hand-written line editor (append and backspace
/// only); they edit as the command line does.
#[test]
fn form_fields_take_the_editors_keys() {
    let mut app = customer_app();
    on_sale_hub(&mut app);
    open_replay(&mut app);
    // The target field holds `sale`: a word back, type before it, undo, delete the word.
    press(&mut app, &["<Tab>", "<Tab>", "<Tab>", "<Tab>"]);
    press(&mut app, &["<A-b>"]);
    type_text(&mut app, "x");
    let target = |app: &App| match app.incident.as_ref().map(|d| &d.stage) {
        Some(Stage::ReplayForm(form)) => form.target.text().to_owned(),
        other => panic!("replay form open: {other:?}"),
    };
    assert_eq!(target(&app), "xsale");
    press(&mut app, &["<C-u>"]);
    assert_eq!(target(&app), "sale");
    press(&mut app, &["<End>", "<C-w>"]);
    assert_eq!(target(&app), "");
}

#[test]
fn replay_from_a_hub_shows_the_dry_run_then_sends_exactly_that_plan() {
    let mut app = customer_app();
    on_sale_hub(&mut app);
    open_replay(&mut app);
    let Some(Stage::ReplayForm(form)) = app.incident.as_ref().map(|d| &d.stage) else {
        panic!("replay form open: {:?}", app.incident);
    };
    assert_eq!(
        (form.target.text(), form.field),
        ("sale", ReplayField::Partition)
    );
    // A bad field says why and keeps what was typed.
    press(&mut app, &["<Tab>"]);
    type_text(&mut app, "x");
    assert!(press(&mut app, &["<Enter>"]).is_empty());
    let Some(Stage::ReplayForm(form)) = app.incident.as_ref().map(|d| &d.stage) else {
        panic!("form still open");
    };
    assert_eq!(
        form.error.as_deref(),
        Some("type the partition to replay from")
    );
    press(&mut app, &["<BS>", "<S-Tab>"]);

    let (request, replay) = fill_form(&mut app, "sale");
    assert_eq!(
        replay,
        ReplayRequest {
            hub: "sale".into(),
            partition: "1".into(),
            from: StartPosition::Sequence(5),
            to_sequence: Some(9),
            until: None,
            filter: Some("order".into()),
            target_hub: "sale".into(),
        }
    );
    let plan = Seen::new(replay_plan(&replay, &[5, 6, 9]));
    app.update(Action::Reply(Reply::ReplayPlanned {
        request,
        plan: plan.clone(),
    }));
    assert_screens("replay_dry_run", &app);

    // `y` asks for the rights on the source (the same hub is the target), then sends.
    let asked = press(&mut app, &["y"]);
    assert!(press(&mut app, &["y"]).is_empty(), "asked once");
    let commands = answer(&mut app, &asked, "sale", HubPermissions::default());
    let [
        Request::Incident(IncidentRequest::ExecuteReplay {
            request,
            plan: sent,
            source_hub,
            rate,
        }),
    ] = commands.as_slice()
    else {
        panic!("execution asked, got {commands:?}");
    };
    assert_eq!(sent, &plan, "exactly the plan shown");
    assert_eq!((source_hub.as_str(), *rate), ("sale", Some(50)));
    app.update(Action::Reply(Reply::SendProgress {
        request: *request,
        progress: Progress { sent: 1, total: 3 },
    }));
    assert!(
        matches!(app.incident.as_ref().map(|d| &d.stage), Some(Stage::Running { progress: Some(p) }) if p.sent == 1)
    );
    app.update(Action::Reply(Reply::ReplayExecuted {
        request: *request,
        done: SendDone {
            sent: 3,
            total: 3,
            error: None,
        },
    }));
    let Some(Stage::Finished { lines }) = app.incident.as_ref().map(|d| &d.stage) else {
        panic!("result shown: {:?}", app.incident);
    };
    assert_eq!(lines[0], "3 of 3 events replayed");
}

#[test]
fn replay_form_snapshots() {
    let mut app = customer_app();
    on_sale_hub(&mut app);
    open_replay(&mut app);
    type_text(&mut app, "1");
    press(&mut app, &["<Tab>"]);
    assert_screens("replay_form", &app);
}

#[test]
fn replay_to_another_hub_without_send_there_is_refused_and_audited() {
    let mut app = customer_app();
    on_sale_hub(&mut app);
    open_replay(&mut app);
    let (request, replay) = fill_form(&mut app, "dead-letter-sale");
    app.update(Action::Reply(Reply::ReplayPlanned {
        request,
        plan: Seen::new(replay_plan(&replay, &[5])),
    }));
    let asked = press(&mut app, &["y"]);
    let asked = answer(&mut app, &asked, "sale", HubPermissions::default());
    let listen_only = Permissions::new(vec![Permission {
        data_actions: vec!["Microsoft.EventHub/*/receive/action".into()],
        ..Default::default()
    }]);
    let refused = answer(
        &mut app,
        &asked,
        "dead-letter-sale",
        HubPermissions {
            hub: Some(listen_only),
            namespace: None,
            dead_letter: None,
        },
    );
    let [
        Request::Incident(IncidentRequest::AuditRefusal {
            action,
            hub,
            reason,
            ..
        }),
    ] = refused.as_slice()
    else {
        panic!("refusal audited, got {refused:?}");
    };
    assert_eq!(
        (action.as_str(), hub.as_str()),
        ("replay", "dead-letter-sale")
    );
    assert!(
        reason.contains("send/action"),
        "names the missing right: {reason}"
    );
    let Some(Stage::Failed { message }) = app.incident.as_ref().map(|d| &d.stage) else {
        panic!("refusal shown in the dialog: {:?}", app.incident);
    };
    assert!(message.contains("send/action"), "{message}");
}

#[test]
fn replay_from_the_tail_starts_at_the_selected_event() {
    let mut app = customer_app();
    let commands = press(
        &mut app,
        &["/", "s", "a", "l", "e", "<Enter>", "<End>", "t"],
    );
    let Some(Request::StartTail { request, .. }) = commands.last() else {
        panic!("{commands:?}");
    };
    app.update(Action::Reply(Reply::TailReceived {
        request: *request,
        events: vec![sample::event(7)],
        lost: 0,
    }));
    open_replay(&mut app);
    let Some(Stage::ReplayForm(form)) = app.incident.as_ref().map(|d| &d.stage) else {
        panic!("replay form open: {:?}", app.incident);
    };
    assert_eq!(
        (form.partition.text(), form.from.text(), form.field),
        ("3", "seq:7", ReplayField::To)
    );
}

#[test]
fn replay_is_absent_from_a_read_only_menu() {
    let mut app = customer_app();
    app.read_only = true;
    on_sale_hub(&mut app);
    let asked = press(&mut app, &["a"]);
    answer(&mut app, &asked, "sale", HubPermissions::default());
    let items = app
        .action_menu
        .as_ref()
        .and_then(|m| m.items.clone())
        .unwrap_or_default();
    assert!(
        !items
            .iter()
            .any(|i| i.action == crate::model::permissions::ConsoleAction::Replay)
    );
}
