//! What a registry answer looks like on the wire: the properties headers every schema answer
//! carries, the list bodies, the content type per format.

use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::store::Version;

pub struct Links {
    pub base: String,
    pub api_version: String,
}

/// A list body in every shape a client reads: the swagger's named key (`schemaGroups`,
/// `schemaVersions`), TypeSpec's `value`, and `Value`/`NextLink`, which is what
/// azure-schemaregistry 1.3.0's generated pager reads (`deserialized["Value"]`).
pub fn list(key: &str, items: serde_json::Value) -> Response {
    axum::Json(json!({
        key: items.clone(),
        "value": items.clone(),
        "Value": items,
        "nextLink": null,
        "NextLink": null,
    }))
    .into_response()
}

fn content_type_of(format: &str) -> String {
    match format {
        "Custom" => "text/plain; charset=utf-8".into(),
        other => format!("application/json;serialization={other}"),
    }
}

fn properties_headers(links: &Links, group: &str, name: &str, version: &Version) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut put = |key: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(key, value);
        }
    };
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    put(
        LOCATION.as_str(),
        format!(
            "{}/$schemagroups/{}/schemas/{}/versions/{}?api-version={}",
            links.base,
            enc(group),
            enc(name),
            version.version,
            links.api_version
        ),
    );
    put("Schema-Id", version.id.clone());
    put(
        "Schema-Id-Location",
        format!(
            "{}/$schemagroups/$schemas/{}?api-version={}",
            links.base, version.id, links.api_version
        ),
    );
    put("Schema-Group-Name", group.to_string());
    put("Schema-Name", name.to_string());
    put("Schema-Version", version.version.to_string());
    put(CONTENT_TYPE.as_str(), content_type_of(&version.format));
    headers
}

pub fn properties_response(links: &Links, group: &str, name: &str, version: &Version) -> Response {
    let mut headers = properties_headers(links, group, name, version);
    headers.remove(CONTENT_TYPE);
    (StatusCode::NO_CONTENT, headers).into_response()
}

pub fn schema_response(links: &Links, group: &str, name: &str, version: &Version) -> Response {
    let headers = properties_headers(links, group, name, version);
    (StatusCode::OK, headers, version.content.clone()).into_response()
}
