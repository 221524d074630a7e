//! The frames `padding.rs` has rewritten, in order, each with the time it may go: most at
//! once, some held back (docs/sdk-quirks.md):
//! - a Detach answering a client's detach, for up to [`DETACH_HOLD`], so it cannot overtake
//!   the client's End; it goes as soon as that End has been read. Frames after it wait too.
//! - a refused link's Attach, until the Detach carrying the reason follows it (at most
//!   [`REFUSAL_HOLD`]), so both go out together.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

pub const DETACH_HOLD: Duration = Duration::from_millis(100);
/// The longest an Attach without a terminus waits for the Detach that follows it.
pub const REFUSAL_HOLD: Duration = Duration::from_millis(500);

/// How long a frame waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Not at all (unless a frame before it is held).
    None,
    /// A Detach reply on this (the emulator's) channel: until the client has ended the
    /// session it answers, or [`DETACH_HOLD`].
    UntilEnd(u16),
    /// A refused link's Attach: until its Detach is queued.
    UntilRefusal,
    /// A refused link's Detach: releases its Attach.
    RefusalDone,
}

#[derive(Default)]
pub struct HeldFrames {
    queue: VecDeque<(Instant, Vec<u8>)>,
    bytes: usize,
    /// Frames queued from now on wait until then.
    hold_until: Option<Instant>,
    /// Held Detach replies waiting for an End: their channel and the time the hold would
    /// otherwise end.
    awaiting_end: Vec<(u16, Instant)>,
    /// When a held refusal Attach goes out at the latest.
    refusal_release: Option<Instant>,
}

impl HeldFrames {
    pub fn push(&mut self, unit: Vec<u8>, hold: Hold) {
        let now = Instant::now();
        let after = self.hold_until.filter(|t| *t > now).unwrap_or(now);
        let release = match hold {
            Hold::None | Hold::RefusalDone => after,
            Hold::UntilEnd(channel) => {
                let release = after.max(now + DETACH_HOLD);
                self.awaiting_end.push((channel, release));
                self.hold_until = Some(release);
                release
            }
            Hold::UntilRefusal => {
                let release = after.max(now + REFUSAL_HOLD);
                self.hold_until = Some(release);
                self.refusal_release = Some(release);
                release
            }
        };
        self.bytes += unit.len();
        self.queue.push_back((release, unit));
        if hold == Hold::RefusalDone
            && let Some(held) = self.refusal_release.take()
        {
            self.release(&[held], now);
        }
    }

    /// Once the client has ended the session of every held Detach still waiting (`ended`,
    /// by the emulator's channel), their holds end now. Returns whether any did.
    pub fn release_ended(&mut self, ended: impl Fn(u16) -> bool) -> bool {
        let now = Instant::now();
        self.awaiting_end.retain(|(_, until)| *until > now);
        if self.awaiting_end.is_empty() || !self.awaiting_end.iter().all(|(c, _)| ended(*c)) {
            return false;
        }
        let met: Vec<Instant> = (self.awaiting_end.drain(..))
            .map(|(_, until)| until)
            .collect();
        self.release(&met, now);
        true
    }

    /// Frames held until one of `holds` go at `now`.
    fn release(&mut self, holds: &[Instant], now: Instant) {
        for (release, _) in self.queue.iter_mut() {
            if holds.contains(release) {
                *release = now;
            }
        }
        if self.hold_until.is_some_and(|t| holds.contains(&t)) {
            self.hold_until = None;
        }
    }

    /// The next frame, with the time it may go.
    pub fn front(&mut self) -> Option<(Instant, &mut Vec<u8>)> {
        self.queue
            .front_mut()
            .map(|(release, unit)| (*release, unit))
    }

    /// `written` bytes of the front frame went to the socket.
    pub fn sent(&mut self, written: usize) {
        self.bytes -= written;
        if let Some((_, unit)) = self.queue.front_mut() {
            if written >= unit.len() {
                self.queue.pop_front();
            } else {
                unit.drain(..written);
            }
        }
    }

    pub fn front_is_held(&self) -> bool {
        (self.queue.front()).is_some_and(|(release, _)| *release > Instant::now())
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }
}
