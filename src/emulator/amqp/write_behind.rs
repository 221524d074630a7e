//! The socket's writing side, in a task of its own, so frames go out many to a write.
//!
//! fe2o3 flushes after every frame it sends, so a consumer link's batch of 256 events would
//! otherwise cost 256 `write` calls on the socket, each also waking the client for one
//! frame. Here a flush only hands the bytes over: the writer task sends whatever has gathered
//! since its last write in one call, so the busier the link, the larger each write. Nothing
//! waits longer than the writer task takes to be scheduled.
//!
//! Bytes handed over are written in order; once the stream is dropped the rest is written and
//! the socket shut down. A write that fails ends the task, and every later write fails too.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// Bytes waiting for the socket beyond this make writers wait.
const HIGH_WATER: usize = 4 * 1024 * 1024;

/// The stream's handle on its writer task.
pub struct WriteBehind {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the writer task: bytes to write, or the stream dropped.
    work: Notify,
}

#[derive(Default)]
struct State {
    /// Handed over, not yet taken by the writer task.
    queued: Vec<u8>,
    /// Taken by the writer task, not yet written.
    writing: usize,
    /// Why the socket can no longer be written.
    failed: Option<io::ErrorKind>,
    /// The stream was dropped: write what is left and shut down.
    dropped: bool,
    /// The task waiting for room or for the writes to finish.
    waiting: Option<Waker>,
}

impl State {
    fn check(&self) -> io::Result<()> {
        match self.failed {
            Some(kind) => Err(kind.into()),
            None => Ok(()),
        }
    }

    fn wait(&mut self, cx: &Context<'_>) {
        match &self.waiting {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => self.waiting = Some(cx.waker().clone()),
        }
    }

    fn wake(&mut self) {
        if let Some(waker) = self.waiting.take() {
            waker.wake();
        }
    }
}

impl WriteBehind {
    /// Starts the writer task for `socket` on the current runtime.
    pub fn spawn<W>(socket: W) -> Self
    where
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            work: Notify::new(),
        });
        tokio::spawn(write_out(socket, Arc::clone(&shared)));
        WriteBehind { shared }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.shared)
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves plain bytes and counters: still usable.
    shared
        .state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The writer task: takes everything handed over so far and writes it in one go.
async fn write_out<W: AsyncWrite + Unpin>(mut socket: W, shared: Arc<Shared>) {
    let mut batch = Vec::new();
    loop {
        match take(&shared, &mut batch) {
            Take::Bytes => {}
            Take::Nothing => {
                shared.work.notified().await;
                continue;
            }
            Take::Done => break,
        }
        let written = socket.write_all(&batch).await;
        let mut state = lock(&shared);
        state.writing = 0;
        if let Err(error) = written {
            state.failed = Some(error.kind());
            state.queued = Vec::new();
            state.wake();
            return;
        }
        batch.clear();
        state.wake();
    }
    let _ = socket.shutdown().await;
}

enum Take {
    Bytes,
    Nothing,
    Done,
}

/// Moves what was handed over into `batch`, which the writer task has emptied.
fn take(shared: &Shared, batch: &mut Vec<u8>) -> Take {
    let mut state = lock(shared);
    if state.queued.is_empty() {
        return if state.dropped {
            Take::Done
        } else {
            Take::Nothing
        };
    }
    std::mem::swap(batch, &mut state.queued);
    state.writing = batch.len();
    // Room again for a writer held at the high-water mark.
    state.wake();
    Take::Bytes
}

impl AsyncWrite for WriteBehind {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut state = self.state();
        state.check()?;
        if state.queued.len() + state.writing >= HIGH_WATER {
            state.wait(cx);
            return Poll::Pending;
        }
        let was_empty = state.queued.is_empty();
        state.queued.extend_from_slice(buf);
        drop(state);
        if was_empty {
            self.shared.work.notify_one();
        }
        Poll::Ready(Ok(buf.len()))
    }

    /// Ready as soon as the bytes are handed over: the writer task sends them without
    /// being asked, and gathering frames between flushes is the point.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.state().check()?;
        Poll::Ready(Ok(()))
    }

    /// Ready once everything handed over is written; the socket is shut down when the
    /// stream is dropped.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut state = self.state();
        state.check()?;
        if state.queued.is_empty() && state.writing == 0 {
            return Poll::Ready(Ok(()));
        }
        state.wait(cx);
        Poll::Pending
    }
}

impl Drop for WriteBehind {
    fn drop(&mut self) {
        self.state().dropped = true;
        self.shared.work.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn frames_written_one_flush_at_a_time_arrive_in_order_and_the_socket_closes_after_them() {
        let (socket, mut peer) = tokio::io::duplex(64);
        let mut stream = WriteBehind::spawn(socket);
        let mut expected = Vec::new();
        for i in 0..500u32 {
            let frame = i.to_be_bytes();
            stream.write_all(&frame).await.expect("write");
            stream.flush().await.expect("flush");
            expected.extend_from_slice(&frame);
        }
        drop(stream);
        let mut received = Vec::new();
        // Ends only when the writer task has shut its side down.
        peer.read_to_end(&mut received).await.expect("read");
        assert_eq!(received, expected);
    }

    #[tokio::test]
    async fn a_socket_that_fails_fails_every_later_write() {
        let (socket, peer) = tokio::io::duplex(64);
        drop(peer);
        let mut stream = WriteBehind::spawn(socket);
        let mut failed = None;
        for _ in 0..1000 {
            if let Err(error) = stream.write_all(b"frame").await {
                failed = Some(error.kind());
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(failed, Some(io::ErrorKind::BrokenPipe));
        assert!(stream.flush().await.is_err());
    }

    #[tokio::test]
    async fn a_writer_waits_at_the_high_water_mark_until_the_socket_takes_some() {
        let (socket, mut peer) = tokio::io::duplex(1024);
        let mut stream = WriteBehind::spawn(socket);
        let chunk = vec![7u8; 64 * 1024];
        let writing = tokio::spawn(async move {
            for _ in 0..(2 * HIGH_WATER / chunk.len()) {
                stream.write_all(&chunk).await.expect("write");
            }
            stream
        });
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!writing.is_finished(), "nothing held the writer back");
        let mut sink = vec![0u8; 2 * HIGH_WATER];
        peer.read_exact(&mut sink).await.expect("read");
        let stream = writing.await.expect("writer");
        drop(stream);
    }
}
