//! An ARM-shaped catalog of what the emulator serves, on its HTTP port: the few read calls the
//! console makes against management.azure.com (docs/protocol-notes.md section 8), answered in the same
//! JSON so the console's ARM client is tested by talking to it.
//!
//! URL shapes (api-version `2024-01-01`; any value is accepted but one must be given):
//! - `GET /subscriptions`
//! - `GET /subscriptions/{sub}/providers/Microsoft.EventHub/namespaces`
//! - `GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.EventHub/namespaces`
//! - `GET .../namespaces/{ns}`, `.../namespaces/{ns}/authorizationRules`
//! - `GET .../namespaces/{ns}/eventhubs` (`$skip`, `$top`), `.../eventhubs/{eh}`,
//!   `.../eventhubs/{eh}/authorizationRules`
//! - `GET .../eventhubs/{eh}/consumergroups` (`$skip`, `$top`), `.../consumergroups/{cg}`
//! - `GET {scope}/providers/Microsoft.Authorization/permissions` at the subscription, the
//!   resource group, a namespace or a hub (`permissions.rs`)
//!
//! with `{sub}` = [`SUBSCRIPTION_ID`] and `{rg}` = [`RESOURCE_GROUP`]. Every request needs a
//! shared-access token in `Authorization`; what it sees is scoped by its rule (see `auth.rs`).

pub(super) mod auth;
mod error;
mod path;
#[cfg(test)]
mod permission_tests;
mod permissions;
mod resources;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::HOST;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use self::auth::Caller;
pub(super) use self::error::ArmError;
use self::path::Resource;
use super::config::{EmulatorConfig, HubConfig, NamespaceConfig};

/// The emulator's one subscription.
pub const SUBSCRIPTION_ID: &str = "00000000-0000-0000-0000-000000000000";
/// The resource group every emulated namespace is in.
pub const RESOURCE_GROUP: &str = "ehops-local";
/// The ARM api-version whose shapes the catalog answers in.
pub const API_VERSION: &str = "2024-01-01";

/// What the catalog describes: the config, and where each namespace is served.
pub struct Catalog {
    config: Arc<EmulatorConfig>,
    /// Keyed by lower-cased namespace name.
    amqp: HashMap<String, SocketAddr>,
    /// RFC 3339; the emulator's start stands in for every resource's creation.
    created_at: String,
}

impl Catalog {
    pub fn new(
        config: Arc<EmulatorConfig>,
        amqp: impl IntoIterator<Item = (String, SocketAddr)>,
        created_ms: i64,
    ) -> Self {
        let created_at =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(created_ms) * 1_000_000)
                .ok()
                .and_then(|t| t.format(&Rfc3339).ok())
                .unwrap_or_default();
        Catalog {
            config,
            amqp: amqp
                .into_iter()
                .map(|(name, addr)| (name.to_ascii_lowercase(), addr))
                .collect(),
            created_at,
        }
    }

    fn amqp_address(&self, namespace: &str) -> Option<SocketAddr> {
        self.amqp.get(&namespace.to_ascii_lowercase()).copied()
    }
}

/// The catalog's routes, to merge into the emulator's HTTP router.
pub fn routes(catalog: Arc<Catalog>) -> Router {
    Router::new()
        .route("/subscriptions", get(handle))
        .route("/subscriptions/{*rest}", get(handle))
        .with_state(catalog)
}

async fn handle(State(catalog): State<Arc<Catalog>>, uri: Uri, headers: HeaderMap) -> Response {
    match answer(&catalog, &uri, &headers) {
        Ok(body) => Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

/// The query parameters the catalog reads.
struct Query {
    api_version: Option<String>,
    skip: usize,
    top: Option<usize>,
}

fn parse_query(query: Option<&str>) -> Result<Query, ArmError> {
    let mut parsed = Query {
        api_version: None,
        skip: 0,
        top: None,
    };
    let number = |name: &str, value: &str| {
        value.parse::<usize>().map_err(|_| {
            ArmError::bad_request(
                "InvalidQueryParameterValue",
                format!(
                    "The value {value:?} of query parameter {name} is not a non-negative integer."
                ),
            )
        })
    };
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode_str(key).decode_utf8_lossy();
        let value = percent_decode_str(value).decode_utf8_lossy();
        match key.as_ref() {
            "api-version" => parsed.api_version = Some(value.into_owned()),
            "$skip" => parsed.skip = number("$skip", &value)?,
            "$top" => parsed.top = Some(number("$top", &value)?),
            _ => {}
        }
    }
    Ok(parsed)
}

fn answer(catalog: &Catalog, uri: &Uri, headers: &HeaderMap) -> Result<Value, ArmError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let caller = Caller::from_headers(headers, now)?;
    caller.check_valid_somewhere(&catalog.config.namespaces)?;
    let query = parse_query(uri.query())?;
    let Some(api_version) = query.api_version.clone() else {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            format!(
                "The api-version query parameter (?api-version=) is required for all requests; this catalog answers as {API_VERSION}."
            ),
        ));
    };
    let list = |items: Vec<Value>| page(items, &query, &api_version, uri, headers);
    let namespaces = &catalog.config.namespaces;
    let value = match path::parse(uri.path())? {
        Resource::Subscriptions => json!({"value": [resources::subscription()], "nextLink": null}),
        Resource::Subscription => resources::subscription(),
        Resource::Group => resources::resource_group(),
        Resource::Permissions { scope } => permissions::at_scope(catalog, &caller, &scope)?,
        Resource::Namespaces => list(
            namespaces
                .iter()
                .filter(|ns| caller.sees_namespace(ns))
                .map(|ns| resources::namespace(catalog, ns))
                .collect(),
        ),
        Resource::Namespace { ns } => {
            resources::namespace(catalog, visible_ns(catalog, &caller, &ns)?)
        }
        Resource::NamespaceRules { ns } => {
            let ns = visible_ns(catalog, &caller, &ns)?;
            if !caller.sees_all_of(ns) {
                return Err(ArmError::forbidden(format!(
                    "The caller's rule is scoped to hubs of namespace '{}', not to the namespace's own rules.",
                    ns.name
                )));
            }
            list(
                ns.rules
                    .iter()
                    .map(|r| resources::namespace_rule(ns, r))
                    .collect(),
            )
        }
        Resource::Hubs { ns } => {
            let ns = visible_ns(catalog, &caller, &ns)?;
            list(
                ns.hubs
                    .iter()
                    .filter(|hub| caller.sees_hub(ns, hub))
                    .map(|hub| resources::hub(catalog, ns, hub))
                    .collect(),
            )
        }
        Resource::Hub { ns, hub } => {
            let (ns, hub) = visible_hub(catalog, &caller, &ns, &hub)?;
            resources::hub(catalog, ns, hub)
        }
        Resource::HubRules { ns, hub } => {
            let (ns, hub) = visible_hub(catalog, &caller, &ns, &hub)?;
            list(
                hub.rules
                    .iter()
                    .map(|r| resources::hub_rule(ns, hub, r))
                    .collect(),
            )
        }
        Resource::ConsumerGroups { ns, hub } => {
            let (ns, hub) = visible_hub(catalog, &caller, &ns, &hub)?;
            list(
                hub.consumer_groups
                    .iter()
                    .map(|cg| resources::consumer_group(catalog, ns, hub, cg))
                    .collect(),
            )
        }
        Resource::ConsumerGroup { ns, hub, cg } => {
            let (ns, hub) = visible_hub(catalog, &caller, &ns, &hub)?;
            let cg = hub
                .consumer_groups
                .iter()
                .find(|g| g.eq_ignore_ascii_case(&cg))
                .ok_or_else(|| {
                    ArmError::not_found(format!(
                        "Consumer group '{cg}' was not found in event hub '{}'.",
                        hub.name
                    ))
                })?;
            resources::consumer_group(catalog, ns, hub, cg)
        }
    };
    Ok(value)
}

/// A namespace the caller may see; one it may not is as absent as one that does not exist.
fn visible_ns<'a>(
    catalog: &'a Catalog,
    caller: &Caller,
    name: &str,
) -> Result<&'a NamespaceConfig, ArmError> {
    catalog
        .config
        .namespace(name)
        .filter(|ns| caller.sees_namespace(ns))
        .ok_or_else(|| ArmError::not_found(format!("Namespace '{name}' was not found.")))
}

fn visible_hub<'a>(
    catalog: &'a Catalog,
    caller: &Caller,
    ns: &str,
    hub: &str,
) -> Result<(&'a NamespaceConfig, &'a HubConfig), ArmError> {
    let namespace = visible_ns(catalog, caller, ns)?;
    let hub_config = namespace
        .hub(hub)
        .filter(|h| caller.sees_hub(namespace, h))
        .ok_or_else(|| {
            ArmError::not_found(format!(
                "Event hub '{hub}' was not found in namespace '{}'.",
                namespace.name
            ))
        })?;
    Ok((namespace, hub_config))
}

/// An ARM list page: `$skip` and `$top` applied, and a `nextLink` to the rest when `$top` cut
/// it short (`null` otherwise, as ARM writes it).
fn page(
    items: Vec<Value>,
    query: &Query,
    api_version: &str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Value {
    let total = items.len();
    let top = query.top.unwrap_or(usize::MAX);
    let value: Vec<Value> = items.into_iter().skip(query.skip).take(top).collect();
    let next = query.skip.saturating_add(top);
    let next_link = match headers.get(HOST).and_then(|h| h.to_str().ok()) {
        Some(host) if next < total => Value::String(format!(
            "http://{host}{}?api-version={api_version}&$skip={next}&$top={top}",
            uri.path()
        )),
        _ => Value::Null,
    };
    json!({"value": value, "nextLink": next_link})
}
