//! Checkpoint reads and writes to Blob Storage, tried again while the failure is one a retry
//! can fix: a connection broken off, no answer in time, or 408, 429, 500, 502, 503 or 504. The
//! storage SDK's own policy tries each call only three times within ten seconds (container.rs
//! keeps it quick so a wrong address is reported at once), which a throttled account
//! outlasts. Refused credentials (401, 403) and a missing container (404) are answered the
//! same every time and end the retries at once. So does a refused connection, after the SDK's
//! own retries: it is a wrong address or storage that is down, and lag reports it in seconds
//! rather than after half a minute per listing (the console's next lag round tries again).
//!
//! Writes are repeated too, unlike the catalog's (connect/http_retry.rs): a checkpoint write
//! sets the same blob to the same position, so one applied twice is one applied once.

use std::future::Future;
use std::time::Duration;

use azure_core::error::ErrorKind;
use azure_core::http::headers::HeaderName;

use crate::connect::backoff::Backoff;

/// Tries of one call, the first included: with the backoff below, about half a minute.
const TRIES: u32 = 6;
/// How long one try (the SDK's own retries included) may take before it counts as lost: a
/// store that never answers would otherwise hold the caller for the HTTP client's minute.
const TRY_WITHIN: Duration = Duration::from_secs(20);
/// The longest `Retry-After` waited for; a longer one is reported instead.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// Runs `call` until it succeeds, fails in a way a retry cannot fix, or has been tried
/// [`TRIES`] times; the last failure is returned as it was.
pub async fn retrying<T, F, Fut>(what: &str, mut call: F) -> Result<T, azure_core::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, azure_core::Error>>,
{
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(8));
    loop {
        let outcome = tokio::time::timeout(TRY_WITHIN, call())
            .await
            .unwrap_or_else(|_| {
                Err(azure_core::Error::with_message(
                    ErrorKind::Io,
                    format!("no answer within {} s", TRY_WITHIN.as_secs()),
                ))
            });
        let Err(error) = &outcome else {
            return outcome;
        };
        let after = retry_after(error);
        let hopeless = !retryable(error) || after.is_some_and(|a| a > LONGEST_WAIT);
        if hopeless || backoff.attempt() + 1 >= TRIES {
            return outcome;
        }
        let wait = backoff.next_delay_or(after);
        tracing::debug!(%what, %error, attempt = backoff.attempt(), ?wait, "checkpoint storage call retried");
        tokio::time::sleep(wait).await;
    }
}

/// Whether a later try can succeed where this one failed.
fn retryable(error: &azure_core::Error) -> bool {
    match error.http_status().map(u16::from) {
        Some(status) => matches!(status, 408 | 429 | 500 | 502 | 503 | 504),
        None => matches!(error.kind(), ErrorKind::Io),
    }
}

/// The `Retry-After` of the answer that failed, in seconds (the form Azure Storage uses).
fn retry_after(error: &azure_core::Error) -> Option<Duration> {
    let ErrorKind::HttpResponse {
        raw_response: Some(response),
        ..
    } = error.kind()
    else {
        return None;
    };
    response
        .headers()
        .get_optional_str(&HeaderName::from_static("retry-after"))
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: u16) -> azure_core::Error {
        azure_core::Error::with_message(
            ErrorKind::HttpResponse {
                status: status.into(),
                error_code: None,
                raw_response: None,
            },
            "answered",
        )
    }

    #[test]
    fn only_failures_a_retry_can_fix_are_retried() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(retryable(&answered(status)), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 412] {
            assert!(!retryable(&answered(status)), "{status}");
        }
        assert!(retryable(&azure_core::Error::with_message(
            ErrorKind::Io,
            "broken off"
        )));
        assert!(!retryable(&azure_core::Error::with_message(
            ErrorKind::Connection,
            "refused"
        )));
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_store_is_tried_again_and_a_missing_container_is_not() {
        let calls = std::cell::Cell::new(0);
        let outcome = retrying("test", || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move { if n < 4 { Err(answered(503)) } else { Ok(n) } }
        })
        .await;
        assert_eq!(outcome.ok(), Some(4));

        calls.set(0);
        let missing: Result<(), _> = retrying("test", || {
            calls.set(calls.get() + 1);
            async { Err(answered(404)) }
        })
        .await;
        assert!(missing.is_err());
        assert_eq!(calls.get(), 1, "a missing container is not tried again");
    }
}
