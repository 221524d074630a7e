//! Two namespaces in one console, each with a hub called `orders`: the overview lists both
//! (the other namespace's as `west/orders`), samples each through its own namespace, and a
//! hub chosen in the other namespace is read there (its partitions are its own, not the home
//! hub's of the same name); `ehops lag --all` covers both.

mod common;

use std::ffi::OsStr;
use std::process::Command;
use std::time::{Duration, Instant};

use common::sdk_producer::SdkProducer;
use common::tmux::{LogOnFailure, Terminal};

const ROOT: &str = "RootManageSharedAccessKey";

/// `east` is served on the emulator's main port, `west` on one of its own; the same root rule
/// (name and key) in both, as one identity across an organisation's namespaces; each has an
/// `orders` hub.
fn two_namespaces() -> String {
    let namespace = |name: &str, listen: &str| {
        format!(
            r#"
[[namespace]]
name = "{name}"
{listen}
[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "two-namespaces-root-key-000000000000000="
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "orders"
partitions = 2
retention = "24h"
consumer_groups = ["billing", "ehops"]
tags = {{ team = "customer" }}
"#
        )
    };
    namespace("east", "") + &namespace("west", r#"listen = "127.0.0.1:0""#)
}

/// The cells from `first` on, in the first table row with a cell `first` (borders split
/// cells too).
fn row_of(screen: &str, first: &str) -> Option<Vec<String>> {
    screen.lines().find_map(|line| {
        let cells: Vec<String> = line
            .split(|c: char| c.is_whitespace() || c == '│')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        // A pane title (`west › billing › lag`) names it too; a row does not go on with `›`.
        let at = cells.iter().position(|c| c == first)?;
        (cells.get(at + 1).map(String::as_str) != Some("›")).then(|| cells[at..].to_vec())
    })
}

/// Three events in west's `orders`, partition 0; east's `orders` stays empty.
async fn three_events_in_west(emu: &common::TestEmulator) {
    let west = &emu.running.namespaces[1];
    let producer = SdkProducer::open(
        west.custom_endpoint.clone(),
        west.name.clone(),
        "orders".to_owned(),
        emu.credential(ROOT),
    )
    .await
    .expect("producer opens on west");
    producer
        .send_batch("0", vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()])
        .await
        .expect("events sent to west");
    producer.close().await;
}

/// `ehops lag --all` covers every namespace the identity reads, each row saying which.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_all_covers_every_namespace() {
    let emu = common::start(&two_namespaces()).await;
    three_events_in_west(&emu).await;
    let run = emu.ehops(&["lag", "--all", "--json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let behind = |namespace: &str, partition: &str| {
        (run.json_lines().iter())
            .find(|l| {
                l["namespace"] == namespace
                    && l["hub"] == "orders"
                    && l["consumer_group"] == "billing"
                    && l["partition"] == partition
            })
            .map(|l| l["events_behind"].clone())
    };
    assert_eq!(behind("west", "0"), Some(3.into()), "{}", run.stdout);
    assert_eq!(behind("west", "1"), Some(0.into()), "{}", run.stdout);
    assert_eq!(behind("east", "0"), Some(0.into()), "{}", run.stdout);
    let table = emu.ehops(&["lag", "--all"]).await;
    assert!(
        table.stdout.lines().any(|l| l.starts_with("west/orders")),
        "another namespace's hub is named with it:\n{}",
        table.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hubs_of_two_namespaces_are_sampled_and_read_each_in_its_own() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let emu = common::start(&two_namespaces()).await;
    let west = emu.running.namespaces[1].clone();
    assert_eq!(west.name, "west");
    assert_ne!(west.amqp, emu.running.amqp, "west has a port of its own");

    three_events_in_west(&emu).await;

    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data");
    let _log = LogOnFailure(data.clone());
    let connection_string = emu.connection_string(ROOT);
    let catalog = emu.catalog();
    let args: [&OsStr; 6] = [
        "--connection-string".as_ref(),
        connection_string.as_ref(),
        "--catalog".as_ref(),
        catalog.as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
    ];
    let socket = format!(
        "ehops-namespaces-{}-{}",
        std::process::id(),
        emu.running.amqp.port()
    );
    let terminal = Terminal::start_sized(socket, &args, &home.path().join("config"), (160, 40));

    // Both hubs listed, each sampled (a status, not `…`), told apart by namespace.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let screen = terminal.screen();
        // HUB, TEAM, INGRESS (when anything arrived), WORST: `…` until the first round.
        let sampled = |first: &str| {
            row_of(&screen, first)
                .is_some_and(|row| row.len() > 3 && !row[..4].iter().any(|c| c == "…"))
        };
        if sampled("orders") && sampled("west/orders") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "both hubs never showed sampled:\n{screen}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // west's `billing` is 3 behind (it never checkpointed); east's, nothing.
    terminal.click_on("west/orders");
    let screen = terminal
        .wait_for(&["west › orders › consumer groups"])
        .await;
    let billing = row_of(&screen, "billing").unwrap_or_else(|| panic!("no billing:\n{screen}"));
    // GROUP, BEHIND.
    assert_eq!(billing[1], "3", "west's billing is 3 behind:\n{screen}");

    // Its partitions are west's: partition 0 holds sequence numbers 0 to 2.
    terminal.keys(&["p"]);
    let screen = terminal
        .wait_for(&["west › orders › partitions (2)", "BEGIN SEQ"])
        .await;
    let first = row_of(&screen, "0").unwrap_or_else(|| panic!("no partition 0:\n{screen}"));
    // ID, BEGIN SEQ, LAST SEQ.
    assert_eq!(first[..3], ["0", "0", "2"], "{screen}");

    // Back to east's `orders`: empty, read in east again.
    terminal.keys(&["Escape"]);
    terminal.wait_gone("BEGIN SEQ").await;
    // west's needs attention (no checkpoints), so it is listed first; east's is next.
    terminal.keys(&["j", "p"]);
    let screen = terminal
        .wait_for(&["east › orders › partitions (2)", "BEGIN SEQ"])
        .await;
    let first = row_of(&screen, "0").unwrap_or_else(|| panic!("no partition 0:\n{screen}"));
    assert_eq!(
        first[..3],
        ["0", "0", "-1"],
        "east's orders is empty:\n{screen}"
    );

    // The namespaces pane lists both.
    // (Apart: a terminal reads Escape then `n` at once as Alt-n.)
    terminal.keys(&["Escape"]);
    terminal.wait_gone("BEGIN SEQ").await;
    terminal.keys(&["n"]);
    terminal.wait_for(&["NAMESPACE", "east", "west"]).await;
    terminal.keys(&["q"]);
    terminal.wait_quit().await;
}
