//! One request, one answer: what each read request reads, and the reply it becomes.

use time::OffsetDateTime;

use super::Services;
use super::namespace_planes::NamespacePlanes;
use crate::connect::error::ConnectError;
use crate::connect::registry::{RegistryError, SchemaRegistry};
use crate::connect::schema_source;
use crate::model::permissions::ConsoleAction;
use crate::model::{Namespace, SchemaFetch};
use crate::ops;
use crate::protocol::{ReadRequest, Reply};

pub async fn run(
    services: &Services,
    planes: &NamespacePlanes,
    read: ReadRequest,
) -> Result<Reply, ConnectError> {
    let plane = &services.plane;
    match read {
        ReadRequest::ListNamespaces { request } => Ok(Reply::NamespacesLoaded {
            request,
            namespaces: namespaces(planes).await?,
        }),
        ReadRequest::ListHubs { request, namespace } => {
            // Each namespace's hubs through its own catalog scope (its resource group).
            let plane = planes
                .get(&namespace)
                .unwrap_or_else(|| std::sync::Arc::clone(plane));
            Ok(Reply::HubsLoaded {
                request,
                hubs: ops::hubs::list(&plane, &namespace).await?,
                namespace,
            })
        }
        ReadRequest::PartitionInfo { request, hub } => {
            let partitions = plane.partitions(&hub).await?;
            Ok(Reply::PartitionsLoaded {
                request,
                hub,
                partitions,
                sampled_at: OffsetDateTime::now_utc(),
            })
        }
        ReadRequest::Lag {
            request,
            hub,
            consumer_group,
        } => {
            // A group the identity may not read says so up front, with the permission.
            ops::permissions::require(plane.connection(), &hub, ConsoleAction::Lag).await?;
            let store = services.checkpoints.as_ref();
            let snapshot = ops::lag::snapshot(plane, store, &hub, &consumer_group).await?;
            Ok(Reply::LagLoaded { request, snapshot })
        }
        ReadRequest::Permissions {
            request,
            hub,
            dead_letter_hub,
            fresh,
        } => {
            let connection = plane.connection();
            if fresh && let Some(catalog) = &connection.catalog {
                catalog.forget_permissions();
            }
            Ok(Reply::PermissionsLoaded {
                request,
                permissions: ops::permissions::with_dead_letter(
                    connection,
                    &hub,
                    dead_letter_hub.as_deref(),
                )
                .await,
                hub,
            })
        }
        ReadRequest::FetchSchema { request, id } => {
            let outcome = match SchemaRegistry::for_connection(services.plane.connection()) {
                Ok(registry) => schema_source::fetch(&registry, &id).await,
                Err(error) => SchemaFetch::Unavailable(format!("no Schema Registry: {error}")),
            };
            Ok(Reply::SchemaFetched {
                request,
                id,
                outcome,
            })
        }
        ReadRequest::AuditTrail { request } => {
            let file = services.trail.log.file().to_owned();
            let trail = tokio::task::spawn_blocking(move || ops::audit_read::read(&file))
                .await
                .map_err(|e| ConnectError::usage(format!("reading the audit trail: {e}")))??;
            Ok(Reply::AuditLoaded {
                request,
                trail: std::sync::Arc::new(trail),
            })
        }
        ReadRequest::CaptureFiles {
            request,
            hub,
            within,
        } => Ok(Reply::CaptureFilesLoaded {
            request,
            listing: super::capture_reads::files(
                &services.capture,
                services.plane.connection(),
                &hub,
                within.map(|d| OffsetDateTime::now_utc() - d),
            )
            .await?,
            hub,
        }),
        ReadRequest::CaptureEvents {
            request,
            file,
            partition,
            start,
            count,
        } => Ok(Reply::CaptureEventsLoaded {
            request,
            page: super::capture_reads::page(&services.capture, &file, &partition, start, count)
                .await?,
        }),
        ReadRequest::ListSchemas { request } => {
            let connection = plane.connection();
            ops::permissions::require_in_namespace(connection, ConsoleAction::ViewSchemas).await?;
            Ok(Reply::SchemasLoaded {
                request,
                schemas: every_schema_version(services).await?,
            })
        }
    }
}

/// Every namespace of the subscription the identity can read (the home one when there is no
/// catalog to ask), each then reachable through its own plane.
async fn namespaces(planes: &NamespacePlanes) -> Result<Vec<Namespace>, ConnectError> {
    let connection = planes.home().connection();
    let own = || {
        vec![Namespace {
            name: connection.namespace.clone(),
            host: connection.fully_qualified_namespace.clone(),
        }]
    };
    let Some(catalog) = &connection.catalog else {
        return Ok(own());
    };
    match catalog.every_namespace().await {
        Ok(list) if !list.is_empty() => {
            planes.learn(&list);
            Ok(list.iter().map(|n| n.to_model()).collect())
        }
        Ok(_) => Ok(own()),
        Err(error) => {
            tracing::info!(%error, "catalog unavailable; showing the connected namespace");
            Ok(own())
        }
    }
}

/// Every version of every schema in every group the connection's identity sees. Against Azure,
/// which cannot list a group's schema names, a group without that list shows as empty.
async fn every_schema_version(
    services: &Services,
) -> Result<Vec<crate::model::RegisteredSchema>, ConnectError> {
    let registry = SchemaRegistry::for_connection(services.plane.connection())?;
    let mut all = Vec::new();
    for group in registry.groups().await? {
        let names = match registry.schema_names(&group).await {
            Ok(names) => names,
            Err(RegistryError::NotFound(_)) => Vec::new(),
            Err(other) => return Err(other.into()),
        };
        for name in names {
            // One schema that cannot be read leaves the pane with the others, not empty.
            match every_version(&registry, &group, &name).await {
                Ok(versions) => all.extend(versions),
                Err(error) => tracing::warn!(%group, schema = %name, %error, "schema unreadable"),
            }
        }
    }
    Ok(all)
}

async fn every_version(
    registry: &SchemaRegistry,
    group: &str,
    name: &str,
) -> Result<Vec<crate::model::RegisteredSchema>, RegistryError> {
    let mut all = Vec::new();
    for version in registry.versions(group, name).await? {
        all.push(registry.schema_by_version(group, name, version).await?);
    }
    Ok(all)
}
