//! The Event Hubs data plane through Microsoft's SDK: hub and partition properties from the
//! management node, and consumer clients for tails.
//!
//! Management reads reuse one client per hub (the periodic refresh would otherwise open a
//! connection every few seconds); a client that failed is dropped and reopened on next use.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use azure_messaging_eventhubs::{ConsumerClient, ProducerClient, RetryOptions};

use futures_util::future::join_all;
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::catalog::NamespaceResource;
use super::checkpoints::CheckpointScope;
use super::connection::Connection;
use super::error::{ConnectError, Failure};
use super::producer::Producer;
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

/// How long one management read or client open may take before it counts as lost. The SDK
/// (0.15) can wait forever on a link whose close raced with a new request (seen under heavy
/// load in tests); a bounded wait turns that into an error the caller reports or retries.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);
/// How long the first try of a management read may take before it is tried again on a fresh
/// client. The SDK (0.15) sometimes never hands a management call the reply its connection
/// received (seen on loopback about once in a thousand reads: the reply's frame reached the
/// client's socket and was acknowledged; docs/sdk-quirks.md "A send that never ends"); a
/// read answers in milliseconds otherwise, so a lost one costs this much instead of
/// [`ANSWER_WITHIN`]. The SDK sends a client's reads one at a time, so each read of a batch
/// adds [`PER_READ`].
const FIRST_ANSWER_WITHIN: Duration = Duration::from_secs(4);
const PER_READ: Duration = Duration::from_millis(250);

/// Runs `work`, or fails as unreachable if it has not answered within [`ANSWER_WITHIN`].
pub(super) async fn bounded<T>(
    what: &str,
    work: impl Future<Output = Result<T, ConnectError>>,
) -> Result<T, ConnectError> {
    bounded_by(ANSWER_WITHIN, what, work).await
}

/// How long the first try of `reads` management reads may take.
fn first_try_limit(reads: usize) -> Duration {
    let reads = u32::try_from(reads).unwrap_or(u32::MAX);
    FIRST_ANSWER_WITHIN.saturating_add(PER_READ.saturating_mul(reads))
}

/// Runs `work`, or fails as unreachable if it has not answered within `limit`.
async fn bounded_by<T>(
    limit: Duration,
    what: &str,
    work: impl Future<Output = Result<T, ConnectError>>,
) -> Result<T, ConnectError> {
    tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
        Err(ConnectError::new(
            Failure::Unreachable,
            format!("{what}: no answer within {} s", limit.as_secs()),
        ))
    })
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

    /// The same identity's plane for another namespace the catalog lists, reading with the
    /// same consumer group; `None` when the catalog gives no endpoint to reach it by.
    pub fn for_namespace(&self, resource: &NamespaceResource) -> Option<DataPlane> {
        let connection = self.connection.for_namespace(resource)?;
        Some(DataPlane::new(connection, &self.consumer_group))
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub fn consumer_group(&self) -> &str {
        &self.consumer_group
    }

    /// Where `consumer_group`'s checkpoints of `hub` are filed, under every spelling of this
    /// namespace its consumers may have used.
    pub fn checkpoint_scope(&self, hub: &str, consumer_group: &str) -> CheckpointScope {
        CheckpointScope {
            namespaces: self.connection.checkpoint_namespaces(),
            hub: hub.to_owned(),
            consumer_group: consumer_group.to_owned(),
        }
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
        let context = format!("cannot open hub {hub}");
        bounded(&context, async {
            builder
                .open(
                    &self.connection.fully_qualified_namespace,
                    hub.to_owned(),
                    Arc::clone(&self.connection.credential),
                )
                .await
                .map_err(|e| ConnectError::from_sdk(&context, &e))
        })
        .await
    }

    /// A producer for `hub`, for the incident actions that send (dead-letter, replay,
    /// redrive, audit). Opened per action: they are rare, and a fresh link after a failure
    /// is what a retry wants anyway.
    pub async fn open_producer(&self, hub: &str) -> Result<Producer, ConnectError> {
        let mut builder = ProducerClient::builder()
            .with_application_id("ehops".to_owned())
            .with_retry_options(retries());
        if let Some(endpoint) = &self.connection.custom_endpoint {
            builder = builder.with_custom_endpoint(endpoint.clone());
        }
        let context = format!("cannot open hub {hub} to send");
        bounded(&context, async {
            Producer::open(
                builder,
                self.connection.fully_qualified_namespace.clone(),
                hub.to_owned(),
                Arc::clone(&self.connection.credential),
            )
            .await
            .map_err(|e| ConnectError::from_sdk(&context, &e))
        })
        .await
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

    /// Runs `reads` management reads on the hub's shared client. A client that failed is
    /// dropped; when the failure was a lost answer, the reads are tried once more on a fresh
    /// client.
    async fn with_management<T, F, Fut>(
        &self,
        hub: &str,
        reads: usize,
        read: F,
    ) -> Result<T, ConnectError>
    where
        F: Fn(Arc<ConsumerClient>) -> Fut,
        Fut: Future<Output = Result<T, ConnectError>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = async {
                let client = self.management_client(hub).await?;
                let limit = if attempt == 1 {
                    first_try_limit(reads)
                } else {
                    ANSWER_WITHIN
                };
                bounded_by(limit, &format!("hub {hub}"), read(client)).await
            }
            .await;
            match result {
                Err(error) => {
                    self.evict(hub, &error).await;
                    if attempt >= 2 || error.failure != Failure::Unreachable {
                        return Err(error);
                    }
                }
                ok => return ok,
            }
        }
    }

    pub async fn hub_runtime(&self, hub: &str) -> Result<HubRuntime, ConnectError> {
        self.with_management(hub, 1, |client| async move {
            let properties = client
                .get_eventhub_properties()
                .await
                .map_err(|e| ConnectError::from_sdk(&format!("hub {hub}"), &e))?;
            Ok(HubRuntime {
                name: properties.name,
                created_on: properties.created_on.map(OffsetDateTime::from),
                partition_ids: properties.partition_ids,
            })
        })
        .await
    }

    /// Runtime information of every partition of `hub`, read concurrently.
    pub async fn partitions(&self, hub: &str) -> Result<Vec<PartitionInfo>, ConnectError> {
        let runtime = self.hub_runtime(hub).await?;
        self.partitions_by_id(hub, &runtime.partition_ids).await
    }

    /// One partition's runtime information, or not found naming it.
    pub async fn partition(&self, hub: &str, id: &str) -> Result<PartitionInfo, ConnectError> {
        self.partitions_by_id(hub, &[id.to_owned()])
            .await?
            .pop()
            .ok_or_else(|| ConnectError::not_found(format!("hub {hub} has no partition {id}")))
    }

    pub async fn partitions_by_id(
        &self,
        hub: &str,
        ids: &[String],
    ) -> Result<Vec<PartitionInfo>, ConnectError> {
        self.with_management(hub, ids.len(), |client| async move {
            let reads = ids.iter().map(|id| client.get_partition_properties(id));
            let mut partitions = Vec::with_capacity(ids.len());
            for (id, read) in ids.iter().zip(join_all(reads).await) {
                let properties = read.map_err(|e| {
                    ConnectError::from_sdk(&format!("hub {hub} partition {id}"), &e)
                })?;
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
        })
        .await
    }
}
