//! Headless commands ask before they act: the caller's effective permissions on the hub and
//! its namespace (through the catalog, as the console's action menu does), so a refusal comes
//! with the missing permission named and a distinct exit code rather than an AMQP error
//! halfway through. Without a catalog (a SAS connection string to Azure) there is nothing to
//! ask, and the service's own refusal stands.
//!
//! A catalog does not tell a hub that does not exist from one the identity may not see (it
//! answers 404 to both), so before a refusal is reported the data plane is asked whether
//! the hub exists: "not found" (exit 4) says more than "not permitted" (exit 6).

use super::target::{self, Target, TargetArgs};
use super::{exit, fail};
use crate::connect::data_plane::DataPlane;
use crate::connect::error::{ConnectError, Failure};
use crate::model::permissions::ConsoleAction;
use crate::ops::{hubs, permissions};

/// Connects, then checks `action` on `hub`: the start every read-only command on one hub
/// shares. `Err(exit code)` once the failure or refusal has been printed.
pub async fn open_for(
    target_args: &TargetArgs,
    consumer_group: &str,
    hub: &str,
    action: ConsoleAction,
) -> Result<Target, u8> {
    let target = target::open(target_args, consumer_group)
        .await
        .map_err(|error| fail(&error))?;
    check(&target.plane, hub, action).await?;
    Ok(target)
}

/// `Err(exit code)` after printing the refusal when `action` on `hub` is not permitted, or
/// the failure when the hub does not exist.
pub async fn check(plane: &DataPlane, hub: &str, action: ConsoleAction) -> Result<(), u8> {
    let connection = plane.connection();
    let verdict = permissions::for_hub(connection, hub).await.verdict(action);
    match verdict.reason(action) {
        None => Ok(()),
        Some(reason) => {
            if let Err(missing) = hub_exists(plane, hub).await {
                return Err(fail(&missing));
            }
            eprintln!("error: {reason} (as {})", connection.principal);
            if let Some(unseen) = hubs::unseen(plane, hub).await {
                eprintln!("note: {unseen}");
            }
            Err(exit::PERMISSION_DENIED)
        }
    }
}

/// `Err` only when the data plane says the hub does not exist; any other answer (a refusal,
/// an unreachable service) leaves the catalog's refusal standing.
pub async fn hub_exists(plane: &DataPlane, hub: &str) -> Result<(), ConnectError> {
    match plane.hub_runtime(hub).await {
        Err(error) if error.failure == Failure::NotFound => Err(error),
        _ => Ok(()),
    }
}
