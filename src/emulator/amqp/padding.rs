//! A writer-side wrapper around each client socket that makes fe2o3's frames acceptable to
//! every official SDK (docs/sdk-quirks.md):
//! - fe2o3 leaves out trailing null and default fields of performatives, as AMQP allows, but
//!   pyamqp reads fields by position and fails on a short list. Each outgoing performative
//!   (and SASL frame) is re-framed to its full field count by appending nulls.
//! - On loopback a Detach reply can overtake the client's own End, which makes the Rust SDK's
//!   AMQP stack drop the whole connection. A Detach reply waits for the client's End, or
//!   briefly; the frames after it wait too, so order is kept (`held_frames.rs`). The wait
//!   never blocks fe2o3: a flush does not wait for held frames, and reads, which fe2o3 keeps
//!   polling, send them when their time comes.
//! - A refused link's frames go out as Event Hubs sends them (`refused_links.rs`): no credit
//!   between the Attach without a terminus and the Detach carrying the reason, and the Attach
//!   held until that Detach, so both go out in one write.
//! - A consumer link's events go out in place of their stand-ins (`stand_ins.rs`).
//!
//! Writing goes through a [`WriteBehind`], many frames to a socket write.
//!
//! On the reading side it runs the connection's [`IngressGuard`] over every byte before fe2o3
//! sees it: a client breaking a limit gets a Close naming it and loses its connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use super::frames::{FRAME_HEADER_LEN, close_frame, pad_frame};
use super::held_frames::{HeldFrames, Hold};
use super::ingress::IngressGuard;
use super::quick_ack::QuickAckReader;
use super::refused_links::{Outgoing, RefusedLinks};
use super::stand_ins::StandIns;
use super::write_behind::WriteBehind;
use crate::emulator::faults::connection::KillSwitch;

/// Held output beyond this makes writers wait for it to go.
const HIGH_WATER: usize = 4 * 1024 * 1024;
const PROTOCOL_HEADER_LEN: usize = 8;

pub struct PaddedStream<R, W> {
    reader: R,
    /// The socket's writing side: a [`WriteBehind`] on a connection.
    writer: W,
    /// Bytes written by fe2o3 that do not yet form a whole frame.
    pending: Vec<u8>,
    /// Rewritten frames waiting for the socket, some held back (`held_frames.rs`).
    out: HeldFrames,
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
    /// Consumer links' events, put in place of their stand-ins (`stand_ins.rs`).
    stand_ins: Option<Arc<StandIns>>,
    /// Acknowledges a read at once (`quick_ack.rs`).
    acknowledge: Option<fn(&R)>,
}

impl PaddedStream<QuickAckReader, WriteBehind> {
    /// The stream of one client connection: it also enforces the ingress limits
    /// (`ingress.rs`) on what it reads, and writes through a [`WriteBehind`];
    /// `authenticated` turns true once the client has put a valid token.
    pub fn guarded(
        socket: TcpStream,
        authenticated: Arc<AtomicBool>,
        stand_ins: Arc<StandIns>,
    ) -> Self {
        let (reader, writer) = socket.into_split();
        let mut stream = PaddedStream::new(QuickAckReader(reader), WriteBehind::spawn(writer));
        stream.guard = Some((IngressGuard::new(), authenticated));
        stream.stand_ins = Some(stand_ins);
        stream.acknowledge = Some(QuickAckReader::acknowledge_now);
        stream
    }
}

impl<R, W> PaddedStream<R, W> {
    pub fn new(reader: R, writer: W) -> Self {
        PaddedStream {
            reader,
            writer,
            pending: Vec::new(),
            out: HeldFrames::default(),
            timer: None,
            guard: None,
            read_waker: None,
            violated: false,
            refused: RefusedLinks::default(),
            kill: KillSwitch::default(),
            stand_ins: None,
            acknowledge: None,
        }
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
                self.out.push(unit, Hold::None);
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
                self.out.push(unit, Hold::None);
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
            let channel = u16::from_be_bytes([frame[6], frame[7]]);
            let (mut unit, detach_reply) = pad_frame(frame);
            if let (Outgoing::Send, Some(stand_ins)) = (outgoing, &self.stand_ins) {
                stand_ins.swap_in(&mut unit);
            }
            let guard = self.guard.as_ref().map(|(guard, _)| guard);
            let hold = match outgoing {
                Outgoing::RefusingAttach => Hold::UntilRefusal,
                Outgoing::RefusingDetach => Hold::RefusalDone,
                // A Detach answering a client that has already ended its session cannot
                // overtake that End.
                _ if detach_reply && !guard.is_some_and(|g| g.client_ended(channel)) => {
                    Hold::UntilEnd(channel)
                }
                _ => Hold::None,
            };
            self.out.push(unit, hold);
        }
        self.pending.drain(..used);
    }
}

impl<R, W: AsyncWrite + Unpin> PaddedStream<R, W> {
    /// Writes queued frames whose time has come; Ready when the queue is empty.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((release, unit)) = self.out.front() {
            if release > Instant::now() {
                let timer = self
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(release)));
                timer.as_mut().reset(release);
                ready!(timer.as_mut().poll(cx));
                continue;
            }
            let written = ready!(Pin::new(&mut self.writer).poll_write(cx, unit))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.out.sent(written);
        }
        Poll::Ready(Ok(()))
    }
}

impl<R: Unpin, W: AsyncWrite + Unpin> AsyncWrite for PaddedStream<R, W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if let Poll::Ready(killed) = this.kill.poll(cx) {
            return Poll::Ready(Err(killed));
        }
        if this.out.bytes() >= HIGH_WATER {
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

    /// Does not wait for held frames: they go when their hold ends, driven by the reads
    /// fe2o3 keeps polling, so a held Detach never stops the connection reading the End
    /// that releases it.
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.poll_drain(cx)?.is_pending() && !this.out.front_is_held() {
            return Poll::Pending;
        }
        Pin::new(&mut this.writer).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.writer).poll_shutdown(cx)
    }
}

impl<R, W> PaddedStream<R, W> {
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

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> AsyncRead for PaddedStream<R, W> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Poll::Ready(killed) = this.kill.poll(cx) {
            return Poll::Ready(Err(killed));
        }
        // Held frames whose time has come go out from here too (see poll_flush).
        if !this.out.is_empty()
            && let Poll::Ready(Err(error)) = this.poll_drain(cx)
        {
            return Poll::Ready(Err(error));
        }
        let Some((guard, authenticated)) = &mut this.guard else {
            return Pin::new(&mut this.reader).poll_read(cx, buf);
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
        ready!(Pin::new(&mut this.reader).poll_read(cx, buf))?;
        let Err(violation) = guard.inspect(&buf.filled()[before..], authenticated) else {
            if let (Some(size), Some(stand_ins)) = (guard.take_client_max_frame(), &this.stand_ins)
            {
                stand_ins.learn_client_max_frame(size);
            }
            // A reply link's credit is acknowledged by the kernel in its time (`quick_ack.rs`).
            if let Some(acknowledge) = this.acknowledge
                && !guard.take_reply_credit_read()
            {
                acknowledge(&this.reader);
            }
            if this
                .out
                .release_ended(|channel| guard.client_ended(channel))
                && let Poll::Ready(Err(error)) = this.poll_drain(cx)
            {
                return Poll::Ready(Err(error));
            }
            return Poll::Ready(Ok(()));
        };
        buf.set_filled(before);
        tracing::info!(%violation, "closing a connection that broke a limit");
        // Best effort: the client learns why if the socket takes the Close now.
        let close = close_frame(&violation);
        this.out.push(close, Hold::None);
        this.violated = true;
        let _ = this.poll_drain(cx);
        let _ = Pin::new(&mut this.writer).poll_flush(cx);
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::InvalidData,
            violation.to_string(),
        )))
    }
}

impl<R, W> std::fmt::Debug for PaddedStream<R, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaddedStream")
            .field("queued", &self.out.bytes())
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
        let mut sink = PaddedStream::new(tokio::io::empty(), Vec::<u8>::new());
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
        assert_eq!(sink.writer, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn a_held_detach_goes_as_soon_as_the_client_ends_its_session() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        // The client's protocol header, then its End on its channel 5.
        let mut client = b"AMQP\x00\x01\x00\x00".to_vec();
        client.extend_from_slice(&[0, 0, 0, 12, 2, 0, 0, 5, 0x00, 0x53, 0x17, 0x45]);
        let started = Instant::now();
        let mut stream = PaddedStream::new(&client[..], Vec::<u8>::new());
        stream.guard = Some((IngressGuard::new(), Arc::new(AtomicBool::new(true))));
        // The emulator's Begin answering the client's channel 5 on its channel 0.
        let begin = frame(&[
            0x00, 0x53, 0x11, 0xc0, 0x07, 0x04, 0x60, 0x00, 0x05, 0x43, 0x43, 0x43,
        ]);
        // Its reply to the client's Detach (handle 0, closed), then a frame after it.
        let detach = frame(&[0x00, 0x53, 0x16, 0xc0, 0x03, 0x02, 0x43, 0x41]);
        let end = frame(&[0x00, 0x53, 0x17, 0x45]);
        stream.write_all(&begin).await.expect("write");
        stream.write_all(&detach).await.expect("write");
        stream.write_all(&end).await.expect("write");
        stream
            .flush()
            .await
            .expect("a held frame does not hold up a flush");
        assert_eq!(
            stream.writer,
            pad_frame(&begin).0,
            "the detach went at once"
        );
        let mut read = [0u8; 64];
        let n = stream.read(&mut read).await.expect("read");
        assert_eq!(&read[..n], &client[..], "the client's bytes pass through");
        let mut expected = pad_frame(&begin).0;
        expected.extend(pad_frame(&detach).0);
        expected.extend(pad_frame(&end).0);
        assert_eq!(stream.writer, expected);
        assert!(
            started.elapsed() < crate::emulator::amqp::held_frames::DETACH_HOLD,
            "released by the End, not by the hold running out"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_detach_answering_a_session_the_client_has_ended_is_not_held() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut client = b"AMQP\x00\x01\x00\x00".to_vec();
        client.extend_from_slice(&[0, 0, 0, 12, 2, 0, 0, 5, 0x00, 0x53, 0x17, 0x45]);
        let mut stream = PaddedStream::new(&client[..], Vec::<u8>::new());
        stream.guard = Some((IngressGuard::new(), Arc::new(AtomicBool::new(true))));
        let begin = frame(&[
            0x00, 0x53, 0x11, 0xc0, 0x07, 0x04, 0x60, 0x00, 0x05, 0x43, 0x43, 0x43,
        ]);
        stream.write_all(&begin).await.expect("write");
        let mut read = [0u8; 64];
        let n = stream.read(&mut read).await.expect("read");
        assert_eq!(n, client.len());
        // The reply to the client's second Detach, fe2o3 writing it after the End was read.
        let detach = frame(&[0x00, 0x53, 0x16, 0xc0, 0x03, 0x02, 0x52, 0x01, 0x41]);
        stream.write_all(&detach).await.expect("write");
        let mut expected = pad_frame(&begin).0;
        expected.extend(pad_frame(&detach).0);
        assert_eq!(stream.writer, expected);
    }

    #[tokio::test]
    async fn a_refusal_attach_waits_for_its_detach_and_both_go_out_together() {
        use tokio::io::AsyncWriteExt;
        let mut sink = PaddedStream::new(tokio::io::empty(), Vec::<u8>::new());
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
        assert!(sink.writer.is_empty(), "the attach went out alone");
        // Written as the detach is: no flush, no waiting for the hold to run out.
        sink.write_all(&detach).await.expect("write");
        let mut expected = pad_frame(&attach).0;
        expected.extend(pad_frame(&detach).0);
        assert_eq!(sink.writer, expected);
    }
}
