//! Search and trace across the Capture/retention boundary: events retention has removed from
//! the hub are read from Capture, the ones it still holds from the hub, and every event comes
//! back exactly once even where Capture also holds what the hub still retains.
//!
//! The emulator first runs with a two-second retention and a one-second capture window until
//! the first events are captured and gone from the hub; it then restarts on the same data
//! with a day's retention, so the second events stay on the hub while the search runs.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use azure_messaging_eventhubs::EventDataBatchOptions;
use common::TestEmulator;
use common::sdk_producer::SdkProducer;
use ehops::backend::{self, BackendOptions, CaptureAccess};
use ehops::connect::capture::CaptureSource;
use ehops::protocol::{Reply, Request, RequestId, SearchAsk, backend_channels};

fn config(retention: &str) -> String {
    let hub = |name: &str| {
        format!(
            r#"
[[namespace.hub]]
name = "{name}"
partitions = 2
retention = "{retention}"
consumer_groups = ["ehops"]
[namespace.hub.capture]
interval_seconds = 60
window = "1s"
skip_empty_archives = true
"#
        )
    };
    format!(
        r#"
[[namespace]]
name = "history"
[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "history-root-key-00000000000000000000000000="
rights = ["Listen", "Send", "Manage"]
{}{}"#,
        hub("contact"),
        hub("sale")
    )
}

const AGGREGATE: &str = "cont-1";
/// Events before the restart (gone from the hub by the search) and after it.
const OLD: usize = 24;
const ALL: usize = 48;

/// Event `i`: its hub and subject; producers key every event by its subject.
fn event(i: usize) -> (&'static str, String) {
    (["contact", "sale"][i % 2], format!("cont-{}", i % 3))
}

async fn send(producers: &HashMap<&str, SdkProducer>, i: usize) {
    let (hub, subject) = event(i);
    let options = EventDataBatchOptions {
        partition_key: Some(subject.clone()),
        ..Default::default()
    };
    let data = common::cloud_events::changed(hub, i, subject);
    common::cloud_events::send_one(&producers[hub], options, data).await;
}

async fn send_range(emu: &TestEmulator, events: std::ops::Range<usize>) {
    let mut producers = HashMap::new();
    for hub in ["contact", "sale"] {
        producers.insert(hub, SdkProducer::root(emu, hub).await);
    }
    for i in events {
        send(&producers, i).await;
        // Distinct enqueued milliseconds, so the expected order is the send order.
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    for (_, producer) in producers {
        producer.close().await;
    }
}

/// How many records the capture files under `root` hold.
fn captured(root: &Path) -> usize {
    common::capture_files::captured(root).1
}

/// Whether every partition of `hub` has dropped all it held to retention.
async fn all_retention_removed(emu: &TestEmulator, hub: &str) -> bool {
    let producer = SdkProducer::root(emu, hub).await;
    let mut removed = true;
    for partition in ["0", "1"] {
        let properties = producer
            .call(|client| async move {
                client
                    .get_partition_properties(partition)
                    .await
                    .expect("partition properties")
            })
            .await;
        removed &= properties.is_empty;
    }
    producer.close().await;
    removed
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn ids(lines: &[serde_json::Value]) -> Vec<String> {
    (lines.iter())
        .map(|l| l["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_and_trace_read_capture_before_retention_and_the_hub_after_each_event_once() {
    let emu = common::start(&config("2s")).await;
    let capture_root: PathBuf = emu.running.capture.join("capture");
    send_range(&emu, 0..OLD).await;
    wait_for("the first events are captured", async || {
        captured(&capture_root) == OLD
    })
    .await;
    wait_for("retention removed the first events", async || {
        all_retention_removed(&emu, "contact").await && all_retention_removed(&emu, "sale").await
    })
    .await;
    let TestEmulator { running, data } = emu;
    drop(running);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let emu = common::start_in(&config("1d"), data).await;
    send_range(&emu, OLD..ALL).await;
    // Capture holds the second events too: the hub and Capture overlap from here on.
    wait_for("the second events are captured", async || {
        captured(&capture_root) == ALL
    })
    .await;
    let dir = capture_root.to_string_lossy().to_string();
    let everything = [
        "search",
        "contact",
        "sale",
        "--where",
        "type.endsWith('.changed')",
    ];

    let hub_only = emu.ehops(&[&everything[..], &["--json"]].concat()).await;
    assert_eq!(hub_only.code, 0, "{hub_only:?}");
    let lines = hub_only.json_lines();
    let want_retained: Vec<String> = (OLD..ALL).map(|i| format!("ev-{i:02}")).collect();
    assert_eq!(
        ids(&lines[..lines.len() - 1]),
        want_retained,
        "without --capture only what the hub retains"
    );

    let with_capture = ["--json", "--capture", "--capture-dir", &dir];
    let run = emu.ehops(&[&everything[..], &with_capture].concat()).await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines = run.json_lines();
    let (events, summary) = lines.split_at(lines.len() - 1);
    let want: Vec<String> = (0..ALL).map(|i| format!("ev-{i:02}")).collect();
    assert_eq!(ids(events), want, "every event once, in time order");
    let summary = &summary[0]["summary"];
    assert_eq!(summary["scanned"], ALL, "{summary}");
    let partitions = summary["partitions"].as_array().expect("partitions");
    let from_capture: u64 = (partitions.iter())
        .map(|p| p["from_capture"].as_u64().expect("from_capture"))
        .sum();
    assert_eq!(from_capture, OLD as u64, "{summary}");
    for p in partitions {
        assert_eq!(p["missing_from_capture"], 0, "{p}");
        assert_eq!(p["lost_to_retention"], 0, "{p}");
    }
    assert_eq!(summary["capture_problems"], serde_json::json!([]));
    let text = emu
        .ehops(&[&everything[..], &with_capture[1..]].concat())
        .await;
    assert!(
        text.stdout.contains("from Capture (0.."),
        "the summary says what came from Capture: {}",
        text.stdout
    );

    let trace = [
        "trace",
        AGGREGATE,
        "--json",
        "--capture",
        "--capture-dir",
        &dir,
    ];
    let run = emu.ehops(&trace).await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines = run.json_lines();
    let (events, summary) = lines.split_at(lines.len() - 1);
    let want: Vec<String> = (0..ALL)
        .filter(|i| event(*i).1 == AGGREGATE)
        .map(|i| format!("ev-{i:02}"))
        .collect();
    assert_eq!(ids(events), want, "the aggregate's whole story, once each");
    let partitions = summary[0]["summary"]["partitions"]
        .as_array()
        .expect("partitions");
    let not_read = (partitions.iter())
        .filter(|p| p["status"] == "not_keyed")
        .count();
    assert_eq!(
        not_read, 2,
        "one partition of each keyed hub: {}",
        summary[0]
    );

    console_search_reads_the_same_history(&emu, &capture_root).await;
}

/// The console's search pane, where the console reads the namespace's Capture: the same
/// history, each event once, and its summary says how much came from Capture.
async fn console_search_reads_the_same_history(emu: &TestEmulator, capture_root: &Path) {
    let store = tempfile::tempdir().expect("temp dir");
    let connection_string = emu.connection_string("RootManageSharedAccessKey");
    let mut services =
        common::backend_services::services_as(emu, store.path(), &connection_string, "root").await;
    services.capture = Ok(CaptureAccess {
        source: CaptureSource::directory(capture_root.to_path_buf()),
        namespace: "history".into(),
        emulator_data: None,
    });
    let (mut link, end) = backend_channels(8);
    let task = backend::spawn(services, end, BackendOptions::default());
    link.requests
        .send(Request::StartSearch {
            request: RequestId(1),
            hubs: vec!["contact".into(), "sale".into()],
            ask: SearchAsk::Where("type.endsWith('.changed')".into()),
        })
        .expect("send");
    let mut found = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let summary = loop {
        tokio::select! {
            Some(Reply::SearchFound { found: batch, .. }) = link.tail.recv() => {
                found.extend(batch.into_iter().map(|(_, e)| e.cloud_event.id.unwrap_or_default()));
            }
            reply = link.replies.recv() => match reply.expect("backend running") {
                Reply::SearchFinished { summary, complete, .. } => {
                    assert!(complete, "{summary}");
                    break summary;
                }
                Reply::SearchProgress { .. } | Reply::ConnectionChanged(_) => {}
                other => panic!("unexpected {other:?}"),
            },
            () = tokio::time::sleep_until(deadline) => panic!("no summary within a minute"),
        }
    };
    // The last matches may still be on their way when the summary arrives.
    while let Ok(Some(Reply::SearchFound { found: batch, .. })) =
        tokio::time::timeout(Duration::from_millis(500), link.tail.recv()).await
    {
        found.extend(
            batch
                .into_iter()
                .map(|(_, e)| e.cloud_event.id.unwrap_or_default()),
        );
    }
    found.sort();
    let want: Vec<String> = (0..ALL).map(|i| format!("ev-{i:02}")).collect();
    assert_eq!(found, want, "every event once");
    assert!(
        summary.contains(&format!("{OLD} of them from Capture")),
        "{summary}"
    );
    task.abort();
}
