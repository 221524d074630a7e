//! Loopback throughput of the emulator with Microsoft's Rust SDK as the client: durably
//! acknowledged ingest and consume rates for fixed-size events. Not a criterion benchmark: one
//! timed run per phase, printed as JSON, so `scripts/bench-emulator.sh` can put it beside the
//! Python SDK's figures from the same run. Run through that script (it starts the emulator).
//!
//! Arguments: CONNECTION_STRING HUB EVENTS_PER_PARTITION EVENT_BYTES BATCH PARTITIONS [consume]
//!
//! With `consume`, the hub's events are only read (no ingest): `scripts/bench-search.sh` uses
//! it to show what the SDK alone costs on the events a search reads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_messaging_eventhubs::{
    ConsumerClient, EventDataBatchOptions, OpenReceiverOptions, ProducerClient, StartLocation,
    StartPosition,
};
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;
use futures_util::StreamExt;

struct Args {
    cs: ConnectionString,
    hub: String,
    per_partition: usize,
    size: usize,
    batch: usize,
    partitions: usize,
    /// Read what the hub holds; send nothing.
    consume_only: bool,
}

fn args() -> Result<Args, String> {
    let raw: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if raw.len() < 6 {
        return Err("usage: sdk_throughput CONNECTION_STRING HUB EVENTS_PER_PARTITION EVENT_BYTES BATCH PARTITIONS [consume]".into());
    }
    let number = |i: usize| {
        raw[i]
            .parse::<usize>()
            .map_err(|e| format!("argument {}: {e}", i + 1))
    };
    Ok(Args {
        cs: ConnectionString::parse(&raw[0]).map_err(|e| e.to_string())?,
        hub: raw[1].clone(),
        per_partition: number(2)?,
        size: number(3)?,
        batch: number(4)?,
        partitions: number(5)?,
        consume_only: raw.get(6).is_some_and(|mode| mode == "consume"),
    })
}

async fn ingest(
    args: &Args,
    credential: Arc<SasCredential>,
    endpoint: String,
) -> Result<Duration, String> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for partition in 0..args.partitions {
        let (credential, endpoint, hub) =
            (Arc::clone(&credential), endpoint.clone(), args.hub.clone());
        let (total, size, batch_size) = (args.per_partition, args.size, args.batch);
        tasks.push(tokio::spawn(async move {
            let producer = ProducerClient::builder()
                .with_custom_endpoint(endpoint)
                .open("bench", &hub, credential)
                .await
                .map_err(|e| e.to_string())?;
            let body = vec![b'x'; size];
            let mut sent = 0;
            while sent < total {
                let batch = producer
                    .create_batch(Some(EventDataBatchOptions {
                        partition_id: Some(partition.to_string()),
                        ..Default::default()
                    }))
                    .await
                    .map_err(|e| e.to_string())?;
                let mut in_batch = 0;
                while in_batch < batch_size && sent + in_batch < total {
                    if !batch
                        .try_add_event_data(body.clone(), None)
                        .map_err(|e| e.to_string())?
                    {
                        break;
                    }
                    in_batch += 1;
                }
                producer
                    .send_batch(batch, None)
                    .await
                    .map_err(|e| e.to_string())?;
                sent += in_batch;
            }
            Ok::<(), String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(started.elapsed())
}

async fn consume(
    args: &Args,
    credential: Arc<SasCredential>,
    endpoint: String,
) -> Result<Duration, String> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for partition in 0..args.partitions {
        let (credential, endpoint, hub, total) = (
            Arc::clone(&credential),
            endpoint.clone(),
            args.hub.clone(),
            args.per_partition,
        );
        tasks.push(tokio::spawn(async move {
            let consumer = ConsumerClient::builder()
                .with_custom_endpoint(endpoint)
                .open("bench", hub, credential)
                .await
                .map_err(|e| e.to_string())?;
            let receiver = consumer
                .open_receiver_on_partition(
                    partition.to_string(),
                    Some(OpenReceiverOptions {
                        start_position: Some(StartPosition {
                            location: StartLocation::Earliest,
                            inclusive: false,
                        }),
                        prefetch: Some(1000),
                        receive_timeout: Some(time::Duration::seconds(10)),
                        ..Default::default()
                    }),
                )
                .await
                .map_err(|e| e.to_string())?;
            let stream = receiver.stream_events();
            futures_util::pin_mut!(stream);
            let mut received = 0;
            while received < total {
                match stream.next().await {
                    Some(Ok(_)) => received += 1,
                    Some(Err(e)) => return Err(e.to_string()),
                    None => return Err(format!("stream ended after {received} events")),
                }
            }
            Ok::<(), String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(started.elapsed())
}

#[tokio::main]
async fn main() {
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let Some(endpoint) = args.cs.custom_endpoint() else {
        eprintln!("the benchmark targets a local emulator (UseDevelopmentEmulator=true)");
        std::process::exit(2);
    };
    let credential = Arc::new(SasCredential::from_connection_string(&args.cs));
    let total = (args.per_partition * args.partitions) as f64;
    let result = async {
        let ingest = if args.consume_only {
            None
        } else {
            Some(ingest(&args, Arc::clone(&credential), endpoint.clone()).await?)
        };
        let consume = consume(&args, Arc::clone(&credential), endpoint.clone()).await?;
        Ok::<_, String>((ingest, consume))
    }
    .await;
    match result {
        Ok((ingest, consume)) => println!(
            "{}",
            serde_json::json!({
                "client": "rust azure_messaging_eventhubs 0.15",
                "events": total,
                "event_bytes": args.size,
                "batch": args.batch,
                "partitions": args.partitions,
                "ingest_events_per_s": ingest.map(|i| (total / i.as_secs_f64()).round()),
                "consume_events_per_s": (total / consume.as_secs_f64()).round(),
            })
        ),
        Err(message) => {
            eprintln!("benchmark failed: {message}");
            std::process::exit(1);
        }
    }
}
