//! Signing in to Azure with `azure_identity`, trying the credentials an on-call engineer
//! already has, in the order they expect: the Azure CLI (`az login`), the Azure Developer CLI
//! (`azd auth login`), a service principal in the environment, workload identity (AKS), and
//! managed identity. The first that yields a token is kept for the rest of the session.
//!
//! Managed identity is tried only where the environment says one exists (App Service and
//! Functions set `IDENTITY_ENDPOINT`) or when asked for: off Azure, probing the instance
//! metadata address costs every command seconds before it fails. `azure_identity` 1.x has
//! no device-code or browser credential, so there is no interactive fallback: the error lists
//! each source tried and what to run.

use std::fmt;
use std::sync::Arc;

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzureDeveloperCliCredential,
    AzureDeveloperCliCredentialOptions, ClientSecretCredential, ManagedIdentityCredential,
    WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use tokio::sync::Mutex;

/// How the user asked to sign in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInOptions {
    /// The Entra tenant to sign in to; the tool's default tenant when `None`.
    pub tenant: Option<String>,
    /// Try managed identity even when the environment does not announce one (Azure VMs).
    pub managed_identity: bool,
}

/// Reads an environment variable; a parameter so tests need not touch the process's.
pub type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// One source in the chain, by the name the error message uses.
struct Source {
    name: &'static str,
    credential: Arc<dyn TokenCredential>,
}

/// A `TokenCredential` that tries each configured source in turn and then sticks to the one
/// that worked.
pub struct SignInChain {
    sources: Vec<Source>,
    /// Why a source could not even be configured (bad tenant id, missing variables).
    skipped: Vec<String>,
    chosen: Mutex<Option<usize>>,
}

impl fmt::Debug for SignInChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.sources.iter().map(|s| s.name).collect();
        f.debug_struct("SignInChain")
            .field("sources", &names)
            .finish_non_exhaustive()
    }
}

impl SignInChain {
    /// The chain for this process's environment.
    pub fn from_environment(options: &SignInOptions) -> Arc<Self> {
        Arc::new(Self::new(options, &|name| std::env::var(name).ok()))
    }

    pub fn new(options: &SignInOptions, env: &EnvLookup) -> Self {
        let mut sources = Vec::new();
        let mut skipped = Vec::new();
        let tenant = options.tenant.clone();
        let mut add =
            |name: &'static str, made: azure_core::Result<Arc<dyn TokenCredential>>| match made {
                Ok(credential) => sources.push(Source { name, credential }),
                Err(error) => skipped.push(format!("{name}: {error}")),
            };
        add(
            "Azure CLI (az login)",
            AzureCliCredential::new(Some(AzureCliCredentialOptions {
                tenant_id: tenant.clone(),
                ..Default::default()
            }))
            .map(|c| c as Arc<dyn TokenCredential>),
        );
        add(
            "Azure Developer CLI (azd auth login)",
            AzureDeveloperCliCredential::new(Some(AzureDeveloperCliCredentialOptions {
                tenant_id: tenant.clone(),
                ..Default::default()
            }))
            .map(|c| c as Arc<dyn TokenCredential>),
        );
        let client_id = env("AZURE_CLIENT_ID");
        let env_tenant = tenant.clone().or_else(|| env("AZURE_TENANT_ID"));
        if let (Some(tenant), Some(client), Some(secret)) =
            (&env_tenant, &client_id, env("AZURE_CLIENT_SECRET"))
        {
            add(
                "service principal (AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)",
                ClientSecretCredential::new(tenant, client.clone(), Secret::new(secret), None)
                    .map(|c| c as Arc<dyn TokenCredential>),
            );
        }
        if let Some(file) = env("AZURE_FEDERATED_TOKEN_FILE") {
            add(
                "workload identity (AZURE_FEDERATED_TOKEN_FILE)",
                WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                    client_id: client_id.clone(),
                    tenant_id: env_tenant.clone(),
                    token_file_path: Some(file.into()),
                    ..Default::default()
                }))
                .map(|c| c as Arc<dyn TokenCredential>),
            );
        }
        let announced = env("IDENTITY_ENDPOINT").is_some() || env("MSI_ENDPOINT").is_some();
        if options.managed_identity || announced {
            add(
                "managed identity",
                ManagedIdentityCredential::new(None).map(|c| c as Arc<dyn TokenCredential>),
            );
        }
        Self {
            sources,
            skipped,
            chosen: Mutex::new(None),
        }
    }

    /// The sources this chain will try, in order.
    pub fn source_names(&self) -> Vec<&'static str> {
        self.sources.iter().map(|s| s.name).collect()
    }
}

#[async_trait::async_trait]
impl TokenCredential for SignInChain {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let mut chosen = self.chosen.lock().await;
        if let Some(index) = *chosen
            && let Some(source) = self.sources.get(index)
        {
            return source.credential.get_token(scopes, options).await;
        }
        let mut reasons = self.skipped.clone();
        for (index, source) in self.sources.iter().enumerate() {
            match source.credential.get_token(scopes, options.clone()).await {
                Ok(token) => {
                    tracing::info!(source = source.name, "signed in");
                    *chosen = Some(index);
                    return Ok(token);
                }
                Err(error) => reasons.push(format!("{}: {}", source.name, first_line(&error))),
            }
        }
        Err(azure_core::Error::with_message(
            azure_core::error::ErrorKind::Credential,
            format!(
                "could not sign in to Azure; tried {}. Sign in with `az login` (add --tenant \
                 when your account has several), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and \
                 AZURE_CLIENT_SECRET; on an Azure VM pass --managed-identity",
                reasons.join("; ")
            ),
        ))
    }
}

/// Credential errors quote whole command outputs; the first line says what went wrong.
fn first_line(error: &dyn fmt::Display) -> String {
    let text = error.to_string();
    text.lines().next().unwrap_or_default().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn tries_the_developer_tools_first_and_managed_identity_only_when_announced() {
        let bare = SignInChain::new(&SignInOptions::default(), &env_of(&[]));
        assert_eq!(
            bare.source_names(),
            [
                "Azure CLI (az login)",
                "Azure Developer CLI (azd auth login)"
            ]
        );
        let app_service = SignInChain::new(
            &SignInOptions::default(),
            &env_of(&[("IDENTITY_ENDPOINT", "http://localhost:4141/msi/token")]),
        );
        assert_eq!(app_service.source_names().last(), Some(&"managed identity"));
    }

    #[test]
    fn a_service_principal_and_workload_identity_come_from_the_environment() {
        let dir = tempfile::tempdir().expect("temp dir");
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, "a-service-account-token").expect("token file");
        let token_file = token_file.to_string_lossy().into_owned();
        let chain = SignInChain::new(
            &SignInOptions::default(),
            &env_of(&[
                ("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000001"),
                ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000002"),
                ("AZURE_CLIENT_SECRET", "not-a-real-secret"),
                ("AZURE_FEDERATED_TOKEN_FILE", &token_file),
            ]),
        );
        let names = chain.source_names();
        assert_eq!(names.len(), 4, "{names:?} skipped {:?}", chain.skipped);
        assert!(names[2].starts_with("service principal"));
        assert!(names[3].starts_with("workload identity"));
        assert!(!format!("{chain:?}").contains("not-a-real-secret"));
    }

    #[test]
    fn a_malformed_tenant_is_reported_not_ignored() {
        let chain = SignInChain::new(
            &SignInOptions {
                tenant: Some("not a tenant; rm -rf".to_owned()),
                managed_identity: false,
            },
            &env_of(&[]),
        );
        assert!(chain.source_names().is_empty());
        assert_eq!(chain.skipped.len(), 2);
    }
}
