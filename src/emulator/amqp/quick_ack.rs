//! The socket's reading side, acknowledging at once what it reads.
//!
//! The Rust SDK's socket keeps Nagle's algorithm on: when it writes two frames back to back
//! (a Detach then an End, an Attach then a Flow) the second waits until the first is
//! acknowledged, and Linux delays an acknowledgement by up to 40 ms. Seen in a packet capture
//! of `ehops tail`: 40-ms pauses between the client's frames while opening each receiver.
//! Quick acknowledgement is not sticky on Linux (the kernel leaves it when it judges the
//! connection interactive), so it is asked for again after every read.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::net::tcp::OwnedReadHalf;

pub struct QuickAckReader(pub OwnedReadHalf);

impl AsyncRead for QuickAckReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.0).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            // Best effort: without it the client only waits longer.
            let _ = self.0.as_ref().set_quickack(true);
        }
        Poll::Ready(Ok(()))
    }
}
