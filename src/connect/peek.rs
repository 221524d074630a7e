//! When the first event a consumer group has not processed was enqueued, per partition: the
//! "time behind" an on-call engineer asks for. One client per hub, one short-lived receiver
//! per partition, and a memo of what was already read, since a stuck partition's next event
//! stays the same sample after sample.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use azure_messaging_eventhubs::OpenReceiverOptions;
use futures_util::StreamExt;
use time::OffsetDateTime;

use super::data_plane::DataPlane;
use super::error::{ConnectError, Failure};
use super::tail::sdk_position;
use crate::model::StartPosition;

/// How long a partition is waited on for the one event asked for.
const PEEK_TIMEOUT: Duration = Duration::from_secs(3);
/// Entries the memo keeps before it starts over (an entry is a few dozen bytes).
const MEMO_CAPACITY: usize = 16_384;

/// Enqueued times already read, by namespace, hub, partition and sequence number: an event's
/// enqueued time never changes, so an entry is never stale.
#[derive(Default)]
pub struct EnqueuedTimes {
    memo: Mutex<HashMap<(String, String, String, i64), OffsetDateTime>>,
}

impl EnqueuedTimes {
    pub fn new() -> Self {
        Self::default()
    }

    fn known(&self, key: &(String, String, String, i64)) -> Option<OffsetDateTime> {
        self.memo.lock().ok()?.get(key).copied()
    }

    fn remember(&self, key: (String, String, String, i64), time: OffsetDateTime) {
        if let Ok(mut memo) = self.memo.lock() {
            if memo.len() >= MEMO_CAPACITY {
                memo.clear();
            }
            memo.insert(key, time);
        }
    }

    /// The enqueued time of the event at each `(partition, sequence)` of `hub`, for those the
    /// hub still holds. A partition that cannot be read is left out (the caller shows the
    /// time behind as unknown) and the failure logged: lag stays useful without it.
    pub async fn read(
        &self,
        plane: &DataPlane,
        hub: &str,
        wanted: &[(String, i64)],
    ) -> HashMap<String, OffsetDateTime> {
        let namespace = plane.connection().namespace.clone();
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for (partition, sequence) in wanted {
            let key = (
                namespace.clone(),
                hub.to_owned(),
                partition.clone(),
                *sequence,
            );
            match self.known(&key) {
                Some(time) => {
                    found.insert(partition.clone(), time);
                }
                None => missing.push((partition.clone(), *sequence)),
            }
        }
        if missing.is_empty() {
            return found;
        }
        let client = match plane.open_consumer(hub).await {
            Ok(client) => client,
            Err(error) => {
                tracing::info!(%error, hub, "cannot read the next unprocessed events");
                return found;
            }
        };
        let reads = missing.iter().map(|(partition, sequence)| {
            let client = &client;
            async move {
                let options = OpenReceiverOptions {
                    start_position: Some(sdk_position(&StartPosition::Sequence(*sequence))),
                    prefetch: Some(1),
                    ..Default::default()
                };
                // Every SDK call is bounded: the Rust SDK has been seen to hang on a link
                // opened or closed under load, and lag must answer regardless.
                let receiver = tokio::time::timeout(
                    PEEK_TIMEOUT,
                    client.open_receiver_on_partition(partition.clone(), Some(options)),
                )
                .await
                .map_err(|_| {
                    ConnectError::new(Failure::Unreachable, "peek: receiver did not open")
                })?
                .map_err(|e| ConnectError::from_sdk("peek", &e))?;
                let first = {
                    let stream = receiver.stream_events();
                    futures_util::pin_mut!(stream);
                    tokio::time::timeout(PEEK_TIMEOUT, stream.next()).await
                };
                let _ = tokio::time::timeout(PEEK_TIMEOUT, receiver.close()).await;
                match first {
                    Ok(Some(Ok(event))) => Ok(event
                        .enqueued_time()
                        .map(|t| (partition.clone(), *sequence, OffsetDateTime::from(t)))),
                    Ok(Some(Err(e))) => Err(ConnectError::from_sdk("peek", &e)),
                    Ok(None) | Err(_) => Ok(None),
                }
            }
        });
        for result in futures_util::future::join_all(reads).await {
            match result {
                Ok(Some((partition, sequence, time))) => {
                    self.remember(
                        (
                            namespace.clone(),
                            hub.to_owned(),
                            partition.clone(),
                            sequence,
                        ),
                        time,
                    );
                    found.insert(partition, time);
                }
                Ok(None) => {}
                Err(error) => tracing::info!(%error, hub, "next unprocessed event not read"),
            }
        }
        let _ = tokio::time::timeout(PEEK_TIMEOUT, client.close()).await;
        found
    }
}
