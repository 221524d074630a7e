//! Load for the kill -9 tests: batches sent to partition 0 until a deadline, with no SDK
//! retries (a batch the crash interrupts is simply not acknowledged), and the ids of every
//! event whose batch the emulator acknowledged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_messaging_eventhubs::{EventDataBatchOptions, ProducerClient, RetryOptions};
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;

/// Where the load goes and what it sends.
pub struct Load<'a> {
    pub endpoint: &'a str,
    pub connection_string: &'a str,
    pub namespace: &'a str,
    pub hub: &'a str,
    pub batch: usize,
    /// The body of the event with this id.
    pub body: fn(u64) -> Vec<u8>,
}

/// Sends batches until `until`; returns the ids of every event whose batch was acknowledged.
pub async fn send_until(load: &Load<'_>, next_id: &mut u64, until: Instant) -> Vec<u64> {
    let mut acknowledged = Vec::new();
    let cs = ConnectionString::parse(load.connection_string).expect("connection string");
    let credential = Arc::new(SasCredential::from_connection_string(&cs));
    let retries = RetryOptions {
        max_retries: 0,
        initial_delay: time::Duration::milliseconds(10),
        max_delay: time::Duration::milliseconds(10),
        max_total_elapsed: time::Duration::seconds(2),
    };
    let Ok(producer) = ProducerClient::builder()
        .with_custom_endpoint(load.endpoint.to_owned())
        .with_retry_options(retries)
        .open(load.namespace, load.hub, credential)
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
        let ids: Vec<u64> = (*next_id..*next_id + load.batch as u64).collect();
        *next_id += load.batch as u64;
        for id in &ids {
            if !batch
                .try_add_event_data((load.body)(*id), None)
                .unwrap_or(false)
            {
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
