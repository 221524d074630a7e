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
    let app = Router::new()
        .route(
            "/health",
            get(|| async {
                axum::Json(json!({"status": "healthy", "message": "Service is healthy."}))
            }),
        )
        .merge(catalog::routes(catalog))
        .merge(registry::routes(registry));
    if let Err(error) = axum::serve(listener, app).await {
        tracing::error!(%error, "HTTP server stopped");
    }
}
