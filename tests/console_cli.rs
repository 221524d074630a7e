//! The headless console commands as scripts run them: the real binary against an emulator
//! of the test's own, reached like any Event Hubs (connection string + catalog address).

mod common;

use std::path::Path;

use azure_messaging_eventhubs::SendEventOptions;
use azure_messaging_eventhubs::models::EventData;
use common::sdk_producer::SdkProducer;
use common::{CONSOLE, Run, TestEmulator};
use serde_json::Value;

const ROOT: &str = "RootManageSharedAccessKey";

/// `ehops ARGS EXTRA --connection-string CS --catalog URL` against `emu`.
async fn run(emu: &TestEmulator, args: &[&str], extra: &[&str]) -> Run {
    let all: Vec<&str> = args.iter().chain(extra).copied().collect();
    emu.ehops(&all).await
}

/// Sends `count` CloudEvents (binary mode) to one partition of `hub`.
async fn send(emu: &TestEmulator, hub: &str, partition: &str, count: usize) {
    let producer = SdkProducer::root(emu, hub).await;
    for i in 0..count {
        let event = EventData::builder()
            .with_body(format!("{{\"order\":{i}}}"))
            .with_content_type("application/json".into())
            .add_property("cloudEvents_id".into(), format!("id-{i}"))
            .add_property("cloudEvents_type".into(), "com.example.order.placed")
            .add_property("cloudEvents_source".into(), "/teams/customer/shop")
            .add_property("cloudEvents_subject".into(), format!("order-{i}"))
            .build();
        let options = SendEventOptions {
            partition_id: Some(partition.into()),
        };
        producer
            .send_event(event, Some(options))
            .await
            .expect("send");
    }
    producer.close().await;
}

fn field<'a>(line: &'a Value, name: &str) -> &'a Value {
    line.get(name)
        .unwrap_or_else(|| panic!("no {name} in {line}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hubs_lists_the_catalog_with_owners_and_groups() {
    let emu = common::start(CONSOLE).await;
    let out = run(&emu, &["hubs", "--json"], &[]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    let names: Vec<&str> = lines.iter().filter_map(|l| l["hub"].as_str()).collect();
    assert_eq!(names, ["orders", "single"]);
    let orders = &lines[0];
    assert_eq!(field(orders, "namespace"), "console");
    assert_eq!(field(orders, "team"), "customer");
    assert_eq!(field(orders, "partition_count"), 4);
    assert_eq!(field(orders, "retention_hours"), 24);
    let groups = field(orders, "consumer_groups").to_string();
    assert!(
        groups.contains("billing") && groups.contains("ehops"),
        "{groups}"
    );

    let table = run(&emu, &["hubs"], &[]).await;
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.starts_with("HUB"), "{}", table.stdout);
    assert!(table.stdout.contains("customer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_and_tail_show_what_was_sent() {
    let emu = common::start(CONSOLE).await;
    send(&emu, "orders", "2", 3).await;

    let out = run(&emu, &["partitions", "orders", "--json"], &[]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    assert_eq!(lines.len(), 4);
    let two = lines
        .iter()
        .find(|l| l["partition"] == "2")
        .expect("partition 2");
    assert_eq!(field(two, "last_sequence"), 2);
    assert_eq!(field(two, "retained_events"), 3);
    assert_eq!(field(two, "is_empty"), false);
    assert!(
        lines
            .iter()
            .filter(|l| l["partition"] != "2")
            .all(|l| l["is_empty"] == true)
    );

    let tail = run(
        &emu,
        &[
            "tail", "orders", "--from", "earliest", "--count", "3", "--json",
        ],
        &["--timeout", "60"],
    )
    .await;
    assert_eq!(tail.code, 0, "{tail:?}");
    let events = tail.json_lines();
    assert_eq!(events.len(), 3, "{}", tail.stdout);
    for (i, event) in events.iter().enumerate() {
        assert_eq!(field(event, "hub"), "orders");
        assert_eq!(field(event, "partition"), "2");
        assert_eq!(field(event, "sequence"), i);
        assert_eq!(field(event, "body"), &format!("{{\"order\":{i}}}"));
        assert_eq!(field(event, "content_type"), "application/json");
        let ce = field(event, "cloudevents");
        assert_eq!(ce["type"], "com.example.order.placed");
        assert_eq!(ce["subject"], format!("order-{i}"));
    }

    let from_seq = run(
        &emu,
        &[
            "tail",
            "orders",
            "--partition",
            "2",
            "--from",
            "seq:2",
            "--count",
            "1",
        ],
        &["--timeout", "60"],
    )
    .await;
    assert_eq!(from_seq.code, 0, "{from_seq:?}");
    assert!(from_seq.stdout.contains("#2"), "{}", from_seq.stdout);
    assert!(from_seq.stdout.contains("com.example.order.placed"));
}

fn write_blob(root: &Path, name: &str, metadata: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().expect("blob has a folder")).expect("mkdir");
    std::fs::write(path, metadata).expect("write blob");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_reads_checkpoints_in_the_blob_layout() {
    let emu = common::start(CONSOLE).await;
    send(&emu, "orders", "1", 5).await;
    let store = tempfile::tempdir().expect("temp dir");
    // As the Python SDK writes them: everything lowercased, fqns = the namespace name.
    write_blob(
        store.path(),
        "console/orders/billing/checkpoint/1",
        r#"{"sequencenumber":"1","offset":"0"}"#,
    );
    write_blob(
        store.path(),
        "console/orders/billing/ownership/1",
        r#"{"ownerid":"billing-7"}"#,
    );
    let dir = store.path().to_string_lossy().into_owned();

    let out = run(
        &emu,
        &["lag", "orders", "--consumer-group", "billing", "--json"],
        &["--checkpoint-dir", &dir],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    assert_eq!(lines.len(), 4);
    let one = lines
        .iter()
        .find(|l| l["partition"] == "1")
        .expect("partition 1");
    assert_eq!(field(one, "consumer_group"), "billing");
    assert_eq!(field(one, "last_sequence"), 4);
    assert_eq!(field(one, "checkpoint_sequence"), 1);
    assert_eq!(field(one, "events_behind"), 3);
    assert_eq!(field(one, "owner"), "billing-7");
    assert_eq!(field(one, "status"), "ok");
    let others_behind: u64 = lines
        .iter()
        .filter(|l| l["partition"] != "1")
        .filter_map(|l| l["events_behind"].as_u64())
        .sum();
    assert_eq!(others_behind, 0, "empty partitions are not behind");

    // Without --consumer-group: every application's group, never the console's own, nor
    // `$Default` while nobody reads with it (Azure creates it on every hub).
    let all = run(
        &emu,
        &["lag", "orders", "--json"],
        &["--checkpoint-dir", &dir],
    )
    .await;
    assert_eq!(all.code, 0, "{all:?}");
    let mut groups: Vec<String> = all
        .json_lines()
        .iter()
        .filter_map(|l| l["consumer_group"].as_str().map(str::to_owned))
        .collect();
    groups.dedup();
    assert_eq!(groups, ["billing", "audit"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_usage_connection_and_not_found_apart() {
    let emu = common::start(CONSOLE).await;
    let data = emu.data.path().join("console");

    let hub = run(&emu, &["partitions", "no-such-hub"], &[]).await;
    assert_eq!(hub.code, 4, "{hub:?}");
    assert!(hub.stderr.contains("no-such-hub"), "{}", hub.stderr);
    let group = run(&emu, &["lag", "orders", "--consumer-group", "nope"], &[]).await;
    assert_eq!(group.code, 4, "{group:?}");

    let args = |cs: &str| {
        vec![
            "partitions".to_owned(),
            "orders".to_owned(),
            "--connection-string".to_owned(),
            cs.to_owned(),
            "--catalog".to_owned(),
            emu.catalog(),
        ]
    };
    let bad = common::ehops(args("Endpoint=nowhere;SharedAccessKey=x"), &data).await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        !bad.stderr.contains("SharedAccessKey=x"),
        "secrets stay out of errors"
    );
    let position = run(&emu, &["tail", "orders", "--from", "yesterday"], &[]).await;
    assert_eq!(position.code, 2, "{position:?}");

    let wrong = emu
        .connection_string(ROOT)
        .replace("console-root-key", "wrong-root-key");
    let refused = common::ehops(args(&wrong), &data).await;
    assert_eq!(refused.code, 3, "{refused:?}");
    let mut hubs = args(&wrong);
    hubs.drain(..2);
    hubs.insert(0, "hubs".to_owned());
    let refused = common::ehops(hubs, &data).await;
    assert_eq!(refused.code, 3, "catalog refuses a wrong key: {refused:?}");
}
