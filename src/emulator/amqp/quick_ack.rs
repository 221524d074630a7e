//! The socket's reading side, able to acknowledge at once what it has read.
//!
//! The Rust SDK's socket keeps Nagle's algorithm on: when it writes two frames back to back
//! (a Detach then an End, an Attach then a Flow) the second waits until the first is
//! acknowledged, and Linux delays an acknowledgement by up to 40 ms. Seen in a packet capture
//! of `ehops tail`: 40-ms pauses between the client's frames while opening each receiver.
//! Quick acknowledgement is not sticky on Linux (the kernel leaves it when it judges the
//! connection interactive), so it is asked for again after each read that wants it.
//!
//! A read holding a Flow that gives a `$cbs` or `$management` reply link credit is not
//! acknowledged at once (`padding.rs` decides, `ingress/reply_links.rs` knows the links). The
//! SDK writes its request right behind that Flow, and fe2o3 0.14 (the SDK's AMQP stack)
//! records an unsettled delivery only after handing it to its session: an outcome that comes
//! back before then is dropped and the request waits forever (docs/sdk-quirks.md "A send that
//! never ends"). Acknowledging every read answered a put-token that fast in about 1 test run in
//! 20 on a loaded machine, and the client hung; with that Flow's acknowledgement left to the
//! kernel (the request then waits up to 40 ms behind it), none in 96. Other Flows are
//! acknowledged at once: a consumer's credit held back by Nagle's algorithm stalls its link.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::net::tcp::OwnedReadHalf;

pub struct QuickAckReader(pub OwnedReadHalf);

impl QuickAckReader {
    /// Acknowledges what has been read without the kernel's delay.
    pub fn acknowledge_now(&self) {
        // Best effort: without it the client only waits longer.
        let _ = self.0.as_ref().set_quickack(true);
    }
}

impl AsyncRead for QuickAckReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}
