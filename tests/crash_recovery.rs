//! kill -9 during sustained batched sends: every acknowledged event reads back intact, in
//! order, once. The emulator runs as its own process (the real binary) so it can be killed.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use azure_messaging_eventhubs::{
    ConsumerClient, EventDataBatchOptions, OpenReceiverOptions, ProducerClient, RetryOptions,
    StartLocation, StartPosition,
};
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;
use futures_util::StreamExt;

const EVENT_BYTES: usize = 256;
const BATCH: usize = 50;
const CRASHES: usize = 4;

struct Emulator {
    child: Child,
    address: Address,
}

#[derive(Clone)]
struct Address {
    endpoint: String,
    connection_string: String,
}

fn start(config: &std::path::Path, data: &std::path::Path) -> Emulator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ehops"))
        .args([
            "emulator",
            "--amqp",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
            "--kafka",
            "127.0.0.1:0",
            "--json",
            "--config",
        ])
        .arg(config)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("emulator starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("ready line");
    let ready: serde_json::Value = serde_json::from_str(&line).expect("ready JSON");
    let namespace = &ready["namespaces"][0];
    Emulator {
        child,
        address: Address {
            endpoint: namespace["custom_endpoint"]
                .as_str()
                .expect("endpoint")
                .to_string(),
            connection_string: namespace["rules"][0]["connection_string"]
                .as_str()
                .expect("cs")
                .to_string(),
        },
    }
}

fn credential(emulator: &Address) -> std::sync::Arc<SasCredential> {
    let cs = ConnectionString::parse(&emulator.connection_string).expect("connection string");
    std::sync::Arc::new(SasCredential::from_connection_string(&cs))
}

fn retries() -> RetryOptions {
    RetryOptions {
        max_retries: 0,
        initial_delay: time::Duration::milliseconds(10),
        max_delay: time::Duration::milliseconds(10),
        max_total_elapsed: time::Duration::seconds(2),
    }
}

fn body(id: u64) -> Vec<u8> {
    let mut body = format!("{id:016}|").into_bytes();
    body.resize(EVENT_BYTES, b'.');
    body
}

/// Sends batches until `until`; returns the ids of every event whose batch was acknowledged.
async fn send_until(emulator: &Address, next_id: &mut u64, until: Instant) -> Vec<u64> {
    let mut acknowledged = Vec::new();
    let Ok(producer) = ProducerClient::builder()
        .with_custom_endpoint(emulator.endpoint.clone())
        .with_retry_options(retries())
        .open("conformance", "single", credential(emulator))
        .await
    else {
        return acknowledged;
    };
    while Instant::now() < until {
        let Ok(batch) = producer
            .create_batch(Some(EventDataBatchOptions {
                partition_id: Some("0".into()),
                ..Default::default()
            }))
            .await
        else {
            break;
        };
        let ids: Vec<u64> = (*next_id..*next_id + BATCH as u64).collect();
        *next_id += BATCH as u64;
        for id in &ids {
            if !batch.try_add_event_data(body(*id), None).unwrap_or(false) {
                break;
            }
        }
        match tokio::time::timeout(Duration::from_secs(5), producer.send_batch(batch, None)).await {
            Ok(Ok(())) => acknowledged.extend(ids),
            _ => break,
        }
    }
    acknowledged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_events_survive_kill_9() {
    let config_dir = tempfile::tempdir().expect("temp dir");
    let config = config_dir.path().join("conformance.toml");
    std::fs::write(&config, common::CONFORMANCE).expect("config written");
    let data = tempfile::tempdir().expect("temp dir");

    let mut acknowledged = Vec::new();
    let mut next_id = 0u64;
    for round in 0..CRASHES {
        let mut emulator = start(&config, data.path());
        // Send for a while, then kill mid-stream while a sender is still running.
        let kill_after = Duration::from_millis(400 + 250 * round as u64);
        let sender_deadline = Instant::now() + kill_after + Duration::from_secs(2);
        let killer = tokio::time::sleep(kill_after);
        tokio::pin!(killer);
        let address = emulator.address.clone();
        let sending = send_until(&address, &mut next_id, sender_deadline);
        tokio::pin!(sending);
        tokio::select! {
            ids = &mut sending => acknowledged.extend(ids),
            _ = &mut killer => {
                emulator.child.kill().expect("kill -9");
                acknowledged.extend(sending.await);
            }
        }
        let _ = emulator.child.kill();
        let _ = emulator.child.wait();
    }
    assert!(
        acknowledged.len() >= 2 * BATCH,
        "the test must acknowledge events before crashing"
    );

    // Read everything back from a fresh process on the same data.
    let mut emulator = start(&config, data.path());
    let consumer = ConsumerClient::builder()
        .with_custom_endpoint(emulator.address.endpoint.clone())
        .open(
            "conformance",
            "single".into(),
            credential(&emulator.address),
        )
        .await
        .expect("consumer");
    let receiver = consumer
        .open_receiver_on_partition(
            "0".into(),
            Some(OpenReceiverOptions {
                start_position: Some(StartPosition {
                    location: StartLocation::Earliest,
                    inclusive: false,
                }),
                receive_timeout: Some(time::Duration::seconds(3)),
                ..Default::default()
            }),
        )
        .await
        .expect("receiver");
    let mut stored = Vec::new();
    {
        let stream = receiver.stream_events();
        futures_util::pin_mut!(stream);
        while let Ok(Some(Ok(event))) =
            tokio::time::timeout(Duration::from_secs(5), stream.next()).await
        {
            let body = event.event_data().body().unwrap_or_default().to_vec();
            let id: u64 = std::str::from_utf8(&body[..16])
                .ok()
                .and_then(|s| s.parse().ok())
                .expect("an id");
            assert_eq!(body, self::body(id), "event {id} reads back intact");
            stored.push(id);
        }
    }
    let _ = emulator.child.kill();
    let _ = emulator.child.wait();

    assert!(
        stored.windows(2).all(|w| w[0] < w[1]),
        "stored events are in order, each once"
    );
    let missing: Vec<&u64> = acknowledged
        .iter()
        .filter(|id| stored.binary_search(id).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged events lost, first {:?}",
        missing.len(),
        missing.first()
    );
    eprintln!(
        "{} events acknowledged over {CRASHES} kill -9s; {} stored",
        acknowledged.len(),
        stored.len()
    );
}
