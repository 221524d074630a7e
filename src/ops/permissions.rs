//! What the signed-in identity may do to one hub: its effective permissions at the hub and at
//! the namespace, read through the catalog (cached there) on Azure and on the emulator alike.
//! Checkpoints are read from local directories for now, which RBAC does not govern.

use crate::connect::Connection;
use crate::connect::catalog::Catalog;
use crate::connect::error::{ConnectError, Failure};
use crate::model::permissions::{ConsoleAction, Permissions, ScopeKind, Verdict};

/// Permissions at the scopes a hub's actions are checked at; `None` where there is nothing
/// to ask (no catalog) or the answer could not be had, so the service decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HubPermissions {
    pub hub: Option<Permissions>,
    pub namespace: Option<Permissions>,
    /// At the signed-in team's dead-letter hub, when there is one.
    pub dead_letter: Option<Permissions>,
}

impl HubPermissions {
    pub fn verdict(&self, action: ConsoleAction) -> Verdict {
        action.evaluate(|scope| match scope {
            ScopeKind::EventHub => self.hub.as_ref(),
            ScopeKind::Namespace => self.namespace.as_ref(),
            ScopeKind::CheckpointStorage => None,
            ScopeKind::DeadLetterHub => self.dead_letter.as_ref(),
        })
    }
}

/// `Err` naming the missing permission when `action` on `hub` is not permitted, before a
/// pane reads anything (the service's own refusal is an SDK error chain); `Ok` when it is,
/// or when nothing can say (no catalog), so the service decides.
pub async fn require(
    connection: &Connection,
    hub: &str,
    action: ConsoleAction,
) -> Result<(), ConnectError> {
    let verdict = for_hub(connection, hub).await.verdict(action);
    match verdict.reason(action) {
        None => Ok(()),
        Some(reason) => Err(ConnectError::new(
            Failure::Denied,
            format!("hub {hub}: {reason} (as {})", connection.principal),
        )),
    }
}

/// [`require`] for an action on the namespace itself (its schema groups).
pub async fn require_in_namespace(
    connection: &Connection,
    action: ConsoleAction,
) -> Result<(), ConnectError> {
    let Some(catalog) = &connection.catalog else {
        return Ok(());
    };
    let namespace = fetch(catalog, catalog.namespace_scope(&connection.namespace)).await;
    let permissions = HubPermissions {
        namespace,
        ..HubPermissions::default()
    };
    match permissions.verdict(action).reason(action) {
        None => Ok(()),
        Some(reason) => Err(ConnectError::new(
            Failure::Denied,
            format!(
                "namespace {}: {reason} (as {})",
                connection.namespace, connection.principal
            ),
        )),
    }
}

/// Reads the hub's and the namespace's scopes concurrently.
pub async fn for_hub(connection: &Connection, hub: &str) -> HubPermissions {
    with_dead_letter(connection, hub, None).await
}

/// Reads the scopes concurrently, the dead-letter hub's too when one is named.
pub async fn with_dead_letter(
    connection: &Connection,
    hub: &str,
    dead_letter_hub: Option<&str>,
) -> HubPermissions {
    let Some(catalog) = &connection.catalog else {
        return HubPermissions::default();
    };
    let dead_letter = async {
        match dead_letter_hub {
            Some(name) => fetch(catalog, catalog.hub_scope(&connection.namespace, name)).await,
            None => None,
        }
    };
    let (hub, namespace, dead_letter) = futures_util::join!(
        fetch(catalog, catalog.hub_scope(&connection.namespace, hub)),
        fetch(catalog, catalog.namespace_scope(&connection.namespace)),
        dead_letter,
    );
    HubPermissions {
        hub,
        namespace,
        dead_letter,
    }
}

async fn fetch(catalog: &Catalog, scope: Result<String, ConnectError>) -> Option<Permissions> {
    let result = match scope {
        Ok(scope) => catalog.permissions_at(&scope).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(permissions) => Some(permissions),
        // The catalog answered: this identity may not even see the scope, so it holds no
        // rights there. (Refused credentials say nothing about rights: the service decides,
        // and says the credentials were refused.)
        Err(error) if matches!(error.failure, Failure::Denied | Failure::NotFound) => {
            tracing::info!(%error, "no permissions at this scope");
            Some(Permissions::default())
        }
        Err(error) => {
            tracing::warn!(%error, "permissions unreadable");
            None
        }
    }
}
