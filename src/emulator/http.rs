//! The emulator's HTTP surface. `GET /health` answers as Microsoft's emulator does.

use axum::Router;
use axum::routing::get;
use serde_json::json;
use tokio::net::TcpListener;

pub async fn serve(listener: TcpListener) {
    let app = Router::new().route(
        "/health",
        get(|| async {
            axum::Json(json!({"status": "healthy", "message": "Service is healthy."}))
        }),
    );
    if let Err(error) = axum::serve(listener, app).await {
        tracing::error!(%error, "HTTP server stopped");
    }
}
