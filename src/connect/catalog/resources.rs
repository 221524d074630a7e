//! The parts of ARM's Microsoft.EventHub resources (api-version 2024-01-01) the console
//! reads. Every field is optional or defaulted: the console must show what a service returns
//! even when a newer or older api-version leaves something out.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::{Hub, Namespace};

/// One page of a list: `{"value":[...],"nextLink":...}`.
#[derive(Debug, Deserialize)]
pub(super) struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "nextLink", default)]
    pub next_link: Option<String>,
}

/// ARM's error body: `{"error":{"code":"...","message":"..."}}`.
#[derive(Debug, Deserialize)]
pub(super) struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub(super) struct ErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct NamespaceResource {
    /// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.EventHub/namespaces/{n}`.
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub properties: NamespaceProperties,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceProperties {
    /// `https://NAME.servicebus.windows.net:443/` on Azure.
    #[serde(default)]
    pub service_bus_endpoint: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl NamespaceResource {
    /// The host clients connect to, from `serviceBusEndpoint` (with its port, if any).
    pub fn host(&self) -> Option<String> {
        let endpoint = self.properties.service_bus_endpoint.as_deref()?;
        let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
        let host = rest.split('/').next().unwrap_or(rest);
        (!host.is_empty()).then(|| host.trim_end_matches(":443").to_owned())
    }

    /// The subscription named in the resource id.
    pub fn subscription(&self) -> Option<String> {
        let mut parts = self.id.split('/');
        parts.find(|p| p.eq_ignore_ascii_case("subscriptions"))?;
        parts.next().filter(|s| !s.is_empty()).map(str::to_owned)
    }

    /// The resource group named in the resource id, which ARM spells in any case.
    pub fn resource_group(&self) -> Option<String> {
        let mut parts = self.id.split('/');
        parts.find(|p| p.eq_ignore_ascii_case("resourceGroups"))?;
        parts.next().filter(|g| !g.is_empty()).map(str::to_owned)
    }

    pub fn to_model(&self) -> Namespace {
        Namespace {
            name: self.name.clone(),
            host: self.host().unwrap_or_else(|| self.name.clone()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct HubResource {
    pub name: String,
    #[serde(default)]
    pub tags: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub properties: HubProperties,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct HubProperties {
    #[serde(default)]
    pub partition_ids: Vec<String>,
    #[serde(default)]
    pub partition_count: Option<u32>,
    #[serde(default)]
    pub message_retention_in_days: Option<u64>,
    #[serde(default)]
    pub retention_description: Option<RetentionDescription>,
    /// Active, Disabled, SendDisabled, ReceiveDisabled, ...
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub capture_description: Option<CaptureDescription>,
}

/// The part of ARM's `captureDescription` a reader needs: how blob names are formed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct CaptureDescription {
    #[serde(default)]
    pub destination: Option<CaptureDestinationResource>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct CaptureDestinationResource {
    #[serde(default)]
    pub properties: Option<CaptureDestinationProperties>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CaptureDestinationProperties {
    #[serde(default)]
    pub archive_name_format: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RetentionDescription {
    #[serde(default)]
    pub cleanup_policy: Option<String>,
    #[serde(default)]
    pub retention_time_in_hours: Option<u64>,
}

impl HubResource {
    /// The owning team, from the `team` tag (the organisation's ownership convention).
    pub fn team(&self) -> Option<String> {
        tag(&self.tags, "team")
    }

    /// For a dead-letter hub, whose events it keeps (the `deadletter_for` tag).
    pub fn dead_letter_for(&self) -> Option<String> {
        tag(&self.tags, "deadletter_for")
    }

    /// The hub's Capture `archiveNameFormat`, when the catalog shows one.
    pub fn archive_name_format(&self) -> Option<&str> {
        let destination = self
            .properties
            .capture_description
            .as_ref()?
            .destination
            .as_ref()?;
        destination
            .properties
            .as_ref()?
            .archive_name_format
            .as_deref()
    }

    pub fn partition_count(&self) -> u32 {
        self.properties.partition_count.unwrap_or_else(|| {
            u32::try_from(self.properties.partition_ids.len()).unwrap_or(u32::MAX)
        })
    }

    /// Retention in hours wins over days: it is the finer, newer field.
    pub fn retention(&self) -> Duration {
        let hours = self
            .properties
            .retention_description
            .as_ref()
            .and_then(|r| r.retention_time_in_hours)
            .or_else(|| self.properties.message_retention_in_days.map(|d| d * 24))
            .unwrap_or(24);
        Duration::from_secs(hours.saturating_mul(3600))
    }

    pub fn to_model(&self, namespace: &str, consumer_groups: Vec<String>) -> Hub {
        Hub {
            namespace: namespace.to_owned(),
            name: self.name.clone(),
            partition_count: self.partition_count(),
            team: self.team(),
            retention: self.retention(),
            ingress_per_sec: None,
            dead_letter_for: self.dead_letter_for(),
            consumer_groups,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct ConsumerGroupResource {
    pub name: String,
}

/// A tag's value as text; ARM tags are strings, but be lenient with what a stub returns.
fn tag(tags: &BTreeMap<String, serde_json::Value>, name: &str) -> Option<String> {
    let value = tags
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)?;
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_arm_event_hub() {
        let hub: HubResource = serde_json::from_value(serde_json::json!({
            "id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.EventHub/namespaces/n/eventhubs/sale",
            "name": "sale",
            "type": "Microsoft.EventHub/namespaces/eventhubs",
            "tags": {"team": "conversions"},
            "properties": {
                "partitionIds": ["0", "1"],
                "partitionCount": 2,
                "messageRetentionInDays": 7,
                "retentionDescription": {"cleanupPolicy": "Delete", "retentionTimeInHours": 36},
                "status": "Active"
            }
        }))
        .expect("parses");
        let model = hub.to_model("n", vec!["crm-sync".into()]);
        assert_eq!(model.team.as_deref(), Some("conversions"));
        assert_eq!(model.partition_count, 2);
        assert_eq!(model.retention, Duration::from_secs(36 * 3600));
    }

    #[test]
    fn tolerates_missing_fields() {
        let hub: HubResource =
            serde_json::from_value(serde_json::json!({"name": "bare"})).expect("parses");
        assert_eq!(hub.team(), None);
        assert_eq!(hub.partition_count(), 0);
        assert_eq!(hub.retention(), Duration::from_secs(24 * 3600));
        let ns: NamespaceResource = serde_json::from_value(serde_json::json!({
            "name": "contoso",
            "properties": {"serviceBusEndpoint": "https://contoso.servicebus.windows.net:443/"}
        }))
        .expect("parses");
        assert_eq!(ns.host().as_deref(), Some("contoso.servicebus.windows.net"));
    }
}

#[cfg(test)]
mod namespace_tests {
    use super::NamespaceResource;

    #[test]
    fn the_resource_group_comes_from_the_id_in_any_case() {
        let ns = NamespaceResource {
            id: "/subscriptions/s/resourcegroups/Ops-RG/providers/Microsoft.EventHub/namespaces/contoso"
                .to_owned(),
            name: "contoso".to_owned(),
            ..Default::default()
        };
        assert_eq!(ns.resource_group().as_deref(), Some("Ops-RG"));
        assert_eq!(NamespaceResource::default().resource_group(), None);
    }
}
