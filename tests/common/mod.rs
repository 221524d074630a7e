//! Shared by the Rust integration tests: an emulator of their own on free ports, in a
//! temporary data directory, started through the one public launcher.

#![allow(dead_code)] // each test binary uses its own part of this

pub mod azurite;
pub mod backend_link;
pub mod backend_services;
pub mod capture_files;
pub mod cloud_events;
pub mod crash_load;
pub mod demo_incident;
pub mod http;
pub mod proc_memory;
pub mod process;
pub mod python;
pub mod resume_load;
pub mod sdk_producer;
pub mod soak_checks;
pub mod suite;
pub mod tmux;

use std::path::Path;
use std::sync::Arc;

use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;
use ehops::emulator::{self, EmulatorConfig, LaunchOptions, RunningEmulator};

pub const CONFORMANCE: &str = include_str!("../fixtures/conformance.toml");

pub struct TestEmulator {
    pub running: RunningEmulator,
    /// Held so the data directory lives as long as the emulator.
    pub data: tempfile::TempDir,
}

/// Emulator logs on stderr when `EHOPS_LOG` is set, to debug a failing test.
fn init_logging() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("EHOPS_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
}

pub async fn start(config_text: &str) -> TestEmulator {
    init_logging();
    let data = tempfile::tempdir().expect("temp dir");
    start_in(config_text, data).await
}

pub async fn start_in(config_text: &str, data: tempfile::TempDir) -> TestEmulator {
    launch_in(config_text, data, LOOPBACK, None).await
}

/// [`start`] with AMQP on another loopback address (`127.0.0.2`): its connection string
/// points somewhere no other emulator serves HTTP.
pub async fn start_on(config_text: &str, amqp_ip: &str) -> TestEmulator {
    init_logging();
    let data = tempfile::tempdir().expect("temp dir");
    launch_in(config_text, data, amqp_ip, None).await
}

const LOOPBACK: &str = "127.0.0.1";

/// [`start`] with the Kafka endpoint on a free port (`running.kafka`).
pub async fn start_with_kafka(config_text: &str) -> TestEmulator {
    init_logging();
    let data = tempfile::tempdir().expect("temp dir");
    let any = "127.0.0.1:0".parse().expect("address");
    launch_in(config_text, data, LOOPBACK, Some(any)).await
}

async fn launch_in(
    config_text: &str,
    data: tempfile::TempDir,
    amqp_ip: &str,
    kafka: Option<std::net::SocketAddr>,
) -> TestEmulator {
    let config =
        EmulatorConfig::parse(config_text, Path::new("test.toml")).expect("test config parses");
    let running = emulator::launch(LaunchOptions {
        config,
        data_dir: data.path().to_path_buf(),
        amqp: format!("{amqp_ip}:0").parse().expect("address"),
        http: "127.0.0.1:0".parse().expect("address"),
        kafka,
        demo_activity: false,
    })
    .await
    .expect("emulator starts");
    TestEmulator { running, data }
}

impl TestEmulator {
    /// The connection string of the rule named `rule` (namespace or hub level).
    pub fn connection_string(&self, rule: &str) -> String {
        self.running.namespaces[0]
            .rules
            .iter()
            .find(|r| r.name == rule)
            .unwrap_or_else(|| panic!("no rule {rule}"))
            .connection_string
            .clone()
    }

    pub fn namespace(&self) -> String {
        self.running.namespaces[0].name.clone()
    }

    pub fn endpoint(&self) -> String {
        self.running.namespaces[0].custom_endpoint.clone()
    }

    pub fn credential(&self, rule: &str) -> Arc<SasCredential> {
        let cs = ConnectionString::parse(&self.connection_string(rule))
            .expect("valid connection string");
        Arc::new(SasCredential::from_connection_string(&cs))
    }

    /// A credential that signs with the wrong key for `rule`.
    pub fn wrong_key_credential(&self, rule: &str) -> Arc<SasCredential> {
        let text = self.connection_string(rule);
        let mut cs = ConnectionString::parse(&text).expect("valid connection string");
        cs.key = Some("not-the-key".into());
        Arc::new(SasCredential::from_connection_string(&cs))
    }
}

pub const CONSOLE: &str = include_str!("../fixtures/console.toml");

impl TestEmulator {
    /// The catalog's base address, for `ehops --catalog`.
    pub fn catalog(&self) -> String {
        format!("http://{}", self.running.http)
    }

    /// `ehops ARGS` against this emulator as its namespace's root rule, reached like any
    /// Event Hubs (connection string and catalog address), its logs in the data directory.
    pub async fn ehops(&self, args: &[&str]) -> Run {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend([
            "--connection-string".to_owned(),
            self.connection_string("RootManageSharedAccessKey"),
            "--catalog".to_owned(),
            self.catalog(),
        ]);
        ehops(all, &self.data.path().join("console")).await
    }
}

/// What a run of the `ehops` binary left behind.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Each stdout line parsed as JSON (the `--json` contract: one object per line).
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect()
    }
}

/// Runs the real binary with `args`, its logs in `data`, off the async runtime's threads.
pub async fn ehops(args: Vec<String>, data: &Path) -> Run {
    ehops_with_env(args, data, &[]).await
}

/// [`ehops`] with extra environment variables.
pub async fn ehops_with_env(args: Vec<String>, data: &Path, env: &[(&str, &str)]) -> Run {
    let data = data.to_path_buf();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ehops"))
            .args(&args)
            .arg("--data")
            .arg(&data)
            .env_remove("EHOPS_CONNECTION_STRING")
            .env_remove("EHOPS_CHECKPOINT_STORE")
            .env_remove("EHOPS_CHECKPOINT_CONTAINER")
            .env_remove("EHOPS_AUDIT_HUB")
            .envs(env)
            .output()
            .expect("ehops runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("ehops run joins")
}

/// A producer on `hub` with the root rule.
pub async fn producer(emulator: &TestEmulator, hub: &str) -> sdk_producer::SdkProducer {
    sdk_producer::SdkProducer::root(emulator, hub).await
}

/// Sends `bodies` in one batch to `partition` of `hub` with the root rule; returns the
/// partition's last sequence number once they are acknowledged.
pub async fn send_batch_to(
    emulator: &TestEmulator,
    hub: &str,
    partition: &str,
    bodies: &[String],
) -> i64 {
    let producer = producer(emulator, hub).await;
    let bodies = bodies.iter().map(|b| b.clone().into_bytes()).collect();
    producer
        .send_batch(partition, bodies)
        .await
        .expect("acknowledged");
    let partition = partition.to_owned();
    let last = producer
        .call(|client| async move {
            client
                .get_partition_properties(&partition)
                .await
                .expect("partition properties")
                .last_enqueued_sequence_number
        })
        .await;
    producer.close().await;
    last
}

/// The demo organisation with its live traffic, on free ports under `data`, and its root
/// rule's connection string: what `cargo run` serves, for tests of the real binary against it.
pub async fn start_demo(data: &Path) -> (RunningEmulator, String) {
    let running = emulator::launch(LaunchOptions {
        config: emulator::demo::organisation().expect("demo config"),
        data_dir: data.join("emulator"),
        amqp: "127.0.0.1:0".parse().expect("address"),
        http: "127.0.0.1:0".parse().expect("address"),
        kafka: None,
        demo_activity: true,
    })
    .await
    .expect("emulator starts");
    let connection_string = running.namespaces[0]
        .rules
        .iter()
        .find(|r| r.name == "RootManageSharedAccessKey")
        .expect("root rule")
        .connection_string
        .clone();
    (running, connection_string)
}

/// Runs the real binary with `args` like [`ehops`], for a command that should end on its own
/// (a refused `ehops emulator --config`): one still running after `limit` is killed, and its
/// run reports code -1 and `still running` on stderr.
pub async fn ehops_within(args: Vec<String>, data: &Path, limit: std::time::Duration) -> Run {
    let data = data.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ehops"))
            .args(&args)
            .arg("--data")
            .arg(&data)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("ehops starts");
        let deadline = std::time::Instant::now() + limit;
        let ended = loop {
            match child.try_wait().expect("ehops can be waited on") {
                Some(_) => break true,
                None if std::time::Instant::now() >= deadline => break false,
                None => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        };
        if !ended {
            let _ = child.kill();
        }
        let output = child.wait_with_output().expect("ehops output");
        Run {
            code: if ended {
                output.status.code().unwrap_or(-1)
            } else {
                -1
            },
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: if ended {
                String::from_utf8_lossy(&output.stderr).into_owned()
            } else {
                "still running".to_owned()
            },
        }
    })
    .await
    .expect("ehops run joins")
}

/// `ehops emulator --config {file}` with `text` in that file, for configs it must refuse: one
/// it starts on instead is stopped after 30 seconds and reported as still running.
pub async fn emulator_with_config(file: &str, text: &str) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(file);
    std::fs::write(&path, text).expect("write config");
    ehops_within(
        vec![
            "emulator".into(),
            "--config".into(),
            path.display().to_string(),
            // Free ports, should it start after all.
            "--amqp".into(),
            "127.0.0.1:0".into(),
            "--http".into(),
            "127.0.0.1:0".into(),
            "--kafka".into(),
            "127.0.0.1:0".into(),
        ],
        &dir.path().join("data"),
        std::time::Duration::from_secs(30),
    )
    .await
}

/// Sends `events` one by one to partition 0 of `hub`, each acknowledged before the next.
pub async fn send_events_to_partition_0(
    endpoint: String,
    namespace: &str,
    hub: &str,
    credential: Arc<SasCredential>,
    events: Vec<azure_messaging_eventhubs::models::EventData>,
) {
    use azure_messaging_eventhubs::SendEventOptions;
    let producer =
        sdk_producer::SdkProducer::open(endpoint, namespace.to_owned(), hub.to_owned(), credential)
            .await
            .expect("producer opens");
    for event in events {
        let options = SendEventOptions {
            partition_id: Some("0".into()),
        };
        producer
            .send_event(event, Some(options))
            .await
            .expect("send");
    }
    // The Rust SDK has been seen to hang closing a link under load (docs/sdk-quirks.md); the
    // events are acknowledged by now, so a close that does not finish is not waited on.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), producer.close()).await;
}
