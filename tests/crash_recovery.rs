//! kill -9 during sustained batched sends: every acknowledged event reads back intact, in
//! order, once. The emulator runs as its own process (the real binary) so it can be killed.

mod common;

use std::time::{Duration, Instant};

use azure_messaging_eventhubs::{
    ConsumerClient, OpenReceiverOptions, StartLocation, StartPosition,
};
use common::crash_load::{Load, send_until};
use common::process::EmulatorProcess;
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;
use futures_util::StreamExt;

const EVENT_BYTES: usize = 256;
const BATCH: usize = 50;
const CRASHES: usize = 4;

/// Where the test's clients reach the emulator.
#[derive(Clone)]
struct Address {
    endpoint: String,
    connection_string: String,
}

fn address(emulator: &EmulatorProcess) -> Address {
    Address {
        endpoint: emulator.endpoint.clone(),
        connection_string: emulator.connection_string.clone(),
    }
}

fn credential(emulator: &Address) -> std::sync::Arc<SasCredential> {
    let cs = ConnectionString::parse(&emulator.connection_string).expect("connection string");
    std::sync::Arc::new(SasCredential::from_connection_string(&cs))
}

fn body(id: u64) -> Vec<u8> {
    let mut body = format!("{id:016}|").into_bytes();
    body.resize(EVENT_BYTES, b'.');
    body
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
        let mut emulator = EmulatorProcess::start(&config, data.path());
        // Send for a while, then kill mid-stream while a sender is still running.
        let kill_after = Duration::from_millis(400 + 250 * round as u64);
        let sender_deadline = Instant::now() + kill_after + Duration::from_secs(2);
        let killer = tokio::time::sleep(kill_after);
        tokio::pin!(killer);
        let address = address(&emulator);
        let load = Load {
            endpoint: &address.endpoint,
            connection_string: &address.connection_string,
            namespace: "conformance",
            hub: "single",
            batch: BATCH,
            body,
        };
        let sending = send_until(&load, &mut next_id, sender_deadline);
        tokio::pin!(sending);
        tokio::select! {
            ids = &mut sending => acknowledged.extend(ids),
            _ = &mut killer => {
                emulator.kill();
                acknowledged.extend(sending.await);
            }
        }
        emulator.kill();
    }
    assert!(
        acknowledged.len() >= 2 * BATCH,
        "the test must acknowledge events before crashing"
    );

    // Read everything back from a fresh process on the same data.
    let mut emulator = EmulatorProcess::start(&config, data.path());
    let address = address(&emulator);
    let consumer = ConsumerClient::builder()
        .with_custom_endpoint(address.endpoint.clone())
        .open("conformance", "single".into(), credential(&address))
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
    emulator.kill();

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
