//! `ehops trace` across three hubs: two whose producers key events by the subject, one that
//! places them by partition id. The trace returns the aggregate's events (by subject, or by
//! partition key alone) in enqueued order and only those, reads only the partition the key
//! hashes to in the keyed hubs, and finds the same with the shortcut turned off.

mod common;

use std::collections::HashMap;

use azure_messaging_eventhubs::EventDataBatchOptions;
use common::TestEmulator;
use common::sdk_producer::SdkProducer;

const CONFIG: &str = r#"
[[namespace]]
name = "trace"

[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "trace-root-key-000000000000000000000000000="
rights = ["Listen", "Send", "Manage"]

[[namespace.hub]]
name = "contact"
partitions = 4
consumer_groups = ["ehops"]

[[namespace.hub]]
name = "sale"
partitions = 4
consumer_groups = ["ehops"]

[[namespace.hub]]
name = "crm"
partitions = 2
consumer_groups = ["ehops"]
"#;

const AGGREGATE: &str = "cont-7";

/// Event `i`: its hub, subject and partition key (`None`: placed by partition id).
fn event(i: usize) -> (&'static str, String, Option<String>) {
    let hub = ["contact", "sale", "crm"][i % 3];
    let subject = format!("cont-{}", i % 4 + 5);
    let key = match hub {
        "crm" => None,
        // One sale keyed by the aggregate though its subject names the order.
        "sale" if i == 13 => Some(AGGREGATE.to_owned()),
        _ => Some(subject.clone()),
    };
    let subject = if i == 13 {
        "order-13".to_owned()
    } else {
        subject
    };
    (hub, subject, key)
}

const EVENTS: usize = 36;

async fn producer(emu: &TestEmulator, hub: &str) -> SdkProducer {
    SdkProducer::root(emu, hub).await
}

async fn send(producers: &HashMap<&str, SdkProducer>, i: usize) {
    let (hub, subject, key) = event(i);
    let options = EventDataBatchOptions {
        partition_key: key,
        partition_id: Some((i % 2).to_string()).filter(|_| hub == "crm"),
        ..Default::default()
    };
    let data = common::cloud_events::changed(hub, i, subject);
    common::cloud_events::send_one(&producers[hub], options, data).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_returns_the_aggregates_events_across_hubs_in_time_order_and_only_those() {
    let emu = common::start(CONFIG).await;
    let mut producers = HashMap::new();
    for hub in ["contact", "sale", "crm"] {
        producers.insert(hub, producer(&emu, hub).await);
    }
    for i in 0..EVENTS {
        send(&producers, i).await;
        // Distinct enqueued milliseconds, so the expected order is the send order.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    for (_, producer) in producers {
        producer.close().await;
    }
    let want: Vec<String> = (0..EVENTS)
        .filter(|i| {
            let (_, subject, key) = event(*i);
            subject == AGGREGATE || key.as_deref() == Some(AGGREGATE)
        })
        .map(|i| format!("ev-{i:02}"))
        .collect();
    assert!(want.len() >= 9, "{want:?}");
    for extra in [&[][..], &["--no-key-hash"][..]] {
        let mut args = vec!["trace", AGGREGATE, "--json"];
        args.extend_from_slice(extra);
        let run = emu.ehops(&args).await;
        assert_eq!(run.code, 0, "{run:?}");
        let lines = run.json_lines();
        let (events, summary) = lines.split_at(lines.len() - 1);
        let ids: Vec<&str> = events
            .iter()
            .map(|l| l["id"].as_str().expect("id"))
            .collect();
        assert_eq!(ids, want, "{extra:?}");
        let hubs: Vec<&str> = events
            .iter()
            .map(|l| l["hub"].as_str().expect("hub"))
            .collect();
        for hub in ["contact", "sale", "crm"] {
            assert!(hubs.contains(&hub), "{hub} in {hubs:?}");
        }
        assert_eq!(events[0]["data"], serde_json::json!({"n": 2}));
        let partitions = summary[0]["summary"]["partitions"]
            .as_array()
            .expect("partitions");
        let not_read = partitions
            .iter()
            .filter(|p| p["status"] == "not_keyed")
            .count();
        // contact and sale: three of four partitions each; crm is read whole.
        let expected_not_read = if extra.is_empty() { 6 } else { 0 };
        assert_eq!(not_read, expected_not_read, "{extra:?}: {}", summary[0]);
        assert!(run.stderr.contains("key-hash shortcut:"), "{}", run.stderr);
    }
}

/// An empty subject would read every hub for the events that carry none: refused as usage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_subject_is_a_usage_error() {
    let data = tempfile::tempdir().expect("temp dir");
    let run = common::ehops(vec!["trace".to_owned(), " ".to_owned()], data.path()).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("the subject is empty"),
        "{}",
        run.stderr
    );
}
