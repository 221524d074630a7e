//! Kafka consumer groups in the console, beside the AMQP groups and marked `[kafka]`: a
//! confluent-kafka consumer commits on an emulator's hub, and the overview and the
//! consumer-groups pane show the group with the offset it committed, the events behind it and
//! its member; an inactive group (committed offsets, no members) shows too.

mod common;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::azurite::{ensure_test_env, test_env};
use common::tmux::{LogOnFailure, Terminal};

const ROOT: &str = "RootManageSharedAccessKey";

/// The Python consumer of `console_reader.py`, closed (stdin) and reaped when dropped.
struct Reader(Child);

impl Drop for Reader {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        if self.0.wait().is_err() {
            let _ = self.0.kill();
        }
    }
}

/// Prints the console's log when the test fails: why a lag round could not read the Kafka
/// groups is there, not on screen.
/// Starts the consumer groups and waits for its line saying both committed.
fn commit_with_confluent_kafka(kafka: &str, connection_string: &str) -> Reader {
    ensure_test_env();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sdk/python/kafka/console_reader.py");
    let mut child = Command::new(test_env().join("venv/bin/python"))
        .arg(script)
        .args([kafka, connection_string, "single"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    let stdout = child.stdout.take().expect("stdout piped");
    let reader = Reader(child);
    let mut line = String::new();
    let read = BufReader::new(stdout).read_line(&mut line).unwrap_or(0);
    assert!(
        read > 0 && line.contains("committed"),
        "console_reader.py ended before committing: {line}"
    );
    reader
}

/// The cells of the first screen line holding `first` as a cell, split at spaces and pane
/// borders.
fn row_of(screen: &str, first: &str) -> Option<Vec<String>> {
    screen.lines().find_map(|line| {
        let cells: Vec<String> = line
            .split(|c: char| c.is_whitespace() || c == '│')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        (cells.first().map(String::as_str) == Some(first)).then_some(cells)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_groups_show_beside_amqp_groups_with_their_committed_offsets() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let emu = common::start_with_kafka(common::CONFORMANCE).await;
    let kafka = emu.running.kafka.expect("kafka endpoint").to_string();
    let connection_string = emu.connection_string(ROOT);
    let _reader = commit_with_confluent_kafka(&kafka, &connection_string);

    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data");
    let _log = LogOnFailure(data.clone());
    let catalog = emu.catalog();
    // The console reads (peeks the next events, for the time behind) with `$Default`, the one
    // AMQP group the conformance hubs have.
    let args: [&OsStr; 10] = [
        "--consumer-group".as_ref(),
        "$Default".as_ref(),
        "--connection-string".as_ref(),
        connection_string.as_ref(),
        "--catalog".as_ref(),
        catalog.as_ref(),
        "--kafka-endpoint".as_ref(),
        kafka.as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
    ];
    let socket = format!(
        "ehops-kafka-{}-{}",
        std::process::id(),
        emu.running.amqp.port()
    );
    let terminal = Terminal::start_sized(socket, &args, &home.path().join("config"), (160, 40));

    // The overview, on the `single` hub once the first lag round ordered the hubs (only the
    // Kafka groups read it, so its status comes from them): both listed, marked.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let screen = terminal.screen();
        // HUB, TEAM, then the worst status (no ingress sparkline: nothing arrives).
        let sampled =
            row_of(&screen, "single").is_some_and(|row| row.get(2).is_some_and(|c| c != "…"));
        if sampled {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "single never sampled:\n{screen}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    terminal.click_on("single ");
    let overview = terminal
        .wait_for(&["console-live [kafka]", "console-idle [kafka]"])
        .await;
    assert!(
        overview.contains("single › consumer groups"),
        "the groups listed are single's:\n{overview}"
    );

    // The consumer-groups pane: the live group's committed offset, lag and member.
    terminal.keys(&["c"]);
    // The pane's lag table title (`lag of ...`) is on no overview.
    terminal.wait_for(&["console-live [kafka]", "lag of"]).await;
    terminal.click_on("console-live [kafka]");
    let screen = terminal
        .wait_for(&["COMMITTED", "live-reader", "Stable", "1 member"])
        .await;
    let row = row_of(&screen, "0").unwrap_or_else(|| panic!("no partition row:\n{screen}"));
    // PART, LAST SEQ, COMMITTED, BEHIND: 10 events (0..9), offset 4 committed, 6 behind.
    assert_eq!(row[..4], ["0", "9", "4", "6"], "{screen}");
    assert!(row.iter().any(|c| c == "live-reader"), "{screen}");
    // TIME: how long the next event (offset 4) has waited.
    let waited = &row[4];
    assert!(
        waited.starts_with(|c: char| c.is_ascii_digit()) && waited.ends_with(['s', 'm', 'h']),
        "time behind {waited}:\n{screen}"
    );

    // The inactive group: its committed offset, 3 behind, no members.
    terminal.click_on("console-idle [kafka]");
    let screen = terminal.wait_for(&["no members", "Empty"]).await;
    let row = row_of(&screen, "0").unwrap_or_else(|| panic!("no partition row:\n{screen}"));
    assert_eq!(row[..4], ["0", "9", "7", "3"], "{screen}");

    terminal.keys(&["q"]);
    terminal.wait_quit().await;
}
