//! What the console needs to reach one Event Hubs namespace: where the data plane is, the
//! credential for it, and where the catalog is. Built from a connection string (Azure or an
//! emulator alike) or, with sign-in, from a namespace name and an `azure_identity`
//! credential; everything downstream sees only this.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::Url;

use super::backoff;
use super::catalog::{AZURE_ENDPOINT, BearerAuth, Catalog, NamespaceResource, SasAuth, Scope};
use super::connection_string::ConnectionString;
use super::error::{ConnectError, Failure};
use super::sas_credential::SasCredential;

/// The HTTP port of an emulator whose catalog address was not given: the default of
/// `ehops emulator` (and of Microsoft's emulator's health port).
const EMULATOR_HTTP_PORT: u16 = 5300;

#[derive(Clone)]
pub struct Connection {
    /// The namespace's resource name, as the catalog lists it (`ehops-demo`, `contoso`).
    pub namespace: String,
    /// What the SDK opens, and what checkpoint blobs are named after:
    /// `contoso.servicebus.windows.net` on Azure, the namespace name on an emulator.
    pub fully_qualified_namespace: String,
    /// `amqp://HOST:PORT` for a plain-AMQP emulator; `None` means TLS to the namespace.
    pub custom_endpoint: Option<String>,
    pub credential: Arc<dyn TokenCredential>,
    /// The management catalog, when one is reachable with this credential.
    pub catalog: Option<Catalog>,
    /// The hub a hub-scoped connection string is limited to.
    pub entity_path: Option<String>,
    /// Who the console acts as: the SAS rule's name, or (with sign-in) the principal.
    pub principal: String,
    /// The credential gives Entra ID tokens (sign-in), not shared-access signatures.
    pub signed_in: bool,
    /// The catalog is only where the emulator's usually is (`UseDevelopmentEmulator`
    /// without `--catalog`): an emulator without one, Microsoft's, is common.
    catalog_guessed: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("namespace", &self.namespace)
            .field("fully_qualified_namespace", &self.fully_qualified_namespace)
            .field("custom_endpoint", &self.custom_endpoint)
            .field(
                "catalog",
                &self.catalog.as_ref().map(|c| c.endpoint().as_str()),
            )
            .field("entity_path", &self.entity_path)
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// From a connection string. For an emulator (`UseDevelopmentEmulator=true`) the catalog
    /// is at `catalog` or, by default, the emulator's HTTP port on the same host. Against
    /// Azure a SAS key cannot read ARM, so there is no catalog until sign-in exists.
    pub fn from_connection_string(text: &str, catalog: Option<&str>) -> Result<Self, ConnectError> {
        let cs = ConnectionString::parse(text.trim())
            .map_err(|e| ConnectError::usage(format!("bad connection string: {e}")))?;
        let credential: Arc<dyn TokenCredential> =
            Arc::new(SasCredential::from_connection_string(&cs));
        let host_name = cs.host.split(':').next().unwrap_or(&cs.host).to_owned();
        let catalog_guessed = catalog.is_none() && cs.development_emulator;
        let catalog = match (catalog, cs.development_emulator) {
            (Some(url), _) => Some(url.to_owned()),
            (None, true) => Some(format!("http://{host_name}:{EMULATOR_HTTP_PORT}")),
            (None, false) => None,
        };
        let catalog = catalog
            .map(|url| {
                Url::parse(&url)
                    .map_err(|e| ConnectError::usage(format!("bad catalog address {url}: {e}")))
            })
            .transpose()?
            .map(|url| Catalog::emulator(url, Arc::new(SasAuth::new(Arc::clone(&credential)))));
        // A namespace's resource name is the first label of its host on Azure; an emulator
        // host (127.0.0.1) says nothing, and `resolve_namespace` asks its catalog.
        let namespace = if cs.development_emulator {
            host_name.clone()
        } else {
            host_name.split('.').next().unwrap_or(&host_name).to_owned()
        };
        Ok(Self {
            namespace,
            fully_qualified_namespace: host_name,
            custom_endpoint: cs.custom_endpoint(),
            credential,
            catalog,
            entity_path: cs.entity_path.clone(),
            principal: cs
                .key_name
                .clone()
                .unwrap_or_else(|| "shared access signature".to_owned()),
            signed_in: false,
            catalog_guessed,
        })
    }

    /// Signed in with Entra ID to `namespace` (`contoso` or `contoso.servicebus.windows.net`):
    /// the SDK takes the credential as it is, and the catalog is Azure Resource Manager when a
    /// subscription is known.
    pub fn from_sign_in(
        namespace: &str,
        credential: Arc<dyn TokenCredential>,
        scope: Option<Scope>,
    ) -> Result<Self, ConnectError> {
        let namespace = namespace.trim().trim_end_matches('/');
        let host = namespace
            .strip_prefix("sb://")
            .or_else(|| namespace.strip_prefix("https://"))
            .unwrap_or(namespace);
        if host.is_empty() || host.contains(['/', ' ', '?', '#']) {
            return Err(ConnectError::usage(format!(
                "bad namespace {namespace:?}: give its name (contoso) or host \
                 (contoso.servicebus.windows.net)"
            )));
        }
        let fully_qualified_namespace = if host.contains('.') {
            host.to_ascii_lowercase()
        } else {
            format!("{}.servicebus.windows.net", host.to_ascii_lowercase())
        };
        let name = fully_qualified_namespace
            .split('.')
            .next()
            .unwrap_or(host)
            .to_owned();
        let catalog = match scope {
            Some(scope) => {
                let endpoint = Url::parse(AZURE_ENDPOINT)
                    .map_err(|e| ConnectError::usage(format!("bad ARM address: {e}")))?;
                let auth = Arc::new(BearerAuth::new(Arc::clone(&credential)));
                Some(Catalog::new(endpoint, scope, auth))
            }
            None => None,
        };
        Ok(Self {
            namespace: name,
            fully_qualified_namespace,
            custom_endpoint: None,
            credential,
            catalog,
            entity_path: None,
            principal: "Entra ID sign-in".to_owned(),
            signed_in: true,
            catalog_guessed: false,
        })
    }

    /// Names the namespace when the caller knows it (the embedded emulator): the SDK then
    /// addresses it by name, as consumers that write checkpoints do.
    pub fn with_namespace(mut self, name: &str) -> Self {
        self.namespace = name.to_owned();
        if self.custom_endpoint.is_some() {
            self.fully_qualified_namespace = name.to_owned();
        }
        self
    }

    /// On an emulator reached by address, learns the namespace's name from the catalog: the
    /// one whose endpoint is this address, else the only one; keeps the address when the
    /// catalog lists none, or refuses the list (the next catalog call says why).
    ///
    /// A catalog that cannot be read at all (no answer, or errors its retries did not
    /// outlast) is let go, and the failure returned for the caller to report: with the
    /// address for a name, every permission would be read at a namespace that does not exist,
    /// and a passing outage would be reported as a missing right. Without a catalog the
    /// service decides, as it does for a connection string given no catalog. A guessed
    /// catalog with nothing listening is no catalog: let go quietly after one try.
    pub async fn resolve_namespace(mut self) -> (Self, Option<ConnectError>) {
        let (Some(endpoint), Some(catalog)) = (&self.custom_endpoint, &self.catalog) else {
            return (self, None);
        };
        let address = endpoint.trim_start_matches("amqp://").to_owned();
        let listing = if self.catalog_guessed {
            // Nothing listening where the catalog was guessed means there is none, not an
            // outage: asked once, so a command against Microsoft's emulator does not wait.
            match catalog.tried_once().namespaces().await {
                Err(error) if error.failure == Failure::Unreachable => {
                    tracing::info!(%error, "no catalog at the emulator's usual address");
                    self.catalog = None;
                    return (self, None);
                }
                Err(error) if backoff::transient(&error) => catalog.namespaces().await,
                listing => listing,
            }
        } else {
            catalog.namespaces().await
        };
        let namespaces = match listing {
            Ok(namespaces) => namespaces,
            Err(error) if backoff::transient(&error) => {
                self.catalog = None;
                let error = ConnectError::new(
                    error.failure,
                    format!("cannot learn the namespace's name from the catalog: {error}"),
                );
                return (self, Some(error));
            }
            Err(error) => {
                tracing::info!(%error, "catalog did not name the namespace");
                return (self, None);
            }
        };
        let by_address = namespaces
            .iter()
            .find(|n| n.host().is_some_and(|h| h.eq_ignore_ascii_case(&address)));
        let chosen = by_address.or(match namespaces.as_slice() {
            [only] => Some(only),
            _ => namespaces.first(),
        });
        let connection = match chosen.map(|n| n.name.clone()) {
            Some(name) => self.with_namespace(&name),
            None => self,
        };
        (connection, None)
    }

    /// The same identity in another namespace the catalog lists: its data plane at the
    /// namespace's own endpoint, its catalog narrowed to the namespace's resource group.
    /// `None` when the catalog gives no endpoint to reach it by.
    pub fn for_namespace(&self, resource: &NamespaceResource) -> Option<Self> {
        let host = resource.host()?;
        let mut other = self.clone();
        other.namespace = resource.name.clone();
        other.entity_path = None;
        if self.custom_endpoint.is_some() {
            // An emulator: reached by address, addressed by name (as `with_namespace`).
            other.custom_endpoint = Some(format!("amqp://{host}"));
            other.fully_qualified_namespace = resource.name.clone();
        } else {
            other.fully_qualified_namespace = host.to_ascii_lowercase();
        }
        let subscription = resource.subscription();
        other.catalog = match (&self.catalog, resource.resource_group()) {
            (Some(catalog), Some(group)) => Some(catalog.at(subscription.as_deref(), &group)),
            (catalog, None) => catalog.clone(),
            (None, Some(_)) => None,
        };
        Some(other)
    }

    /// Namespace names checkpoint blobs may be filed under, most likely first. The official
    /// SDKs, given an emulator's connection string, file them under its `host:port`.
    pub fn checkpoint_namespaces(&self) -> Vec<String> {
        let address = self.custom_endpoint.as_deref().map(|e| {
            e.trim_start_matches("amqp://")
                .trim_end_matches('/')
                .to_owned()
        });
        // JS's BlobCheckpointStore names an emulator by its host without the port
        // (`127.0.0.1/hub/group/checkpoint/1`), Python's with it (`127.0.0.1:5672/...`).
        let host = address
            .as_deref()
            .and_then(|a| a.split(':').next())
            .map(str::to_owned);
        let mut names = vec![self.fully_qualified_namespace.clone()];
        for name in [Some(self.namespace.clone()), address, host]
            .into_iter()
            .flatten()
        {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMULATOR: &str = "Endpoint=sb://127.0.0.1:5999;SharedAccessKeyName=root;SharedAccessKey=k;UseDevelopmentEmulator=true";

    #[test]
    fn an_emulator_string_gets_an_amqp_endpoint_and_a_catalog() {
        let c = Connection::from_connection_string(EMULATOR, None).expect("valid");
        assert_eq!(c.custom_endpoint.as_deref(), Some("amqp://127.0.0.1:5999"));
        assert_eq!(
            c.catalog.as_ref().map(|c| c.endpoint().as_str()),
            Some("http://127.0.0.1:5300/")
        );
        let named = c.with_namespace("ehops-demo");
        assert_eq!(named.fully_qualified_namespace, "ehops-demo");
        assert_eq!(
            named.checkpoint_namespaces(),
            // Python's spelling with the port, JS's without.
            ["ehops-demo", "127.0.0.1:5999", "127.0.0.1"]
        );
    }

    #[derive(Debug)]
    struct NoToken;

    #[async_trait::async_trait]
    impl TokenCredential for NoToken {
        async fn get_token(
            &self,
            _: &[&str],
            _: Option<azure_core::credentials::TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                "not signed in",
            ))
        }
    }

    #[test]
    fn a_signed_in_namespace_is_named_by_its_first_label_and_reached_over_tls() {
        let scope = Scope {
            subscription: "sub".to_owned(),
            resource_group: None,
        };
        let c = Connection::from_sign_in("Contoso", Arc::new(NoToken), Some(scope)).expect("valid");
        assert_eq!(c.namespace, "contoso");
        assert_eq!(
            c.fully_qualified_namespace,
            "contoso.servicebus.windows.net"
        );
        assert!(c.custom_endpoint.is_none() && c.signed_in);
        assert_eq!(
            c.catalog.as_ref().map(|c| c.endpoint().as_str()),
            Some("https://management.azure.com/")
        );
        let host = Connection::from_sign_in(
            "sb://contoso.servicebus.windows.net/",
            Arc::new(NoToken),
            None,
        )
        .expect("valid");
        assert_eq!(host.namespace, "contoso");
        assert!(host.catalog.is_none());
        assert!(Connection::from_sign_in("a/b", Arc::new(NoToken), None).is_err());
    }

    #[test]
    fn another_namespace_is_reached_at_its_host_through_its_own_subscription_and_group() {
        let scope = Scope {
            subscription: "sub-a".to_owned(),
            resource_group: Some("rg-a".to_owned()),
        };
        let home =
            Connection::from_sign_in("contoso", Arc::new(NoToken), Some(scope)).expect("valid");
        let mut other = NamespaceResource {
            id: "/subscriptions/sub-b/resourceGroups/rg-b/providers/Microsoft.EventHub/namespaces/fabrikam"
                .to_owned(),
            name: "fabrikam".to_owned(),
            ..NamespaceResource::default()
        };
        other.properties.service_bus_endpoint =
            Some("https://Fabrikam.servicebus.windows.net:443/".to_owned());
        let reached = home.for_namespace(&other).expect("it has an endpoint");
        assert_eq!(reached.namespace, "fabrikam");
        assert_eq!(
            reached.fully_qualified_namespace,
            "fabrikam.servicebus.windows.net"
        );
        assert!(reached.custom_endpoint.is_none() && reached.signed_in);
        let catalog = reached.catalog.as_ref().expect("a catalog");
        assert_eq!(catalog.scope().subscription, "sub-b");
        assert_eq!(catalog.scope().resource_group.as_deref(), Some("rg-b"));
        other.properties.service_bus_endpoint = None;
        assert!(home.for_namespace(&other).is_none(), "no endpoint to reach");
    }

    #[test]
    fn an_azure_string_uses_tls_and_names_the_namespace_by_host() {
        let c = Connection::from_connection_string(
            "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey=k;EntityPath=sale",
            None,
        )
        .expect("valid");
        assert_eq!(c.custom_endpoint, None);
        assert!(c.catalog.is_none());
        assert_eq!(c.namespace, "contoso");
        assert_eq!(c.entity_path.as_deref(), Some("sale"));
        assert_eq!(
            c.checkpoint_namespaces(),
            ["contoso.servicebus.windows.net", "contoso"]
        );
        let bad = Connection::from_connection_string("nonsense", None).expect_err("invalid");
        assert_eq!(bad.failure, super::super::error::Failure::Usage);
    }
}
