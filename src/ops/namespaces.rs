//! The other namespaces one identity reads: every namespace of every subscription the catalog
//! lists, each reached as a data plane of its own with the same credential (what `ehops lag
//! --all` covers besides the namespace it was started on).

use std::sync::Arc;

use crate::connect::data_plane::DataPlane;

/// The planes of every namespace the catalog lists but `plane`'s own, in the catalog's order;
/// none without a catalog, or when it cannot list them (logged).
pub async fn others(plane: &DataPlane) -> Vec<Arc<DataPlane>> {
    let home = plane.connection();
    let Some(catalog) = &home.catalog else {
        return Vec::new();
    };
    let listed = match catalog.every_namespace().await {
        Ok(listed) => listed,
        Err(error) => {
            tracing::info!(%error, "namespaces not listed; only {}", home.namespace);
            return Vec::new();
        }
    };
    (listed.iter())
        .filter(|n| !n.name.eq_ignore_ascii_case(&home.namespace))
        .filter_map(|n| plane.for_namespace(n).map(Arc::new))
        .collect()
}
