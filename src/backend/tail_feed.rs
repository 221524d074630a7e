//! Feeds one live tail to the app: events from the subscription are gathered into batches
//! (one per ~100 ms, or sooner when large) and offered to the app's bounded tail channel.
//! If the app is behind, the batch is counted as lost and reported with the next one that
//! fits, so neither side ever waits for the other.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

use super::Services;
use super::tail_link::TailLink;
use crate::connect::tail::{self, TailItem, TailRequest};
use crate::model::TailEvent;
use crate::model::permissions::ConsoleAction;
use crate::ops;
use crate::protocol::{ConnectionState, Reply, RequestId};

/// A batch is sent as soon as it holds this many events.
const MAX_BATCH: usize = 512;

pub struct RunningTail {
    pub request: RequestId,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

impl RunningTail {
    pub fn stop(self) {
        self.cancel.cancel();
        // The task drops the subscription on its way out, which stops the receivers.
        drop(self.task);
    }
}

pub fn start(
    services: &Services,
    link: TailLink,
    request: RequestId,
    tail_request: TailRequest,
    window: Duration,
    replies: mpsc::UnboundedSender<Reply>,
    batches: mpsc::Sender<Reply>,
) -> RunningTail {
    let cancel = CancellationToken::new();
    let feed = Feed {
        request,
        window,
        replies,
        batches,
        cancel: cancel.clone(),
        lost: 0,
        link,
    };
    let plane = services.plane.clone();
    let stopped = cancel.clone();
    let task = tokio::spawn(async move {
        tokio::select! {
            () = stopped.cancelled() => {}
            () = feed.run(&plane, tail_request) => {}
        }
    });
    RunningTail {
        request,
        cancel,
        task,
    }
}

struct Feed {
    request: RequestId,
    window: Duration,
    replies: mpsc::UnboundedSender<Reply>,
    batches: mpsc::Sender<Reply>,
    cancel: CancellationToken,
    /// Events lost since the last batch the app accepted.
    lost: u64,
    /// What the receivers say about their links, for the status bar.
    link: TailLink,
}

impl Feed {
    async fn run(mut self, plane: &crate::connect::data_plane::DataPlane, request: TailRequest) {
        // A hub the identity may not read says so before any receiver starts, with the
        // permission it lacks (the receivers' own refusal is an SDK error chain).
        let permissions = ops::permissions::for_hub(plane.connection(), &request.hub).await;
        let verdict = permissions.verdict(ConsoleAction::Tail);
        if let Some(reason) = verdict.reason(ConsoleAction::Tail) {
            let message = format!("hub {}: {reason}", request.hub);
            self.fail(message.clone());
            self.end(Some(message));
            return;
        }
        let hub = request.hub.clone();
        let mut subscription = match tail::start(plane, request).await {
            Ok(subscription) => subscription,
            Err(error) => {
                self.fail(error.message.clone());
                self.end(Some(error.message));
                return;
            }
        };
        let mut batch: Vec<TailEvent> = Vec::new();
        let mut deadline = Instant::now() + self.window;
        let mut last_error = None;
        loop {
            tokio::select! {
                item = subscription.events.recv() => match item {
                    Some(TailItem::Event(event)) => {
                        if batch.is_empty() {
                            deadline = Instant::now() + self.window;
                        }
                        batch.push(event);
                        if batch.len() >= MAX_BATCH {
                            self.flush(&mut batch, subscription.take_dropped());
                        }
                    }
                    Some(TailItem::Failed { partition, error }) => {
                        tracing::warn!(%partition, %error, "tail receiver stopped");
                        self.link.resumed(&partition);
                        self.fail(error.message.clone());
                        last_error = Some(error.message);
                    }
                    // The receiver recovers on its own; the status bar says how it goes.
                    Some(TailItem::Reconnecting { partition, attempt, next_in, error }) => {
                        tracing::info!(%partition, %error, attempt, "tail receiver reconnecting");
                        let text = self.link.reconnecting(&hub, &partition, attempt, next_in);
                        self.connection(ConnectionState::Reconnecting(text));
                    }
                    Some(TailItem::Resumed { partition }) => {
                        let state = match self.link.resumed(&partition) {
                            Some(other) => ConnectionState::Reconnecting(other),
                            None => ConnectionState::Connected,
                        };
                        self.connection(state);
                    }
                    None => break,
                },
                () = sleep_until(deadline), if !batch.is_empty() => {
                    self.flush(&mut batch, subscription.take_dropped());
                }
            }
        }
        self.flush(&mut batch, subscription.take_dropped());
        self.end(last_error.or_else(|| Some("every receiver stopped".to_owned())));
    }

    fn flush(&mut self, batch: &mut Vec<TailEvent>, dropped_upstream: u64) {
        self.lost += dropped_upstream;
        if batch.is_empty() && self.lost == 0 {
            return;
        }
        let events = std::mem::take(batch);
        let count = events.len() as u64;
        let action = Reply::TailReceived {
            request: self.request,
            events,
            lost: self.lost,
        };
        match self.batches.try_send(action) {
            Ok(()) => self.lost = 0,
            Err(mpsc::error::TrySendError::Full(_)) => self.lost += count,
            Err(mpsc::error::TrySendError::Closed(_)) => self.cancel.cancel(),
        }
    }

    fn connection(&self, state: ConnectionState) {
        let _ = self.replies.send(Reply::ConnectionChanged(state));
    }

    fn fail(&self, message: String) {
        let _ = self.replies.send(Reply::RequestFailed {
            request: self.request,
            message,
        });
    }

    fn end(&self, reason: Option<String>) {
        let _ = self.replies.send(Reply::TailEnded {
            request: self.request,
            reason,
        });
    }
}
