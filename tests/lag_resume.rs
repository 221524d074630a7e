//! Issue 15: lag history survives a dropped service. The console's lag feed and `ehops watch`
//! sample through a kill -9 and restart of the emulator: while it is gone each round says it
//! could not sample (no figures made up, nothing recorded), and when it is back sampling goes
//! on by itself with the figures it has now. Nothing crashes, nothing exits.
//!
//! The group `billing` has no checkpoint, so its true lag is every event of the hub: 1,000
//! before the outage, 1,500 after. Any other figure, on screen, on stdout or in the history
//! on disk, is a bogus sample.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::process::EmulatorProcess;
use common::resume_load::{CONFIG, PARTITIONS, send, spawn_reader, stderr_lines, wait_for_exit};
use ehops::backend::{self, BackendOptions, Services};
use ehops::model::LagBoard;
use ehops::ops::lag_history::HistoryStore;
use ehops::ops::lag_sampler::HubGroups;
use ehops::protocol::{BackendLink, Reply, Request, RequestId, backend_channels};

const BEFORE: u64 = 1_000;
const AFTER: u64 = 1_500;

fn start(dir: &Path) -> EmulatorProcess {
    let config = dir.join("resume.toml");
    std::fs::write(&config, CONFIG).expect("config written");
    EmulatorProcess::start(&config, &dir.join("data"))
}

/// Every sample of `billing` the history on disk holds, each asserted to be a true figure.
fn assert_history_true(data: &Path) {
    let since = time::OffsetDateTime::UNIX_EPOCH;
    let loaded = HistoryStore::new(data)
        .load("resume", "stream", "billing", since)
        .expect("history readable");
    assert!(!loaded.samples.is_empty(), "the history was recorded");
    for sample in &loaded.samples {
        assert!(
            [BEFORE, AFTER].contains(&sample.events_behind),
            "a bogus sample in the history: {sample:?}"
        );
    }
}

async fn services(emulator: &EmulatorProcess, dir: &Path) -> Services {
    let mut services = common::backend_services::services_on(
        &emulator.catalog(),
        &dir.join("checkpoints"),
        &emulator.connection_string,
        "RootManageSharedAccessKey",
    )
    .await;
    services.lag_history = Some(dir.to_path_buf());
    services
}

async fn next_board(link: &mut BackendLink) -> Arc<LagBoard> {
    let reply = tokio::time::timeout(Duration::from_secs(60), link.lag.recv())
        .await
        .expect("a lag round within a minute")
        .expect("the lag feed runs");
    let Reply::LagSampled { board, .. } = reply else {
        panic!("a lag board, not {reply:?}");
    };
    board
}

/// What a round showed of `billing`: its events behind, or that it could not be sampled.
fn billing(board: &LagBoard) -> Result<u64, String> {
    let hub = (board.hubs.values().next()).expect("the hub is on the board");
    if let Some(failure) = hub.failures.first() {
        assert!(hub.groups.is_empty(), "a round is sampled or failed");
        return Err(failure.message.clone());
    }
    let group = hub.groups.first().expect("billing sampled");
    Ok(group.lag.total_behind())
}

/// Reads rounds until `wanted` holds of one (each round's figure must be a true one).
async fn until(link: &mut BackendLink, wanted: impl Fn(&Result<u64, String>) -> bool) -> usize {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut rounds = 0;
    loop {
        assert!(
            Instant::now() < deadline,
            "no such round within two minutes"
        );
        let shown = billing(&*next_board(link).await);
        rounds += 1;
        if let Ok(behind) = shown {
            assert!(
                [BEFORE, AFTER].contains(&behind),
                "a bogus sample: {behind}"
            );
        }
        if wanted(&shown) {
            return rounds;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consoles_lag_feed_samples_through_kill_9_and_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut emulator = start(dir.path());
    send(&emulator, BEFORE as usize / PARTITIONS).await;
    let console = dir.path().join("console");
    let services = services(&emulator, &console).await;
    let namespace = services.plane.connection().namespace.clone();
    let (mut link, end) = backend_channels(8);
    let options = BackendOptions {
        lag_every: Duration::from_secs(1),
        ..BackendOptions::default()
    };
    let task = backend::spawn(services, end, options);
    let hubs = vec![HubGroups {
        namespace,
        hub: "stream".into(),
        retention: Duration::from_secs(24 * 3600),
        consumer_groups: vec!["billing".into()],
    }];
    link.requests
        .send(Request::WatchLag {
            request: RequestId(1),
            hubs,
        })
        .expect("backend running");
    until(&mut link, |shown| shown == &Ok(BEFORE)).await;

    emulator.kill();
    until(&mut link, Result::is_err).await;
    emulator.restart();
    send(&emulator, (AFTER - BEFORE) as usize / PARTITIONS).await;
    until(&mut link, |shown| shown == &Ok(AFTER)).await;
    assert!(!task.is_finished(), "the backend still runs");
    drop(link);
    task.abort();
    assert_history_true(&console);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ehops_watch_samples_through_kill_9_and_restart_and_says_where_the_gap_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut emulator = start(dir.path());
    send(&emulator, BEFORE as usize / PARTITIONS).await;
    let data = dir.path().join("console");
    let args = [
        "watch",
        "stream",
        "--consumer-group",
        "billing",
        "--interval",
        "1s",
        "--duration",
        "40s",
        "--json",
    ];
    let mut watch = spawn_reader(&emulator, &args, &data);
    let stdout = watch.stdout.take().expect("stdout piped");
    let (lines, errors) = stderr_lines(&mut watch);
    let output = std::thread::spawn(move || {
        let all: Vec<String> = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect();
        all
    });
    // The first round is sampled before the kill: the status line of `billing` is printed
    // then, and the history written.
    let history_dir = data.join("lag-history");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !history_dir.exists() {
        assert!(
            Instant::now() < deadline,
            "watch sampled nothing in a minute"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    emulator.kill();
    let said = |wanted: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines.recv_timeout(left).expect("watch reports on stderr");
            if line.contains(wanted) {
                return;
            }
        }
    };
    said("no group could be sampled");
    emulator.restart();
    send(&emulator, (AFTER - BEFORE) as usize / PARTITIONS).await;
    said("sampling again after a gap of");

    let status = wait_for_exit(&mut watch);
    let stdout = output.join().expect("stdout joins");
    let stderr = errors.join().expect("stderr joins");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stdout.is_empty(), "a status line: {stderr}");
    for line in &stdout {
        let line: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let behind = line["events_behind"].as_u64().expect("events behind");
        assert!([BEFORE, AFTER].contains(&behind), "a bogus sample: {line}");
    }
    assert_history_true(&data);
}
