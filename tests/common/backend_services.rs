//! The console backend's services on a test's emulator, as the console builds them: the
//! data plane as one identity, checkpoints and the audit file in a directory of the test's.

use std::path::Path;
use std::sync::Arc;

use ehops::backend::Services;
use ehops::connect::Connection;
use ehops::connect::checkpoints::DirectoryCheckpoints;
use ehops::connect::data_plane::DataPlane;
use ehops::ops::audit::{self, AuditLog};
use ehops::ops::audited::{Actor, Trail};

/// Services as the identity of `connection_string` (audited as `principal`), with no
/// Kafka endpoint, lag history or capture source; a test that needs one sets it.
pub async fn services_as(
    emu: &super::TestEmulator,
    dir: &Path,
    connection_string: &str,
    principal: &str,
) -> Services {
    services_on(&emu.catalog(), dir, connection_string, principal).await
}

/// The same on the emulator whose catalog is at `catalog` (one started as a process).
pub async fn services_on(
    catalog: &str,
    dir: &Path,
    connection_string: &str,
    principal: &str,
) -> Services {
    let (connection, unreadable) =
        Connection::from_connection_string(connection_string, Some(catalog))
            .expect("valid connection string")
            .resolve_namespace()
            .await;
    assert!(
        unreadable.is_none(),
        "the catalog names the namespace: {unreadable:?}"
    );
    Services {
        plane: Arc::new(DataPlane::new(connection, "ehops")),
        checkpoints: Arc::new(DirectoryCheckpoints::new(dir)),
        sign_in: None,
        switch_context: None,
        trail: Trail {
            log: AuditLog::new(audit::file_in(dir), None),
            actor: Actor {
                principal: principal.into(),
                team: None,
            },
        },
        lag_history: None,
        kafka: None,
        capture: Err("no capture in this test".to_owned()),
    }
}
