//! The console's backend task with real services against an emulator of the test's own:
//! answers carry the request id, the pane on screen refreshes until told to stop, tails
//! stream and stop.

mod common;

use ehops::ops::audit::{self, AuditLog};
use ehops::ops::audited::{Actor, Trail};

use std::sync::Arc;
use std::time::Duration;

use azure_messaging_eventhubs::ProducerClient;
use common::CONSOLE;
use ehops::backend::{self, BackendOptions, Services};
use ehops::connect::Connection;
use ehops::connect::checkpoints::DirectoryCheckpoints;
use ehops::connect::data_plane::DataPlane;
use ehops::model::StartPosition;
use ehops::tui::action::Action;
use ehops::tui::command::{Command, RequestId};
use ehops::tui::run::{BackendLink, backend_channels};

const ROOT: &str = "RootManageSharedAccessKey";

async fn next_reply(link: &mut BackendLink) -> Action {
    tokio::time::timeout(Duration::from_secs(20), link.replies.recv())
        .await
        .expect("a reply in time")
        .expect("backend running")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_refreshes_and_tails() {
    let emu = common::start(CONSOLE).await;
    let connection =
        Connection::from_connection_string(&emu.connection_string(ROOT), Some(&emu.catalog()))
            .expect("valid connection string")
            .resolve_namespace()
            .await;
    assert_eq!(connection.namespace, "console", "named by the catalog");
    let store = tempfile::tempdir().expect("temp dir");
    let services = Services {
        plane: Arc::new(DataPlane::new(connection, "ehops")),
        checkpoints: Arc::new(DirectoryCheckpoints::new(store.path())),
        sign_in: None,
        switch_context: None,
        trail: Trail {
            log: AuditLog::new(audit::file_in(store.path()), None),
            actor: Actor {
                principal: ROOT.into(),
                team: None,
            },
        },
    };
    let (mut link, end) = backend_channels(8);
    let options = BackendOptions {
        refresh_every: Duration::from_millis(300),
        ..BackendOptions::default()
    };
    let task = backend::spawn(services, end, options);

    link.commands
        .send(Command::ListHubs {
            request: RequestId(1),
            namespace: "console".into(),
        })
        .expect("send");
    let Action::HubsLoaded { request, hubs, .. } = next_reply(&mut link).await else {
        panic!("hubs answer");
    };
    assert_eq!(request, RequestId(1));
    assert_eq!(hubs.len(), 2);

    // The partitions pane refreshes with the same id until it is left.
    link.commands
        .send(Command::PartitionInfo {
            request: RequestId(2),
            hub: "single".into(),
        })
        .expect("send");
    let mut answers = 0;
    while answers < 2 {
        match next_reply(&mut link).await {
            Action::PartitionsLoaded {
                request,
                partitions,
                ..
            } => {
                assert_eq!(request, RequestId(2));
                assert_eq!(partitions.len(), 1);
                answers += 1;
            }
            Action::ConnectionChanged(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    link.commands
        .send(Command::StopRefresh {
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
    let producer = ProducerClient::builder()
        .with_custom_endpoint(emu.endpoint())
        .open(&emu.namespace(), "single", emu.credential(ROOT))
        .await
        .expect("producer");
    producer.send_event("first", None).await.expect("send");
    link.commands
        .send(Command::StartTail {
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
        let Action::TailReceived {
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
    link.commands
        .send(Command::StopTail {
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
