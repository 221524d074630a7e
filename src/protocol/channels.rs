//! The channels between console and backend: requests one way, replies the other, and tail
//! batches on a bounded channel of their own.

use tokio::sync::mpsc;

use super::{Reply, Request};

/// The console's side of the backend channels.
pub struct BackendLink {
    pub requests: mpsc::UnboundedSender<Request>,
    /// Metadata results, errors, connection changes: low volume.
    pub replies: mpsc::UnboundedReceiver<Reply>,
    /// Tail batches (`Reply::TailReceived`): bounded, so a fast hub cannot exhaust memory;
    /// the backend counts what it cannot send and reports it as `lost`.
    pub tail: mpsc::Receiver<Reply>,
    /// Lag sampling rounds (`Reply::LagSampled`): bounded; a round the console has no room
    /// for is skipped, the next carries everything it would have.
    pub lag: mpsc::Receiver<Reply>,
}

/// The backend's side of the same channels.
pub struct BackendEnd {
    pub requests: mpsc::UnboundedReceiver<Request>,
    pub replies: mpsc::UnboundedSender<Reply>,
    pub tail: mpsc::Sender<Reply>,
    pub lag: mpsc::Sender<Reply>,
}

/// Lag rounds in flight: one being drawn, one waiting.
const LAG_ROUNDS: usize = 2;

/// A connected pair; `tail_batches` bounds the batches in flight.
pub fn backend_channels(tail_batches: usize) -> (BackendLink, BackendEnd) {
    let (request_tx, request_rx) = mpsc::unbounded_channel();
    let (reply_tx, reply_rx) = mpsc::unbounded_channel();
    let (tail_tx, tail_rx) = mpsc::channel(tail_batches.max(1));
    let (lag_tx, lag_rx) = mpsc::channel(LAG_ROUNDS);
    (
        BackendLink {
            requests: request_tx,
            replies: reply_rx,
            tail: tail_rx,
            lag: lag_rx,
        },
        BackendEnd {
            requests: request_rx,
            replies: reply_tx,
            tail: tail_tx,
            lag: lag_tx,
        },
    )
}
