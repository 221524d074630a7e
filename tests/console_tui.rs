//! The real console in a real terminal (tmux), against an emulator of the test's own:
//! hubs -> consumer groups (a mouse click) -> lag table -> tail, asserting on what the screen
//! shows.

mod common;

use std::ffi::OsStr;
use std::process::Command;
use std::time::{Duration, Instant};

use azure_messaging_eventhubs::models::EventData;
use common::demo_incident;
use common::tmux::Terminal;
use common::{CONSOLE, TestEmulator};

const ROOT: &str = "RootManageSharedAccessKey";

async fn send(emu: &TestEmulator, subjects: &[&str]) {
    let events = subjects
        .iter()
        .map(|subject| {
            EventData::builder()
                .with_body("{}")
                .add_property("cloudEvents_type".into(), "com.example.order.placed")
                .add_property("cloudEvents_source".into(), "/teams/customer/shop")
                .add_property("cloudEvents_subject".into(), *subject)
                .build()
        })
        .collect();
    let credential = emu.credential(ROOT);
    common::send_events_to_partition_0(
        emu.endpoint(),
        &emu.namespace(),
        "orders",
        credential,
        events,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigate_hubs_to_consumer_groups_to_tail() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let emu = common::start(CONSOLE).await;
    send(&emu, &["order-early-1", "order-early-2"]).await;
    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data");
    let socket = format!(
        "ehops-test-{}-{}",
        std::process::id(),
        emu.running.amqp.port()
    );
    let (connection_string, catalog) = (emu.connection_string(ROOT), emu.catalog());
    let args: [&OsStr; 6] = [
        "--connection-string".as_ref(),
        connection_string.as_ref(),
        "--catalog".as_ref(),
        catalog.as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
    ];
    // No user keymap or theme files: the shipped defaults.
    let terminal = Terminal::start(socket, &args, &home.path().join("config"));

    let hubs = terminal.wait_for(&["orders", "single", "customer"]).await;
    assert!(!hubs.contains("error"), "{hubs}");

    // Hub -> its consumer groups and the lag of the first one.
    terminal.keys(&["c"]);
    // Wait for the lag itself: `t` on a lag row needs the row.
    terminal
        .wait_for(&["consumer groups", "billing", "audit", "lag of $Default at"])
        .await;

    // A click on another group selects it and shows its lag.
    terminal.click_on("audit");
    terminal.wait_for(&["lag of audit at"]).await;

    // Lag table -> tail partition 0 from its checkpoint (none: from the start).
    terminal.keys(&["Enter"]);
    terminal.keys(&["t"]);
    let tail = terminal
        .wait_for(&[
            "tail",
            "order-early-1",
            "order-early-2",
            "com.example.order.placed",
        ])
        .await;
    assert!(tail.contains("/teams/customer/shop"), "{tail}");

    // Live: an event sent now shows up without a key press.
    send(&emu, &["order-live"]).await;
    terminal.wait_for(&["order-live"]).await;

    // The newest event in full, with what decoding made of it.
    terminal.keys(&["End", "Enter"]);
    terminal
        .wait_for(&["── Decoded", "framing", "order-live"])
        .await;
    terminal.keys(&["Escape"]);
    terminal.wait_gone("── Decoded").await;

    // Back to the lag table, then quit: the process ends and the terminal is given back.
    terminal.keys(&["Escape"]);
    terminal.wait_for(&["consumer groups"]).await;
    terminal.keys(&["q"]);
    terminal.wait_quit().await;
}

/// The embedded demo as the customer team: conversions' `sale` is visible but its mutating
/// actions are disabled with the permission named; `:team conversions` switches identity
/// and the hub list becomes that team's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_teams_changes_what_is_visible_and_permitted() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let home = tempfile::tempdir().expect("temp dir");
    // A named context for `:ctx`: the customer team again, read-only.
    let config = home.path().join("config").join("ehops");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(
        config.join("config.toml"),
        "[context.customer-ro]\nteam = \"customer\"\nread_only = true\n",
    )
    .expect("config file");
    let data = home.path().join("data");
    let terminal = Terminal::start(
        format!("ehops-teams-{}", std::process::id()),
        &["--data".as_ref(), data.as_os_str()],
        &home.path().join("config"),
    );

    let hubs = terminal
        .wait_for(&["│account", "│sale", "(customer)", "#team-customer"])
        .await;
    assert!(
        !hubs.contains("│lead "),
        "customer does not see lead:\n{hubs}"
    );

    // The action menu on sale: reads enabled, sends disabled with the permission named.
    terminal.keys(&["/", "sale", "Enter", "a"]);
    terminal
        .wait_for(&[
            "actions › sale",
            "tail                  enabled",
            "needs Microsoft.EventHub/namespaces/messages/send/action",
        ])
        .await;
    terminal.keys(&["Escape"]);
    terminal.wait_gone("actions › sale").await;

    terminal.keys(&[":", "team conversions", "Enter"]);
    let switched = terminal
        .wait_for(&[
            "team-conversions (conversions)",
            "│lead",
            "│sale",
            "#team-conversions",
        ])
        .await;
    assert!(!switched.contains("│account"), "{switched}");

    // A context from config.toml switches identity and drops the mutating actions.
    terminal.keys(&[":", "ctx customer-ro", "Enter"]);
    terminal
        .wait_for(&[
            "ctx customer-ro read-only team-customer (customer)",
            "│account",
        ])
        .await;
    terminal.keys(&["/", "account", "Enter", "a"]);
    let menu = terminal.wait_for(&["actions › account", "tail"]).await;
    assert!(
        !menu.contains("reset"),
        "read-only drops mutating actions:\n{menu}"
    );
    terminal.keys(&["Escape"]);
    terminal.wait_gone("actions › account").await;
    terminal.keys(&["q"]);
}

/// The lag table row of `partition` as drawn: `│1    230       116        104 ...`; its
/// events-behind count.
fn behind_on(screen: &str, partition: &str) -> Option<u64> {
    let line = screen.lines().find(|l| {
        l.strip_prefix('│')
            .is_some_and(|r| r.starts_with(&format!("{partition} ")))
    })?;
    let cells: Vec<&str> = line.trim_matches('│').split_whitespace().collect();
    cells.get(3)?.replace(',', "").parse().ok()
}

/// The demo's stuck consumer recovered through the console alone: sale -> consumer groups ->
/// crm-sync, stuck on partition 1 -> the action menu's dead-letter -> the dry run names the
/// poison event and why it does not decode -> confirm -> crm-sync resumes and its lag on
/// partition 1 drains; the dead-letter pane shows the event with its reason, and the audit
/// file under `--data` has the record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_lettering_the_poison_event_unsticks_the_demo_consumer() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data");
    let terminal = Terminal::start(
        format!("ehops-deadletter-{}", std::process::id()),
        &["--data".as_ref(), data.as_os_str()],
        &home.path().join("config"),
    );
    terminal.wait_for(&["│sale", "#team-customer"]).await;
    terminal.keys(&["/", "sale", "Enter", "c"]);
    terminal
        .wait_for(&["sale › consumer groups", "crm-sync"])
        .await;
    terminal.click_on("crm-sync");
    terminal.wait_for(&["lag of crm-sync at"]).await;

    // The demo's consumer stops at the poison event: partition 1 turns STUCK.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = terminal.screen();
        let stuck = screen
            .lines()
            .any(|l| l.starts_with("│1 ") && l.contains("STUCK"));
        if stuck {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "partition 1 never stuck:\n{screen}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Lag table, partition 1, action menu, dead_letter.
    terminal.keys(&["Enter", "j"]);
    let (_, sequence) = demo_incident::dead_letter_dry_run(&terminal).await;
    demo_incident::confirm_dead_letter(&terminal, sequence).await;

    // crm-sync resumes: its lag on partition 1 drains within a few polls.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = terminal.screen();
        if behind_on(&screen, "1").is_some_and(|behind| behind <= 5) {
            assert!(!screen.contains("STUCK"), "{screen}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "crm-sync's lag never drained:\n{screen}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    terminal.keys(&[":", "dlq", "Enter"]);
    terminal
        .wait_for(&[
            "dead letters › deadletter-customer (1)",
            &format!("sale/1#{sequence}"),
            "poison event: Avro data does not match",
            "team-custome",
        ])
        .await;
    // Sending it home needs send on conversions' sale, which customer lacks: refused, named.
    terminal.keys(&["R"]);
    terminal
        .wait_for(&["redrive on sale: replay is not permitted: missing"])
        .await;
    // Quitting at once still leaves the refusal's record: the console waits for it.
    terminal.keys(&["q"]);
    terminal.wait_quit().await;

    let audit = std::fs::read_to_string(data.join("audit.jsonl")).expect("audit file");
    let records: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let record = records
        .iter()
        .find(|r| r["action"] == "dead-letter")
        .unwrap_or_else(|| panic!("no dead-letter record in {audit}"));
    assert_eq!(record["outcome"], "done");
    assert_eq!(record["who"], "team-customer");
    assert_eq!(record["consumer_group"], "crm-sync");
    assert_eq!(record["partition"], "1");
    assert_eq!(record["before"]["event"]["sequence"], sequence);
    assert_eq!(record["after"]["next"], sequence + 1);
    assert_eq!(record["after"]["dead_letter_hub"], "deadletter-customer");
    let refusal = records
        .iter()
        .find(|r| r["action"] == "redrive")
        .unwrap_or_else(|| panic!("no redrive refusal in {audit}"));
    assert_eq!(refusal["outcome"], "refused");
}
