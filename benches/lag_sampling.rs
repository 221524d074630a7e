//! Lag sampling at a platform team's scale (issue #11): 200 hubs x 5 consumer groups spread
//! over 40 namespaces, each namespace on an endpoint of its own, sampled by the console's
//! backend (its lag feed, as the overview runs it) against the embedded emulator. Prints the
//! time of the first round (connections opened) and of the rounds after, and checks that
//! every group was sampled. Not a criterion timing of one function (a round is the backend's
//! own loop), so a plain bench binary: `cargo bench --bench lag_sampling`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ehops::backend::{self, BackendOptions, Services};
use ehops::connect::Connection;
use ehops::connect::checkpoints::DirectoryCheckpoints;
use ehops::connect::data_plane::DataPlane;
use ehops::emulator::{self, EmulatorConfig, LaunchOptions};
use ehops::model::LagBoard;
use ehops::ops::audit::{self, AuditLog};
use ehops::ops::audited::{Actor, Trail};
use ehops::ops::lag_sampler::HubGroups;
use ehops::protocol::{BackendLink, ReadRequest, Reply, Request, RequestId, backend_channels};

const NAMESPACES: usize = 40;
const HUBS_PER_NAMESPACE: usize = 5;
const GROUPS_PER_HUB: usize = 5;
const PARTITIONS: usize = 4;
const WARM_ROUNDS: usize = 10;
const KEY: &str = "lag-sampling-bench-root-key-00000000000=";

fn config() -> String {
    let mut text = String::new();
    for n in 0..NAMESPACES {
        let groups: Vec<String> = (0..GROUPS_PER_HUB)
            .map(|g| format!("\"group-{g}\""))
            .collect();
        let _ = write!(
            text,
            "[[namespace]]\nname = \"ns-{n:02}\"\nlisten = \"127.0.0.1:0\"\n\
             [[namespace.rule]]\nname = \"RootManageSharedAccessKey\"\nkey = \"{KEY}\"\n\
             rights = [\"Listen\", \"Send\", \"Manage\"]\n"
        );
        for h in 0..HUBS_PER_NAMESPACE {
            let _ = write!(
                text,
                "[[namespace.hub]]\nname = \"hub-{h}\"\npartitions = {PARTITIONS}\n\
                 retention = \"24h\"\nconsumer_groups = [{}, \"ehops\"]\n",
                groups.join(", ")
            );
        }
    }
    text
}

fn services(connection: Connection, dir: &Path) -> Services {
    Services {
        plane: Arc::new(DataPlane::new(connection, "ehops")),
        checkpoints: Arc::new(DirectoryCheckpoints::new(dir)),
        sign_in: None,
        switch_context: None,
        trail: Trail {
            log: AuditLog::new(audit::file_in(dir), None),
            actor: Actor {
                principal: "bench".into(),
                team: None,
            },
        },
        lag_history: None,
        kafka: None,
        capture: Err("no capture in this bench".to_owned()),
    }
}

async fn next_board(link: &mut BackendLink) -> Arc<LagBoard> {
    loop {
        let reply = tokio::time::timeout(Duration::from_secs(120), link.lag.recv())
            .await
            .expect("a round within two minutes")
            .expect("the lag feed runs");
        if let Reply::LagSampled { board, .. } = reply {
            return board;
        }
    }
}

fn sampled_groups(board: &LagBoard) -> (usize, usize) {
    let groups = board.hubs.values().map(|h| h.groups.len()).sum();
    let failures = board.hubs.values().map(|h| h.failures.len()).sum();
    (groups, failures)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = EmulatorConfig::parse(&config(), Path::new("bench.toml")).expect("config");
    let running = emulator::launch(LaunchOptions {
        config,
        data_dir: dir.path().join("emulator"),
        amqp: "127.0.0.1:0".parse().expect("address"),
        http: "127.0.0.1:0".parse().expect("address"),
        kafka: None,
        demo_activity: false,
    })
    .await
    .expect("emulator starts");
    let root = (running.namespaces[0].rules.iter())
        .find(|r| r.name == "RootManageSharedAccessKey")
        .expect("root rule")
        .connection_string
        .clone();
    let catalog = format!("http://{}", running.http);
    let (connection, unreadable) = Connection::from_connection_string(&root, Some(&catalog))
        .expect("connection string")
        .resolve_namespace()
        .await;
    assert!(
        unreadable.is_none(),
        "the catalog names the namespace: {unreadable:?}"
    );
    let (mut link, end) = backend_channels(64);
    let options = BackendOptions {
        // Rounds back to back: the time between two boards is the time of a round.
        lag_every: Duration::from_millis(1),
        ..BackendOptions::default()
    };
    let task = backend::spawn(services(connection, dir.path()), end, options);

    // The console lists the namespaces first; the backend learns where each one is.
    let listed = Instant::now();
    let request = RequestId(1);
    let asked = Request::Read(ReadRequest::ListNamespaces { request });
    link.requests.send(asked).expect("backend running");
    let namespaces = loop {
        match link.replies.recv().await.expect("backend running") {
            Reply::NamespacesLoaded { namespaces, .. } => break namespaces,
            Reply::RequestFailed { message, .. } => panic!("namespaces not listed: {message}"),
            _ => {}
        }
    };
    let listing = listed.elapsed();
    assert_eq!(namespaces.len(), NAMESPACES, "every namespace listed");

    let hubs: Vec<HubGroups> = (0..NAMESPACES)
        .flat_map(|n| {
            (0..HUBS_PER_NAMESPACE).map(move |h| HubGroups {
                namespace: format!("ns-{n:02}"),
                hub: format!("hub-{h}"),
                retention: Duration::from_secs(86_400),
                consumer_groups: (0..GROUPS_PER_HUB).map(|g| format!("group-{g}")).collect(),
            })
        })
        .collect();
    let started = Instant::now();
    let watch = Request::WatchLag {
        request: RequestId(2),
        hubs,
    };
    link.requests.send(watch).expect("backend running");
    let first = next_board(&mut link).await;
    let cold = started.elapsed();
    let (groups, failures) = sampled_groups(&first);
    let mut warm = Vec::new();
    let mut last = Instant::now();
    for _ in 0..WARM_ROUNDS {
        let board = next_board(&mut link).await;
        warm.push(last.elapsed());
        last = Instant::now();
        assert_eq!(sampled_groups(&board).0, groups);
    }
    warm.sort();
    let total = NAMESPACES * HUBS_PER_NAMESPACE * GROUPS_PER_HUB;
    println!(
        "{NAMESPACES} namespaces (an endpoint each), {} hubs of {PARTITIONS} partitions, {total} groups",
        NAMESPACES * HUBS_PER_NAMESPACE
    );
    println!("listing the namespaces: {listing:?}");
    println!(
        "first round (connections opened): {cold:?}; groups sampled {groups}, failed {failures}"
    );
    println!(
        "later rounds: median {:?}, slowest {:?} ({WARM_ROUNDS} rounds)",
        warm[warm.len() / 2],
        warm[warm.len() - 1]
    );
    assert_eq!(groups + failures, total, "every group on the board");
    assert_eq!(failures, 0, "no group failed");
    drop(link);
    let _ = task.await;
    drop(running);
}
