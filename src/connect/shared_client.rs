//! The connection that the readers of one tail or one search share, replaced once when it is
//! lost: the first reader to notice opens a fresh one, the others then use it. A reader
//! resumes on the replacement right after the last sequence number it handed over.

use std::sync::Arc;
use std::time::Duration;

use azure_messaging_eventhubs::{ConsumerClient, EventReceiver, OpenReceiverOptions};
use tokio::sync::Mutex;

use super::data_plane::DataPlane;
use super::error::{ConnectError, Failure};
use super::read::receive_error;
use super::sdk_error::{self, Cause};
use crate::model::StartPosition;

/// How long a check of a quiet link, or a close, may take before the link counts as lost.
pub const CHECK_WITHIN: Duration = Duration::from_secs(5);
/// How long opening a receiver (its token put on `$cbs`) may take before the connection
/// counts as lost: the SDK can wait forever for an outcome it dropped (docs/sdk-quirks.md
/// "A send that never ends").
const OPEN_WITHIN: Duration = Duration::from_secs(15);

/// The connection the receivers of one tail share, replaced once when it is lost (by the
/// first receiver to notice; the others then use the replacement).
pub struct SharedClient {
    plane: DataPlane,
    hub: String,
    current: Mutex<(u64, Arc<ConsumerClient>)>,
}

impl SharedClient {
    pub fn new(plane: DataPlane, hub: String, client: ConsumerClient) -> Self {
        Self {
            plane,
            hub,
            current: Mutex::new((0, Arc::new(client))),
        }
    }

    pub async fn get(&self) -> (u64, Arc<ConsumerClient>) {
        let current = self.current.lock().await;
        (current.0, Arc::clone(&current.1))
    }

    /// A fresh connection in place of generation `lost`, unless another receiver already
    /// replaced it. The lost client is dropped, not closed: closing waits on a dead link.
    pub async fn replace(&self, lost: u64) -> Result<(), ConnectError> {
        let mut current = self.current.lock().await;
        if current.0 == lost {
            let client = self.plane.open_consumer(&self.hub).await?;
            *current = (lost + 1, Arc::new(client));
        }
        Ok(())
    }

    /// Closes the connection once no receiver uses it.
    pub async fn close(self) {
        let (_, client) = self.current.into_inner();
        if let Ok(client) = Arc::try_unwrap(client) {
            let _ = tokio::time::timeout(CHECK_WITHIN, client.close()).await;
        }
    }
}

/// Opens a receiver on `partition` (`where_` names it in errors), or says why the link
/// counts as lost: the SDK's error, or no answer within [`OPEN_WITHIN`].
pub async fn open_receiver(
    client: &ConsumerClient,
    partition: &str,
    options: OpenReceiverOptions,
    consumer_group: &str,
    where_: &str,
) -> Result<EventReceiver, (Cause, ConnectError)> {
    let opening = client.open_receiver_on_partition(partition.to_owned(), Some(options));
    match tokio::time::timeout(OPEN_WITHIN, opening).await {
        Ok(Ok(receiver)) => Ok(receiver),
        Ok(Err(e)) => Err((
            sdk_error::read(&e).cause,
            receive_error(consumer_group, where_, &e),
        )),
        Err(_) => {
            let message = format!("{where_}: the receiver did not open within {OPEN_WITHIN:?}");
            Err((
                Cause::ConnectionLost,
                ConnectError::new(Failure::Unreachable, message),
            ))
        }
    }
}

/// A link that has been quiet for a while, as the management node sees its partition.
pub enum LinkCheck {
    /// The partition holds nothing the receiver should have had by now.
    Alive,
    /// The link is dead although the SDK has not said so (seen after the service was killed
    /// and came back: the SDK's receiver waited forever on a connection that no longer
    /// existed), or the question found the connection gone.
    Lost { cause: Cause, error: ConnectError },
}

/// Asks the management node about a quiet receiver's partition. `next` is where the
/// receiver stands: the position it would resume at.
pub async fn check_quiet_link(
    client: &ConsumerClient,
    partition: &str,
    consumer_group: &str,
    next: &StartPosition,
) -> LinkCheck {
    let where_ = format!("partition {partition}");
    let asked = tokio::time::timeout(CHECK_WITHIN, client.get_partition_properties(partition));
    let properties = match asked.await {
        Ok(Ok(properties)) => properties,
        Ok(Err(e)) => {
            return LinkCheck::Lost {
                cause: sdk_error::read(&e).cause,
                error: receive_error(consumer_group, &where_, &e),
            };
        }
        Err(_) => {
            return LinkCheck::Lost {
                cause: Cause::ConnectionLost,
                error: ConnectError::new(
                    Failure::Unreachable,
                    format!("{where_}: the link check had no answer"),
                ),
            };
        }
    };
    let expected = match next {
        StartPosition::Sequence(n) => Some(*n),
        StartPosition::Earliest => Some(properties.beginning_sequence_number),
        // From the newest, a time or an offset: only an error says the link is down.
        _ => None,
    };
    let missed = expected
        .is_some_and(|n| !properties.is_empty && properties.last_enqueued_sequence_number >= n);
    if missed {
        return LinkCheck::Lost {
            cause: Cause::ConnectionLost,
            error: ConnectError::new(
                Failure::Unreachable,
                format!(
                    "{where_}: the receiver stalled (the partition holds events up to {} it did not deliver)",
                    properties.last_enqueued_sequence_number
                ),
            ),
        };
    }
    LinkCheck::Alive
}
