//! One pass over a stretch of one partition, each event handed to a visitor as it arrives and
//! then dropped: a search holds no more of a partition than the receiver's prefetch, however
//! much the hub retains. The pass ends at the sequence number it was bounded to (the newest
//! when the search started), when the visitor says stop, on cancellation, or when the
//! partition stays quiet short of that bound (its events were removed under the reader).

use std::ops::ControlFlow;
use std::time::Duration;

use azure_messaging_eventhubs::{ConsumerClient, OpenReceiverOptions};
use futures_util::StreamExt;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::error::{ConnectError, Failure};
use super::read::receive_error;
use super::received::to_tail_event;
use super::tail::sdk_position;
use crate::model::{StartPosition, TailEvent};

/// Events a scanning receiver asks for ahead: enough that a loopback service never waits for
/// credit, few enough that a partition's buffer stays a few megabytes.
const PREFETCH: u32 = 2000;

/// What a pass reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRange {
    pub hub: String,
    pub partition: String,
    pub consumer_group: String,
    pub from: StartPosition,
    /// The last sequence number to read (inclusive).
    pub to_sequence: i64,
    /// How long the partition may stay quiet, short of `to_sequence`, before the pass fails.
    pub quiet: Duration,
}

/// How a pass ended (failures are errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanEnd {
    /// Every event up to `to_sequence` was visited.
    Reached,
    /// The visitor asked to stop.
    Stopped,
    Cancelled,
}

/// Reads `range` on `client`, calling `visit` with each event in sequence order.
pub async fn scan(
    client: &ConsumerClient,
    range: &ScanRange,
    cancel: &CancellationToken,
    mut visit: impl AsyncVisit,
) -> Result<ScanEnd, ConnectError> {
    let where_ = format!("hub {} partition {}", range.hub, range.partition);
    let options = OpenReceiverOptions {
        start_position: Some(sdk_position(&range.from)),
        prefetch: Some(PREFETCH),
        ..Default::default()
    };
    let receiver = client
        .open_receiver_on_partition(range.partition.clone(), Some(options))
        .await
        .map_err(|e| receive_error(&range.consumer_group, &where_, &e))?;
    let outcome = {
        let stream = receiver.stream_events();
        futures_util::pin_mut!(stream);
        // One timer for the whole pass, moved on only when it fires: arming a timer per event
        // costs more than reading the clock.
        let mut last_event = Instant::now();
        let quiet_timer = tokio::time::sleep(range.quiet);
        tokio::pin!(quiet_timer);
        loop {
            let next = tokio::select! {
                biased;
                () = cancel.cancelled() => break Ok(ScanEnd::Cancelled),
                next = stream.next() => next,
                () = &mut quiet_timer => {
                    let until = last_event + range.quiet;
                    if until <= Instant::now() {
                        break Err(quiet(&where_, range));
                    }
                    quiet_timer.as_mut().reset(until);
                    continue;
                }
            };
            let received = match next {
                Some(Ok(received)) => received,
                Some(Err(e)) => break Err(receive_error(&range.consumer_group, &where_, &e)),
                None => break Err(quiet(&where_, range)),
            };
            last_event = Instant::now();
            let event = to_tail_event(&range.partition, &received);
            if event.sequence > range.to_sequence {
                break Ok(ScanEnd::Reached);
            }
            let last = event.sequence == range.to_sequence;
            if visit.visit(event).await.is_break() {
                break Ok(ScanEnd::Stopped);
            }
            if last {
                break Ok(ScanEnd::Reached);
            }
        }
    };
    let _ = receiver.close().await;
    outcome
}

fn quiet(where_: &str, range: &ScanRange) -> ConnectError {
    ConnectError::new(
        Failure::Service,
        format!(
            "{where_}: no event for {} s short of sequence {}; the partition holds less than it \
             reported",
            range.quiet.as_secs(),
            range.to_sequence
        ),
    )
}

/// A visitor that may wait (to fetch a schema, or for room in a bounded channel).
pub trait AsyncVisit {
    fn visit(&mut self, event: TailEvent) -> impl Future<Output = ControlFlow<()>> + Send;
}

/// A closure as a visitor.
pub struct FnVisit<F>(pub F);

impl<F, Fut> AsyncVisit for FnVisit<F>
where
    F: FnMut(TailEvent) -> Fut + Send,
    Fut: Future<Output = ControlFlow<()>> + Send,
{
    fn visit(&mut self, event: TailEvent) -> impl Future<Output = ControlFlow<()>> + Send {
        (self.0)(event)
    }
}
