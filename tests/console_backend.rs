//! The console's backend task with real services against an emulator of the test's own:
//! answers carry the request id, the pane on screen refreshes until told to stop, tails
//! stream and stop.

mod common;

use ehops::ops::audit;
use std::time::Duration;

use azure_messaging_eventhubs::models::EventData;
use common::CONSOLE;
use common::backend_link::{next_answer, next_reply};
use common::sdk_producer::SdkProducer;
use ehops::backend::{self, BackendOptions, Services};
use ehops::connect::read::{self, ReadRange};
use ehops::model::StartPosition;
use ehops::ops::replay::ReplayRequest;
use ehops::ops::reset::ResetRequest;
use ehops::protocol::{IncidentRequest, ReadRequest, Reply, Request, RequestId, backend_channels};

const ROOT: &str = "RootManageSharedAccessKey";

/// Real services on the emulator as its root rule: checkpoints and the audit file in `dir`.
async fn services(emu: &common::TestEmulator, dir: &std::path::Path) -> Services {
    let services = services_as(emu, dir, &emu.connection_string(ROOT)).await;
    assert_eq!(
        services.plane.connection().namespace,
        "console",
        "named by the catalog"
    );
    services
}

/// The same as the identity of `connection_string`.
async fn services_as(
    emu: &common::TestEmulator,
    dir: &std::path::Path,
    connection_string: &str,
) -> Services {
    common::backend_services::services_as(emu, dir, connection_string, ROOT).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_refreshes_and_tails() {
    let emu = common::start(CONSOLE).await;
    let store = tempfile::tempdir().expect("temp dir");
    let services = services(&emu, store.path()).await;
    let (mut link, end) = backend_channels(8);
    let options = BackendOptions {
        refresh_every: Duration::from_millis(300),
        ..BackendOptions::default()
    };
    let task = backend::spawn(services, end, options);

    link.requests
        .send(Request::Read(ReadRequest::ListHubs {
            request: RequestId(1),
            namespace: "console".into(),
        }))
        .expect("send");
    let Reply::HubsLoaded { request, hubs, .. } = next_reply(&mut link).await else {
        panic!("hubs answer");
    };
    assert_eq!(request, RequestId(1));
    assert_eq!(hubs.len(), 2);

    // The partitions pane refreshes with the same id until it is left.
    link.requests
        .send(Request::Read(ReadRequest::PartitionInfo {
            request: RequestId(2),
            hub: "single".into(),
        }))
        .expect("send");
    let mut answers = 0;
    while answers < 2 {
        match next_reply(&mut link).await {
            Reply::PartitionsLoaded {
                request,
                partitions,
                ..
            } => {
                assert_eq!(request, RequestId(2));
                assert_eq!(partitions.len(), 1);
                answers += 1;
            }
            Reply::ConnectionChanged(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    link.requests
        .send(Request::StopRefresh {
            request: RequestId(2),
        })
        .expect("send");
    tokio::time::sleep(Duration::from_millis(400)).await;
    while link.replies.try_recv().is_ok() {}
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(
        link.replies.try_recv().is_err(),
        "no refresh after StopRefresh"
    );

    // A tail from the start streams what is there and what comes.
    let producer = SdkProducer::root(&emu, "single").await;
    producer.send_event("first", None).await.expect("send");
    link.requests
        .send(Request::StartTail {
            request: RequestId(3),
            hub: "single".into(),
            partition: None,
            from: StartPosition::Earliest,
        })
        .expect("send");
    let mut bodies = Vec::new();
    while bodies.len() < 2 {
        let batch = tokio::time::timeout(Duration::from_secs(20), link.tail.recv())
            .await
            .expect("a batch in time")
            .expect("tail channel open");
        let Reply::TailReceived {
            request,
            events,
            lost,
        } = batch
        else {
            panic!("tail batch");
        };
        assert_eq!((request, lost), (RequestId(3), 0));
        bodies.extend(events.into_iter().map(|e| e.body));
        if bodies.len() == 1 {
            producer.send_event("second", None).await.expect("send");
        }
    }
    assert_eq!(bodies, [b"first".to_vec(), b"second".to_vec()]);
    link.requests
        .send(Request::StopTail {
            request: RequestId(3),
        })
        .expect("send");
    tokio::time::sleep(Duration::from_millis(300)).await;
    producer.send_event("third", None).await.expect("send");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(link.tail.try_recv().is_err(), "nothing after StopTail");

    drop(link);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("backend stops when the app goes")
        .expect("backend task ends cleanly");
}

/// A reset through the backend: the dry run plans, the confirmed plan is written (the lag
/// then reads the new checkpoint) and audited; a refusal is audited too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resets_exactly_the_plan_it_showed_and_audits() {
    let emu = common::start(CONSOLE).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut link, end) = backend_channels(8);
    let task = backend::spawn(
        services(&emu, dir.path()).await,
        end,
        BackendOptions::default(),
    );
    let producer = SdkProducer::root(&emu, "single").await;
    for body in ["a", "b", "c", "d"] {
        producer.send_event(body, None).await.expect("send");
    }

    link.requests
        .send(Request::Incident(IncidentRequest::PlanReset {
            request: RequestId(1),
            reset: ResetRequest {
                kafka_group: None,
                hub: "single".into(),
                consumer_group: "ehops".into(),
                partition: None,
                to: StartPosition::Sequence(2),
            },
        }))
        .expect("send");
    let Reply::ResetPlanned { request, plan } = next_answer(&mut link).await else {
        panic!("a dry run");
    };
    assert_eq!(request, RequestId(1));
    let partition = &plan.partitions[0];
    assert_eq!(
        (
            partition.current_next,
            partition.new_next,
            partition.skipped
        ),
        (0, 2, 2),
        "no checkpoint yet: from the start to event 2 skips two"
    );

    link.requests
        .send(Request::Incident(IncidentRequest::ExecuteReset {
            request: RequestId(2),
            plan,
        }))
        .expect("send");
    let Reply::ResetExecuted { request, written } = next_answer(&mut link).await else {
        panic!("the reset's result");
    };
    assert_eq!(request, RequestId(2));
    assert_eq!(
        (written[0].new_next, written[0].error.as_deref()),
        (2, None)
    );

    link.requests
        .send(Request::Read(ReadRequest::Lag {
            request: RequestId(3),
            hub: "single".into(),
            consumer_group: "ehops".into(),
        }))
        .expect("send");
    let Reply::LagLoaded { snapshot, .. } = next_answer(&mut link).await else {
        panic!("lag");
    };
    let checkpoint = snapshot.partitions[0]
        .checkpoint
        .as_ref()
        .map(|c| c.sequence);
    assert_eq!(checkpoint, Some(1), "processors resume after event 1: at 2");

    link.requests
        .send(Request::Incident(IncidentRequest::AuditRefusal {
            request: RequestId(4),
            action: "reset".into(),
            hub: "single".into(),
            consumer_group: Some("ehops".into()),
            reason: "the confirmation was not the group's name".into(),
        }))
        .expect("send");
    assert_eq!(
        next_answer(&mut link).await,
        Reply::RefusalAudited {
            request: RequestId(4)
        }
    );

    let text = std::fs::read_to_string(audit::file_in(dir.path())).expect("audit file");
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(records.len(), 2, "{text}");
    assert_eq!(
        (&records[0]["action"], &records[0]["outcome"]),
        (&"reset".into(), &"done".into())
    );
    assert_eq!(records[0]["after"][0]["new_next"], 2);
    assert_eq!(records[1]["outcome"], "refused");
    assert_eq!(records[1]["who"], ROOT);

    let _ = producer.close().await;
    drop(link);
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
}

/// A replay through the backend: the dry run reads and filters the range, the confirmed
/// plan is sent with progress (copies keep their CloudEvent ids and say they are replays),
/// and the send is audited as `replay`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_exactly_the_plan_it_showed_and_audits() {
    let emu = common::start(CONSOLE).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut link, end) = backend_channels(8);
    let services = services(&emu, dir.path()).await;
    let plane = services.plane.clone();
    let task = backend::spawn(services, end, BackendOptions::default());
    let producer = SdkProducer::root(&emu, "single").await;
    for (i, kind) in ["placed", "cancelled", "placed", "placed"]
        .iter()
        .enumerate()
    {
        let event = EventData::builder()
            .with_body(format!("{{\"order\":{i}}}"))
            .add_property("cloudEvents_id".into(), format!("id-{i}"))
            .add_property(
                "cloudEvents_type".into(),
                format!("com.example.order.{kind}"),
            )
            .build();
        producer.send_event(event, None).await.expect("send");
    }

    link.requests
        .send(Request::Incident(IncidentRequest::PlanReplay {
            request: RequestId(1),
            replay: ReplayRequest {
                hub: "single".into(),
                partition: "0".into(),
                from: StartPosition::Sequence(0),
                to_sequence: Some(2),
                until: None,
                filter: Some("placed".into()),
                target_hub: "single".into(),
            },
        }))
        .expect("send");
    let Reply::ReplayPlanned { request, plan } = next_answer(&mut link).await else {
        panic!("a dry run");
    };
    assert_eq!(request, RequestId(1));
    let planned: Vec<i64> = plan.summary().iter().map(|e| e.sequence).collect();
    assert_eq!(
        (planned, plan.filtered_out),
        (vec![0, 2], 1),
        "events 0 to 2, the cancellation left out"
    );

    link.requests
        .send(Request::Incident(IncidentRequest::ExecuteReplay {
            request: RequestId(2),
            plan,
            source_hub: "single".into(),
            rate: Some(20),
        }))
        .expect("send");
    let mut progress = Vec::new();
    let done = loop {
        match next_answer(&mut link).await {
            Reply::SendProgress { progress: p, .. } => progress.push(p.sent),
            Reply::ReplayExecuted { request, done } => {
                assert_eq!(request, RequestId(2));
                break done;
            }
            other => panic!("progress or the result, got {other:?}"),
        }
    };
    assert_eq!(progress, vec![1, 2]);
    assert_eq!((done.sent, done.total, done.error), (2, 2, None));

    let range = ReadRange {
        hub: "single".into(),
        partition: "0".into(),
        from: StartPosition::Sequence(4),
        to_sequence: 5,
        max: 10,
        idle: Duration::from_secs(5),
    };
    let copies = read::read(&plane, &range).await.expect("copies read");
    let property = |e: &read::RawEvent, name: &str| {
        e.event
            .properties
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let seen: Vec<(Option<String>, Option<String>, Option<String>)> = copies
        .iter()
        .map(|c| {
            (
                c.event.cloud_event.id.clone(),
                property(c, "ehops_action"),
                property(c, "ehops_source_sequence"),
            )
        })
        .collect();
    let expected = |id: &str, sequence: &str| {
        (
            Some(id.to_owned()),
            Some("replay".to_owned()),
            Some(sequence.to_owned()),
        )
    };
    assert_eq!(seen, vec![expected("id-0", "0"), expected("id-2", "2")]);

    let text = std::fs::read_to_string(audit::file_in(dir.path())).expect("audit file");
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(records.len(), 1, "{text}");
    assert_eq!(
        (
            &records[0]["action"],
            &records[0]["hub"],
            &records[0]["outcome"]
        ),
        (&"replay".into(), &"single".into(), &"done".into())
    );

    let _ = producer.close().await;
    drop(link);
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
}

/// Issue #11: a tail on a hub the identity may only send to ends before it starts, saying
/// which permission is missing, instead of failing in the SDK's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_the_identity_may_not_read_says_why_up_front() {
    let emu = common::start(common::CONFORMANCE).await;
    let store = tempfile::tempdir().expect("temp dir");
    let services = services_as(&emu, store.path(), &emu.connection_string("orders-send")).await;
    let (mut link, end) = backend_channels(8);
    let task = backend::spawn(services, end, BackendOptions::default());
    link.requests
        .send(Request::StartTail {
            request: RequestId(1),
            hub: "orders".into(),
            partition: None,
            from: StartPosition::Latest,
        })
        .expect("send");
    let ended = loop {
        match next_answer(&mut link).await {
            Reply::TailEnded { reason, .. } => break reason.unwrap_or_default(),
            Reply::RequestFailed { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert!(
        ended.contains(
            "tail is not permitted: missing Microsoft.EventHub/namespaces/messages/receive/action"
        ),
        "{ended}"
    );
    assert!(!ended.contains("AMQP"), "no SDK chain: {ended}");
    drop(link);
    let _ = task.await;
}

/// Issue #11: the consumer-group and dead-letter panes of an identity that may only send
/// to one hub say which permission is missing before reading anything, as the tail does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_and_dead_letters_the_identity_may_not_read_say_why_up_front() {
    let emu = common::start(common::CONFORMANCE).await;
    let store = tempfile::tempdir().expect("temp dir");
    let services = services_as(&emu, store.path(), &emu.connection_string("orders-send")).await;
    let (mut link, end) = backend_channels(8);
    let task = backend::spawn(services, end, BackendOptions::default());
    let lag = Request::Read(ReadRequest::Lag {
        request: RequestId(1),
        hub: "orders".into(),
        consumer_group: "billing".into(),
    });
    let dead_letters = Request::Incident(IncidentRequest::ListDeadLetters {
        request: RequestId(2),
        hub: "orders".into(),
    });
    for (asked, missing) in [
        (
            lag,
            "lag is not permitted: missing Microsoft.EventHub/namespaces/eventhubs/consumergroups/read",
        ),
        (
            dead_letters,
            "tail is not permitted: missing Microsoft.EventHub/namespaces/messages/receive/action",
        ),
    ] {
        link.requests.send(asked).expect("send");
        let message = loop {
            match next_answer(&mut link).await {
                Reply::RequestFailed { message, .. } => break message,
                Reply::ConnectionChanged(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        };
        assert!(message.contains(missing), "{message}");
        assert!(!message.contains("AMQP"), "no SDK chain: {message}");
    }
    drop(link);
    let _ = task.await;
}
