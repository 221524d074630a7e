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
/// The SDK runs on ehops's sending thread, where it cannot miss an outcome under load.
pub async fn send_until(load: &Load<'_>, next_id: &mut u64, until: Instant) -> Vec<u64> {
    let endpoint = load.endpoint.to_owned();
    let connection_string = load.connection_string.to_owned();
    let namespace = load.namespace.to_owned();
    let hub = load.hub.to_owned();
    let (batch_size, body) = (load.batch, load.body);
    let first = *next_id;
    let (acknowledged, next) = ehops::connect::sdk_thread::run(async move {
        let mut next_id = first;
        let mut acknowledged = Vec::new();
        let cs = ConnectionString::parse(&connection_string).expect("connection string");
        let credential = Arc::new(SasCredential::from_connection_string(&cs));
        let retries = RetryOptions {
            max_retries: 0,
            initial_delay: time::Duration::milliseconds(10),
            max_delay: time::Duration::milliseconds(10),
            max_total_elapsed: time::Duration::seconds(2),
        };
        let Ok(producer) = ProducerClient::builder()
            .with_custom_endpoint(endpoint)
            .with_retry_options(retries)
            .open(&namespace, &hub, credential)
            .await
        else {
            return (acknowledged, next_id);
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
            let ids: Vec<u64> = (next_id..next_id + batch_size as u64).collect();
            next_id += batch_size as u64;
            for id in &ids {
                if !batch.try_add_event_data(body(*id), None).unwrap_or(false) {
                    break;
                }
            }
            match tokio::time::timeout(Duration::from_secs(5), producer.send_batch(batch, None))
                .await
            {
                Ok(Ok(())) => acknowledged.extend(ids),
                _ => break,
            }
        }
        (acknowledged, next_id)
    })
    .await;
    *next_id = next;
    acknowledged
}
