//! What a registry answer looks like on the wire: the properties headers every schema answer
//! carries, the list bodies, the content type per format.

use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::SchemaFormat;
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

fn content_type_of(format: &str) -> &'static str {
    SchemaFormat::parse(format).map_or("text/plain; charset=utf-8", SchemaFormat::content_type)
}

/// The properties headers. Names are sent as their UTF-8 bytes, which HTTP carries as opaque
/// octets (a name such as `Café` is valid on Azure); a client that reads headers only as
/// ASCII finds the same names percent-encoded in `Location`, which is always ASCII. A name
/// no header can hold (a control character, refused at registration since) is left out of
/// its header rather than failing the answer, and is still in `Location`.
fn properties_headers(links: &Links, group: &str, name: &str, version: &Version) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut put = |key: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) {
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
    put(
        CONTENT_TYPE.as_str(),
        content_type_of(&version.format).to_owned(),
    );
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
