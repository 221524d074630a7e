//! Azure Schema Registry's data-plane REST API on the emulator's HTTP port (docs/protocol-notes.md
//! section 3), for api-versions `2023-07-01`, `2022-10` and `2021-10`:
//! - `GET /$schemaGroups`: the groups (every list shape: `schemaGroups`, `value`, `Value`);
//! - `GET /$schemaGroups/$schemas/{id}`: a schema by id (raw text, properties in headers);
//! - `GET /$schemaGroups/{group}/schemas/{name}/versions` (`schemaVersions`, `value`, `Value`);
//! - `GET /$schemaGroups/{group}/schemas/{name}/versions/{version}`;
//! - `PUT /$schemaGroups/{group}/schemas/{name}`: register (204; same content, same id);
//! - `POST /$schemaGroups/{group}/schemas/{name}:get-id`: properties by content (204);
//! - `GET /$schemaGroups/{group}/schemas`: the group's schema names, an ehops extension (Azure
//!   has no such call; the console uses it against the emulator and falls back without it).
//!
//! Auth is the catalog's: a shared-access token, bare or as `Bearer <token>` (the Schema
//! Registry SDKs only send bearer tokens). A caller sees the groups of the namespaces its rule
//! reaches; registering needs a namespace rule with Send or Manage, or a rule the group names
//! as contributor (Azure's Schema Registry Contributor on the namespace or on the group).
//! Groups, their format and compatibility come from config; contents persist in the data dir.
//! The rules, names, limits and persistence are in docs/schema-registry.md.

mod error;
mod format;
mod handlers;
mod log;
mod responses;
pub mod store;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::any;
use tokio::sync::RwLock;

pub use self::error::RegistryError;
pub use self::format::{DeclaredFormat, SchemaFormat};
use self::store::RegistryStore;
use super::config::EmulatorConfig;

/// The api-versions the registry answers; the first is what `Location` headers name.
pub const API_VERSIONS: [&str; 3] = ["2023-07-01", "2022-10", "2021-10"];

pub struct Registry {
    pub(super) config: Arc<EmulatorConfig>,
    pub(super) store: RwLock<RegistryStore>,
}

impl Registry {
    pub fn new(config: Arc<EmulatorConfig>, store: RegistryStore) -> Self {
        Registry {
            config,
            store: RwLock::new(store),
        }
    }

    /// Registers the demo's schemas, each in the group named after its publishing team when
    /// the config has one, in the order the demo lists them (so a second version follows its
    /// first). Already-registered content keeps its id and version.
    pub async fn register_demo_schemas(&self) -> Result<(), String> {
        let mut store = self.store.write().await;
        for kind in crate::emulator::demo::events::KINDS.iter() {
            let Some(group) = store.group(kind.team).cloned() else {
                continue;
            };
            store
                .register(
                    &group,
                    &kind.schema.full_name(),
                    SchemaFormat::Avro,
                    kind.schema.text,
                )
                .map_err(|e| format!("demo schema {}: {e:?}", kind.schema.file))?;
        }
        Ok(())
    }
}

/// The registry's routes, to merge into the emulator's HTTP router. Both spellings of the
/// prefix: the SDKs send `$schemaGroups`, the service's `Location` headers say `$schemagroups`.
/// No request body is larger than the largest schema; a larger one is refused with 413
/// before it is read in full.
pub fn routes(registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/$schemaGroups", any(handlers::handle))
        .route("/$schemaGroups/{*rest}", any(handlers::handle))
        .route("/$schemagroups", any(handlers::handle))
        .route("/$schemagroups/{*rest}", any(handlers::handle))
        .layer(DefaultBodyLimit::max(store::MAX_SCHEMA_BYTES))
        .with_state(registry)
}
