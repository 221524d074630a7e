//! The JSON of each catalog resource, in the shapes of the ARM 2024-01-01 Event Hubs API
//! (docs/protocol-notes.md section 8). Keys of authorization rules are never part of a resource.

use serde_json::{Value, json};

use super::{Catalog, RESOURCE_GROUP, SUBSCRIPTION_ID};
use crate::emulator::config::{AccessRule, CaptureConfig, HubConfig, NamespaceConfig};

const LOCATION: &str = "local";

pub fn subscription() -> Value {
    json!({
        "id": format!("/subscriptions/{SUBSCRIPTION_ID}"),
        "subscriptionId": SUBSCRIPTION_ID,
        "displayName": "ehops local emulator",
        "state": "Enabled",
    })
}

pub fn resource_group() -> Value {
    json!({
        "id": format!("/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{RESOURCE_GROUP}"),
        "name": RESOURCE_GROUP,
        "type": "Microsoft.Resources/resourceGroups",
        "location": LOCATION,
        "properties": {"provisioningState": "Succeeded"},
    })
}

pub fn namespace_id(ns: &NamespaceConfig) -> String {
    format!(
        "/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.EventHub/namespaces/{}",
        ns.name
    )
}

fn hub_id(ns: &NamespaceConfig, hub: &HubConfig) -> String {
    format!("{}/eventhubs/{}", namespace_id(ns), hub.name)
}

pub fn namespace(catalog: &Catalog, ns: &NamespaceConfig) -> Value {
    let endpoint = catalog
        .amqp_address(&ns.name)
        .map(|addr| format!("sb://{addr}/"));
    json!({
        "id": namespace_id(ns),
        "name": ns.name,
        "type": "Microsoft.EventHub/Namespaces",
        "location": LOCATION,
        "sku": {"name": "Standard", "tier": "Standard", "capacity": 1},
        "tags": ns.tags,
        "properties": {
            "serviceBusEndpoint": endpoint,
            "status": "Active",
            "provisioningState": "Succeeded",
            "createdAt": catalog.created_at,
            "updatedAt": catalog.created_at,
            "kafkaEnabled": false,
        },
    })
}

pub fn hub(catalog: &Catalog, ns: &NamespaceConfig, hub: &HubConfig) -> Value {
    let hours = (hub.retention.as_secs() / 3600).max(1);
    let days = hours.div_ceil(24);
    // ARM hubs carry no tags of their own; the demo's ownership tags ride in both places a
    // client might look, the top-level map and `userMetadata` (a free-form string in ARM).
    let user_metadata = serde_json::to_string(&hub.tags).unwrap_or_default();
    let mut value = json!({
        "id": hub_id(ns, hub),
        "name": hub.name,
        "type": "Microsoft.EventHub/Namespaces/EventHubs",
        "location": LOCATION,
        "tags": hub.tags,
        "properties": {
            "partitionIds": (0..hub.partitions).map(|p| p.to_string()).collect::<Vec<_>>(),
            "partitionCount": hub.partitions,
            "messageRetentionInDays": days,
            "retentionDescription": {
                "cleanupPolicy": "Delete",
                "retentionTimeInHours": hours,
            },
            "status": "Active",
            "createdAt": catalog.created_at,
            "updatedAt": catalog.created_at,
            "userMetadata": user_metadata,
        },
    });
    // Azure leaves the key out for a hub that never had Capture configured.
    if let (Some(capture), Some(properties)) = (&hub.capture, value["properties"].as_object_mut()) {
        properties.insert("captureDescription".into(), capture_description(capture));
    }
    value
}

/// `properties.captureDescription` in the shape of ARM 2024-01-01 (`CaptureDescription`).
fn capture_description(capture: &CaptureConfig) -> Value {
    json!({
        "enabled": capture.enabled,
        "encoding": capture.encoding.name(),
        "intervalInSeconds": capture.interval.as_secs(),
        "sizeLimitInBytes": capture.size_limit_bytes,
        "skipEmptyArchives": capture.skip_empty_archives,
        "destination": {
            "name": "EventHubArchive.AzureBlockBlob",
            "properties": {
                "storageAccountResourceId": capture.storage_account_resource_id,
                "blobContainer": capture.container,
                "archiveNameFormat": capture.archive_name_format,
            },
        },
    })
}

pub fn consumer_group(catalog: &Catalog, ns: &NamespaceConfig, hub: &HubConfig, cg: &str) -> Value {
    json!({
        "id": format!("{}/consumergroups/{cg}", hub_id(ns, hub)),
        "name": cg,
        "type": "Microsoft.EventHub/Namespaces/EventHubs/ConsumerGroups",
        "location": LOCATION,
        "properties": {
            "createdAt": catalog.created_at,
            "updatedAt": catalog.created_at,
        },
    })
}

pub fn namespace_rule(ns: &NamespaceConfig, rule: &AccessRule) -> Value {
    json!({
        "id": format!("{}/authorizationRules/{}", namespace_id(ns), rule.name),
        "name": rule.name,
        "type": "Microsoft.EventHub/Namespaces/AuthorizationRules",
        "location": LOCATION,
        "properties": {"rights": rule.rights.names()},
    })
}

pub fn hub_rule(ns: &NamespaceConfig, hub: &HubConfig, rule: &AccessRule) -> Value {
    json!({
        "id": format!("{}/authorizationRules/{}", hub_id(ns, hub), rule.name),
        "name": rule.name,
        "type": "Microsoft.EventHub/Namespaces/EventHubs/AuthorizationRules",
        "location": LOCATION,
        "properties": {"rights": rule.rights.names()},
    })
}
