//! The measured case of issue 15: `ehops tail --from earliest --count 40000 --json` while the
//! service is killed with SIGKILL and back on the same ports and data two seconds later.
//! The tail reconnects by itself and ends with every event exactly once, in order per
//! partition, exit 0.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::process::EmulatorProcess;
use common::resume_load::{
    CONFIG, PARTITIONS, PER_PARTITION, fill, kill_and_restart, spawn_reader, wait_for_exit,
};

/// Lines read before the service is killed; the tail then waits on its output, holding
/// what it had received, and finds its links gone when it reads on.
const KILL_AFTER_LINES: usize = 8_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_across_kill_9_and_restart_has_every_event_once_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("resume.toml");
    std::fs::write(&config, CONFIG).expect("config written");
    let mut emulator = EmulatorProcess::start(&config, &dir.path().join("data"));
    fill(&emulator).await;

    let total = (PARTITIONS * PER_PARTITION).to_string();
    let args = [
        "tail", "stream", "--from", "earliest", "--count", &total, "--json",
    ];
    let mut tail = spawn_reader(&emulator, &args, &dir.path().join("console"));
    let stdout = tail.stdout.take().expect("stdout piped");
    let mut stderr = tail.stderr.take().expect("stderr piped");
    let (paused_tx, paused) = mpsc::channel();
    let (resume, resume_rx) = mpsc::channel::<()>();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            lines.push(line.expect("UTF-8 line"));
            if lines.len() == KILL_AFTER_LINES {
                let _ = paused_tx.send(());
                let _ = resume_rx.recv();
            }
        }
        lines
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    paused
        .recv_timeout(Duration::from_secs(60))
        .expect("the tail prints events before the kill");
    kill_and_restart(&mut emulator);
    let restarted = Instant::now();
    let _ = resume.send(());
    let status = wait_for_exit(&mut tail);
    println!("tail ended {:?} after the restart", restarted.elapsed());
    let lines = reader.join().expect("reader joins");
    let stderr = errors.join().expect("stderr joins");
    println!("{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("reconnecting"),
        "the tail must have lost its links: {stderr}"
    );

    let mut next: BTreeMap<String, i64> = BTreeMap::new();
    for line in &lines {
        let event: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let partition = event["partition"].as_str().expect("partition").to_owned();
        let sequence = event["sequence"].as_i64().expect("sequence");
        let expected = next.entry(partition.clone()).or_insert(0);
        assert_eq!(
            sequence, *expected,
            "partition {partition}: a gap or a duplicate ({stderr})"
        );
        assert_eq!(
            event["body"].as_str(),
            Some(format!("event {partition}/{sequence}").as_str())
        );
        *expected += 1;
    }
    assert_eq!(lines.len(), PARTITIONS * PER_PARTITION, "{stderr}");
    assert!(
        next.values().all(|n| *n == PER_PARTITION as i64),
        "{next:?}"
    );
}
