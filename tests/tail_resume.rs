//! The measured case of issue 15: `ehops tail --from earliest --count 40000 --json` while the
//! service is killed with SIGKILL and back on the same ports and data two seconds later.
//! The tail reconnects by itself and ends with every event exactly once, in order per
//! partition, exit 0.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use azure_messaging_eventhubs::{EventDataBatchOptions, ProducerClient};
use common::process::EmulatorProcess;
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;

const CONFIG: &str = r#"
[[namespace]]
name = "resume"

[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "resume-root-key-000000000000000000000000000="
rights = ["Listen", "Send", "Manage"]

[[namespace.hub]]
name = "stream"
partitions = 4
retention = "24h"
consumer_groups = ["ehops"]
"#;

const PARTITIONS: usize = 4;
const PER_PARTITION: usize = 10_000;
/// Lines read before the service is killed; the tail then waits on its output, holding
/// what it had received, and finds its links gone when it reads on.
const KILL_AFTER_LINES: usize = 8_000;

async fn fill(emulator: &EmulatorProcess) {
    let cs = ConnectionString::parse(&emulator.connection_string).expect("connection string");
    let producer = ProducerClient::builder()
        .with_custom_endpoint(emulator.endpoint.clone())
        .open(
            "resume",
            "stream",
            std::sync::Arc::new(SasCredential::from_connection_string(&cs)),
        )
        .await
        .expect("producer");
    for partition in 0..PARTITIONS {
        let mut sent = 0;
        while sent < PER_PARTITION {
            let batch = producer
                .create_batch(Some(EventDataBatchOptions {
                    partition_id: Some(partition.to_string()),
                    ..Default::default()
                }))
                .await
                .expect("batch");
            while sent < PER_PARTITION
                && batch
                    .try_add_event_data(format!("event {partition}/{sent}").into_bytes(), None)
                    .expect("add")
            {
                sent += 1;
            }
            producer
                .send_batch(batch, None)
                .await
                .expect("acknowledged");
        }
    }
    let _ = producer.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_across_kill_9_and_restart_has_every_event_once_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("resume.toml");
    std::fs::write(&config, CONFIG).expect("config written");
    let mut emulator = EmulatorProcess::start(&config, &dir.path().join("data"));
    fill(&emulator).await;

    let total = (PARTITIONS * PER_PARTITION).to_string();
    let mut tail = Command::new(env!("CARGO_BIN_EXE_ehops"))
        .args([
            "tail", "stream", "--from", "earliest", "--count", &total, "--json",
        ])
        .args(["--connection-string", &emulator.connection_string])
        .args(["--catalog", &emulator.catalog()])
        .arg("--data")
        .arg(dir.path().join("console"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ehops tail runs");
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
    emulator.kill();
    std::thread::sleep(Duration::from_secs(2));
    emulator.restart();
    let restarted = Instant::now();
    let _ = resume.send(());

    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = tail.try_wait().expect("tail can be waited on") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = tail.kill();
            panic!("the tail did not finish within 120 s of the restart");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
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
