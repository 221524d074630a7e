//! Dead-letter from the console for a Kafka group, on the console's backend with real
//! services: the dry run reads the group's committed offset over the emulator's Kafka
//! endpoint and names the event it is stuck on; executing copies the event to the dead-letter
//! hub and commits the offset after it, audited as `G (kafka)`. (The same against a
//! confluent-kafka consumer, and the refusal while the group has members:
//! tests/sdk/python/kafka/test_deadletter.py.)

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::CONSOLE;
use common::backend_link::next_answer;
use ehops::backend::{self, BackendOptions};
use ehops::connect::kafka::{KafkaAdmin, KafkaEndpoint, KafkaSignIn};
use ehops::model::StartPosition;
use ehops::ops::audit;
use ehops::ops::dead_letter::{DeadLetterRequest, Mode};
use ehops::ops::reset::ResetRequest;
use ehops::protocol::{IncidentRequest, Reply, Request, RequestId, backend_channels};

const ROOT: &str = "RootManageSharedAccessKey";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_and_reset_from_the_console_commit_a_kafka_groups_offsets() {
    let emu = common::start_with_kafka(CONSOLE).await;
    let bodies: Vec<String> = ["ok-0", "ok-1", "poison", "ok-3"].map(String::from).into();
    common::send_batch_to(&emu, "single", "0", &bodies).await;
    let connection_string = emu.connection_string(ROOT);
    let endpoint = KafkaEndpoint {
        address: emu.running.kafka.expect("kafka endpoint").to_string(),
        tls: false,
        sign_in: KafkaSignIn::ConnectionString(connection_string.clone()),
    };
    // The group processed 0 and 1 and stopped on 2, with no member left.
    let mut admin = KafkaAdmin::connect(&endpoint).await.expect("kafka admin");
    (admin.commit("stuck", "single", &BTreeMap::from([(0, 2)])))
        .await
        .expect("commit of an empty group");

    let dir = tempfile::tempdir().expect("temp dir");
    let mut services =
        common::backend_services::services_as(&emu, dir.path(), &connection_string, ROOT).await;
    services.kafka = Some(endpoint);
    let (mut link, end) = backend_channels(8);
    let task = backend::spawn(services, end, BackendOptions::default());

    // What the console sends for the Kafka group selected in the consumer-groups pane.
    let dead_letter = DeadLetterRequest {
        hub: "single".into(),
        partition: "0".into(),
        consumer_group: Some("stuck (kafka)".into()),
        sequence: None,
        dead_letter_hub: "orders".into(),
        reason: "poison: not an order".into(),
        mode: Mode::DeadLetter,
        kafka_group: Some("stuck".into()),
    };
    link.requests
        .send(Request::Incident(IncidentRequest::PlanDeadLetter {
            request: RequestId(1),
            dead_letter,
        }))
        .expect("send");
    let Reply::DeadLetterPlanned { plan, .. } = next_answer(&mut link).await else {
        panic!("a dry run");
    };
    assert_eq!(plan.0.current_next, Some(2), "the committed offset");
    assert_eq!(plan.0.event.event.sequence, 2, "the event it is stuck on");
    assert_eq!(
        plan.0.new_checkpoint.as_ref().map(|c| c.sequence + 1),
        Some(3)
    );

    link.requests
        .send(Request::Incident(IncidentRequest::ExecuteDeadLetter {
            request: RequestId(2),
            plan,
            mode: Mode::DeadLetter,
            reason: "poison: not an order".into(),
        }))
        .expect("send");
    let Reply::DeadLetterExecuted { done, .. } = next_answer(&mut link).await else {
        panic!("an execution");
    };
    assert!(done.copied, "{done:?}");
    assert_eq!(done.new_next, Some(3));
    let committed = admin.committed("stuck").await.expect("offsets");
    assert_eq!(committed.get(&("single".to_owned(), 0)), Some(&3));
    let audit = std::fs::read_to_string(audit::file_in(dir.path())).expect("audit file");
    assert!(
        audit.contains(r#""consumer_group":"stuck (kafka)""#) && audit.contains("dead-letter"),
        "{audit}"
    );

    // A reset of the (empty) group from the console's dialog: its dry run, then the commit.
    let reset = ResetRequest {
        hub: "single".into(),
        consumer_group: "stuck (kafka)".into(),
        partition: None,
        to: StartPosition::Earliest,
        kafka_group: Some("stuck".into()),
    };
    link.requests
        .send(Request::Incident(IncidentRequest::PlanReset {
            request: RequestId(3),
            reset,
        }))
        .expect("send");
    let plan = match next_answer(&mut link).await {
        Reply::ResetPlanned { plan, .. } => plan,
        other => panic!("a reset plan, got {other:?}"),
    };
    let part0 = plan.partitions.iter().find(|p| p.partition == "0");
    assert_eq!(
        part0.map(|p| (p.current_next, p.new_next)),
        Some((3, 0)),
        "{plan:?}"
    );
    link.requests
        .send(Request::Incident(IncidentRequest::ExecuteReset {
            request: RequestId(4),
            plan,
        }))
        .expect("send");
    let Reply::ResetExecuted { .. } = next_answer(&mut link).await else {
        panic!("a reset");
    };
    let committed = admin.committed("stuck").await.expect("offsets");
    assert_eq!(committed.get(&("single".to_owned(), 0)), Some(&0));
    let audit = std::fs::read_to_string(audit::file_in(dir.path())).expect("audit file");
    assert!(
        audit.lines().any(|l| l.contains(r#""action":"reset""#)
            && l.contains(r#""consumer_group":"stuck (kafka)""#)),
        "{audit}"
    );

    drop(link);
    let _ = tokio::time::timeout(Duration::from_secs(15), task).await;
}
