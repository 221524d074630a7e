//! The demo running: traffic makes valid CloudEvents, consumers checkpoint in the blob layout,
//! and `crm-sync` stays stuck at the poison event.

use std::sync::Arc;
use std::time::Duration;

use super::cloudevents::{self, Mode};
use super::consumers::{self, ConsumerSettings, DEPLOYMENTS, Deployment, Target};
use super::events::KINDS;
use super::organisation;
use super::random::Rng;
use super::schemas::Schema;
use super::traffic::{self, POISON_PARTITION, Publisher};
use crate::emulator::amqp::partition_key::partition_for_key;
use crate::emulator::checkpoints::{BlobKind, GroupPath, checkpoint_dir_layout};
use crate::emulator::store::{Store, StoredEvent};

fn deployment(name: &str) -> &'static Deployment {
    DEPLOYMENTS
        .iter()
        .find(|d| d.name == name)
        .expect("deployment exists")
}

/// The demo's store in a temporary directory, with `count` events of history in every
/// business hub (and the poison in `sale`).
async fn seeded(count: usize) -> (Publisher, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("temp dir");
    let config = organisation().expect("demo config");
    let store = Arc::new(Store::open(data.path(), &config).expect("store opens"));
    let publisher = Publisher::new(store, &config.namespaces[0]);
    let kinds: Vec<_> = KINDS.iter().collect();
    let mut rng = Rng::seeded(42);
    traffic::seed_history(&publisher, &kinds, count, 0.1, &mut rng)
        .await
        .expect("seeded");
    (publisher, data)
}

fn events_of(publisher: &Publisher, hub: &str, partition: u32) -> Vec<StoredEvent> {
    let log = publisher
        .store
        .partition(&publisher.namespace, hub, &partition.to_string())
        .expect("partition exists");
    log.read(0, 100_000, 64 << 20).expect("read")
}

#[tokio::test]
async fn traffic_publishes_cloudevents_in_both_modes_keyed_by_aggregate() {
    let (publisher, _data) = seeded(600).await;
    let (mut binary, mut structured, mut poison) = (0, 0, 0);
    for (hub, partitions) in &publisher.partitions {
        for partition in 0..*partitions {
            for stored in events_of(&publisher, hub, partition) {
                let event = cloudevents::read(&stored.message).expect("a CloudEvent");
                let envelope = &event.envelope;
                assert_eq!(
                    stored.partition_key.as_deref(),
                    Some(envelope.subject.as_str())
                );
                assert_eq!(partition_for_key(&envelope.subject, *partitions), partition);
                assert!(envelope.source.starts_with("/teams/"), "{envelope:?}");
                assert!(envelope.ce_type.starts_with("com.example."), "{envelope:?}");
                assert_eq!(envelope.id.len(), 36);
                assert!(
                    time::OffsetDateTime::parse(
                        &envelope.time,
                        &time::format_description::well_known::Rfc3339
                    )
                    .is_ok()
                );
                match event.mode {
                    Mode::Structured => {
                        assert_eq!(event.content_type, cloudevents::STRUCTURED_CONTENT_TYPE);
                        let json: serde_json::Value =
                            serde_json::from_slice(&event.body).expect("JSON");
                        assert!(json["data"].is_object());
                        structured += 1;
                    }
                    Mode::Binary => {
                        let id = event
                            .content_type
                            .strip_prefix("avro/binary+")
                            .expect("Avro content type");
                        let schema = Schema::by_id(id).expect("a demo schema id");
                        match schema.decode(&event.body) {
                            Ok(_) => binary += 1,
                            Err(_) => {
                                assert_eq!((*hub, partition), ("sale", POISON_PARTITION));
                                poison += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(poison, 1, "exactly one poison event");
    assert!(
        binary > 400 && structured > 20,
        "binary {binary}, structured {structured}"
    );
}

#[tokio::test]
async fn consumers_checkpoint_in_the_blob_layout_and_crm_sync_stops_at_the_poison() {
    let (publisher, data) = seeded(400).await;
    let config = organisation().expect("demo config");
    let layout = checkpoint_dir_layout(data.path());
    let target = Target {
        store: Arc::clone(&publisher.store),
        layout: layout.clone(),
        namespace: publisher.namespace.clone(),
    };
    let settings = ConsumerSettings {
        tick: Duration::from_millis(5),
        ..ConsumerSettings::default()
    };
    let tasks = consumers::start(
        &target,
        &config.namespaces[0],
        &settings,
        &mut Rng::seeded(1),
    );

    let stuck = events_of(&publisher, "sale", POISON_PARTITION);
    let poison = stuck
        .iter()
        .find(|e| consumers::process(deployment("crm-sync"), &e.message).is_err())
        .expect("the poison event")
        .sequence_number;
    let last = |hub: &str, p: u32| {
        events_of(&publisher, hub, p)
            .last()
            .map(|e| e.sequence_number)
    };
    let checkpoint = |cg: &'static str, hub: &'static str, p: u32| {
        let layout = layout.clone();
        let ns = publisher.namespace.clone();
        async move {
            layout
                .read_checkpoint(&GroupPath::new(&ns, hub, cg), &p.to_string())
                .await
                .map(|c| c.sequence_number)
        }
    };
    let caught_up = async {
        loop {
            let lake = checkpoint("lake-ingest", "sale", POISON_PARTITION).await;
            let crm_other = checkpoint("crm-sync", "sale", 0).await;
            let crm_stuck = checkpoint("crm-sync", "sale", POISON_PARTITION).await;
            if lake == last("sale", POISON_PARTITION)
                && crm_other == last("sale", 0)
                && crm_stuck == Some(poison - 1)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), caught_up)
        .await
        .expect("consumers catch up, crm-sync up to the poison");

    // More traffic on the stuck partition: lake-ingest follows, crm-sync's checkpoint stays.
    let mut rng = Rng::seeded(9);
    let kind = super::events::sale_confirmed_kind().expect("kind");
    let extra: Vec<_> = (0..30)
        .filter_map(|_| traffic::make_event(&publisher, kind, &mut rng, 0, 0.0))
        .map(|(_, event)| event)
        .collect();
    let log = publisher
        .store
        .partition(&publisher.namespace, "sale", "1")
        .expect("partition");
    log.append(extra).await.expect("append");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        checkpoint("crm-sync", "sale", POISON_PARTITION).await,
        Some(poison - 1)
    );
    assert!(log.stats().last_sequence_number > poison + 30);

    let crm_sync = GroupPath::new(&publisher.namespace, "sale", "crm-sync");
    let ownership = layout.file(&crm_sync, BlobKind::Ownership, "1");
    let owner: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ownership).expect("ownership file")).expect("JSON");
    assert!(
        owner["ownerid"]
            .as_str()
            .is_some_and(|o| o.starts_with("crm-sync-"))
    );
    for task in tasks {
        task.abort();
    }
}

#[tokio::test]
async fn launching_with_demo_activity_runs_the_demo() {
    let data = tempfile::tempdir().expect("temp dir");
    let running = crate::emulator::launch(crate::emulator::LaunchOptions {
        config: organisation().expect("demo config"),
        data_dir: data.path().to_path_buf(),
        amqp: "127.0.0.1:0".parse().expect("address"),
        http: "127.0.0.1:0".parse().expect("address"),
        kafka: None,
        demo_activity: true,
    })
    .await
    .expect("emulator starts");
    let file = running
        .checkpoints
        .join("ehops-demo/sale/crm-sync/checkpoint/0");
    let written = async {
        while !file.exists() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), written)
        .await
        .expect("crm-sync checkpoints sale partition 0");
}
