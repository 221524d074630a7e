//! Every pane at two sizes, plus a too-small terminal, from fixed sample data.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::protocol::{ReadRequest, Reply, Request};
use crate::tui::action::{Action, ConnectionState};
use crate::tui::app::App;
use crate::tui::keymap::Key;
use crate::tui::sample;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| {
            super::render(frame, app, sample::now());
        })
        .expect("draw");
    terminal.backend().to_string()
}

fn press(app: &mut App, keys: &[&str]) -> Vec<Request> {
    keys.iter()
        .flat_map(|k| app.handle_key(k.parse::<Key>().expect("key")))
        .collect()
}

fn request_of(commands: &[Request]) -> crate::protocol::RequestId {
    match commands.last() {
        Some(
            Request::Read(ReadRequest::PartitionInfo { request, .. })
            | Request::Read(ReadRequest::Lag { request, .. })
            | Request::StartTail { request, .. }
            | Request::Read(ReadRequest::ListNamespaces { request })
            | Request::Read(ReadRequest::ListSchemas { request }),
        ) => *request,
        other => panic!("unexpected {other:?}"),
    }
}

fn assert_pane(name: &str, app: &App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(app, w, h));
    }
}

fn connected() -> App {
    let mut app = sample::app_with_hubs();
    app.update(Action::Reply(Reply::ConnectionChanged(
        ConnectionState::Connected,
    )));
    app
}

#[test]
fn hubs_pane() {
    assert_pane("hubs", &connected());
}

#[test]
fn namespaces_pane() {
    let mut app = connected();
    let request = request_of(&press(&mut app, &["n"]));
    app.update(Action::Reply(Reply::NamespacesLoaded {
        request,
        namespaces: vec![crate::model::Namespace {
            name: "contoso-events".into(),
            host: "contoso-events.servicebus.windows.net".into(),
        }],
    }));
    assert_pane("namespaces", &app);
}

#[test]
fn partitions_pane() {
    let mut app = connected();
    press(&mut app, &["<End>"]);
    for (i, grown) in [0, 20, 45, 60, 130].into_iter().enumerate() {
        let request = request_of(&if i == 0 {
            press(&mut app, &["p"])
        } else {
            press(&mut app, &["r"])
        });
        app.update(Action::Reply(Reply::PartitionsLoaded {
            request,
            hub: "sale".into(),
            partitions: sample::partitions(grown),
            sampled_at: sample::at(i as i64 * 5 - 20),
        }));
    }
    assert_pane("partitions", &app);
}

fn lag_app() -> App {
    let mut app = connected();
    press(&mut app, &["<End>"]);
    let request = request_of(&press(&mut app, &["c"]));
    app.update(Action::Reply(Reply::LagLoaded {
        request,
        snapshot: sample::lag_snapshot(0, 0),
    }));
    press(&mut app, &["<Enter>", "j"]);
    app
}

#[test]
fn consumer_groups_pane() {
    assert_pane("consumer_groups", &lag_app());
}

fn tail_app() -> App {
    let mut app = lag_app();
    let request = request_of(&press(&mut app, &["t"]));
    let events: Vec<_> = (10_413..10_460).map(sample::event).collect();
    app.update(Action::Reply(Reply::TailReceived {
        request,
        events,
        lost: 7,
    }));
    app
}

#[test]
fn tail_pane() {
    assert_pane("tail", &tail_app());
}

#[test]
fn tail_pane_paused_and_filtered() {
    let mut app = tail_app();
    press(&mut app, &["<Space>", "/", "4", "0", "0", "5", "<Enter>"]);
    assert_pane("tail_paused_filtered", &app);
}

#[test]
fn detail_pane_text_and_hex() {
    let mut app = tail_app();
    press(&mut app, &["<Enter>"]);
    assert_pane("detail", &app);
    press(&mut app, &["h"]);
    assert_pane("detail_hex", &app);
}

#[test]
fn help_overlay() {
    let mut app = connected();
    press(&mut app, &["?"]);
    assert_pane("help", &app);
}

#[test]
fn command_line_and_error_notice() {
    let mut app = connected();
    press(
        &mut app,
        &[":", "n", "o", "p", "e", "<Enter>", ":", "t", "h"],
    );
    assert_pane("command_line", &app);
}

#[test]
fn too_small_terminal_says_so() {
    insta::assert_snapshot!("too_small_30x8", draw(&connected(), 30, 8));
}

/// The demo's `ContactPurchased` (two versions) and `LeadFailed`, as the registry lists them.
fn sample_schemas() -> Vec<crate::model::RegisteredSchema> {
    let version = |group: &str, name: &str, version: u32, id: &str, content: &str| {
        crate::model::RegisteredSchema {
            id: id.into(),
            group: group.into(),
            name: name.into(),
            version,
            format: "Avro".into(),
            content: content.into(),
        }
    };
    vec![
        version(
            "customer",
            "com.example.customer.ContactPurchased",
            2,
            "f2600ec82dbe92fb381627826536bda5",
            include_str!("../../../schemas/contact_purchased.v2.avsc"),
        ),
        version(
            "customer",
            "com.example.customer.ContactPurchased",
            1,
            "7113c15cdc0262e342d747bdc3a8b0b4",
            include_str!("../../../schemas/contact_purchased.avsc"),
        ),
        version(
            "conversions",
            "com.example.conversions.LeadFailed",
            1,
            "0f72c37f70c613f23af96d24c16177c8",
            include_str!("../../../schemas/lead_failed.avsc"),
        ),
    ]
}

#[test]
fn schemas_pane_shows_a_version_then_a_diff_with_its_predecessor() {
    let mut app = connected();
    let request = request_of(&press(&mut app, &["s"]));
    app.update(Action::Reply(Reply::SchemasLoaded {
        request,
        schemas: sample_schemas(),
    }));
    assert_pane("schemas_one_version", &app);
    press(&mut app, &["<End>"]);
    assert_pane("schemas_diff", &app);
}

#[test]
fn from_an_event_the_schema_pane_opens_on_its_version() {
    let mut app = tail_app();
    press(&mut app, &["<Enter>"]);
    if let Some(event) = &mut app.detail.event {
        event.content_type = Some("avro/binary+7113c15cdc0262e342d747bdc3a8b0b4".into());
    }
    let request = request_of(&press(&mut app, &["s"]));
    app.update(Action::Reply(Reply::SchemasLoaded {
        request,
        schemas: sample_schemas(),
    }));
    let selected = app.schemas.selected().map(|s| (s.name.as_str(), s.version));
    assert_eq!(selected, Some(("com.example.customer.ContactPurchased", 1)));
    // Back returns to the event.
    press(&mut app, &["<Esc>"]);
    assert_eq!(app.view(), crate::tui::app::View::DETAIL);
}
