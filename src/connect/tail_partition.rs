//! One partition's receiver in a live tail, kept alive across the service's faults.
//!
//! A receiver that fails with a cause a retry can fix (a dropped connection, a forced
//! detach, a busy namespace) waits a jittered backoff, opens a fresh connection if nobody
//! has yet, and resumes right after the last sequence number it handed over: no event is
//! skipped and none handed over twice. A receiver that has heard nothing for a while asks
//! the management node about its partition: an error, or events it should have had, means
//! the link is dead although the SDK has not said so (seen after the service was killed and
//! came back: the SDK's receiver waited forever on a connection that no longer existed).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use azure_messaging_eventhubs::{ConsumerClient, OpenReceiverOptions};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::backoff::{Backoff, retryable};
use super::error::ConnectError;
use super::read::receive_error;
use super::received::to_tail_event;
use super::sdk_error::{self, Cause};
use super::shared_client::{
    CHECK_WITHIN, LinkCheck, SharedClient, check_quiet_link, open_receiver,
};
use super::tail::{TailItem, sdk_position};
use crate::model::StartPosition;

/// Events each receiver asks the service for ahead of use; the SDK's default (300) leaves a
/// loopback emulator idle between credit grants.
const PREFETCH: u32 = 1000;
/// How long a receiver may hear nothing before it checks its link.
const IDLE_CHECK: Duration = Duration::from_secs(10);

/// Where the events a receiver reads go.
pub(super) struct Outlet {
    pub wait_for_reader: bool,
    pub sender: mpsc::Sender<TailItem>,
    pub dropped: Arc<AtomicU64>,
    pub cancel: CancellationToken,
}

/// How one receiver's run ended.
enum Ended {
    /// Cancelled, the reader gone, or the partition closed by the service.
    Stopped,
    Lost {
        cause: Cause,
        error: ConnectError,
    },
}

/// What a receiver knows of its partition across reconnects.
struct Progress {
    partition: String,
    consumer_group: String,
    from: StartPosition,
    /// The last sequence number handed over.
    last: Option<i64>,
    /// A link is known to work since the last failure (an event came, or a check passed).
    healthy: bool,
    /// The connection generation that last refused the link as not permitted, since the
    /// link last worked.
    refused_on: Option<u64>,
}

impl Progress {
    /// The original position until an event was seen, then right after the last one.
    fn resume_at(&self) -> StartPosition {
        match self.last {
            Some(last) => StartPosition::Sequence(last + 1),
            None => self.from.clone(),
        }
    }
}

pub(super) async fn read_partition(
    shared: Arc<SharedClient>,
    partition: String,
    consumer_group: String,
    from: StartPosition,
    outlet: Outlet,
) {
    let mut progress = Progress {
        partition,
        consumer_group,
        from,
        last: None,
        healthy: true,
        refused_on: None,
    };
    if progress.from == StartPosition::Latest {
        progress.from = newest_as_position(&shared, &progress.partition).await;
    }
    let mut backoff = Backoff::default();
    loop {
        let (generation, client) = shared.get().await;
        let ended = receive(&client, &mut progress, &mut backoff, &outlet).await;
        drop(client);
        let Ended::Lost { cause, error } = ended else {
            return;
        };
        if !retryable(cause) && !worth_a_fresh_connection(&mut progress, cause, generation) {
            let partition = progress.partition.clone();
            let _ = outlet
                .sender
                .send(TailItem::Failed { partition, error })
                .await;
            return;
        }
        progress.healthy = false;
        let delay = backoff.next_delay();
        let notice = TailItem::Reconnecting {
            partition: progress.partition.clone(),
            attempt: backoff.attempt(),
            next_in: delay,
            error,
        };
        // A notice is news, not a record: it never waits for a slow reader.
        let _ = outlet.sender.try_send(notice);
        tokio::select! {
            () = outlet.cancel.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
        if let Err(error) = shared.replace(generation).await {
            tracing::debug!(partition = %progress.partition, %error, "reconnect failed");
        }
    }
}

/// Whether a refusal may be a token that ran out rather than a missing right: the SDK puts
/// a token once per connection and path, so a connection opened before a token expired
/// (or was revoked and granted again) goes on failing where a fresh one works. Azure
/// detaches a link whose token expired with `detach-forced`; a link attached again on the
/// same connection is refused as not permitted. One fresh connection settles it: a refusal
/// there is final.
fn worth_a_fresh_connection(progress: &mut Progress, cause: Cause, generation: u64) -> bool {
    if cause != Cause::NotPermitted || progress.refused_on.is_some_and(|g| g < generation) {
        return false;
    }
    progress.refused_on = Some(generation);
    true
}

/// `latest` as a position that survives a reconnect: right after the newest event now (or
/// the start of an empty partition). Reopened at `latest` after an outage, a receiver would
/// skip what was sent meanwhile. Without an answer, `latest` it stays.
async fn newest_as_position(shared: &SharedClient, partition: &str) -> StartPosition {
    let (_, client) = shared.get().await;
    let asked = tokio::time::timeout(CHECK_WITHIN, client.get_partition_properties(partition));
    match asked.await {
        Ok(Ok(properties)) if properties.is_empty => StartPosition::Earliest,
        Ok(Ok(properties)) => StartPosition::Sequence(properties.last_enqueued_sequence_number + 1),
        _ => StartPosition::Latest,
    }
}

/// Reads from one receiver until it stops or fails.
async fn receive(
    client: &ConsumerClient,
    progress: &mut Progress,
    backoff: &mut Backoff,
    outlet: &Outlet,
) -> Ended {
    let where_ = format!("partition {}", progress.partition);
    let options = OpenReceiverOptions {
        start_position: Some(sdk_position(&progress.resume_at())),
        prefetch: Some(PREFETCH),
        ..Default::default()
    };
    let receiver = match open_receiver(
        client,
        &progress.partition,
        options,
        &progress.consumer_group,
        &where_,
    )
    .await
    {
        Ok(receiver) => receiver,
        Err((cause, error)) => return Ended::Lost { cause, error },
    };
    let ended = {
        // The SDK attaches the link when the stream is first polled.
        let stream = receiver.stream_events();
        futures_util::pin_mut!(stream);
        loop {
            let next = tokio::select! {
                () = outlet.cancel.cancelled() => break Ended::Stopped,
                next = tokio::time::timeout(IDLE_CHECK, stream.next()) => next,
            };
            let received = match next {
                Ok(Some(Ok(received))) => received,
                Ok(Some(Err(e))) => break lost(&progress.consumer_group, &where_, &e),
                Ok(None) => break Ended::Stopped,
                Err(_idle) => match check_link(client, progress).await {
                    Ok(()) => {
                        became_healthy(progress, backoff, outlet);
                        continue;
                    }
                    Err(ended) => break ended,
                },
            };
            let event = to_tail_event(&progress.partition, &received);
            // Never twice, whatever the service sends again after a reconnect.
            if progress.last.is_some_and(|last| event.sequence <= last) {
                continue;
            }
            became_healthy(progress, backoff, outlet);
            let sequence = event.sequence;
            if !hand_over(outlet, TailItem::Event(event)).await {
                break Ended::Stopped;
            }
            progress.last = Some(sequence);
        }
    };
    if matches!(ended, Ended::Stopped) {
        let _ = tokio::time::timeout(CHECK_WITHIN, receiver.close()).await;
    }
    ended
}

/// Gives an event to the reader (or counts it dropped); false when the reader is gone.
async fn hand_over(outlet: &Outlet, item: TailItem) -> bool {
    if outlet.wait_for_reader {
        return tokio::select! {
            () = outlet.cancel.cancelled() => false,
            sent = outlet.sender.send(item) => sent.is_ok(),
        };
    }
    match outlet.sender.try_send(item) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(_)) => {
            outlet.dropped.fetch_add(1, Ordering::Relaxed);
            true
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    }
}

/// After a failure, the first sign of a working link resets the backoff and says so.
fn became_healthy(progress: &mut Progress, backoff: &mut Backoff, outlet: &Outlet) {
    progress.refused_on = None;
    if !progress.healthy {
        progress.healthy = true;
        backoff.reset();
        let partition = progress.partition.clone();
        let _ = outlet.sender.try_send(TailItem::Resumed { partition });
    }
}

/// Asks the management node about a partition that has been quiet.
async fn check_link(client: &ConsumerClient, progress: &Progress) -> Result<(), Ended> {
    let next = progress.resume_at();
    match check_quiet_link(client, &progress.partition, &progress.consumer_group, &next).await {
        LinkCheck::Alive => Ok(()),
        LinkCheck::Lost { cause, error } => Err(Ended::Lost { cause, error }),
    }
}

fn lost(consumer_group: &str, where_: &str, error: &(dyn std::error::Error + 'static)) -> Ended {
    Ended::Lost {
        cause: sdk_error::read(error).cause,
        error: receive_error(consumer_group, where_, error),
    }
}
