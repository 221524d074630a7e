//! One pass over a stretch of one partition, each event handed to a visitor as it arrives and
//! then dropped: a search holds no more of a partition than the receiver's prefetch, however
//! much the hub retains. The pass ends at the sequence number it was bounded to (the newest
//! when the search started), when the visitor says stop, on cancellation, or when the
//! partition stays quiet short of that bound (its events were removed under the reader).
//!
//! A pass survives the service's faults as a tail does: a link lost to a cause a retry can
//! fix is reopened after a jittered backoff, on a fresh connection, right after the last
//! sequence number visited, so every event is visited once. A receiver that hears nothing
//! checks its link. The pass gives up after [`GIVE_UP_AFTER`] attempts without an event.

use std::ops::ControlFlow;
use std::time::Duration;

use azure_messaging_eventhubs::{ConsumerClient, OpenReceiverOptions};
use futures_util::StreamExt;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::backoff::{Backoff, retryable};
use super::error::{ConnectError, Failure};
use super::read::receive_error;
use super::received::to_tail_event;
use super::sdk_error::{self, Cause};
use super::shared_client::{
    CHECK_WITHIN, LinkCheck, SharedClient, check_quiet_link, open_receiver,
};
use super::tail::sdk_position;
use crate::model::{StartPosition, TailEvent};

/// Events a scanning receiver asks for ahead: enough that a loopback service never waits for
/// credit, few enough that a partition's buffer stays a few megabytes.
const PREFETCH: u32 = 2000;
/// How long a receiver may hear nothing before it checks its link.
const IDLE_CHECK: Duration = Duration::from_secs(10);
/// Reconnects in a row, with no event between, before the pass fails: with the default
/// backoff about a minute and a half of outage.
pub const GIVE_UP_AFTER: u32 = 8;

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

/// A link lost to the service, about to be reopened.
#[derive(Debug, Clone)]
pub struct Reconnect {
    pub attempt: u32,
    pub next_in: Duration,
    pub error: ConnectError,
}

/// How one receiver's run ended.
enum Run {
    Ended(Result<ScanEnd, ConnectError>),
    Lost { cause: Cause, error: ConnectError },
}

/// Reads `range` on `shared`'s connection, calling `visit` with each event in sequence
/// order, once each, across reconnects.
pub async fn scan(
    shared: &SharedClient,
    range: &ScanRange,
    cancel: &CancellationToken,
    mut visit: impl AsyncVisit,
) -> Result<ScanEnd, ConnectError> {
    let mut last = None;
    let mut backoff = Backoff::default();
    loop {
        let (generation, client) = shared.get().await;
        let run = receive(&client, range, cancel, &mut last, &mut backoff, &mut visit).await;
        drop(client);
        let (cause, error) = match run {
            Run::Ended(outcome) => return outcome,
            Run::Lost { cause, error } => (cause, error),
        };
        if !retryable(cause) || backoff.attempt() >= GIVE_UP_AFTER {
            return Err(error);
        }
        let next_in = backoff.next_delay();
        visit.reconnecting(Reconnect {
            attempt: backoff.attempt(),
            next_in,
            error,
        });
        tokio::select! {
            () = cancel.cancelled() => return Ok(ScanEnd::Cancelled),
            () = tokio::time::sleep(next_in) => {}
        }
        if let Err(error) = shared.replace(generation).await {
            tracing::debug!(partition = %range.partition, %error, "reconnect failed");
        }
    }
}

/// Reads from one receiver, opened right after `last`, until the pass ends or the link is
/// lost.
async fn receive(
    client: &ConsumerClient,
    range: &ScanRange,
    cancel: &CancellationToken,
    last: &mut Option<i64>,
    backoff: &mut Backoff,
    visit: &mut impl AsyncVisit,
) -> Run {
    let where_ = format!("hub {} partition {}", range.hub, range.partition);
    let resume_at = |last: &Option<i64>| match last {
        Some(last) => StartPosition::Sequence(last + 1),
        None => range.from.clone(),
    };
    let options = OpenReceiverOptions {
        start_position: Some(sdk_position(&resume_at(last))),
        prefetch: Some(PREFETCH),
        ..Default::default()
    };
    let receiver = match open_receiver(
        client,
        &range.partition,
        options,
        &range.consumer_group,
        &where_,
    )
    .await
    {
        Ok(receiver) => receiver,
        Err((cause, error)) => return Run::Lost { cause, error },
    };
    let run = {
        let stream = receiver.stream_events();
        futures_util::pin_mut!(stream);
        let mut last_event = Instant::now();
        loop {
            let next = tokio::select! {
                biased;
                () = cancel.cancelled() => break Run::Ended(Ok(ScanEnd::Cancelled)),
                next = tokio::time::timeout(IDLE_CHECK.min(range.quiet), stream.next()) => next,
            };
            let received = match next {
                Ok(Some(Ok(received))) => received,
                Ok(Some(Err(e))) => break lost(&range.consumer_group, &where_, &e),
                Ok(None) => {
                    break Run::Lost {
                        cause: Cause::ConnectionLost,
                        error: ConnectError::new(
                            Failure::Unreachable,
                            format!("{where_}: the receiver was closed"),
                        ),
                    };
                }
                Err(_idle) => {
                    let next = resume_at(last);
                    match check_quiet_link(client, &range.partition, &range.consumer_group, &next)
                        .await
                    {
                        LinkCheck::Lost { cause, error } => break Run::Lost { cause, error },
                        LinkCheck::Alive if last_event.elapsed() >= range.quiet => {
                            break Run::Ended(Err(quiet(&where_, range)));
                        }
                        LinkCheck::Alive => continue,
                    }
                }
            };
            let event = to_tail_event(&range.partition, &received);
            // Never twice, whatever the service sends again after a reconnect.
            if last.is_some_and(|last| event.sequence <= last) {
                continue;
            }
            last_event = Instant::now();
            backoff.reset();
            if event.sequence > range.to_sequence {
                break Run::Ended(Ok(ScanEnd::Reached));
            }
            let sequence = event.sequence;
            if visit.visit(event).await.is_break() {
                break Run::Ended(Ok(ScanEnd::Stopped));
            }
            *last = Some(sequence);
            if sequence >= range.to_sequence {
                break Run::Ended(Ok(ScanEnd::Reached));
            }
        }
    };
    // A lost link is dropped, not closed: closing waits on a dead link.
    if matches!(run, Run::Ended(_)) {
        let _ = tokio::time::timeout(CHECK_WITHIN, receiver.close()).await;
    }
    run
}

fn lost(consumer_group: &str, where_: &str, error: &(dyn std::error::Error + 'static)) -> Run {
    Run::Lost {
        cause: sdk_error::read(error).cause,
        error: receive_error(consumer_group, where_, error),
    }
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

    /// The link was lost and is reopened after `notice.next_in`; news, not a record.
    fn reconnecting(&mut self, notice: Reconnect) {
        tracing::debug!(error = %notice.error, attempt = notice.attempt, "scan reconnecting");
    }
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
