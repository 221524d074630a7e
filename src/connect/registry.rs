//! A typed client for Azure Schema Registry's data plane (api-version 2023-07-01; docs/protocol-notes.md
//! section 3), for Azure and for the emulator's registry alike: groups, a group's schema names
//! (an emulator extension; Azure's API has no such list), versions, a version's text, and a
//! schema by id, cached by id because ids are immutable and the tail asks for the same few
//! thousands of times.
//!
//! Transport and auth are the catalog's: `azure_core`'s `HttpClient` and a [`CatalogAuth`]
//! (an Entra ID token for `https://eventhubs.azure.net/.default` on Azure, the namespace's
//! shared-access token on the emulator).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use azure_core::http::{HttpClient, Method, Request, Url, new_http_client};
use serde_json::Value;

use super::catalog::{BearerAuth, CatalogAuth, SasAuth};
use super::connection::Connection;
use super::error::{ConnectError, Failure};
use super::http_retry;
use super::identity::{SignInChain, SignInOptions};
pub use crate::model::RegisteredSchema;

pub const API_VERSION: &str = "2023-07-01";
/// The scope Schema Registry tokens are issued for (the TypeSpec's `main.tsp`).
pub const EVENTHUBS_SCOPE: &str = "https://eventhubs.azure.net/.default";
/// A `nextLink` chain longer than this is a service bug, not data.
const MAX_PAGES: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// No such group, schema, version or id.
    #[error("{0}")]
    NotFound(String),
    /// The registry refused a registration (e.g. it breaks the group's compatibility).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

impl RegistryError {
    /// The console's kind of failure, for exit codes.
    pub fn failure(&self) -> Failure {
        match self {
            RegistryError::NotFound(_) => Failure::NotFound,
            RegistryError::Refused(_) => Failure::Usage,
            RegistryError::Connect(e) => e.failure,
        }
    }
}

impl From<RegistryError> for ConnectError {
    fn from(error: RegistryError) -> Self {
        match error {
            RegistryError::Connect(e) => e,
            other => ConnectError::new(other.failure(), other.to_string()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SchemaRegistry {
    http: Arc<dyn HttpClient>,
    endpoint: Url,
    auth: Arc<dyn CatalogAuth>,
    by_id: Arc<Mutex<HashMap<String, RegisteredSchema>>>,
}

impl SchemaRegistry {
    pub fn new(endpoint: Url, auth: Arc<dyn CatalogAuth>) -> Self {
        Self {
            http: new_http_client(None),
            endpoint,
            auth,
            by_id: Arc::default(),
        }
    }

    /// The registry for a connection: the emulator's on its HTTP port (the catalog's address)
    /// with the connection's shared-access token; Azure's at `https://{namespace}` with an
    /// Entra ID token: the connection's own sign-in, else the developer's (`az login`, ...).
    pub fn for_connection(connection: &Connection) -> Result<Self, ConnectError> {
        if let Some(catalog) = &connection.catalog {
            let auth = SasAuth::new(Arc::clone(&connection.credential));
            return Ok(Self::new(catalog.endpoint().clone(), Arc::new(auth)));
        }
        let url = format!("https://{}", connection.fully_qualified_namespace);
        let endpoint = Url::parse(&url)
            .map_err(|e| ConnectError::usage(format!("bad registry address {url}: {e}")))?;
        // A shared-access key cannot read Azure's registry; then the developer's own sign-in.
        let credential: Arc<dyn azure_core::credentials::TokenCredential> = if connection.signed_in
        {
            Arc::clone(&connection.credential)
        } else {
            SignInChain::from_environment(&SignInOptions::default())
        };
        let auth = BearerAuth::for_scope(credential, EVENTHUBS_SCOPE);
        Ok(Self::new(endpoint, Arc::new(auth)))
    }

    pub async fn groups(&self) -> Result<Vec<String>, RegistryError> {
        self.list("/$schemaGroups", "schemaGroups").await
    }

    /// A group's schema names: the emulator answers; Azure has no such call (NotFound then).
    pub async fn schema_names(&self, group: &str) -> Result<Vec<String>, RegistryError> {
        let path = format!("/$schemaGroups/{}/schemas", segment(group));
        self.list(&path, "schemas").await
    }

    pub async fn versions(&self, group: &str, name: &str) -> Result<Vec<u32>, RegistryError> {
        let path = format!(
            "/$schemaGroups/{}/schemas/{}/versions",
            segment(group),
            segment(name)
        );
        self.list(&path, "schemaVersions").await
    }

    pub async fn schema_by_version(
        &self,
        group: &str,
        name: &str,
        version: u32,
    ) -> Result<RegisteredSchema, RegistryError> {
        let path = format!(
            "/$schemaGroups/{}/schemas/{}/versions/{version}",
            segment(group),
            segment(name)
        );
        let schema = self.fetch_schema(&path).await?;
        self.remember(&schema);
        Ok(schema)
    }

    /// The schema with this id, from the cache when it was seen before.
    pub async fn schema_by_id(&self, id: &str) -> Result<RegisteredSchema, RegistryError> {
        let key = id.to_ascii_lowercase();
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        let schema = self
            .fetch_schema(&format!("/$schemaGroups/$schemas/{}", segment(id)))
            .await?;
        self.remember(&schema);
        Ok(schema)
    }

    fn cached(&self, key: &str) -> Option<RegisteredSchema> {
        // A poisoned cache is only a cache: ask the service instead.
        self.by_id.lock().ok()?.get(key).cloned()
    }

    fn remember(&self, schema: &RegisteredSchema) {
        if let Ok(mut cache) = self.by_id.lock() {
            cache.insert(schema.id.to_ascii_lowercase(), schema.clone());
        }
    }

    /// Registers an Avro schema (a new version, or the existing one for the same text).
    pub async fn register_avro(
        &self,
        group: &str,
        name: &str,
        content: &str,
    ) -> Result<RegisteredSchema, RegistryError> {
        let path = format!(
            "/$schemaGroups/{}/schemas/{}",
            segment(group),
            segment(name)
        );
        let mut request = self.request(&path, Method::Put).await?;
        request.insert_header("content-type", "application/json; serialization=Avro");
        request.set_body(content.to_owned());
        let (headers, _) = self.send(&request).await?;
        let mut schema = properties(&headers, &path)?;
        schema.content = content.to_owned();
        schema.format = "Avro".into();
        self.remember(&schema);
        Ok(schema)
    }

    async fn request(&self, path: &str, method: Method) -> Result<Request, RegistryError> {
        let mut url = self.endpoint.join(path).map_err(|e| {
            ConnectError::usage(format!("bad registry address {}{path}: {e}", self.endpoint))
        })?;
        url.query_pairs_mut()
            .append_pair("api-version", API_VERSION);
        let mut request = Request::new(url, method);
        request.insert_header("authorization", self.auth.authorization().await?);
        Ok(request)
    }

    async fn fetch_schema(&self, path: &str) -> Result<RegisteredSchema, RegistryError> {
        let request = self.request(path, Method::Get).await?;
        let (headers, body) = self.send(&request).await?;
        let mut schema = properties(&headers, path)?;
        schema.content = String::from_utf8(body).map_err(|_| {
            ConnectError::new(Failure::Service, format!("schema at {path} is not UTF-8"))
        })?;
        Ok(schema)
    }

    /// Every page of a list, in any shape (`value`, `Value`, or the swagger's named key).
    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, RegistryError> {
        let mut request = self.request(path, Method::Get).await?;
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let (_, body) = self.send(&request).await?;
            let page: Value = serde_json::from_slice(&body).map_err(|e| unexpected(path, &e))?;
            let values = ["value", "Value", key]
                .iter()
                .find_map(|k| page.get(*k))
                .cloned();
            let batch: Vec<T> = serde_json::from_value(values.unwrap_or(Value::Array(vec![])))
                .map_err(|e| unexpected(path, &e))?;
            items.extend(batch);
            let next = ["nextLink", "NextLink"]
                .iter()
                .find_map(|k| page.get(*k).and_then(Value::as_str));
            match next {
                Some(next) if !next.is_empty() => {
                    let url = request.url().join(next).map_err(|e| unexpected(path, &e))?;
                    let auth = self.auth.authorization().await?;
                    request = Request::new(url, Method::Get);
                    request.insert_header("authorization", auth);
                }
                _ => return Ok(items),
            }
        }
        Err(ConnectError::new(
            Failure::Service,
            format!("the registry returned more than {MAX_PAGES} pages for {path}"),
        )
        .into())
    }

    async fn send(
        &self,
        request: &Request,
    ) -> Result<(azure_core::http::headers::Headers, Vec<u8>), RegistryError> {
        let service = format!("the schema registry at {}", self.endpoint);
        let answer = http_retry::execute(self.http.as_ref(), request, &service).await?;
        if !(200..300).contains(&answer.status) {
            return Err(error_for(answer.status, &answer.body, request.url().path()));
        }
        Ok((answer.headers, answer.body))
    }
}

fn unexpected(path: &str, error: &dyn std::fmt::Display) -> RegistryError {
    ConnectError::new(
        Failure::Service,
        format!("the schema registry answered {path} with unexpected content: {error}"),
    )
    .into()
}

/// The schema's identity from the response headers the service always sends. A group or
/// schema name that is not ASCII does not survive as a header here (the HTTP stack keeps only
/// ASCII header values), so the names fall back to the percent-encoded `Location`.
fn properties(
    headers: &azure_core::http::headers::Headers,
    path: &str,
) -> Result<RegisteredSchema, RegistryError> {
    let optional = |name: &'static str| {
        headers
            .get_optional_str(&azure_core::http::headers::HeaderName::from_static(name))
            .map(str::to_owned)
    };
    let (located_group, located_name) = optional("location")
        .and_then(|l| names_in_location(&l))
        .unzip();
    let or_missing = |value: Option<String>, name: &str| {
        value.ok_or_else(|| unexpected(path, &format!("no {name} header")))
    };
    let header = |name: &'static str| or_missing(optional(name), name);
    let content_type = header("content-type").unwrap_or_default();
    let format = match content_type.replace(' ', "").to_ascii_lowercase().as_str() {
        "application/json;serialization=avro" => "Avro".to_owned(),
        "application/json;serialization=json" => "Json".to_owned(),
        t if t.starts_with("text/plain") => "Custom".to_owned(),
        _ => content_type,
    };
    Ok(RegisteredSchema {
        id: header("schema-id")?,
        group: or_missing(
            optional("schema-group-name").or(located_group),
            "schema-group-name",
        )?,
        name: or_missing(optional("schema-name").or(located_name), "schema-name")?,
        version: header("schema-version")?
            .parse()
            .map_err(|e| unexpected(path, &e))?,
        format,
        content: String::new(),
    })
}

/// The group and schema names in a `Location` of `.../$schemagroups/{group}/schemas/{name}/
/// versions/{version}`, percent-decoded.
fn names_in_location(location: &str) -> Option<(String, String)> {
    let url = Url::parse(location).ok()?;
    let segments: Vec<&str> = url.path_segments()?.collect();
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|d| d.into_owned())
    };
    match segments.as_slice() {
        [.., groups, group, "schemas", name, "versions", _]
            if groups.eq_ignore_ascii_case("$schemagroups") =>
        {
            Some((decode(group)?, decode(name)?))
        }
        _ => None,
    }
}

/// Sorts a registry error answer, keeping the service's own words.
fn error_for(code: u16, body: &[u8], path: &str) -> RegistryError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let error = parsed.as_ref().map(|b| &b["error"]);
    let detail = match error {
        Some(e) if e.is_object() => format!(
            "{}: {}",
            e["code"].as_str().unwrap_or("?"),
            e["message"].as_str().unwrap_or("")
        ),
        _ => String::from_utf8_lossy(body).chars().take(200).collect(),
    };
    let message = format!("schema registry {path} answered {code}: {detail}");
    match code {
        404 => RegistryError::NotFound(message),
        400 | 409 | 415 => RegistryError::Refused(message),
        401 => ConnectError::new(Failure::Auth, message).into(),
        403 => ConnectError::new(Failure::Denied, message).into(),
        _ => ConnectError::new(Failure::Service, message).into(),
    }
}

/// Group and schema names escaped as path segments (`$schemas` keeps its `$`).
fn segment(text: &str) -> String {
    const SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'$');
    percent_encoding::utf8_percent_encode(text, SAFE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_location_when_no_header_can_carry_them() {
        let location = "http://127.0.0.1:1/$schemagroups/customer/schemas/Caf%C3%A9/versions/2?api-version=2023-07-01";
        assert_eq!(
            names_in_location(location),
            Some(("customer".to_owned(), "Café".to_owned()))
        );
        assert_eq!(names_in_location("http://host/elsewhere"), None);
    }
}
