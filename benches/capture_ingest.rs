//! Acknowledgement latency at a fixed ingest rate, for `scripts/bench-capture.sh` to run
//! against an emulator without and with Capture in the same run. Not a criterion benchmark:
//! one paced run, printed as JSON. Each partition's task sends a batch every
//! `batch / (rate / partitions)` seconds and times its acknowledgement.
//!
//! Arguments: CONNECTION_STRING HUB RATE SECONDS EVENT_BYTES BATCH PARTITIONS

use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_messaging_eventhubs::{EventDataBatchOptions, ProducerClient};
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;

struct Args {
    cs: ConnectionString,
    hub: String,
    rate: f64,
    seconds: f64,
    size: usize,
    batch: usize,
    partitions: usize,
}

fn args() -> Result<Args, String> {
    let raw: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if raw.len() < 7 {
        return Err(
            "usage: capture_ingest CONNECTION_STRING HUB RATE SECONDS EVENT_BYTES BATCH PARTITIONS"
                .into(),
        );
    }
    let number = |i: usize| {
        raw[i]
            .parse::<f64>()
            .map_err(|e| format!("argument {}: {e}", i + 1))
    };
    Ok(Args {
        cs: ConnectionString::parse(&raw[0]).map_err(|e| e.to_string())?,
        hub: raw[1].clone(),
        rate: number(2)?,
        seconds: number(3)?,
        size: number(4)? as usize,
        batch: number(5)? as usize,
        partitions: number(6)? as usize,
    })
}

/// One partition's paced sends; the acknowledgement time of each batch.
async fn pace(
    args: Arc<Args>,
    partition: usize,
    credential: Arc<SasCredential>,
    endpoint: String,
) -> Result<Vec<Duration>, String> {
    let producer = ProducerClient::builder()
        .with_custom_endpoint(endpoint)
        .open("bench", &args.hub, credential)
        .await
        .map_err(|e| e.to_string())?;
    let per_second = args.rate / args.partitions as f64;
    let interval = Duration::from_secs_f64(args.batch as f64 / per_second);
    let batches = (args.seconds * per_second / args.batch as f64).ceil() as usize;
    let body = vec![b'x'; args.size];
    let start = tokio::time::Instant::now();
    let mut latencies = Vec::with_capacity(batches);
    for n in 0..batches {
        tokio::time::sleep_until(start + interval * n as u32).await;
        let batch = producer
            .create_batch(Some(EventDataBatchOptions {
                partition_id: Some(partition.to_string()),
                ..Default::default()
            }))
            .await
            .map_err(|e| e.to_string())?;
        for _ in 0..args.batch {
            if !batch
                .try_add_event_data(body.clone(), None)
                .map_err(|e| e.to_string())?
            {
                break;
            }
        }
        let sent = Instant::now();
        producer
            .send_batch(batch, None)
            .await
            .map_err(|e| e.to_string())?;
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let args = match args() {
        Ok(args) => Arc::new(args),
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
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.partitions)
        .map(|p| {
            tokio::spawn(pace(
                Arc::clone(&args),
                p,
                Arc::clone(&credential),
                endpoint.clone(),
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        match task.await {
            Ok(Ok(mut own)) => latencies.append(&mut own),
            Ok(Err(message)) => {
                eprintln!("benchmark failed: {message}");
                std::process::exit(1);
            }
            Err(error) => {
                eprintln!("benchmark failed: {error}");
                std::process::exit(1);
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let events = latencies.len() * args.batch;
    let mean =
        latencies.iter().map(Duration::as_secs_f64).sum::<f64>() / latencies.len().max(1) as f64;
    println!(
        "{}",
        serde_json::json!({
            "offered_events_per_s": args.rate,
            "acknowledged_events_per_s": (events as f64 / elapsed).round(),
            "events": events,
            "ack_ms_mean": (mean * 1000.0 * 100.0).round() / 100.0,
            "ack_ms_p50": percentile(&latencies, 0.5),
            "ack_ms_p99": percentile(&latencies, 0.99),
        })
    );
}
