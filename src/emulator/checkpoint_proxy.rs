//! `ehops emulator --checkpoint-store-proxy UPSTREAM`: a pass-through to a blob endpoint
//! (Azurite, or a storage account) that fails when a fault of surface `checkpoint-store`
//! strikes, so consumers' checkpoint stores can be tested against a throttled or failing
//! Blob Storage (docs/fault-injection.md). Checkpoints live in Blob Storage, which the
//! emulator does not serve; standing in front of it is the least that makes it misbehave.
//!
//! Every request is forwarded unchanged on the same path and query: a SAS or Shared Key
//! signature covers the path (not the host), so it still verifies at the upstream. That is
//! why the proxy has a port of its own rather than a path prefix on the HTTP port.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use azure_core::http::{HttpClient, HttpClientOptions, Method, Url, new_http_client};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::faults::{self, Faults, Surface};

/// The largest request body passed on; checkpoint and ownership blobs are empty.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Headers that describe one hop's connection, not the request: each hop sets its own.
const HOP_BY_HOP: [&str; 8] = [
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
];

/// A running proxy; dropping it stops it.
pub struct CheckpointProxy {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
    shutdown: CancellationToken,
}

impl Drop for CheckpointProxy {
    fn drop(&mut self) {
        self.shutdown.cancel();
        self.task.abort();
    }
}

/// Checks that `text` is a blob endpoint's origin: paths must stay as the client signed them,
/// so the upstream may not add a path of its own.
pub fn parse_upstream(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim())
        .map_err(|e| format!("--checkpoint-store-proxy {text:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "--checkpoint-store-proxy {text:?} must be http:// or https:// and a host"
        ));
    }
    if url.path() != "/" || url.query().is_some() {
        return Err(format!(
            "--checkpoint-store-proxy {text:?} must be an origin (scheme, host and port) without a path: requests keep their own path, e.g. /devstoreaccount1/checkpoints"
        ));
    }
    Ok(url)
}

/// Listens on `listener` and forwards to `upstream` until the returned handle is dropped.
pub fn start(
    listener: TcpListener,
    upstream: Url,
    faults: Faults,
) -> std::io::Result<CheckpointProxy> {
    let addr = listener.local_addr()?;
    // No decompression: the client gets the upstream's bytes and headers as they were.
    let options = HttpClientOptions {
        automatic_decompression: false,
    };
    let state = Arc::new(Proxy {
        upstream,
        http: new_http_client(Some(options)),
        faults,
    });
    let app = Router::new().fallback(forward).with_state(state);
    let shutdown = CancellationToken::new();
    let serving =
        axum::serve(listener, app).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let task = tokio::spawn(async move {
        if let Err(error) = serving.await {
            tracing::error!(%error, "checkpoint-store proxy stopped");
        }
    });
    Ok(CheckpointProxy {
        addr,
        task,
        shutdown,
    })
}

struct Proxy {
    upstream: Url,
    http: Arc<dyn HttpClient>,
    faults: Faults,
}

async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    if let Some((status, retry_after)) = proxy.faults.http(Surface::CheckpointStore) {
        return faults::http::answer(status, retry_after, storage_error).await;
    }
    match relay(&proxy, request).await {
        Ok(response) => response,
        Err(message) => {
            tracing::warn!(%message, "checkpoint-store proxy could not relay a request");
            (StatusCode::BAD_GATEWAY, message).into_response()
        }
    }
}

/// Sends `request` to the upstream on the same path and query and returns its answer as is.
async fn relay(proxy: &Proxy, request: Request) -> Result<Response, String> {
    let (parts, body) = request.into_parts();
    let method = match parts.method.as_str() {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "PUT" => Method::Put,
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        "PATCH" => Method::Patch,
        other => return Err(format!("method {other} is not passed on")),
    };
    let mut url = proxy.upstream.clone();
    url.set_path(parts.uri.path());
    url.set_query(parts.uri.query());
    let mut outgoing = azure_core::http::Request::new(url, method);
    for (name, value) in &parts.headers {
        if HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        // The SDK's client keeps text headers only; every header Blob Storage reads is text.
        if let Ok(value) = value.to_str() {
            outgoing.insert_header(name.as_str().to_owned(), value.to_owned());
        }
    }
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|e| format!("cannot read the request body: {e}"))?;
    outgoing.set_body(body);
    let answer = proxy
        .http
        .execute_request(&outgoing)
        .await
        .map_err(|e| format!("the upstream {} did not answer: {e}", proxy.upstream))?;
    let (status, headers, body) = answer.deconstruct();
    let body = body
        .collect()
        .await
        .map_err(|e| format!("the upstream broke off its answer: {e}"))?;
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(u16::from(status)).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in headers.iter() {
        if HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_str(value.as_str()),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}

/// An error as Azure Storage returns it: an `x-ms-error-code` header and an XML body with the
/// same code, the codes and messages of "Common REST API error codes" (Microsoft Learn).
/// Azure throttles with 503 `ServerBusy`; a 429 gets the same code, with the message the
/// service gives an account over its request rate.
fn storage_error(status: StatusCode) -> Response {
    let (code, message) = match status {
        StatusCode::INTERNAL_SERVER_ERROR => (
            "InternalError",
            "The server encountered an internal error. Please retry the request.",
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "ServerBusy",
            "Operations per second is over the account limit.",
        ),
        _ => (
            "ServerBusy",
            "The server is currently unable to receive requests. Please retry your request.",
        ),
    };
    let request_id = format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u16(..),
        fastrand::u16(..),
        fastrand::u64(..1 << 48)
    );
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let body = format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{message}\nRequestId:{request_id}\nTime:{now}</Message></Error>"
    );
    let headers = [
        ("content-type", "application/xml"),
        ("x-ms-error-code", code),
        ("x-ms-request-id", request_id.as_str()),
    ];
    (status, headers, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upstream_is_an_origin() {
        assert!(parse_upstream("http://127.0.0.1:10000").is_ok());
        assert!(parse_upstream("http://127.0.0.1:10000/").is_ok());
        let with_path = parse_upstream("http://127.0.0.1:10000/devstoreaccount1");
        assert!(with_path.is_err_and(|e| e.contains("without a path")));
        assert!(parse_upstream("ftp://host").is_err());
    }

    #[tokio::test]
    async fn a_fault_is_answered_in_azure_storages_shape() {
        let response = storage_error(StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["x-ms-error-code"], "ServerBusy");
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("<Error><Code>ServerBusy</Code>"), "{text}");
        let internal = storage_error(StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(internal.headers()["x-ms-error-code"], "InternalError");
    }
}
