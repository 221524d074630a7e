//! Errors as Azure Schema Registry writes them: a status, `x-ms-error-code`, and
//! `{"error":{"code":...,"message":...,"details":[]}}` (docs/protocol-notes.md section 3), so the SDKs
//! map them to their usual exceptions (401 authentication, 404 not found, 409 exists).

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::emulator::catalog::ArmError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl RegistryError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        RegistryError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
}

/// The catalog's shared-access refusals (401, 403) are the registry's too.
impl From<ArmError> for RegistryError {
    fn from(error: ArmError) -> Self {
        RegistryError {
            status: error.status,
            code: error.code,
            message: error.message,
        }
    }
}

impl IntoResponse for RegistryError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "details": []}});
        let mut response = (self.status, Json(body)).into_response();
        response
            .headers_mut()
            .insert("x-ms-error-code", HeaderValue::from_static(self.code));
        response
    }
}
