//! The capture pane in the real console (tmux) on the demo, whose capture windows a test may
//! shorten (`EHOPS_DEMO_CAPTURE_WINDOW`): `sale`'s capture files are listed with their window,
//! size, event count and sequence numbers; `Enter` decodes a file's events as the tail does;
//! `Enter` on an event opens it in full; `R` replays the file through the dry run and the
//! permission check (refused and audited for a team that may not send to the hub).

mod common;

use std::ffi::OsStr;
use std::process::Command;
use std::time::{Duration, Instant};

use common::tmux::Terminal;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_capture_pane_lists_the_demo_files_and_decodes_their_events() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data");
    let terminal = Terminal::start_with_env(
        format!("ehops-capture-{}", std::process::id()),
        &["--data".as_ref(), data.as_os_str()] as &[&OsStr],
        &home.path().join("config"),
        (140, 45),
        &[("EHOPS_DEMO_CAPTURE_WINDOW", "2s")],
    );
    terminal.wait_for(&["(customer)"]).await;
    terminal.keys(&[":", "hubs", "Enter"]);
    terminal.wait_for(&["│sale"]).await;
    terminal.keys(&["/", "sale", "Enter", "C"]);
    terminal
        .wait_for(&["sale › capture", "range: last 24h"])
        .await;

    // The demo sells all the time: a file appears within a few windows; `r` reads again.
    let deadline = Instant::now() + Duration::from_secs(60);
    let files = loop {
        let screen = terminal.screen();
        if screen.contains("/sale/") && screen.contains(".avro") {
            break screen;
        }
        assert!(
            Instant::now() < deadline,
            "no capture file listed:\n{screen}"
        );
        terminal.keys(&["r"]);
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let row = files
        .lines()
        .find(|l| l.contains(".avro"))
        .expect("a file row");
    let cells: Vec<&str> = row
        .split(|c: char| c.is_whitespace() || c == '│')
        .filter(|c| !c.is_empty())
        .collect();
    // WINDOW (date, time), PART, SIZE (number, unit), EVENTS, FIRST SEQ, LAST SEQ, FILE.
    let number = |i: usize| {
        cells
            .get(i)
            .and_then(|c| c.replace(',', "").parse::<i64>().ok())
    };
    let (events, first, last) = (number(5), number(6), number(7));
    assert!(
        events.is_some_and(|n| n > 0) && first.zip(last).is_some_and(|(f, l)| l >= f),
        "a file row says how many events and which sequence numbers: {row:?}\n{files}"
    );
    assert_eq!(
        last.zip(first).map(|(l, f)| l - f + 1),
        events,
        "first and last sequence span the event count: {row:?}"
    );

    terminal.keys(&["Enter"]);
    let decoded = terminal
        .wait_for(&["events 1–", "com.example.conversions.sale."])
        .await;
    assert!(
        decoded.contains("/teams/conversions"),
        "rows show the CloudEvents source, as the tail does:\n{decoded}"
    );
    terminal.keys(&["Enter"]);
    terminal
        .wait_for(&["event p", "CloudEvent", "Decoded"])
        .await;
    terminal.keys(&["Escape"]);
    terminal.wait_gone("CloudEvent").await;
    terminal.wait_for(&["sale › capture"]).await;

    // Replaying the file: its dry run holds exactly the file's events; `y` checks the rights
    // first, and `customer` may not send to `sale`: refused, said and audited.
    terminal.keys(&["Tab", "R"]);
    let count = events.unwrap_or_default();
    let planned = match count {
        1 => "DRY RUN: 1 event to publish again".to_owned(),
        n => format!("DRY RUN: {n} events to publish again"),
    };
    terminal.wait_for(&["replay › sale", &planned]).await;
    terminal.keys(&["y"]);
    terminal.wait_for(&["messages/send/action"]).await;
    let audit = data.join("audit.jsonl");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(&audit).unwrap_or_default();
        let refused = text.lines().any(|line| {
            line.contains("\"refused\"") && line.contains("\"replay\"") && line.contains("\"sale\"")
        });
        if refused {
            break;
        }
        assert!(Instant::now() < deadline, "no refusal audited:\n{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    terminal.keys(&["Escape"]);
    terminal.wait_gone("replay › sale").await;
    terminal.keys(&["q"]);
    terminal.wait_quit().await;
}
