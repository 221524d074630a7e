//! The console under hostile conditions: every pane drawn at every terminal size without a
//! panic, and signals (SIGTERM, SIGINT, SIGHUP) that end the real console in a real terminal
//! (tmux) leave that terminal as it was: cooked, on the main screen, cursor shown, no mouse
//! reporting.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::Command as Process;
use std::time::{Duration, Instant};

use ehops::model::{
    Checkpoint, CloudEventAttributes, Hub, Identity, LagSnapshot, Namespace, Ownership,
    PartitionInfo, PartitionLagSample, RegisteredSchema, TailEvent,
};
use ehops::protocol::{IncidentRequest, ReadRequest, Reply, Request, RequestId};
use ehops::tui::action::Action;
use ehops::tui::app::{App, AppConfig};
use ehops::tui::keymap::{Key, Keymap};
use ehops::tui::theme::ThemeCatalog;
use ehops::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::OffsetDateTime;

const MAX_WIDTH: u16 = 200;
const MAX_HEIGHT: u16 = 60;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_714_564_800).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn ago(seconds: u64) -> OffsetDateTime {
    now() - Duration::from_secs(seconds)
}

fn app() -> App {
    let (keymap, _) = Keymap::load("default", None);
    let (themes, _) = ThemeCatalog::new(&[], false);
    App::new(AppConfig {
        identity: Identity {
            name: "oncall@customer".into(),
            team: Some("customer".into()),
        },
        namespace: "contoso-events".into(),
        keymap,
        themes,
        theme: "dark".into(),
        tail_capacity: 1_000,
        warnings: Vec::new(),
    })
}

fn press(app: &mut App, keys: &[&str]) -> Vec<Request> {
    keys.iter()
        .flat_map(|k| app.handle_key(k.parse::<Key>().expect("a key name")))
        .collect()
}

fn request_of(commands: &[Request]) -> RequestId {
    let request = commands.iter().rev().find_map(|command| match command {
        Request::Read(ReadRequest::ListHubs { request, .. })
        | Request::Read(ReadRequest::ListNamespaces { request })
        | Request::Read(ReadRequest::PartitionInfo { request, .. })
        | Request::Read(ReadRequest::Lag { request, .. })
        | Request::StartTail { request, .. }
        | Request::Read(ReadRequest::ListSchemas { request })
        | Request::Incident(IncidentRequest::ListDeadLetters { request, .. }) => Some(*request),
        _ => None,
    });
    request.unwrap_or_else(|| panic!("a request among {commands:?}"))
}

fn hubs() -> Vec<Hub> {
    ["sale", "lead", "account", "contact"]
        .iter()
        .enumerate()
        .map(|(i, name)| Hub {
            namespace: "ehops-demo".into(),
            name: (*name).into(),
            partition_count: 4,
            team: Some(if i < 2 { "conversions" } else { "customer" }.into()),
            retention: Duration::from_secs(7 * 86_400),
            ingress_per_sec: Some(12.5),
            dead_letter_for: None,
            consumer_groups: vec!["crm-sync".into(), "lake-ingest".into(), "audit".into()],
        })
        .collect()
}

fn event(sequence: i64) -> TailEvent {
    TailEvent {
        enqueued_time: ago(60),
        partition: (sequence % 4).to_string(),
        sequence,
        offset: (sequence * 512).to_string(),
        cloud_event: CloudEventAttributes {
            id: Some(format!("evt-{sequence}")),
            source: Some("/teams/conversions/sales".into()),
            event_type: Some("com.example.conversions.sale.confirmed".into()),
            subject: Some(format!("sale-{sequence}")),
        },
        content_type: Some("application/json".into()),
        properties: vec![("cloudEvents_specversion".into(), "1.0".into())],
        annotations: vec![("x-opt-partition-key".into(), format!("sale-{sequence}"))],
        body: format!(r#"{{"saleId":"sale-{sequence}","amount":12.5,"lines":[1,2,3]}}"#)
            .into_bytes(),
    }
}

fn lag_snapshot() -> LagSnapshot {
    let sample = |p: i64, last: i64, checkpoint: i64| PartitionLagSample {
        partition: p.to_string(),
        begin_sequence: 0,
        last_enqueued_sequence: last,
        last_enqueued_time: Some(ago(1)),
        next_unprocessed_time: Some(ago(300)),
        checkpoint: Some(Checkpoint {
            sequence: checkpoint,
            offset: (checkpoint * 512).to_string(),
            updated_at: ago(1_800),
        }),
        ownership: Some(Ownership {
            owner_id: "crm-sync-1".into(),
            renewed_at: ago(4),
        }),
    };
    LagSnapshot {
        hub: "sale".into(),
        consumer_group: "crm-sync".into(),
        sampled_at: now(),
        partitions: (0..4).map(|p| sample(p, 10_000 + p, 9_000)).collect(),
    }
}

fn schemas() -> Vec<RegisteredSchema> {
    [1, 2]
        .into_iter()
        .map(|version| RegisteredSchema {
            id: format!("id-{version}"),
            group: "customer".into(),
            name: "com.example.customer.ContactPurchased".into(),
            version,
            format: "Avro".into(),
            content: include_str!("../schemas/contact_purchased.avsc").into(),
        })
        .collect()
}

/// The console in every pane and overlay, each with rows to draw, as a user reaches them.
fn every_pane() -> Vec<(&'static str, App)> {
    let mut panes = Vec::new();
    let mut hubs_app = app();
    // Start asks for the home namespace's hubs, then for the namespaces.
    let start = hubs_app.start();
    let request = (start.iter())
        .find_map(|c| match c {
            Request::Read(ReadRequest::ListHubs { request, .. }) => Some(*request),
            _ => None,
        })
        .expect("start lists hubs");
    hubs_app.update(Action::Reply(Reply::HubsLoaded {
        request,
        namespace: "contoso-events".into(),
        hubs: hubs(),
    }));
    panes.push(("hubs", hubs_app.clone()));

    let mut help = hubs_app.clone();
    press(&mut help, &["?"]);
    panes.push(("help", help));

    let mut command_line = hubs_app.clone();
    press(&mut command_line, &[":", "t", "a", "i", "l"]);
    panes.push(("command line", command_line));

    let mut menu = hubs_app.clone();
    press(&mut menu, &["a"]);
    panes.push(("action menu", menu));

    let mut namespaces = hubs_app.clone();
    let request = request_of(&press(&mut namespaces, &["n"]));
    namespaces.update(Action::Reply(Reply::NamespacesLoaded {
        request,
        namespaces: vec![Namespace {
            name: "contoso-events".into(),
            host: "contoso-events.servicebus.windows.net".into(),
        }],
    }));
    panes.push(("namespaces", namespaces));

    let mut partitions = hubs_app.clone();
    let request = request_of(&press(&mut partitions, &["p"]));
    partitions.update(Action::Reply(Reply::PartitionsLoaded {
        request,
        hub: "sale".into(),
        partitions: (0..4)
            .map(|i| PartitionInfo {
                id: i.to_string(),
                begin_sequence: 0,
                last_sequence: 10_000 + i,
                last_offset: (4_096 * i).to_string(),
                last_enqueued: Some(ago(3)),
                is_empty: false,
            })
            .collect(),
        sampled_at: now(),
    }));
    panes.push(("partitions", partitions));

    let mut groups = hubs_app.clone();
    let request = request_of(&press(&mut groups, &["c"]));
    groups.update(Action::Reply(Reply::LagLoaded {
        request,
        snapshot: lag_snapshot(),
    }));
    panes.push(("consumer groups", groups.clone()));

    let mut tail = groups;
    let request = request_of(&press(&mut tail, &["<Enter>", "t"]));
    tail.update(Action::Reply(Reply::TailReceived {
        request,
        events: (9_000..9_100).map(event).collect(),
        lost: 3,
    }));
    panes.push(("tail", tail.clone()));

    let mut detail = tail;
    press(&mut detail, &["<Enter>"]);
    panes.push(("detail", detail.clone()));
    press(&mut detail, &["h"]);
    panes.push(("detail as hex", detail));

    let mut registry = hubs_app.clone();
    let request = request_of(&press(&mut registry, &["s"]));
    registry.update(Action::Reply(Reply::SchemasLoaded {
        request,
        schemas: schemas(),
    }));
    press(&mut registry, &["<End>"]);
    panes.push(("schemas", registry));

    let mut dead_letters = hubs_app;
    press(&mut dead_letters, &["D"]);
    panes.push(("dead letters", dead_letters));
    panes
}

/// Draws `app` at `width` x `height`; the panic's message if drawing panicked.
fn draw_survives(app: &App, width: u16, height: u16) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        terminal
            .draw(|frame| {
                views::render(frame, app, now());
            })
            .map(|_| ())
            .expect("a test backend draws");
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    })
}

/// Issue #16, finding 8: the consumer-groups pane panicked at heights 10 to 13. Every pane
/// is drawn at every height up to 60, at widths around the minimum and across the range (a
/// debug build draws a few thousand frames a minute on a loaded machine).
#[test]
fn every_pane_survives_every_terminal_size() {
    let widths = [1, 2, 3, 10, 30, 49, 50, 51, 80, MAX_WIDTH];
    // The panics are collected below; their default report would flood the output.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    for (pane, app) in every_pane() {
        for width in widths {
            for height in 1..=MAX_HEIGHT {
                if let Err(message) = draw_survives(&app, width, height) {
                    failures.push(format!("{pane} at {width}x{height}: {message}"));
                }
            }
        }
    }
    std::panic::set_hook(hook);
    assert!(
        failures.is_empty(),
        "{} sizes panicked, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
}

/// A tmux server of the test's own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> std::process::Output {
        Process::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self, session: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", session]).stdout)
            .into_owned()
    }

    /// The pane's terminal modes as tmux tracks them from what the program wrote.
    fn modes(&self, session: &str) -> String {
        let format = "alternate=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag}\
                      #{mouse_button_flag}#{mouse_standard_flag}#{mouse_sgr_flag}";
        let output = self.run(&["display-message", "-p", "-t", session, format]);
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

async fn wait_until(what: &str, mut done: impl FnMut() -> Option<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = done() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The shell that runs the console in each tmux pane: it writes the console's process id,
/// runs it, then records `stty -a` of the terminal the console gave back and stays open
/// (`cat`) so tmux keeps the pane's modes to read.
const WRAPPER: &str = r#"pid_file=$1; stty_file=$2; shift 2
sh -c 'echo $$ > "$0"; exec "$@"' "$pid_file" "$@"
stty -a > "$stty_file.part" && mv "$stty_file.part" "$stty_file"
exec cat"#;

/// Issue #16, finding 9: a signal left the terminal raw, on the alternate screen, with mouse
/// reporting on and the cursor hidden.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signals_end_the_console_and_restore_the_terminal() {
    if Process::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let emu = common::start(common::CONSOLE).await;
    let home = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux {
        socket: format!(
            "ehops-hostile-{}-{}",
            std::process::id(),
            emu.running.amqp.port()
        ),
    };
    let connection_string = emu.connection_string("RootManageSharedAccessKey");
    let catalog = emu.catalog();
    let signals = ["TERM", "INT", "HUP"];
    for signal in signals {
        let dir = home.path().join(signal);
        std::fs::create_dir_all(&dir).expect("a directory per console");
        start_console(&tmux, signal, &dir, &connection_string, &catalog);
    }
    for signal in signals {
        wait_until(&format!("the hubs in console {signal}"), || {
            let screen = tmux.screen(signal);
            screen.contains("orders").then_some(screen)
        })
        .await;
        let modes = tmux.modes(signal);
        assert!(
            modes.starts_with("alternate=1 cursor=0"),
            "the console is full-screen before the signal: {modes}"
        );
        let pid = std::fs::read_to_string(home.path().join(signal).join("pid"))
            .expect("the console's pid");
        let killed = Process::new("kill")
            .args([&format!("-{signal}"), pid.trim()])
            .status()
            .expect("kill runs");
        assert!(killed.success(), "kill -{signal} {pid}");
    }
    for signal in signals {
        let stty_file = home.path().join(signal).join("stty");
        let stty = wait_until(&format!("the console to end on SIG{signal}"), || {
            std::fs::read_to_string(&stty_file).ok()
        })
        .await;
        let flags: Vec<&str> = stty.split_whitespace().collect();
        for cooked in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(
                flags.contains(&cooked),
                "after SIG{signal} the terminal has {cooked} off:\n{stty}"
            );
        }
        assert_eq!(
            tmux.modes(signal),
            "alternate=0 cursor=1 mouse=0000",
            "after SIG{signal}"
        );
    }
}

fn start_console(tmux: &Tmux, session: &str, dir: &Path, connection_string: &str, catalog: &str) {
    let files = [dir.join("pid"), dir.join("stty"), dir.join("data")];
    let [pid, stty, data] = files.each_ref().map(|p| p.to_string_lossy().into_owned());
    let started = Process::new("tmux")
        .args(["-L", &tmux.socket, "-f", "/dev/null"])
        .args(["new-session", "-d", "-s", session, "-x", "100", "-y", "30"])
        .args(["sh", "-c", WRAPPER, "sh", &pid, &stty])
        .arg(env!("CARGO_BIN_EXE_ehops"))
        .args(["--connection-string", connection_string])
        .args(["--catalog", catalog, "--data", &data])
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("EHOPS_CONNECTION_STRING")
        .env_remove("EHOPS_TEAM")
        .status()
        .expect("tmux starts");
    assert!(started.success(), "tmux session {session}");
}
