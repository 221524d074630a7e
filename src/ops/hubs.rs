//! The hubs of a namespace, as the console lists them: from the catalog, or, with no
//! catalog to ask, the one hub a hub-scoped connection string names (read from the data
//! plane).

use crate::connect::data_plane::DataPlane;
use crate::connect::error::{ConnectError, Failure};
use crate::model::Hub;

pub async fn list(plane: &DataPlane, namespace: &str) -> Result<Vec<Hub>, ConnectError> {
    let connection = plane.connection();
    let catalog_error = match &connection.catalog {
        Some(catalog) => match catalog.hubs_with_groups(namespace).await {
            Ok(hubs) => return Ok(hubs),
            Err(error) => Some(error),
        },
        None => None,
    };
    let Some(hub) = &connection.entity_path else {
        return Err(catalog_error.unwrap_or_else(|| {
            ConnectError::new(
                Failure::Usage,
                "this connection has no catalog to list hubs: use a hub-scoped connection \
                 string (EntityPath=HUB) or an emulator's catalog (--catalog URL)",
            )
        }));
    };
    if let Some(error) = catalog_error {
        tracing::info!(%error, "catalog unavailable; showing the connection string's hub");
    }
    let runtime = plane.hub_runtime(hub).await?;
    Ok(vec![Hub {
        namespace: namespace.to_owned(),
        name: runtime.name,
        partition_count: u32::try_from(runtime.partition_ids.len()).unwrap_or(u32::MAX),
        team: None,
        // Unknown without the catalog; nothing is called lost for being old.
        retention: std::time::Duration::MAX,
        ingress_per_sec: None,
        dead_letter_for: None,
        consumer_groups: vec![plane.consumer_group().to_owned()],
    }])
}

/// The hub as the catalog describes it, if there is a catalog and it knows the hub.
pub async fn find(plane: &DataPlane, hub: &str) -> Option<Hub> {
    let connection = plane.connection();
    connection.catalog.as_ref()?;
    let hubs = list(plane, &connection.namespace).await.ok()?;
    hubs.into_iter().find(|h| h.name.eq_ignore_ascii_case(hub))
}

/// For a refusal naming `hub`: when the catalog lists the hubs this identity can see and
/// `hub` is not among them, say so, with the names it can see. The service refuses a hub
/// that does not exist as it refuses one the identity may not read, so a mistyped name would
/// otherwise read only as "not permitted".
pub async fn unseen(plane: &DataPlane, hub: &str) -> Option<String> {
    let connection = plane.connection();
    let listed = (connection.catalog.as_ref()?)
        .hubs(&connection.namespace)
        .await
        .ok()?;
    if listed.iter().any(|h| h.name.eq_ignore_ascii_case(hub)) {
        return None;
    }
    let mut names: Vec<&str> = listed.iter().map(|h| h.name.as_str()).collect();
    names.sort_unstable();
    Some(format!(
        "no hub named {hub} is visible to you in namespace {} (you see: {})",
        connection.namespace,
        names.join(", ")
    ))
}
