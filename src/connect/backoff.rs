//! When to try again after a failure a retry can fix, and which failures those are.
//!
//! Delays grow exponentially up to a cap and are jittered ("equal jitter": half fixed,
//! half random), so that every receiver of a console, and every console of a team, do not
//! reconnect to a recovering namespace in the same instant. A `Retry-After` from the
//! service replaces the computed delay. Only failures whose cause a later attempt can
//! change are retried: a refused key, a missing right or a hub that no longer exists are
//! not (the service would answer the same).

use std::time::Duration;

use super::error::{ConnectError, Failure};
use super::sdk_error::Cause;

/// Exponential backoff with jitter; one per thing being retried.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    attempt: u32,
}

impl Default for Backoff {
    /// 0.5 s doubling to 30 s: a two-second outage costs a few attempts, a long one one
    /// attempt every half minute (the SDKs' own default ceiling is 30 s or more).
    fn default() -> Self {
        Self::new(Duration::from_millis(500), Duration::from_secs(30))
    }
}

impl Backoff {
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            attempt: 0,
        }
    }

    /// Attempts made since the last success (1 for the first retry).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The delay before the next attempt, counting it.
    pub fn next_delay(&mut self) -> Duration {
        self.attempt = self.attempt.saturating_add(1);
        let ceiling = self.ceiling();
        let half = ceiling / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// The next delay, unless the service said how long to wait.
    pub fn next_delay_or(&mut self, retry_after: Option<Duration>) -> Duration {
        let computed = self.next_delay();
        retry_after.map_or(computed, |after| after.min(self.max))
    }

    /// Back to the first delay, after an attempt succeeded.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    fn ceiling(&self) -> Duration {
        let exponent = self.attempt.saturating_sub(1).min(16);
        self.initial.saturating_mul(1 << exponent).min(self.max)
    }
}

/// Whether a failure already sorted into a [`ConnectError`] may pass: no connection, or a
/// service error (busy, or one the types do not explain). Refused credentials, missing
/// rights, missing entities and wrong input are answered the same every time.
pub fn transient(error: &ConnectError) -> bool {
    matches!(error.failure, Failure::Unreachable | Failure::Service)
}

/// Runs `attempt` up to `tries` times while it fails transiently, with jittered backoff
/// between tries; the last failure is returned as it was.
pub async fn retry_transient<T, F, Fut>(tries: u32, mut attempt: F) -> Result<T, ConnectError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ConnectError>>,
{
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(4));
    loop {
        match attempt().await {
            Err(error) if transient(&error) && backoff.attempt() + 1 < tries => {
                let wait = backoff.next_delay();
                tracing::debug!(%error, ?wait, "transient failure, trying again");
                tokio::time::sleep(wait).await;
            }
            outcome => return outcome,
        }
    }
}

/// Whether a later attempt can succeed where this one failed.
pub fn retryable(cause: Cause) -> bool {
    match cause {
        Cause::Unreachable | Cause::ConnectionLost | Cause::Busy | Cause::Other => true,
        // The answer would be the same: the key, the right, the entity or the request must
        // change first. A displaced reader would displace the one that took its place.
        Cause::CredentialRefused
        | Cause::NotPermitted
        | Cause::NotFound
        | Cause::NoToken
        | Cause::Displaced
        | Cause::Rejected => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap_with_jitter_and_restart_after_a_success() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(8));
        let ceilings = [1, 2, 4, 8, 8, 8];
        for ceiling in ceilings {
            let delay = backoff.next_delay();
            let ceiling = Duration::from_secs(ceiling);
            assert!(delay >= ceiling / 2 && delay <= ceiling, "{delay:?}");
        }
        assert_eq!(backoff.attempt(), 6);
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_secs(1));
    }

    #[test]
    fn jitter_spreads_attempts() {
        let delays: std::collections::BTreeSet<Duration> = (0..20)
            .map(|_| Backoff::new(Duration::from_secs(4), Duration::from_secs(4)).next_delay())
            .collect();
        assert!(delays.len() > 10, "{delays:?}");
    }

    #[test]
    fn retry_after_wins_but_not_past_the_cap() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        let wait = Some(Duration::from_secs(7));
        assert_eq!(backoff.next_delay_or(wait), Duration::from_secs(7));
        let long = Some(Duration::from_secs(3600));
        assert_eq!(backoff.next_delay_or(long), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn transient_failures_are_tried_again_and_others_are_not() {
        let calls = std::cell::Cell::new(0);
        let flaky = retry_transient(3, || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                if n < 3 {
                    Err(ConnectError::new(Failure::Unreachable, "down"))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(flaky, Ok(3));

        calls.set(0);
        let refused: Result<(), _> = retry_transient(3, || {
            calls.set(calls.get() + 1);
            async { Err(ConnectError::new(Failure::Auth, "wrong key")) }
        })
        .await;
        assert!(refused.is_err());
        assert_eq!(calls.get(), 1, "a refused key is not tried again");
    }

    #[test]
    fn only_failures_a_retry_can_fix_are_retried() {
        assert!(retryable(Cause::ConnectionLost));
        assert!(retryable(Cause::Busy));
        assert!(!retryable(Cause::CredentialRefused));
        assert!(!retryable(Cause::NotPermitted));
        assert!(!retryable(Cause::NotFound));
    }
}
