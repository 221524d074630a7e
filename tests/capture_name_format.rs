//! Capture files under a custom `archiveNameFormat` (the tokens in another order, other text
//! between them): `ehops capture ls` and `read` find the hub's files and order them by their
//! windows, taking the format from the catalog's `captureDescription`, or from
//! `--archive-name-format`; a malformed format is refused with the reason.

mod common;

use std::time::{Duration, Instant};

use azure_messaging_eventhubs::models::EventData;

const ROOT: &str = "RootManageSharedAccessKey";
const FORMAT: &str =
    "{Year}-{Month}-{Day}/{Namespace}_{EventHub}/p{PartitionId}/{Hour}{Minute}{Second}";

fn config(dir: &std::path::Path) -> String {
    let hub = |name: &str| {
        format!(
            r#"
[[namespace.hub]]
name = "{name}"
partitions = 2
[namespace.hub.capture]
skip_empty_archives = true
window = "1s"
archive_name_format = "{FORMAT}"
directory = {dir:?}
"#,
            dir = dir.display().to_string()
        )
    };
    format!(
        r#"
[[namespace]]
name = "names"

[[namespace.rule]]
name = "{ROOT}"
key = "names-root-key-000000000000000000000000000="
rights = ["Listen", "Send", "Manage"]
{}{}"#,
        hub("orders"),
        hub("payments")
    )
}

async fn send(emu: &common::TestEmulator, hub: &str, bodies: &[&str]) {
    let events = bodies
        .iter()
        .map(|b| EventData::builder().with_body(*b).build())
        .collect();
    common::send_events_to_partition_0(emu.endpoint(), "names", hub, emu.credential(ROOT), events)
        .await;
}

/// Events in the files an `ls --json` listed.
fn events_listed(run: &common::Run) -> u64 {
    if run.code != 0 {
        return 0;
    }
    run.json_lines()
        .iter()
        .filter_map(|f| f["events"].as_u64())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_under_a_custom_format_are_found_and_ordered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let capture = dir.path().join("capture");
    let emu = common::start(&config(&capture)).await;
    let capture_dir = capture.display().to_string();
    // Two windows of orders, so the files must be ordered by the times their names hold.
    send(&emu, "orders", &["{\"n\":0}", "{\"n\":1}"]).await;
    send(&emu, "payments", &["{\"paid\":true}"]).await;
    let ls = [
        "capture",
        "ls",
        "orders",
        "--json",
        "--capture-dir",
        &capture_dir,
    ];
    let deadline = Instant::now() + Duration::from_secs(30);
    while events_listed(&emu.ehops(&ls).await) < 2 {
        assert!(Instant::now() < deadline, "the first window never listed");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    send(&emu, "orders", &["{\"n\":2}"]).await;
    let files = loop {
        let run = emu.ehops(&ls).await;
        if events_listed(&run) == 3 {
            break run.json_lines();
        }
        assert!(
            Instant::now() < deadline,
            "the second window never listed: {}",
            run.stderr
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(
        files.len(),
        2,
        "orders' two files, none of payments': {files:?}"
    );
    for file in &files {
        let name = file["name"].as_str().unwrap_or_default();
        assert!(name.contains("/names_orders/p0/"), "{name}");
        assert_eq!(file["partition"], "0");
    }
    assert!(
        files[0]["window_start"].as_str() < files[1]["window_start"].as_str(),
        "oldest window first: {files:?}"
    );

    // Read in order, the format from the catalog.
    let read = emu
        .ehops(&[
            "capture",
            "read",
            "orders",
            "--json",
            "--capture-dir",
            &capture_dir,
        ])
        .await;
    assert_eq!(read.code, 0, "{}", read.stderr);
    let sequences: Vec<i64> = read
        .json_lines()
        .iter()
        .filter_map(|e| e["sequence"].as_i64())
        .collect();
    assert_eq!(sequences, [0, 1, 2]);

    // The same format named on the command line; a malformed one is refused, saying why.
    let named = emu
        .ehops(&[
            "capture",
            "ls",
            "payments",
            "--json",
            "--capture-dir",
            &capture_dir,
            "--archive-name-format",
            FORMAT,
        ])
        .await;
    assert_eq!(events_listed(&named), 1, "{}", named.stderr);
    let bad = emu
        .ehops(&[
            "capture",
            "ls",
            "orders",
            "--capture-dir",
            &capture_dir,
            "--archive-name-format",
            "{Namespace}/{EventHub}/{Year}",
        ])
        .await;
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr.contains("--archive-name-format") && bad.stderr.contains("{PartitionId}"),
        "{}",
        bad.stderr
    );
}
