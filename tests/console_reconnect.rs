//! The console's live tail across kill -9 and restart of the service (issue 15): the status
//! bar says which partition is reconnecting instead of `connected`, and the tail goes on by
//! itself, each event shown once.

mod common;

use std::ffi::OsStr;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use azure_messaging_eventhubs::models::EventData;
use common::CONSOLE;
use common::process::EmulatorProcess;
use common::tmux::Terminal;
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;

async fn send(emulator: &EmulatorProcess, subject: &str) {
    let cs = ConnectionString::parse(&emulator.connection_string).expect("connection string");
    let event = EventData::builder()
        .with_body("{}")
        .add_property("cloudEvents_type".into(), "com.example.order.placed")
        .add_property("cloudEvents_subject".into(), subject)
        .build();
    let credential = Arc::new(SasCredential::from_connection_string(&cs));
    let endpoint = emulator.endpoint.clone();
    common::send_events_to_partition_0(endpoint, "console", "orders", credential, vec![event])
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tail_recovers_from_kill_9_without_a_key_press_and_says_so_meanwhile() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("console.toml");
    std::fs::write(&config, CONSOLE).expect("config written");
    let mut emulator = EmulatorProcess::start(&config, &home.path().join("emulator"));
    let data = home.path().join("data");
    let socket = format!("ehops-reconnect-{}", std::process::id());
    let catalog = emulator.catalog();
    let args: [&OsStr; 6] = [
        "--connection-string".as_ref(),
        emulator.connection_string.as_ref(),
        "--catalog".as_ref(),
        catalog.as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
    ];
    let terminal = Terminal::start(socket, &args, &home.path().join("config"));
    send(&emulator, "order-before-kill").await;
    terminal.wait_for(&["orders", "· connected"]).await;
    // Partition 0 from $Default's checkpoint (none: from the start), as an on-call engineer
    // reaches a tail from the lag table.
    terminal.keys(&["c"]);
    terminal.wait_for(&["lag of $Default at"]).await;
    terminal.keys(&["Enter"]);
    terminal.keys(&["t"]);
    terminal.wait_for(&["order-before-kill"]).await;

    emulator.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    emulator.restart();

    // A receiver notices (an error, or its idle check) and says what it does.
    let limit = Duration::from_secs(60);
    let reconnecting = terminal
        .wait_for_within(&["reconnecting to orders partition", "attempt"], limit)
        .await;
    assert!(!reconnecting.contains("· connected"), "{reconnecting}");

    // No key press: the tail resumes after the last event it showed.
    send(&emulator, "order-after-restart").await;
    let screen = terminal
        .wait_for_within(&["order-after-restart", "· connected"], limit)
        .await;
    assert_eq!(
        screen.matches("order-before-kill").count(),
        1,
        "shown once:\n{screen}"
    );
    terminal.keys(&["q"]);
    terminal.wait_quit().await;
}
