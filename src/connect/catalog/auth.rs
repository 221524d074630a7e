//! How the catalog client proves who it is. Azure's management plane wants an Entra ID
//! bearer token; the emulator's catalog accepts the namespace's shared access signature, as
//! its data plane does. Both come from an `azure_core` `TokenCredential`; only the header
//! differs, so the catalog client asks this trait for the header and knows neither.

use std::fmt;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;

use crate::connect::error::{ConnectError, Failure};

/// The scope Azure Resource Manager tokens are issued for.
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";

#[async_trait::async_trait]
pub trait CatalogAuth: Send + Sync + fmt::Debug {
    /// The value of the `Authorization` header for the next request.
    async fn authorization(&self) -> Result<String, ConnectError>;
}

/// A SAS token signed for the namespace (the emulator's catalog).
#[derive(Debug)]
pub struct SasAuth {
    credential: Arc<dyn TokenCredential>,
}

impl SasAuth {
    pub fn new(credential: Arc<dyn TokenCredential>) -> Self {
        Self { credential }
    }
}

#[async_trait::async_trait]
impl CatalogAuth for SasAuth {
    async fn authorization(&self) -> Result<String, ConnectError> {
        let token =
            self.credential.get_token(&[], None).await.map_err(|e| {
                ConnectError::new(Failure::Auth, format!("cannot sign a token: {e}"))
            })?;
        // The SAS credential's tokens already carry their scheme.
        Ok(token.token.secret().to_owned())
    }
}

/// An Entra ID token for Azure Resource Manager (or another scope), from any `azure_identity`
/// credential.
#[derive(Debug)]
pub struct BearerAuth {
    credential: Arc<dyn TokenCredential>,
    scope: &'static str,
}

impl BearerAuth {
    /// Tokens for Azure Resource Manager.
    pub fn new(credential: Arc<dyn TokenCredential>) -> Self {
        Self::for_scope(credential, ARM_SCOPE)
    }

    /// Tokens for another Azure service (the Schema Registry's is `EVENTHUBS_SCOPE`).
    pub fn for_scope(credential: Arc<dyn TokenCredential>, scope: &'static str) -> Self {
        Self { credential, scope }
    }
}

#[async_trait::async_trait]
impl CatalogAuth for BearerAuth {
    async fn authorization(&self) -> Result<String, ConnectError> {
        let token = self
            .credential
            .get_token(&[self.scope], None)
            .await
            .map_err(|e| {
                ConnectError::new(
                    Failure::Auth,
                    format!("cannot get a token for {}: {e}", self.scope),
                )
            })?;
        Ok(format!("Bearer {}", token.token.secret()))
    }
}
