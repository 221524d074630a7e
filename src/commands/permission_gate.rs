//! Headless commands ask before they act: the caller's effective permissions on the hub and
//! its namespace (through the catalog, as the console's action menu does), so a refusal comes
//! with the missing permission named and a distinct exit code rather than an AMQP error
//! halfway through. Without a catalog (a SAS connection string to Azure) there is nothing to
//! ask, and the service's own refusal stands.

use super::exit;
use crate::connect::Connection;
use crate::model::permissions::ConsoleAction;
use crate::ops::permissions;

/// `Err(exit code)` after printing the refusal when `action` on `hub` is not permitted.
pub async fn check(connection: &Connection, hub: &str, action: ConsoleAction) -> Result<(), u8> {
    let verdict = permissions::for_hub(connection, hub).await.verdict(action);
    match verdict.reason(action) {
        None => Ok(()),
        Some(reason) => {
            eprintln!("error: {reason} (as {})", connection.principal);
            Err(exit::PERMISSION_DENIED)
        }
    }
}
