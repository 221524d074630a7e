//! The emulator's HTTP surface: `GET /health` as Microsoft's emulator answers it, and the
//! ARM-shaped catalog ([`super::catalog`]) and the Schema Registry API ([`super::registry`]).

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use serde_json::json;
use tokio::net::TcpListener;

use super::catalog::{self, Catalog};
use super::registry::{self, Registry};

pub async fn serve(listener: TcpListener, catalog: Arc<Catalog>, registry: Arc<Registry>) {
    if let Err(error) = axum::serve(listener, router(catalog, registry)).await {
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
