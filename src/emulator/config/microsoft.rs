//! Microsoft's Event Hubs emulator `Config.json`, accepted as is (docs/protocol-notes.md section 7).
//! Its namespace gets the emulator's well-known development rule, so the connection string
//! users already have (`SharedAccessKey=SAS_KEY_VALUE`) keeps working.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{
    AccessRule, ConfigError, EmulatorConfig, HubConfig, NamespaceConfig, Rights, check_entity_name,
    check_partitions, consumer_groups_with_default,
};

/// The rule and key in the connection string Microsoft's emulator documents.
pub const DEV_RULE_NAME: &str = "RootManageSharedAccessKey";
pub const DEV_RULE_KEY: &str = "SAS_KEY_VALUE";
const RETENTION: Duration = Duration::from_secs(24 * 3600);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawFile {
    user_config: RawUserConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawUserConfig {
    namespace_config: Vec<RawNamespace>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawNamespace {
    #[serde(rename = "Type")]
    kind: String,
    name: String,
    #[serde(default)]
    entities: Vec<RawEntity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawEntity {
    name: String,
    partition_count: serde_json::Value,
    #[serde(default)]
    consumer_groups: Vec<RawConsumerGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawConsumerGroup {
    name: String,
}

pub(super) fn parse(text: &str, path: &Path) -> Result<EmulatorConfig, ConfigError> {
    let raw: RawFile = serde_json::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: e.line(),
        message: e.to_string(),
    })?;
    // JSON carries no spans once parsed; point at the line where the offending name appears.
    let err = |needle: &str, message: String| {
        let byte = text.find(needle).unwrap_or(0);
        ConfigError::at(path, text, byte, message)
    };
    // The second of two names is the one to point at: its last occurrence in the text.
    let err_last = |needle: &str, message: String| {
        let byte = text.rfind(needle).unwrap_or(0);
        ConfigError::at(path, text, byte, message)
    };
    let mut namespaces = Vec::new();
    for ns in raw.user_config.namespace_config {
        if ns.kind != "EventHub" {
            return Err(err(
                &ns.kind,
                format!(
                    "namespace type {:?} is not supported (expected \"EventHub\")",
                    ns.kind
                ),
            ));
        }
        check_entity_name(&ns.name).map_err(|m| err(&ns.name, m))?;
        // Event Hubs names are case-insensitive: `eh1` and `EH1` are one hub, as TOML has it.
        let ns_name = quoted(&ns.name);
        if namespaces
            .iter()
            .any(|n: &NamespaceConfig| n.name.eq_ignore_ascii_case(&ns.name))
        {
            return Err(err_last(
                &ns_name,
                format!("namespace {:?} is defined twice", ns.name),
            ));
        }
        let mut hubs: Vec<HubConfig> = Vec::new();
        for entity in ns.entities {
            check_entity_name(&entity.name).map_err(|m| err(&entity.name, m))?;
            if hubs
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case(&entity.name))
            {
                return Err(err_last(
                    &quoted(&entity.name),
                    format!(
                        "hub {:?} is defined twice in namespace {:?} (hub names ignore case)",
                        entity.name, ns.name
                    ),
                ));
            }
            let count = entity
                .partition_count
                .as_i64()
                .or_else(|| entity.partition_count.as_str().and_then(|s| s.parse().ok()));
            let partitions = count
                .ok_or_else(|| "PartitionCount must be a whole number".to_string())
                .and_then(check_partitions)
                .map_err(|m| err(&entity.name, format!("hub {:?}: {m}", entity.name)))?;
            let groups = entity
                .consumer_groups
                .into_iter()
                .map(|cg| cg.name)
                .collect();
            let consumer_groups = consumer_groups_with_default(groups)
                .map_err(|m| err(&entity.name, format!("hub {:?}: {m}", entity.name)))?;
            hubs.push(HubConfig {
                name: entity.name,
                partitions,
                retention: RETENTION,
                consumer_groups,
                tags: BTreeMap::new(),
                rules: Vec::new(),
                capture: None,
            });
        }
        namespaces.push(NamespaceConfig {
            name: ns.name,
            listen: None,
            tags: BTreeMap::new(),
            rules: vec![AccessRule {
                name: DEV_RULE_NAME.into(),
                key: DEV_RULE_KEY.into(),
                rights: Rights::ALL,
            }],
            hubs,
            schema_groups: Vec::new(),
        });
    }
    if namespaces.is_empty() {
        return Err(err(
            "NamespaceConfig",
            "NamespaceConfig lists no namespace".into(),
        ));
    }
    Ok(EmulatorConfig { namespaces })
}

/// A name as the JSON text spells it, quotes included, so `eh1` does not match inside `eh10`.
fn quoted(name: &str) -> String {
    serde_json::to_string(name).unwrap_or_else(|_| name.to_owned())
}
