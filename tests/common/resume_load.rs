//! The hub that the kill -9 resume tests read (`tail_resume`, `search_resume`, `lag_resume`): four
//! partitions of 10,000 events each, event N of partition P reading `event P/N`, so a reader
//! can tell a gap, a duplicate or a stray at a glance.

use azure_messaging_eventhubs::{EventDataBatchOptions, ProducerClient};
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::process::EmulatorProcess;

pub const CONFIG: &str = r#"
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
consumer_groups = ["ehops", "billing"]
"#;

pub const PARTITIONS: usize = 4;
pub const PER_PARTITION: usize = 10_000;

/// Sends the events, each batch acknowledged before the next.
pub async fn fill(emulator: &EmulatorProcess) {
    send(emulator, PER_PARTITION).await;
}

/// Sends `per_partition` events to each partition (numbered from 0 in their bodies), on
/// ehops's sending thread, where the SDK cannot miss an outcome under load.
pub async fn send(emulator: &EmulatorProcess, per_partition: usize) {
    let cs = ConnectionString::parse(&emulator.connection_string).expect("connection string");
    let endpoint = emulator.endpoint.clone();
    ehops::connect::sdk_thread::run(async move {
        let producer = ProducerClient::builder()
            .with_custom_endpoint(endpoint)
            .open(
                "resume",
                "stream",
                std::sync::Arc::new(SasCredential::from_connection_string(&cs)),
            )
            .await
            .expect("producer");
        for partition in 0..PARTITIONS {
            let mut sent = 0;
            while sent < per_partition {
                let batch = producer
                    .create_batch(Some(EventDataBatchOptions {
                        partition_id: Some(partition.to_string()),
                        ..Default::default()
                    }))
                    .await
                    .expect("batch");
                while sent < per_partition
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
    })
    .await;
}

/// Kills the emulator with SIGKILL and starts it again two seconds later on the same ports
/// and data.
pub fn kill_and_restart(emulator: &mut EmulatorProcess) {
    emulator.kill();
    std::thread::sleep(Duration::from_secs(2));
    emulator.restart();
}

/// Waits for `reader` (an ehops command reading the emulator) to exit; kills it and fails
/// after three minutes.
pub fn wait_for_exit(reader: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if let Some(status) = reader.try_wait().expect("the reader can be waited on") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = reader.kill();
            panic!("the reader did not finish within 180 s of the restart");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `ehops ARGS` against the emulator, its console data in `data`, stdout and stderr piped.
pub fn spawn_reader(emulator: &EmulatorProcess, args: &[&str], data: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ehops"))
        .args(args)
        .args(["--connection-string", &emulator.connection_string])
        .args(["--catalog", &emulator.catalog()])
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ehops runs")
}

/// A reader's stderr as it comes, line by line, and all of it once the reader exits.
pub fn stderr_lines(reader: &mut Child) -> (mpsc::Receiver<String>, JoinHandle<String>) {
    let stderr = reader.stderr.take().expect("stderr piped");
    let (lines_tx, lines) = mpsc::channel();
    let all = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = lines_tx.send(line);
        }
        all
    });
    (lines, all)
}
