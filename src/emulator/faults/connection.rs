//! Faults on a whole connection, as Azure's gateways produce them when they restart or
//! rebalance: the socket shut down with no AMQP goodbye, or a Close carrying
//! `amqp:connection:forced`.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::task::AtomicWaker;

use super::Faults;

/// How often a connection asks whether a fault ends it.
const CHECK_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionFault {
    /// Shut the socket down.
    Drop,
    /// Close with `amqp:connection:forced`.
    Close,
}

/// Pulls a connection's socket out from under it: once thrown, the stream that polls it
/// fails every read and write, so fe2o3 stops and drops the socket, with no AMQP close. (A
/// second handle on the socket would do it too, but would keep the socket open after fe2o3
/// let go of it.)
#[derive(Debug, Clone, Default)]
pub struct KillSwitch {
    thrown: Arc<AtomicBool>,
    waker: Arc<AtomicWaker>,
}

impl KillSwitch {
    pub fn throw(&self) {
        self.thrown.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// For the stream's reads and writes: an error once thrown, else pending on it.
    pub fn poll(&self, cx: &Context<'_>) -> Poll<io::Error> {
        self.waker.register(cx.waker());
        if self.thrown.load(Ordering::Acquire) {
            Poll::Ready(io::ErrorKind::ConnectionReset.into())
        } else {
            Poll::Pending
        }
    }
}

/// Waits until a fault strikes a connection to `namespaces`; each second is an opportunity.
pub async fn struck(faults: &Faults, namespaces: &[String]) -> ConnectionFault {
    let mut tick = tokio::time::interval(CHECK_EVERY);
    // The first tick is at once; a connection lives a second before it can be struck.
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Some(fault) = faults.connection(namespaces) {
            return fault;
        }
    }
}
