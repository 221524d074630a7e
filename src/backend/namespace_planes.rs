//! The data plane of every namespace the console lists, all as the one identity it runs as.
//! The console is started on one namespace (its home); listing the catalog's namespaces
//! teaches it where the others are, and a hub of any of them is then read through that
//! namespace's own plane. Planes connect lazily, so forty namespaces listed cost nothing
//! until their hubs are read.
//!
//! Shared by the backend's loop and the lag feed's task: both only look planes up, and the
//! map is written when a listing arrives; no lock is held across an await.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::connect::catalog::NamespaceResource;
use crate::connect::data_plane::DataPlane;

pub struct NamespacePlanes {
    home: Arc<DataPlane>,
    others: Mutex<BTreeMap<String, Arc<DataPlane>>>,
}

impl NamespacePlanes {
    pub fn new(home: Arc<DataPlane>) -> Self {
        Self {
            home,
            others: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn home(&self) -> &Arc<DataPlane> {
        &self.home
    }

    /// Learns where the listed namespaces are. A namespace already known keeps its plane
    /// (and the connections it holds); one the catalog gives no endpoint for stays unknown.
    pub fn learn(&self, listed: &[NamespaceResource]) {
        let Ok(mut others) = self.others.lock() else {
            return;
        };
        let home = self.home.connection();
        for resource in listed {
            if resource.name.eq_ignore_ascii_case(&home.namespace)
                || others.contains_key(&resource.name)
            {
                continue;
            }
            if let Some(plane) = self.home.for_namespace(resource) {
                others.insert(resource.name.clone(), Arc::new(plane));
            }
        }
    }

    /// The plane of `namespace`: the home one, or one a listing taught.
    pub fn get(&self, namespace: &str) -> Option<Arc<DataPlane>> {
        if namespace.eq_ignore_ascii_case(&self.home.connection().namespace) {
            return Some(Arc::clone(&self.home));
        }
        let others = self.others.lock().ok()?;
        others.get(namespace).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::Connection;

    const EMULATOR: &str = "Endpoint=sb://127.0.0.1:5999;SharedAccessKeyName=team-a;SharedAccessKey=k;UseDevelopmentEmulator=true";

    fn resource(name: &str, endpoint: Option<&str>) -> NamespaceResource {
        let mut resource = NamespaceResource {
            id: format!(
                "/subscriptions/s/resourceGroups/rg-{name}/providers/Microsoft.EventHub/namespaces/{name}"
            ),
            name: name.to_owned(),
            ..NamespaceResource::default()
        };
        resource.properties.service_bus_endpoint = endpoint.map(str::to_owned);
        resource
    }

    fn planes() -> NamespacePlanes {
        let home = Connection::from_connection_string(EMULATOR, None)
            .expect("connection string parses")
            .with_namespace("home");
        NamespacePlanes::new(Arc::new(DataPlane::new(home, "ehops")))
    }

    #[test]
    fn a_listed_namespace_is_reached_at_its_own_endpoint_as_the_same_identity() {
        let planes = planes();
        assert!(planes.get("legacy").is_none(), "unknown before a listing");
        planes.learn(&[
            resource("home", Some("http://127.0.0.1:5999")),
            resource("legacy", Some("http://127.0.0.1:6001/")),
            resource("nowhere", None),
        ]);
        let legacy = planes.get("legacy").expect("learned");
        let connection = legacy.connection();
        assert_eq!(connection.namespace, "legacy");
        assert_eq!(connection.fully_qualified_namespace, "legacy");
        assert_eq!(
            connection.custom_endpoint.as_deref(),
            Some("amqp://127.0.0.1:6001")
        );
        assert_eq!(connection.principal, "team-a");
        assert_eq!(legacy.consumer_group(), "ehops");
        assert!(planes.get("nowhere").is_none(), "no endpoint, no plane");
        let home = planes.get("HOME").expect("the home namespace");
        assert!(Arc::ptr_eq(&home, planes.home()));
    }

    #[test]
    fn a_plane_already_made_is_kept_when_the_listing_comes_again() {
        let planes = planes();
        let listed = [resource("legacy", Some("http://127.0.0.1:6001"))];
        planes.learn(&listed);
        let first = planes.get("legacy").expect("learned");
        planes.learn(&listed);
        let second = planes.get("legacy").expect("still known");
        assert!(Arc::ptr_eq(&first, &second));
    }
}
