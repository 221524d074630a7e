//! A writer-side wrapper around each client socket that makes fe2o3's frames acceptable to
//! every official SDK (docs/sdk-quirks.md):
//! - fe2o3 leaves out trailing null and default fields of performatives, as AMQP allows, but
//!   pyamqp reads fields by position and fails on a short list. Each outgoing performative
//!   (and SASL frame) is re-framed to its full field count by appending nulls.
//! - On loopback a Detach reply can overtake the client's own End, which makes the Rust SDK's
//!   AMQP stack drop the whole connection. Outgoing Detach frames are held back briefly; the
//!   frames after them wait too, so order is kept.
//! - A refused link's frames go out as Event Hubs sends them (`refused_links.rs`): no credit
//!   between the Attach without a terminus and the Detach carrying the reason, and the Attach
//!   held until that Detach, so both go out in one write.
//!
//! On the reading side it runs the connection's [`IngressGuard`] over every byte before fe2o3
//! sees it: a client breaking a limit gets a Close naming it and loses its connection.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use super::frames::{FRAME_HEADER_LEN, close_frame, pad_frame};
use super::ingress::IngressGuard;
use super::refused_links::{Outgoing, RefusedLinks};
use crate::emulator::faults::connection::KillSwitch;

const DETACH_HOLD: Duration = Duration::from_millis(100);
/// The longest an Attach without a terminus waits for the Detach that follows it.
const REFUSAL_HOLD: Duration = Duration::from_millis(500);
/// Output queued beyond this makes writers wait for the socket.
const HIGH_WATER: usize = 4 * 1024 * 1024;
const PROTOCOL_HEADER_LEN: usize = 8;

pub struct PaddedStream<S> {
    inner: S,
    /// Bytes written by fe2o3 that do not yet form a whole frame.
    pending: Vec<u8>,
    /// Rewritten frames waiting for the socket, each with the time it may be sent.
    out: VecDeque<(Instant, Vec<u8>)>,
    out_bytes: usize,
    /// Frames queued after a held Detach wait until it is released.
    hold_until: Option<Instant>,
    /// When a held refusal Attach goes out at the latest; its Detach releases it sooner.
    refusal_release: Option<Instant>,
    timer: Option<Pin<Box<Sleep>>>,
    /// Limits on what the client sends, with whether it has put a valid token on `$cbs`.
    guard: Option<(IngressGuard, Arc<AtomicBool>)>,
    /// Set while reading waits for the emulator to settle what it holds.
    read_waker: Option<Waker>,
    /// The client broke a limit: nothing more is read.
    violated: bool,
    /// Refused links: their credit is not sent, their Attach waits for their Detach
    /// (`refused_links.rs`).
    refused: RefusedLinks,
    /// Thrown by a fault that drops the connection.
    kill: KillSwitch,
}

impl<S> PaddedStream<S> {
    pub fn new(inner: S) -> Self {
        PaddedStream {
            inner,
            pending: Vec::new(),
            out: VecDeque::new(),
            out_bytes: 0,
            hold_until: None,
            refusal_release: None,
            timer: None,
            guard: None,
            read_waker: None,
            violated: false,
            refused: RefusedLinks::default(),
            kill: KillSwitch::default(),
        }
    }

    /// A stream that also enforces the ingress limits (`ingress.rs`) on what it reads;
    /// `authenticated` turns true once the client has put a valid token.
    pub fn guarded(inner: S, authenticated: Arc<AtomicBool>) -> Self {
        let mut stream = PaddedStream::new(inner);
        stream.guard = Some((IngressGuard::new(), authenticated));
        stream
    }

    /// The switch that drops this connection.
    pub fn kill_switch(&self) -> KillSwitch {
        self.kill.clone()
    }

    /// Moves every whole unit (protocol header or frame) from `pending` to `out`, rewritten.
    fn process(&mut self) {
        let mut used = 0;
        loop {
            let rest = &self.pending[used..];
            if rest.len() >= 4 && &rest[..4] == b"AMQP" {
                if rest.len() < PROTOCOL_HEADER_LEN {
                    break;
                }
                let unit = rest[..PROTOCOL_HEADER_LEN].to_vec();
                self.enqueue(unit, false);
                used += PROTOCOL_HEADER_LEN;
                continue;
            }
            if rest.len() < 4 {
                break;
            }
            let size = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            if size < FRAME_HEADER_LEN {
                // Not a frame: pass the rest through untouched rather than stall the peer.
                let unit = rest.to_vec();
                used += unit.len();
                self.enqueue(unit, false);
                break;
            }
            if rest.len() < size {
                break;
            }
            let frame = &rest[..size];
            used += size;
            let outgoing = self.refused.classify(frame);
            if outgoing == Outgoing::Drop {
                continue;
            }
            if let Some((guard, _)) = &mut self.guard {
                guard.on_outgoing(frame);
            }
            let (unit, hold) = pad_frame(frame);
            match outgoing {
                Outgoing::RefusingAttach => self.hold_refusal(unit),
                Outgoing::RefusingDetach => {
                    self.enqueue(unit, hold);
                    self.release_refusal();
                }
                Outgoing::Send | Outgoing::Drop => self.enqueue(unit, hold),
            }
        }
        self.pending.drain(..used);
    }

    /// Queues a refusal's Attach to go out with the Detach that follows it.
    fn hold_refusal(&mut self, unit: Vec<u8>) {
        let now = Instant::now();
        let release = self
            .hold_until
            .filter(|t| *t > now)
            .unwrap_or(now)
            .max(now + REFUSAL_HOLD);
        self.hold_until = Some(release);
        self.refusal_release = Some(release);
        self.out_bytes += unit.len();
        self.out.push_back((release, unit));
    }

    /// A Detach was queued: a refusal's Attach held for it, and what queued after it, go now.
    fn release_refusal(&mut self) {
        let Some(held) = self.refusal_release.take() else {
            return;
        };
        let now = Instant::now();
        for (release, _) in self.out.iter_mut() {
            if *release == held {
                *release = now;
            }
        }
        if self.hold_until == Some(held) {
            self.hold_until = None;
        }
    }

    fn enqueue(&mut self, unit: Vec<u8>, hold: bool) {
        let now = Instant::now();
        let mut release = self.hold_until.filter(|t| *t > now).unwrap_or(now);
        if hold {
            release = release.max(now + DETACH_HOLD);
            self.hold_until = Some(release);
        }
        self.out_bytes += unit.len();
        self.out.push_back((release, unit));
    }
}

impl<S: AsyncWrite + Unpin> PaddedStream<S> {
    /// Writes queued frames whose time has come; Ready when the queue is empty.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((release, unit)) = self.out.front_mut() {
            if *release > Instant::now() {
                let timer = self
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(*release)));
                timer.as_mut().reset(*release);
                ready!(timer.as_mut().poll(cx));
                continue;
            }
            let written = ready!(Pin::new(&mut self.inner).poll_write(cx, unit))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.out_bytes -= written;
            if written == unit.len() {
                self.out.pop_front();
            } else {
                unit.drain(..written);
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for PaddedStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if let Poll::Ready(killed) = this.kill.poll(cx) {
            return Poll::Ready(Err(killed));
        }
        if this.out_bytes >= HIGH_WATER {
            ready!(this.poll_drain(cx))?;
        }
        this.pending.extend_from_slice(buf);
        this.process();
        this.wake_reader_if_settled();
        // Push what we can now; the rest goes on the next write or flush.
        if let Poll::Ready(Err(error)) = this.poll_drain(cx) {
            return Poll::Ready(Err(error));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

impl<S> PaddedStream<S> {
    fn wake_reader_if_settled(&mut self) {
        let Some((guard, authenticated)) = &self.guard else {
            return;
        };
        if !guard.must_wait(authenticated.load(Ordering::Acquire))
            && let Some(waker) = self.read_waker.take()
        {
            waker.wake();
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for PaddedStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Poll::Ready(killed) = this.kill.poll(cx) {
            return Poll::Ready(Err(killed));
        }
        let Some((guard, authenticated)) = &mut this.guard else {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        };
        if this.violated {
            return Poll::Ready(Err(io::ErrorKind::ConnectionAborted.into()));
        }
        let authenticated = authenticated.load(Ordering::Acquire);
        if guard.must_wait(authenticated) {
            // Woken when the emulator's next Disposition settles some of what it holds.
            this.read_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let Err(violation) = guard.inspect(&buf.filled()[before..], authenticated) else {
            return Poll::Ready(Ok(()));
        };
        buf.set_filled(before);
        tracing::info!(%violation, "closing a connection that broke a limit");
        // Best effort: the client learns why if the socket takes the Close now.
        let close = close_frame(&violation);
        this.out_bytes += close.len();
        this.out.push_back((Instant::now(), close));
        this.violated = true;
        let _ = this.poll_drain(cx);
        let _ = Pin::new(&mut this.inner).poll_flush(cx);
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::InvalidData,
            violation.to_string(),
        )))
    }
}

impl<S> std::fmt::Debug for PaddedStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaddedStream")
            .field("queued", &self.out_bytes)
            .finish()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A frame around `body` (doff 2, AMQP type, channel 0).
    pub(in crate::emulator::amqp) fn frame(body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&[2, 0, 0, 0]);
        out.extend_from_slice(body);
        out
    }

    #[tokio::test]
    async fn stream_splits_headers_and_frames_written_in_pieces() {
        use tokio::io::AsyncWriteExt;
        let mut sink = PaddedStream::new(Vec::<u8>::new());
        let mut input = b"AMQP\x03\x01\x00\x00".to_vec();
        input.extend(frame(&[0x00, 0x53, 0x44, 0xc0, 0x03, 0x01, 0x50, 0x00]));
        for piece in input.chunks(3) {
            sink.write_all(piece).await.expect("write");
        }
        sink.flush().await.expect("flush");
        let mut expected = b"AMQP\x03\x01\x00\x00".to_vec();
        expected.extend(frame(&[
            0x00, 0x53, 0x44, 0xc0, 0x04, 0x02, 0x50, 0x00, 0x40,
        ]));
        assert_eq!(sink.inner, expected);
    }

    #[tokio::test]
    async fn a_refusal_attach_waits_for_its_detach_and_both_go_out_together() {
        use tokio::io::AsyncWriteExt;
        let mut sink = PaddedStream::new(Vec::<u8>::new());
        // Attach "x", handle 0, role receiver, no target (trailing fields left out).
        let attach = frame(&[
            0x00, 0x53, 0x12, 0xc0, 0x06, 0x03, 0xa1, 0x01, b'x', 0x43, 0x41,
        ]);
        // Detach handle 0, closed, with an error whose condition is "ex".
        let detach = frame(&[
            0x00, 0x53, 0x16, 0xc0, 0x0d, 0x03, 0x43, 0x41, 0x00, 0x53, 0x1d, 0xc0, 0x05, 0x01,
            0xa3, 0x02, b'e', b'x',
        ]);
        sink.write_all(&attach).await.expect("write");
        assert!(sink.inner.is_empty(), "the attach went out alone");
        // Written as the detach is: no flush, no waiting for the hold to run out.
        sink.write_all(&detach).await.expect("write");
        let mut expected = pad_frame(&attach).0;
        expected.extend(pad_frame(&detach).0);
        assert_eq!(sink.inner, expected);
    }
}
