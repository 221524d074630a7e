//! A live tail of one hub: a receiver per partition on the console's own consumer group,
//! events converted to [`TailEvent`] and handed over through a bounded channel. When the
//! reader falls behind, events are counted as dropped instead of piling up in memory or
//! slowing the receivers, unless the request asks to wait for the reader. A receiver whose
//! link is lost reconnects and resumes where it was. Dropping the subscription stops every
//! receiver.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use azure_messaging_eventhubs::{StartLocation, StartPosition as SdkStartPosition};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::backoff::retry_transient;
use super::data_plane::{DataPlane, bounded};
use super::error::ConnectError;
use super::shared_client::SharedClient;
use super::tail_partition::{Outlet, read_partition};
use crate::model::{StartPosition, TailEvent};

/// Tries to open the hub, the first included: with [`retry_transient`]'s backoff the four
/// retries span 3.75 to 7.5 s, longer than a gateway takes to come back.
const START_TRIES: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailRequest {
    pub hub: String,
    /// One partition, or every partition of the hub.
    pub partition: Option<String>,
    pub from: StartPosition,
    /// How many events may wait for the reader before new ones are dropped (or waited on).
    pub buffer: usize,
    /// When the buffer is full, wait for the reader instead of dropping: for output where
    /// every event must arrive (`ehops tail --json`), not for a live view.
    pub wait_for_reader: bool,
}

// Events are nearly every item; boxing them to shrink the rare failure would cost an
// allocation per event.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum TailItem {
    Event(TailEvent),
    /// A partition's receiver stopped for good (a retry cannot help); the others go on.
    Failed {
        partition: String,
        error: ConnectError,
    },
    /// A partition's link was lost; its receiver tries again in `next_in`, resuming after
    /// the last event it handed over.
    Reconnecting {
        partition: String,
        attempt: u32,
        next_in: Duration,
        error: ConnectError,
    },
    /// A partition that was reconnecting receives again.
    Resumed {
        partition: String,
    },
}

/// A running tail. Events arrive on `events`; the channel closes when every partition's
/// receiver has stopped.
pub struct TailSubscription {
    pub events: mpsc::Receiver<TailItem>,
    pub partitions: Vec<String>,
    dropped: Arc<AtomicU64>,
    cancel: CancellationToken,
}

impl TailSubscription {
    /// Events dropped because the reader was behind, since the last call.
    pub fn take_dropped(&self) -> u64 {
        self.dropped.swap(0, Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}

impl Drop for TailSubscription {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Opens the tail: a hub that cannot be opened is tried again while the failure may pass
/// (a connection dropped as it opened), and fails when it cannot; a partition that cannot
/// be read reports [`TailItem::Failed`] on the channel, one whose link is lost reconnects
/// (see [`super::tail_partition`]).
pub async fn start(
    plane: &DataPlane,
    request: TailRequest,
) -> Result<TailSubscription, ConnectError> {
    let (hub, only) = (&request.hub, &request.partition);
    // Bounded: the SDK can wait forever for an outcome it dropped (docs/sdk-quirks.md).
    let opening = || async move {
        let client = plane.open_consumer(hub).await?;
        let partitions = match only {
            Some(partition) => vec![partition.clone()],
            None => {
                client
                    .get_eventhub_properties()
                    .await
                    .map_err(|e| ConnectError::from_sdk(&format!("hub {hub}"), &e))?
                    .partition_ids
            }
        };
        Ok((client, partitions))
    };
    let what = format!("hub {hub}");
    let (client, partitions) = retry_transient(START_TRIES, || bounded(&what, opening())).await?;
    let (sender, events) = mpsc::channel(request.buffer.max(1));
    let dropped = Arc::new(AtomicU64::new(0));
    let cancel = CancellationToken::new();
    // A data plane of its own, so the receivers can reconnect after the caller's is gone.
    let own_plane = DataPlane::new(plane.connection().clone(), plane.consumer_group());
    let shared = Arc::new(SharedClient::new(own_plane, request.hub.clone(), client));
    let mut readers = JoinSet::new();
    for partition in &partitions {
        let outlet = Outlet {
            wait_for_reader: request.wait_for_reader,
            sender: sender.clone(),
            dropped: Arc::clone(&dropped),
            cancel: cancel.clone(),
        };
        readers.spawn(read_partition(
            Arc::clone(&shared),
            partition.clone(),
            plane.consumer_group().to_owned(),
            request.from.clone(),
            outlet,
        ));
    }
    drop(sender);
    tokio::spawn(async move {
        while readers.join_next().await.is_some() {}
        // Every receiver is gone: the client's connection can go too.
        if let Ok(shared) = Arc::try_unwrap(shared) {
            shared.close().await;
        }
    });
    Ok(TailSubscription {
        events,
        partitions,
        dropped,
        cancel,
    })
}

/// The SDK's start position for `from`. An instant before 1970 is the start of the partition:
/// no event is enqueued before the Unix epoch, and the SDK panics on such a time ("Time went
/// backwards") instead of returning an error.
pub(super) fn sdk_position(from: &StartPosition) -> SdkStartPosition {
    let (location, inclusive) = match from {
        StartPosition::Time(t) if *t < time::OffsetDateTime::UNIX_EPOCH => {
            (StartLocation::Earliest, false)
        }
        StartPosition::Earliest => (StartLocation::Earliest, false),
        StartPosition::Latest => (StartLocation::Latest, false),
        StartPosition::Sequence(n) => (StartLocation::SequenceNumber(*n), true),
        StartPosition::Offset(o) => (StartLocation::Offset(o.clone()), true),
        StartPosition::Time(t) => (StartLocation::EnqueuedTime(SystemTime::from(*t)), true),
    };
    SdkStartPosition {
        location,
        inclusive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_before_1970_starts_at_the_beginning_instead_of_panicking() {
        for text in ["time:1969-12-31T23:59:59Z", "time:0001-01-01T00:00:00Z"] {
            let from: StartPosition = text.parse().expect("an RFC 3339 time");
            let position = sdk_position(&from);
            assert!(
                matches!(position.location, StartLocation::Earliest),
                "{text}"
            );
        }
        let epoch: StartPosition = "time:1970-01-01T00:00:00Z".parse().expect("parses");
        assert!(matches!(
            sdk_position(&epoch).location,
            StartLocation::EnqueuedTime(_)
        ));
    }
}
