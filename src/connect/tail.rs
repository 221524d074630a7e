//! A live tail of one hub: a receiver per partition on the console's own consumer group,
//! events converted to [`TailEvent`] and handed over through a bounded channel. When the
//! reader falls behind, events are counted as dropped instead of piling up in memory or
//! slowing the receivers, unless the request asks to wait for the reader. Dropping the
//! subscription stops every receiver.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use azure_messaging_eventhubs::{
    ConsumerClient, OpenReceiverOptions, StartLocation, StartPosition as SdkStartPosition,
};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::data_plane::DataPlane;
use super::error::ConnectError;
use super::read::receive_error;
use super::received::to_tail_event;
use crate::model::{StartPosition, TailEvent};

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
    /// A partition's receiver stopped; the others go on.
    Failed {
        partition: String,
        error: ConnectError,
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

/// Events each receiver asks the service for ahead of use; the SDK's default (300) leaves a
/// loopback emulator idle between credit grants.
const PREFETCH: u32 = 1000;

/// Opens the tail: fails fast when the hub cannot be opened; a partition that cannot be
/// read reports [`TailItem::Failed`] on the channel.
pub async fn start(
    plane: &DataPlane,
    request: TailRequest,
) -> Result<TailSubscription, ConnectError> {
    let client = plane.open_consumer(&request.hub).await?;
    let partitions = match &request.partition {
        Some(partition) => vec![partition.clone()],
        None => {
            client
                .get_eventhub_properties()
                .await
                .map_err(|e| ConnectError::from_sdk(&format!("hub {}", request.hub), &e))?
                .partition_ids
        }
    };
    let (sender, events) = mpsc::channel(request.buffer.max(1));
    let dropped = Arc::new(AtomicU64::new(0));
    let cancel = CancellationToken::new();
    let client = Arc::new(client);
    let mut readers = JoinSet::new();
    for partition in &partitions {
        let reading = Reading {
            partition: partition.clone(),
            consumer_group: plane.consumer_group().to_owned(),
        };
        readers.spawn(read_partition(
            Arc::clone(&client),
            reading,
            request.from.clone(),
            request.wait_for_reader,
            sender.clone(),
            Arc::clone(&dropped),
            cancel.clone(),
        ));
    }
    drop(sender);
    tokio::spawn(async move {
        while readers.join_next().await.is_some() {}
        // Every receiver is gone: the client's connection can go too.
        if let Ok(client) = Arc::try_unwrap(client) {
            let _ = client.close().await;
        }
    });
    Ok(TailSubscription {
        events,
        partitions,
        dropped,
        cancel,
    })
}

/// Which partition a receiver reads, and with which consumer group.
struct Reading {
    partition: String,
    consumer_group: String,
}

async fn read_partition(
    client: Arc<ConsumerClient>,
    reading: Reading,
    from: StartPosition,
    wait_for_reader: bool,
    sender: mpsc::Sender<TailItem>,
    dropped: Arc<AtomicU64>,
    cancel: CancellationToken,
) {
    let Reading {
        partition,
        consumer_group,
    } = reading;
    let where_ = format!("partition {partition}");
    let options = OpenReceiverOptions {
        start_position: Some(sdk_position(&from)),
        prefetch: Some(PREFETCH),
        ..Default::default()
    };
    let receiver = match client
        .open_receiver_on_partition(partition.clone(), Some(options))
        .await
    {
        Ok(receiver) => receiver,
        Err(e) => {
            let error = receive_error(&consumer_group, &where_, &e);
            let _ = sender.send(TailItem::Failed { partition, error }).await;
            return;
        }
    };
    {
        // The SDK attaches the link when the stream is first polled.
        let stream = receiver.stream_events();
        futures_util::pin_mut!(stream);
        loop {
            let next = tokio::select! {
                () = cancel.cancelled() => break,
                next = stream.next() => next,
            };
            match next {
                Some(Ok(received)) => {
                    let item = TailItem::Event(to_tail_event(&partition, &received));
                    if wait_for_reader {
                        tokio::select! {
                            () = cancel.cancelled() => break,
                            sent = sender.send(item) => if sent.is_err() { break },
                        }
                        continue;
                    }
                    match sender.try_send(item) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => {
                            dropped.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => break,
                    }
                }
                Some(Err(e)) => {
                    let error = receive_error(&consumer_group, &where_, &e);
                    tokio::select! {
                        () = cancel.cancelled() => {}
                        _ = sender.send(TailItem::Failed { partition: partition.clone(), error }) => {}
                    }
                    break;
                }
                None => break,
            }
        }
    }
    let _ = receiver.close().await;
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
