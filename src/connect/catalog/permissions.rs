//! The caller's effective permissions per scope (`Microsoft.Authorization/permissions`,
//! docs/protocol-notes.md section 8), fetched through the same catalog client on Azure and against
//! the emulator, several scopes at once, and kept for a while so every menu opening does not
//! cost a round trip.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use super::{Catalog, segment};
use crate::connect::error::ConnectError;
use crate::model::permissions::{Permission, Permissions};

/// The Authorization provider's api-version for the permissions list.
pub const PERMISSIONS_API_VERSION: &str = "2022-04-01";

impl Catalog {
    /// Permissions at an ARM resource path (`/subscriptions/...`), from the cache while it
    /// is fresh.
    pub async fn permissions_at(&self, scope_path: &str) -> Result<Permissions, ConnectError> {
        let cache = self.permissions.clone();
        let mut answers = cache.get_many(self, &[scope_path.to_owned()]).await;
        match answers.pop() {
            Some(answer) => answer,
            None => self.fetch_permissions(scope_path).await,
        }
    }

    /// Forgets cached permissions (refresh, or a new identity).
    pub fn forget_permissions(&self) {
        self.permissions.clear();
    }

    /// Permissions at an ARM resource path, asked of the service, all pages joined.
    async fn fetch_permissions(&self, scope_path: &str) -> Result<Permissions, ConnectError> {
        let path = format!(
            "{}/providers/Microsoft.Authorization/permissions",
            scope_path.trim_end_matches('/')
        );
        let entries: Vec<Permission> = self
            .list_at_version(&path, None, PERMISSIONS_API_VERSION)
            .await?;
        Ok(Permissions::new(entries))
    }

    /// The ARM path of a namespace, the scope schema permissions are read at.
    pub fn namespace_scope(&self, namespace: &str) -> Result<String, ConnectError> {
        self.namespace_path(namespace)
    }

    /// The ARM path of an event hub, the scope send and receive are read at.
    pub fn hub_scope(&self, namespace: &str, hub: &str) -> Result<String, ConnectError> {
        Ok(format!(
            "{}/eventhubs/{}",
            self.namespace_path(namespace)?,
            segment(hub)
        ))
    }
}

/// Permissions per scope path, each kept for `ttl`.
#[derive(Debug)]
pub struct PermissionsCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Permissions)>>,
}

impl PermissionsCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn fresh(&self, scope: &str) -> Option<Permissions> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(scope)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, p)| p.clone())
    }

    /// Permissions at every scope in `scopes`: cached ones as they are, the rest fetched
    /// concurrently. A scope that cannot be read is an error for that scope only.
    pub async fn get_many(
        &self,
        catalog: &Catalog,
        scopes: &[String],
    ) -> Vec<Result<Permissions, ConnectError>> {
        join_all(scopes.iter().map(|scope| async move {
            if let Some(permissions) = self.fresh(scope) {
                return Ok(permissions);
            }
            let permissions = catalog.fetch_permissions(scope).await?;
            self.entries
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(scope.clone(), (Instant::now(), permissions.clone()));
            Ok(permissions)
        }))
        .await
    }

    /// Forgets everything, so the next read asks the service again (the refresh key, or a
    /// switch of identity).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
