//! Headless commands ask before they act: the caller's effective permissions on the hub and
//! its namespace (through the catalog, as the console's menu does), so a refusal comes with
//! the missing permission named and a distinct exit code rather than an AMQP error halfway
//! through. Without a catalog (a SAS connection string to Azure) there is nothing to ask,
//! and the service's own refusal stands.

use crate::connect::Connection;
use crate::connect::catalog::Catalog;
use crate::model::permissions::{ConsoleAction, Permissions, ScopeKind};

use super::exit;

/// `Err(exit code)` after printing the refusal when `action` on `hub` is not permitted.
pub async fn check(connection: &Connection, hub: &str, action: ConsoleAction) -> Result<(), u8> {
    let Some(catalog) = &connection.catalog else {
        return Ok(());
    };
    let (hub_scope, namespace_scope) = futures_util::join!(
        fetch(catalog, catalog.hub_scope(&connection.namespace, hub)),
        fetch(catalog, catalog.namespace_scope(&connection.namespace)),
    );
    let verdict = action.evaluate(|scope| match scope {
        ScopeKind::EventHub => hub_scope.as_ref(),
        ScopeKind::Namespace => namespace_scope.as_ref(),
        // Checkpoints are read from local directories here: no RBAC to consult.
        ScopeKind::CheckpointStorage => None,
    });
    match verdict.reason(action) {
        None => Ok(()),
        Some(reason) => {
            eprintln!("error: {reason} (as {})", connection.principal);
            Err(exit::PERMISSION_DENIED)
        }
    }
}

/// The permissions at a scope, or `None` when they cannot be read: the command then goes on
/// and the service decides (a missing hub still reports as not found).
async fn fetch(
    catalog: &Catalog,
    scope: Result<String, crate::connect::error::ConnectError>,
) -> Option<Permissions> {
    let result = match scope {
        Ok(scope) => catalog.permissions_at(&scope).await,
        Err(error) => Err(error),
    };
    result
        .inspect_err(|error| tracing::warn!(%error, "permissions unreadable"))
        .ok()
}
