//! One request of the registry API: authenticate, parse the path, answer from the store.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::json;

use super::error::RegistryError;
use super::responses::{Links, list, properties_response, schema_response};
use super::store::{self, Group, RegisterError};
use super::{API_VERSIONS, DeclaredFormat, Registry, SchemaFormat};
use crate::codec::schema_compat::Mode;
use crate::emulator::catalog::auth::Caller;

/// What a request asks for, from its path below `/$schemaGroups`.
enum Call {
    ListGroups,
    ById(String),
    ListNames(String),
    Register(String, String),
    GetId(String, String),
    ListVersions(String, String),
    ByVersion(String, String, String),
}

fn parse_call(method: &Method, path: &str) -> Result<Call, RegistryError> {
    let rest = path
        .get("/$schemaGroups".len()..)
        .unwrap_or("")
        .trim_start_matches('/');
    let segments = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            // A name that is not UTF-8 is refused, not stored with replacement characters.
            percent_decode_str(s)
                .decode_utf8()
                .map(|d| d.into_owned())
                .map_err(|_| {
                    RegistryError::bad_request(
                        "InvalidRequest",
                        format!("The path segment '{s}' does not decode to UTF-8 text."),
                    )
                })
        })
        .collect::<Result<Vec<String>, _>>()?;
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let call = match (method.as_str(), parts.as_slice()) {
        ("GET", []) => Call::ListGroups,
        ("GET", ["$schemas", id]) => Call::ById(id.to_string()),
        ("GET", [group, "schemas"]) => Call::ListNames(group.to_string()),
        ("PUT", [group, "schemas", name]) => Call::Register(group.to_string(), name.to_string()),
        ("POST", [group, "schemas", name]) if name.ends_with(":get-id") => Call::GetId(
            group.to_string(),
            name.trim_end_matches(":get-id").to_string(),
        ),
        ("GET", [group, "schemas", name, "versions"]) => {
            Call::ListVersions(group.to_string(), name.to_string())
        }
        ("GET", [group, "schemas", name, "versions", version]) => {
            Call::ByVersion(group.to_string(), name.to_string(), version.to_string())
        }
        _ => {
            return Err(RegistryError::not_found(
                "NotFound",
                format!("No Schema Registry operation is {method} {path}."),
            ));
        }
    };
    Ok(call)
}

pub async fn handle(
    State(registry): State<Arc<Registry>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return too_large(None).into_response();
        }
        Err(rejection) => {
            return RegistryError::bad_request("InvalidRequest", rejection.body_text())
                .into_response();
        }
    };
    match answer(&registry, &method, &uri, &headers, body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

fn api_version(uri: &Uri) -> Result<String, RegistryError> {
    let given = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "api-version")
        .map(|(_, value)| percent_decode_str(value).decode_utf8_lossy().into_owned());
    match given {
        None => Err(RegistryError::bad_request(
            "MissingApiVersionParameter",
            format!(
                "The api-version query parameter is required; this registry answers {}.",
                API_VERSIONS.join(", ")
            ),
        )),
        Some(version) if API_VERSIONS.contains(&version.as_str()) => Ok(version),
        Some(version) => Err(RegistryError::bad_request(
            "UnsupportedApiVersion",
            format!(
                "The api-version '{version}' is not supported; use one of {}.",
                API_VERSIONS.join(", ")
            ),
        )),
    }
}

async fn answer(
    registry: &Registry,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, RegistryError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let caller = Caller::from_headers(headers, now)?;
    caller.check_valid_somewhere(&registry.config.namespaces)?;
    let api_version = api_version(uri)?;
    let base = match headers.get(HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => format!("http://{host}"),
        None => String::new(),
    };
    let links = Links {
        base,
        api_version: api_version.clone(),
    };
    let visible = |group: &Group| {
        registry
            .config
            .namespace(&group.namespace)
            .is_some_and(|ns| caller.sees_namespace(ns))
    };
    let find_group = |store: &store::RegistryStore, name: &str| {
        store
            .group(name)
            .filter(|g| visible(g))
            .cloned()
            .ok_or_else(|| {
                RegistryError::not_found(
                    "GroupNotFound",
                    format!("Schema group '{name}' does not exist."),
                )
            })
    };
    match parse_call(method, uri.path())? {
        Call::ListGroups => {
            let store = registry.store.read().await;
            let names: Vec<&str> = store
                .groups()
                .iter()
                .filter(|g| visible(g))
                .map(|g| g.name.as_str())
                .collect();
            Ok(list("schemaGroups", json!(names)))
        }
        Call::ListNames(group) => {
            let store = registry.store.read().await;
            let group = find_group(&store, &group)?;
            Ok(list("schemas", json!(store.schema_names(&group))))
        }
        Call::ById(id) => {
            let store = registry.store.read().await;
            let found = store
                .by_id(&id)
                .filter(|(group, _, _)| store.group(group).is_some_and(visible));
            let Some((group, name, version)) = found else {
                return Err(RegistryError::not_found(
                    "ItemNotFound",
                    format!("Schema id '{id}' does not exist."),
                ));
            };
            Ok(schema_response(&links, group, name, version))
        }
        Call::ListVersions(group, name) => {
            let store = registry.store.read().await;
            let group = find_group(&store, &group)?;
            let versions = store
                .versions(&group, &name)
                .ok_or_else(|| schema_not_found(&group, &name))?;
            let numbers: Vec<u32> = versions.iter().map(|v| v.version).collect();
            Ok(list("schemaVersions", json!(numbers)))
        }
        Call::ByVersion(group, name, version) => {
            let store = registry.store.read().await;
            let group = find_group(&store, &group)?;
            let wanted: u32 = version.parse().map_err(|_| {
                RegistryError::bad_request(
                    "InvalidSchemaVersion",
                    format!("Schema version '{version}' is not a positive integer."),
                )
            })?;
            let found = store
                .versions(&group, &name)
                .and_then(|vs| vs.iter().find(|v| v.version == wanted))
                .ok_or_else(|| {
                    RegistryError::not_found(
                        "ItemNotFound",
                        format!(
                            "Schema '{name}' version {wanted} does not exist in group '{}'.",
                            group.name
                        ),
                    )
                })?;
            Ok(schema_response(&links, &group.name, &name, found))
        }
        Call::GetId(group, name) => {
            let content = body_text(&body)?;
            let format = format_of(headers)?;
            let store = registry.store.read().await;
            let group = find_group(&store, &group)?;
            if format != group.format {
                return Err(refusal(
                    &group,
                    &name,
                    RegisterError::WrongFormat {
                        group: group.format,
                        given: format,
                    },
                ));
            }
            let found = store
                .find_content(&group, &name, &content)
                .ok_or_else(|| schema_not_found(&group, &name))?;
            Ok(properties_response(&links, &group.name, &name, found))
        }
        Call::Register(group, name) => {
            check_schema_name(&name)?;
            let content = body_text(&body)?;
            let format = format_of(headers)?;
            let mut store = registry.store.write().await;
            let group = find_group(&store, &group)?;
            let may_register = registry
                .config
                .namespace(&group.namespace)
                .is_some_and(|ns| caller.may_register_in(ns, &group.contributors));
            if !may_register {
                return Err(RegistryError::new(
                    StatusCode::FORBIDDEN,
                    "Unauthorized",
                    format!(
                        "Registering in group '{}' needs a namespace rule with Send or Manage, or a rule the group names as contributor; the caller's is neither.",
                        group.name
                    ),
                ));
            }
            let version = store
                .register(&group, &name, format, &content)
                .map_err(|e| refusal(&group, &name, e))?;
            Ok(properties_response(&links, &group.name, &name, &version))
        }
    }
}

fn schema_not_found(group: &Group, name: &str) -> RegistryError {
    RegistryError::not_found(
        "ItemNotFound",
        format!("Schema '{name}' does not exist in group '{}'.", group.name),
    )
}

fn body_text(body: &Bytes) -> Result<String, RegistryError> {
    let text = String::from_utf8(body.to_vec()).map_err(|_| {
        RegistryError::bad_request("InvalidSchema", "The schema content is not UTF-8 text.")
    })?;
    if text.trim().is_empty() {
        return Err(RegistryError::bad_request(
            "InvalidSchema",
            "The schema content is empty.",
        ));
    }
    Ok(text)
}

/// Schema names as the spec's pattern allows them (`^[A-Za-z0-9][^\\/$:]*$`), at most 100
/// characters: the service quota (the swagger says 50, but Avro full names run long). Control
/// characters are refused too: the pattern lets them through, but no header can carry them
/// and no terminal should be handed them (docs/schema-registry.md).
fn check_schema_name(name: &str) -> Result<(), RegistryError> {
    let ok = name.chars().count() <= 100
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains(['\\', '/', '$', ':'])
        && !name.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(RegistryError::bad_request(
            "InvalidSchemaName",
            format!(
                "Schema name {name:?} must start with a letter or digit, have no \\ / $ : or control character, and be at most 100 characters."
            ),
        ))
    }
}

/// The format a registration or lookup declares by its content type; one no format has is
/// refused (415), rather than stored unchecked as it once was.
fn format_of(headers: &HeaderMap) -> Result<SchemaFormat, RegistryError> {
    let content_type = headers.get(CONTENT_TYPE).map(|v| v.to_str());
    let declared = match content_type {
        Some(Ok(text)) => SchemaFormat::declared_by(Some(text)),
        Some(Err(_)) => DeclaredFormat::Unknown("(not text)".into()),
        None => SchemaFormat::declared_by(None),
    };
    let expected = "application/json; serialization=Avro, application/json; serialization=Json or text/plain; charset=utf-8";
    match declared {
        DeclaredFormat::Known(format) => Ok(format),
        DeclaredFormat::Unsupported(name) => Err(unsupported_media(format!(
            "{name} schemas are not supported by this registry; it takes {expected}."
        ))),
        DeclaredFormat::Unknown(given) if given.is_empty() => Err(unsupported_media(format!(
            "A schema needs a Content-Type naming its format: {expected}."
        ))),
        DeclaredFormat::Unknown(given) => Err(unsupported_media(format!(
            "Content-Type {given:?} names no schema format; use {expected}."
        ))),
    }
}

fn unsupported_media(message: String) -> RegistryError {
    RegistryError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UnsupportedMediaType",
        message,
    )
}

fn too_large(size: Option<usize>) -> RegistryError {
    let size = size.map_or_else(
        || "The request body".to_owned(),
        |s| format!("The schema ({s} bytes)"),
    );
    RegistryError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "SchemaTooLarge",
        format!(
            "{size} is larger than a schema may be ({} bytes).",
            store::MAX_SCHEMA_BYTES
        ),
    )
}

fn refusal(group: &Group, name: &str, error: RegisterError) -> RegistryError {
    match error {
        RegisterError::Incompatible { mode, reason } => RegistryError::bad_request(
            "InvalidSchema",
            format!(
                "Schema '{name}' is not {} compatible with its latest version in group '{}' ({} mode): {reason}.",
                match mode {
                    Mode::Forward => "forward",
                    Mode::Full => "fully",
                    _ => "backward",
                },
                group.name,
                mode.name()
            ),
        ),
        RegisterError::Invalid(message) => RegistryError::bad_request("InvalidSchema", message),
        RegisterError::WrongFormat { group: held, given } => unsupported_media(format!(
            "Schema group '{}' holds {held} schemas; this one is {given} (Content-Type {}).",
            group.name,
            given.content_type()
        )),
        RegisterError::TooLarge { size, .. } => too_large(Some(size)),
        RegisterError::QuotaExceeded { namespace, limit } => RegistryError::bad_request(
            "QuotaExceeded",
            format!(
                "The schema registry of namespace '{namespace}' holds its limit of {limit} bytes of schemas; '{name}' was not registered."
            ),
        ),
        RegisterError::Storage(error) => RegistryError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            format!("The registry could not store the schema: {error}."),
        ),
    }
}
