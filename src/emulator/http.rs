//! The emulator's HTTP surface: `GET /health` as Microsoft's emulator answers it, and the
//! ARM-shaped catalog ([`super::catalog`]) and the Schema Registry API ([`super::registry`]).

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::catalog::{self, Catalog};
use super::config::EmulatorConfig;
use super::faults::{self, Faults};
use super::registry::{self, Registry};

/// Serves [`router`], with the faults endpoint and HTTP faults around it, until `shutdown`:
/// then no connection is accepted, and each one open is closed once its request in flight
/// is answered (an idle kept-alive one at once), so that a stopped emulator answers nobody.
pub async fn serve(
    listener: TcpListener,
    catalog: Arc<Catalog>,
    registry: Arc<Registry>,
    (faults, config): (Faults, Arc<EmulatorConfig>),
    shutdown: CancellationToken,
) {
    let app = faults::http::wrap(router(catalog, registry), faults, config);
    let serving = axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned());
    if let Err(error) = serving.await {
        tracing::error!(%error, "HTTP server stopped");
    }
}

/// Every route the HTTP port answers (the fuzz target `http_endpoints` sends requests to it).
pub fn router(catalog: Arc<Catalog>, registry: Arc<Registry>) -> Router {
    Router::new()
        .route(
            "/health",
            get(|| async {
                axum::Json(json!({"status": "healthy", "message": "Service is healthy."}))
            }),
        )
        .merge(catalog::routes(catalog))
        .merge(registry::routes(registry))
}
