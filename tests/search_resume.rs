//! Issue 15's measured case, for search: `ehops search --from earliest` over 40,000 events
//! while the service is killed with SIGKILL and back on the same ports and data two seconds
//! later. Each partition's pass resumes after the last event it read: every match is
//! reported exactly once, every partition scanned exactly once, exit 0.
//!
//! The emulator holds each batch of deliveries a while (a `delay` fault from its faults
//! file, given again at the restart) so that the kill lands mid-search.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::time::{Duration, Instant};

use common::process::EmulatorProcess;
use common::resume_load::{
    CONFIG, PARTITIONS, PER_PARTITION, fill, kill_and_restart, spawn_reader, stderr_lines,
    wait_for_exit,
};

/// 40 batches of 256 per partition, each held 250 ms: a search of ten seconds or more.
const SLOW_DELIVERIES: &str = r#"
[[fault]]
kind = "delay"
hub = "stream"
delay = "250ms"
"#;

/// The events whose body ends in 7: one in ten of each partition.
const EXPRESSION: &str = r#"body.endsWith("7")"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_across_kill_9_and_restart_reports_every_match_once_and_exact_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("resume.toml");
    std::fs::write(&config, CONFIG).expect("config written");
    let faults = dir.path().join("faults.toml");
    std::fs::write(&faults, SLOW_DELIVERIES).expect("faults written");
    let faults_arg = faults.display().to_string();
    let mut emulator = EmulatorProcess::start_with(
        &config,
        &dir.path().join("data"),
        &["--faults", &faults_arg],
    );
    fill(&emulator).await;

    let args = [
        "search", "stream", "--from", "earliest", "--where", EXPRESSION, "--limit", "100000",
        "--json",
    ];
    let mut search = spawn_reader(&emulator, &args, &dir.path().join("console"));
    let mut stdout = search.stdout.take().expect("stdout piped");
    let (stderr_lines, errors) = stderr_lines(&mut search);
    let output = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });

    // Killed once the search has read some of the events and not all.
    let total = PARTITIONS * PER_PARTITION;
    let deadline = Instant::now() + Duration::from_secs(90);
    let scanned_before_kill = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = stderr_lines
            .recv_timeout(left)
            .expect("the search reports progress before it ends");
        if let Some(scanned) = scanned(&line)
            && scanned > 0
        {
            assert!(scanned < total, "the search ended before the kill: {line}");
            break scanned;
        }
    };
    println!("killed after {scanned_before_kill} events scanned");
    kill_and_restart(&mut emulator);
    let status = wait_for_exit(&mut search);
    let stdout = output.join().expect("stdout joins");
    let stderr = errors.join().expect("stderr joins");
    println!("{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("reconnecting"),
        "the search must have lost its links: {stderr}"
    );

    let mut lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let summary = lines.pop().expect("a summary line")["summary"].clone();
    let mut matches = BTreeSet::new();
    for line in &lines {
        let partition = line["partition"].as_str().expect("partition").to_owned();
        let sequence = line["sequence"].as_i64().expect("sequence");
        assert_eq!(sequence % 10, 7, "not a match: {line}");
        assert!(
            matches.insert((partition, sequence)),
            "reported twice: {line}"
        );
    }
    assert_eq!(matches.len(), total / 10, "every match once");
    assert_eq!(summary["scanned"], total, "{summary}");
    assert_eq!(summary["matched"], total / 10, "{summary}");
    let partitions = summary["partitions"].as_array().expect("partitions");
    assert_eq!(partitions.len(), PARTITIONS, "{summary}");
    let last = PER_PARTITION as i64 - 1;
    for partition in partitions {
        assert_eq!(partition["status"], "complete", "{partition}");
        assert_eq!(partition["scanned"], PER_PARTITION, "{partition}");
        assert_eq!(
            partition["read"],
            serde_json::json!([0, last]),
            "{partition}"
        );
    }
}

/// The events scanned so far, from a progress line ("Scanned 250 of 1000 (25%), ...").
fn scanned(line: &str) -> Option<usize> {
    line.strip_prefix("Scanned ")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
