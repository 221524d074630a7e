//! The Event Hubs data plane through Microsoft's SDK: hub and partition properties from the
//! management node, and consumer clients for tails.
//!
//! Management reads reuse one client per hub (the periodic refresh would otherwise open a
//! connection every few seconds); a client that failed is dropped and reopened on next use.

use std::collections::HashMap;
use std::sync::Arc;

use azure_messaging_eventhubs::{ConsumerClient, RetryOptions};
use futures_util::future::join_all;
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::connection::Connection;
use super::error::{ConnectError, Failure};
use crate::model::PartitionInfo;

/// What the management node says about a hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubRuntime {
    pub name: String,
    pub created_on: Option<OffsetDateTime>,
    pub partition_ids: Vec<String>,
}

pub struct DataPlane {
    connection: Connection,
    /// The console's own consumer group, used for every receiver it opens.
    consumer_group: String,
    clients: Mutex<HashMap<String, Arc<ConsumerClient>>>,
}

impl std::fmt::Debug for DataPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataPlane")
            .field("connection", &self.connection)
            .field("consumer_group", &self.consumer_group)
            .finish_non_exhaustive()
    }
}

/// Retries short enough that a wrong key or a stopped emulator is reported in seconds, not
/// after the SDK's default minute of backoff.
fn retries() -> RetryOptions {
    RetryOptions {
        max_retries: 2,
        initial_delay: time::Duration::milliseconds(200),
        max_delay: time::Duration::seconds(2),
        max_total_elapsed: time::Duration::seconds(10),
    }
}

impl DataPlane {
    pub fn new(connection: Connection, consumer_group: &str) -> Self {
        Self {
            connection,
            consumer_group: consumer_group.to_owned(),
            clients: Mutex::new(HashMap::new()),
        }
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub fn consumer_group(&self) -> &str {
        &self.consumer_group
    }

    /// A new consumer client of its own (the SDK keeps one link per partition per client, so
    /// tails do not share the management client).
    pub async fn open_consumer(&self, hub: &str) -> Result<ConsumerClient, ConnectError> {
        let mut builder = ConsumerClient::builder()
            .with_consumer_group(self.consumer_group.clone())
            .with_application_id("ehops".to_owned())
            .with_retry_options(retries());
        if let Some(endpoint) = &self.connection.custom_endpoint {
            builder = builder.with_custom_endpoint(endpoint.clone());
        }
        builder
            .open(
                &self.connection.fully_qualified_namespace,
                hub.to_owned(),
                Arc::clone(&self.connection.credential),
            )
            .await
            .map_err(|e| ConnectError::from_sdk(&format!("cannot open hub {hub}"), &e))
    }

    async fn management_client(&self, hub: &str) -> Result<Arc<ConsumerClient>, ConnectError> {
        let key = hub.to_ascii_lowercase();
        let mut clients = self.clients.lock().await;
        if let Some(client) = clients.get(&key) {
            return Ok(Arc::clone(client));
        }
        let client = Arc::new(self.open_consumer(hub).await?);
        clients.insert(key, Arc::clone(&client));
        Ok(client)
    }

    /// Forgets a client after a failure that may have broken its connection.
    async fn evict(&self, hub: &str, error: &ConnectError) {
        if matches!(
            error.failure,
            Failure::Unreachable | Failure::Service | Failure::Auth
        ) {
            self.clients.lock().await.remove(&hub.to_ascii_lowercase());
        }
    }

    pub async fn hub_runtime(&self, hub: &str) -> Result<HubRuntime, ConnectError> {
        let result = async {
            let client = self.management_client(hub).await?;
            let properties = client
                .get_eventhub_properties()
                .await
                .map_err(|e| ConnectError::from_sdk(&format!("hub {hub}"), &e))?;
            Ok(HubRuntime {
                name: properties.name,
                created_on: properties.created_on.map(OffsetDateTime::from),
                partition_ids: properties.partition_ids,
            })
        }
        .await;
        if let Err(error) = &result {
            self.evict(hub, error).await;
        }
        result
    }

    /// Runtime information of every partition of `hub`, read concurrently.
    pub async fn partitions(&self, hub: &str) -> Result<Vec<PartitionInfo>, ConnectError> {
        let runtime = self.hub_runtime(hub).await?;
        self.partitions_by_id(hub, &runtime.partition_ids).await
    }

    pub async fn partitions_by_id(
        &self,
        hub: &str,
        ids: &[String],
    ) -> Result<Vec<PartitionInfo>, ConnectError> {
        let client = self.management_client(hub).await?;
        let reads = ids.iter().map(|id| client.get_partition_properties(id));
        let mut partitions = Vec::with_capacity(ids.len());
        for (id, read) in ids.iter().zip(join_all(reads).await) {
            let properties = match read {
                Ok(properties) => properties,
                Err(e) => {
                    let error = ConnectError::from_sdk(&format!("hub {hub} partition {id}"), &e);
                    self.evict(hub, &error).await;
                    return Err(error);
                }
            };
            partitions.push(PartitionInfo {
                id: properties.id,
                begin_sequence: properties.beginning_sequence_number,
                last_sequence: properties.last_enqueued_sequence_number,
                last_offset: properties.last_enqueued_offset,
                // An empty partition reports the epoch; there is no newest event to date.
                last_enqueued: properties
                    .last_enqueued_time_utc
                    .filter(|_| !properties.is_empty)
                    .map(OffsetDateTime::from),
                is_empty: properties.is_empty,
            });
        }
        Ok(partitions)
    }
}
