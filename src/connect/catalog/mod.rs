//! A small typed client for the Azure Resource Manager reads the console needs (namespaces,
//! event hubs, consumer groups; api-version 2024-01-01), for Azure and for the emulator's
//! ARM-shaped catalog alike.
//!
//! HTTP goes through `azure_core`'s `HttpClient` (reqwest with rustls underneath), not
//! reqwest directly: it is already configured the way the SDK uses it, so ehops carries one
//! TLS stack and one proxy behaviour. Its full pipeline (retry, telemetry policies) is more
//! than six GETs need; paging and error mapping are done here.

mod auth;
mod permissions;
mod resources;

use std::sync::Arc;

use azure_core::http::{HttpClient, Method, Request, Url, new_http_client};
use futures_util::future::join_all;
use serde::de::DeserializeOwned;

pub use auth::{ARM_SCOPE, BearerAuth, CatalogAuth, SasAuth};
pub use permissions::{PERMISSIONS_API_VERSION, PermissionsCache};
pub use resources::{
    ConsumerGroupResource, HubProperties, HubResource, NamespaceProperties, NamespaceResource,
    RetentionDescription,
};
use resources::{ErrorBody, Page};

use super::error::{ConnectError, Failure};
use super::http_retry;
use super::sdk_error::{self, Reading};
use crate::model::Hub;

pub const API_VERSION: &str = "2024-01-01";
/// Resource Manager's subscription list (`GET /subscriptions`).
const SUBSCRIPTIONS_API_VERSION: &str = "2022-12-01";

/// One subscription of `GET /subscriptions`: only its id is read.
#[derive(Debug, serde::Deserialize)]
struct SubscriptionResource {
    #[serde(rename = "subscriptionId")]
    subscription_id: String,
}
/// Azure's management endpoint.
pub const AZURE_ENDPOINT: &str = "https://management.azure.com";
/// The subscription and resource group the emulator's catalog presents.
pub const EMULATOR_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
pub const EMULATOR_RESOURCE_GROUP: &str = "ehops-local";
/// How long effective permissions are trusted before they are asked for again: role
/// assignments change rarely, and the refresh key forgets them at once.
const PERMISSIONS_TTL: std::time::Duration = std::time::Duration::from_secs(300);
/// A `nextLink` chain longer than this is a service bug, not data.
const MAX_PAGES: usize = 1000;

/// Where the namespaces live: a subscription, optionally narrowed to a resource group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub subscription: String,
    pub resource_group: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    http: Arc<dyn HttpClient>,
    endpoint: Url,
    scope: Scope,
    auth: Arc<dyn CatalogAuth>,
    /// `$top` for the lists that take it (hubs, consumer groups); `None`: the service's.
    page_size: Option<usize>,
    /// Effective permissions per scope, shared by the clones of this client.
    permissions: Arc<PermissionsCache>,
    /// Reads are tried again on transient failures (`http_retry`); off for a probe.
    retry_reads: bool,
}

impl Catalog {
    pub fn new(endpoint: Url, scope: Scope, auth: Arc<dyn CatalogAuth>) -> Self {
        Self {
            http: new_http_client(None),
            endpoint,
            scope,
            auth,
            page_size: None,
            permissions: Arc::new(PermissionsCache::new(PERMISSIONS_TTL)),
            retry_reads: true,
        }
    }

    /// The same catalog, each read tried once: for asking whether a catalog is there at all.
    pub fn tried_once(&self) -> Self {
        Self {
            retry_reads: false,
            ..self.clone()
        }
    }

    /// Asks for pages of `size` items (the rest follows through `nextLink`).
    pub fn with_page_size(mut self, size: usize) -> Self {
        self.page_size = Some(size.max(1));
        self
    }

    /// The emulator's catalog at `endpoint` (its HTTP address), signed with the namespace SAS.
    pub fn emulator(endpoint: Url, auth: Arc<dyn CatalogAuth>) -> Self {
        let scope = Scope {
            subscription: EMULATOR_SUBSCRIPTION.to_owned(),
            resource_group: Some(EMULATOR_RESOURCE_GROUP.to_owned()),
        };
        Self::new(endpoint, scope, auth)
    }

    /// Narrows a subscription-wide catalog to the resource group holding `namespace`, found
    /// by listing the subscription's namespaces (ARM reads a namespace only through its group).
    pub async fn locate(mut self, namespace: &str) -> Result<Self, ConnectError> {
        if self.scope.resource_group.is_some() {
            return Ok(self);
        }
        let namespaces = self.namespaces().await?;
        let found = namespaces
            .iter()
            .find(|n| n.name.eq_ignore_ascii_case(namespace))
            .ok_or_else(|| {
                ConnectError::not_found(format!(
                    "no namespace {namespace} in subscription {} (that your identity can see)",
                    self.scope.subscription
                ))
            })?;
        self.scope.resource_group = Some(found.resource_group().ok_or_else(|| {
            ConnectError::new(
                Failure::Service,
                format!(
                    "namespace {namespace} has no resource group in its id {:?}",
                    found.id
                ),
            )
        })?);
        Ok(self)
    }

    /// The subscription (and resource group, once narrowed) this catalog reads.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The same catalog narrowed to a namespace's resource group, in its subscription when the
    /// namespace is in another: a namespace found by [`every_namespace`](Self::every_namespace)
    /// is read through its own subscription and group.
    pub fn at(&self, subscription: Option<&str>, resource_group: &str) -> Self {
        let mut narrowed = self.clone();
        if let Some(subscription) = subscription {
            narrowed.scope.subscription = subscription.to_owned();
        }
        narrowed.scope.resource_group = Some(resource_group.to_owned());
        narrowed
    }

    /// The subscriptions the identity can read (Resource Manager's `/subscriptions`).
    pub async fn subscriptions(&self) -> Result<Vec<String>, ConnectError> {
        let found: Vec<SubscriptionResource> = self
            .list_at_version("/subscriptions", None, SUBSCRIPTIONS_API_VERSION)
            .await?;
        Ok(found.into_iter().map(|s| s.subscription_id).collect())
    }

    /// Every namespace the identity can read, in every subscription it reads (its own first),
    /// whatever group this catalog is narrowed to. A subscription whose namespaces cannot be
    /// listed is left out (logged); the catalog's own must answer.
    pub async fn every_namespace(&self) -> Result<Vec<NamespaceResource>, ConnectError> {
        let own = self.scope.subscription.clone();
        let mut subscriptions = vec![own.clone()];
        match self.subscriptions().await {
            Ok(found) => {
                subscriptions.extend(found.into_iter().filter(|s| !s.eq_ignore_ascii_case(&own)))
            }
            Err(error) => tracing::info!(%error, "subscriptions not listed; only {own}"),
        }
        let mut every = Vec::new();
        for subscription in &subscriptions {
            let path = format!(
                "/subscriptions/{}/providers/Microsoft.EventHub/namespaces",
                segment(subscription)
            );
            match self.list(&path, None).await {
                Ok(found) => every.extend(found),
                Err(error) if *subscription == own => return Err(error),
                Err(error) => tracing::info!(%error, subscription, "namespaces not listed"),
            }
        }
        Ok(every)
    }

    pub async fn namespaces(&self) -> Result<Vec<NamespaceResource>, ConnectError> {
        let path = format!("{}/providers/Microsoft.EventHub/namespaces", self.prefix());
        // ARM takes no `$top` on namespace lists.
        self.list(&path, None).await
    }

    pub async fn hubs(&self, namespace: &str) -> Result<Vec<HubResource>, ConnectError> {
        let path = format!("{}/eventhubs", self.namespace_path(namespace)?);
        self.list(&path, self.page_size).await
    }

    pub async fn consumer_groups(
        &self,
        namespace: &str,
        hub: &str,
    ) -> Result<Vec<String>, ConnectError> {
        let path = format!(
            "{}/eventhubs/{}/consumergroups",
            self.namespace_path(namespace)?,
            segment(hub)
        );
        let groups: Vec<ConsumerGroupResource> = self.list(&path, self.page_size).await?;
        Ok(groups.into_iter().map(|g| g.name).collect())
    }

    /// Hubs with their consumer groups, as the console lists them. Groups are fetched
    /// concurrently; a hub whose groups cannot be read still shows, with none.
    pub async fn hubs_with_groups(&self, namespace: &str) -> Result<Vec<Hub>, ConnectError> {
        let hubs = self.hubs(namespace).await?;
        let groups = join_all(
            hubs.iter()
                .map(|h| self.consumer_groups(namespace, &h.name)),
        )
        .await;
        Ok(hubs
            .iter()
            .zip(groups)
            .map(|(hub, groups)| {
                let groups = groups.unwrap_or_else(|error| {
                    tracing::warn!(hub = %hub.name, %error, "consumer groups unreadable");
                    Vec::new()
                });
                hub.to_model(namespace, groups)
            })
            .collect())
    }

    fn prefix(&self) -> String {
        let mut path = format!("/subscriptions/{}", segment(&self.scope.subscription));
        if let Some(group) = &self.scope.resource_group {
            path.push_str(&format!("/resourceGroups/{}", segment(group)));
        }
        path
    }

    fn namespace_path(&self, namespace: &str) -> Result<String, ConnectError> {
        if self.scope.resource_group.is_none() {
            // ARM addresses a namespace only through its resource group.
            return Err(ConnectError::usage(
                "the catalog needs a resource group to read a namespace",
            ));
        }
        Ok(format!(
            "{}/providers/Microsoft.EventHub/namespaces/{}",
            self.prefix(),
            segment(namespace)
        ))
    }

    /// GETs every page of a list, following `nextLink`.
    async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        top: Option<usize>,
    ) -> Result<Vec<T>, ConnectError> {
        self.list_at_version(path, top, API_VERSION).await
    }

    async fn list_at_version<T: DeserializeOwned>(
        &self,
        path: &str,
        top: Option<usize>,
        api_version: &str,
    ) -> Result<Vec<T>, ConnectError> {
        let mut url = self.endpoint.join(path).map_err(|e| {
            ConnectError::usage(format!("bad catalog address {}{path}: {e}", self.endpoint))
        })?;
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
        if let Some(top) = top {
            url.query_pairs_mut().append_pair("$top", &top.to_string());
        }
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: Page<T> = self.get(&url).await?;
            items.extend(page.value);
            match page.next_link.filter(|l| !l.is_empty()) {
                // A relative nextLink resolves against the page it came from.
                Some(next) => {
                    url = url.join(&next).map_err(|e| {
                        ConnectError::new(Failure::Service, format!("bad nextLink {next}: {e}"))
                    })?;
                }
                None => return Ok(items),
            }
        }
        Err(ConnectError::new(
            Failure::Service,
            format!("the catalog returned more than {MAX_PAGES} pages for {path}"),
        ))
    }

    async fn get<T: DeserializeOwned>(&self, url: &Url) -> Result<T, ConnectError> {
        let mut request = Request::new(url.clone(), Method::Get);
        request.insert_header("authorization", self.auth.authorization().await?);
        request.insert_header("accept", "application/json");
        let service = format!("the catalog at {}", self.endpoint);
        let answer = if self.retry_reads {
            http_retry::execute(self.http.as_ref(), &request, &service).await?
        } else {
            http_retry::execute_once(self.http.as_ref(), &request, &service).await?
        };
        let bytes = answer.body;
        if !(200..300).contains(&answer.status) {
            return Err(error_for(answer.status, &bytes, url));
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            ConnectError::new(
                Failure::Service,
                format!(
                    "the catalog answered {} with unexpected JSON: {e}",
                    url.path()
                ),
            )
        })
    }
}

/// Turns an ARM error answer into the console's kinds of failure, keeping ARM's own words.
/// A 404 without ARM's error body means the server has no such route at all (an emulator
/// without a catalog), which is not the same as a missing hub.
fn error_for(code: u16, body: &[u8], url: &Url) -> ConnectError {
    let arm = serde_json::from_slice::<ErrorBody>(body).ok();
    let detail = arm.as_ref().map_or_else(
        || match code {
            404 => "no such route (a server without an ARM catalog?)".to_owned(),
            _ => String::from_utf8_lossy(body).chars().take(200).collect(),
        },
        |b| format!("{}: {}", b.error.code, b.error.message),
    );
    let context = format!("catalog {} answered {code}", url.path());
    match code {
        401 | 403 => {}
        404 if arm.is_some() => {}
        400 => return ConnectError::usage(format!("{context}: {detail}")),
        _ => return ConnectError::new(Failure::Service, format!("{context}: {detail}")),
    }
    let reading = Reading {
        cause: sdk_error::status_cause(code),
        detail: Some(detail),
    };
    ConnectError::from_reading(&context, &reading)
}

/// Characters a path segment may keep as they are (hub and group names use these; `$Default`
/// is a real consumer group name).
const SEGMENT_SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'$');

/// A path segment with everything else escaped: names come from user input.
fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, SEGMENT_SAFE).to_string()
}
