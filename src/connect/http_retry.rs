//! One HTTP call to a catalog or registry, tried again while the failure is one a retry can
//! fix: no connection, no answer in time, or an answer of 429, 500, 502, 503 or 504. A
//! `Retry-After` the service sends is waited for (ARM and Schema Registry send it with 429
//! and 503); otherwise the delay is a jittered backoff. Only reads are repeated: a write
//! answered with an error may still have been applied.
//!
//! The delays start where the Azure SDKs' default policy starts (0.8 s, doubling), with one
//! retry more: a gateway that fails for a few seconds is outlasted, one that stays down is
//! reported within about 12 s (plus each try's own timeout).

use std::time::Duration;

use azure_core::http::headers::{HeaderName, Headers};
use azure_core::http::{HttpClient, Method, Request};

use super::backoff::Backoff;
use super::error::{ConnectError, Failure};

/// Tries of one read, the first included: with the backoff below, the four retries wait 6
/// to 12 s in all (a `Retry-After` replaces a delay), so a five-second outage is outlasted.
const ATTEMPTS: u32 = 5;
/// How long one try may take before it counts as lost (a server that never answers).
const ANSWER_WITHIN: Duration = Duration::from_secs(15);
/// The longest `Retry-After` waited for; a longer one is reported instead.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// A complete answer: status, headers and the whole body.
pub struct Answer {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// Sends `request` to `service` (named as in "cannot reach {service}"), retrying reads.
pub async fn execute(
    http: &dyn HttpClient,
    request: &Request,
    service: &str,
) -> Result<Answer, ConnectError> {
    let attempts = if request.method() == Method::Get {
        ATTEMPTS
    } else {
        1
    };
    let mut backoff = Backoff::new(Duration::from_millis(800), Duration::from_secs(8));
    let mut attempt = 1;
    loop {
        let outcome = once(http, request, service).await;
        let retry_after = match &outcome {
            Ok(answer) if is_transient(answer.status) => retry_after(&answer.headers),
            Ok(_) => return outcome,
            Err(_) => None,
        };
        let wait = backoff.next_delay_or(retry_after);
        if attempt >= attempts || retry_after.is_some_and(|after| after > LONGEST_WAIT) {
            return outcome;
        }
        tracing::debug!(%service, attempt, ?wait, "HTTP call retried");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// Sends `request` once: a failure is returned as it is.
pub async fn execute_once(
    http: &dyn HttpClient,
    request: &Request,
    service: &str,
) -> Result<Answer, ConnectError> {
    once(http, request, service).await
}

async fn once(
    http: &dyn HttpClient,
    request: &Request,
    service: &str,
) -> Result<Answer, ConnectError> {
    let unreachable = |message: String| ConnectError::new(Failure::Unreachable, message);
    let call = async {
        let response = http
            .execute_request(request)
            .await
            .map_err(|e| unreachable(format!("cannot reach {service}: {e}")))?;
        let (status, headers, body) = response.deconstruct();
        let body = body
            .collect()
            .await
            .map_err(|e| unreachable(format!("{service} broke off: {e}")))?;
        Ok(Answer {
            status: u16::from(status),
            headers,
            body: body.to_vec(),
        })
    };
    tokio::time::timeout(ANSWER_WITHIN, call)
        .await
        .unwrap_or_else(|_| {
            Err(unreachable(format!(
                "{service} did not answer within {} s",
                ANSWER_WITHIN.as_secs()
            )))
        })
}

/// Answers that say "not now" rather than "no".
fn is_transient(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` in seconds (the form ARM and the registry use; an HTTP date is ignored).
fn retry_after(headers: &Headers) -> Option<Duration> {
    headers
        .get_optional_str(&HeaderName::from_static("retry-after"))
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_not_now_answers_are_transient() {
        for status in [429, 500, 502, 503, 504] {
            assert!(is_transient(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 409] {
            assert!(!is_transient(status), "{status}");
        }
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut headers = Headers::new();
        headers.insert("retry-after", "3");
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        let mut dated = Headers::new();
        dated.insert("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(retry_after(&dated), None);
    }

    /// A server answering each connection with the next of `answers` (raw HTTP/1.1).
    async fn serve(answers: Vec<&'static str>) -> azure_core::http::Url {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            for answer in answers {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        format!("http://{address}/x").parse().expect("url")
    }

    #[tokio::test]
    async fn a_read_waits_as_long_as_retry_after_says_and_gets_the_answer() {
        let busy = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        let url = serve(vec![busy, ok]).await;
        let http = azure_core::http::new_http_client(None);
        let started = std::time::Instant::now();
        let answer = execute(http.as_ref(), &Request::new(url, Method::Get), "test")
            .await
            .expect("answered");
        assert_eq!(answer.status, 200);
        assert!(started.elapsed() >= Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_write_is_not_repeated() {
        let failed = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let url = serve(vec![failed, ok]).await;
        let http = azure_core::http::new_http_client(None);
        let answer = execute(http.as_ref(), &Request::new(url, Method::Put), "test")
            .await
            .expect("answered");
        assert_eq!(answer.status, 503);
    }
}
