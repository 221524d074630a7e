//! The periodic refresh of the pane on screen: one request repeated with its original id
//! (so the app accepts the answers as current), never while the previous run is in flight,
//! and further apart while it keeps failing.

use std::time::Duration;

use tokio::time::Instant;

use crate::protocol::{ReadRequest, RequestId};

/// The longest wait between attempts while a refresh keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Watch {
    read: ReadRequest,
    every: Duration,
    in_flight: bool,
    failures: u32,
    due: Instant,
}

impl Watch {
    pub fn new(read: ReadRequest, every: Duration) -> Self {
        Self {
            read,
            every,
            in_flight: false,
            failures: 0,
            due: Instant::now() + every,
        }
    }

    pub fn request(&self) -> RequestId {
        self.read.id()
    }

    pub fn read(&self) -> &ReadRequest {
        &self.read
    }

    pub fn is_due(&self, now: Instant) -> bool {
        !self.in_flight && now >= self.due
    }

    pub fn started(&mut self) {
        self.in_flight = true;
    }

    pub fn finished(&mut self, ok: bool, now: Instant) {
        self.in_flight = false;
        self.failures = if ok {
            0
        } else {
            self.failures.saturating_add(1)
        };
        self.due = now + self.wait();
    }

    /// The interval, doubled for each failure in a row, capped.
    fn wait(&self) -> Duration {
        let factor = 1u32 << self.failures.min(6);
        self.every
            .saturating_mul(factor)
            .min(MAX_BACKOFF.max(self.every))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch() -> Watch {
        let command = ReadRequest::PartitionInfo {
            request: RequestId(7),
            hub: "sale".into(),
        };
        Watch::new(command, Duration::from_secs(5))
    }

    #[test]
    fn never_twice_at_once() {
        let mut w = watch();
        let later = Instant::now() + Duration::from_secs(10);
        assert!(w.is_due(later));
        w.started();
        assert!(!w.is_due(later), "in flight");
        w.finished(true, later);
        assert!(!w.is_due(later + Duration::from_secs(4)));
        assert!(w.is_due(later + Duration::from_secs(5)));
        assert_eq!(w.request(), RequestId(7));
    }

    #[test]
    fn backs_off_while_failing_and_recovers() {
        let mut w = watch();
        let t = Instant::now();
        w.started();
        w.finished(false, t);
        assert!(!w.is_due(t + Duration::from_secs(9)));
        assert!(w.is_due(t + Duration::from_secs(10)));
        for _ in 0..10 {
            w.started();
            w.finished(false, t);
        }
        assert!(w.is_due(t + MAX_BACKOFF), "capped");
        w.started();
        w.finished(true, t);
        assert!(w.is_due(t + Duration::from_secs(5)));
    }
}
