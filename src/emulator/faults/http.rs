//! Faults over HTTP: `GET /faults` shows the faults in force (and in `x-faults-struck`, how
//! often they struck since they were set), `PUT /faults` replaces them (a
//! faults file in the body); both need a token signed by a namespace rule with Manage, like
//! the catalog's. Every other route may be answered with a fault instead: 429 or 503 with
//! `Retry-After`, 500, or no answer at all, as ARM and Schema Registry do when throttled or
//! failing.

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Faults, Surface, spec};
use crate::emulator::config::EmulatorConfig;
use crate::emulator::entity_path::EntityPath;
use crate::emulator::sas;

#[derive(Clone)]
struct FaultsState {
    faults: Faults,
    config: std::sync::Arc<EmulatorConfig>,
}

/// `router` with the `/faults` endpoint added and every other route subject to HTTP faults.
pub fn wrap(router: Router, faults: Faults, config: std::sync::Arc<EmulatorConfig>) -> Router {
    let state = FaultsState { faults, config };
    let endpoint = Router::new()
        .route("/faults", get(show).put(replace))
        .with_state(state.clone());
    router
        .layer(middleware::from_fn_with_state(state, inject))
        .merge(endpoint)
}

async fn inject(State(state): State<FaultsState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let surface = if path.starts_with("/$schemaGroups") || path.starts_with("/$schemagroups") {
        Surface::Registry
    } else if path.starts_with("/subscriptions") || path.starts_with("/providers") {
        Surface::Catalog
    } else {
        return next.run(request).await;
    };
    match state.faults.http(surface) {
        None => next.run(request).await,
        Some((status, retry_after)) => {
            answer(status, retry_after, |status| {
                (status, "fault injected by the emulator").into_response()
            })
            .await
        }
    }
}

/// The answer to a request a fault struck: `status` shaped by `shape` (each surface answers
/// errors its own way), with `Retry-After` when the fault gives it; status 0 never answers.
pub async fn answer(
    status: u16,
    retry_after: Option<u64>,
    shape: impl FnOnce(StatusCode) -> Response,
) -> Response {
    if status == 0 {
        // Never: the client's own timeout is what is tested. An hour stands for never, and
        // lets the task end in the end.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return StatusCode::GATEWAY_TIMEOUT.into_response();
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut response = shape(status);
    if let Some(seconds) = retry_after
        && let Ok(value) = seconds.to_string().parse()
    {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

/// Whether the request carries a token of a namespace rule with Manage.
fn may_manage(headers: &HeaderMap, config: &EmulatorConfig) -> bool {
    let Some(token) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let token = token.trim();
    let token = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("bearer "))
        .unwrap_or(token);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    config.namespaces.iter().any(|namespace| {
        sas::validate(token, namespace, &EntityPath::default(), now)
            .is_ok_and(|grant| grant.scope.segments().is_empty() && grant.rights.manage)
    })
}

fn refused() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        "faults need a SharedAccessSignature token of a namespace rule with Manage",
    )
        .into_response()
}

async fn show(State(state): State<FaultsState>, headers: HeaderMap) -> Response {
    if !may_manage(&headers, &state.config) {
        return refused();
    }
    // How often they struck, for a test to know its client met them.
    let struck = state.faults.struck().to_string();
    ([("x-faults-struck", struck)], state.faults.source()).into_response()
}

async fn replace(State(state): State<FaultsState>, headers: HeaderMap, body: Body) -> Response {
    if !may_manage(&headers, &state.config) {
        return refused();
    }
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "a faults file is at most 1 MiB",
        )
            .into_response();
    };
    let Ok(text) = String::from_utf8(bytes.to_vec()) else {
        return (StatusCode::BAD_REQUEST, "a faults file is UTF-8 TOML").into_response();
    };
    match spec::parse(&text, Path::new("request body")) {
        Ok(faults) => {
            tracing::info!(count = faults.len(), "faults replaced");
            state.faults.replace(faults, text);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    }
}
