//! ehops' own config format. Documented in `docs/emulator-config.md`; an example:
//!
//! ```toml
//! [[namespace]]
//! name = "contoso"
//! tags = { team = "platform" }
//! [[namespace.rule]]                 # a namespace-level shared-access rule
//! name = "RootManageSharedAccessKey"
//! key = "a-long-random-key"
//! rights = ["Listen", "Send", "Manage"]
//! [[namespace.hub]]
//! name = "orders"
//! partitions = 4                     # 1..=32, default 4
//! retention = "24h"                  # s, m, h or d; default 24h, at most 90d
//! consumer_groups = ["billing"]      # $Default is always there
//! tags = { team = "customer" }
//! [[namespace.hub.rule]]             # a hub-level rule
//! name = "orders-send"
//! key = "another-key"
//! rights = ["Send"]
//! [[namespace.schema_group]]         # a Schema Registry group
//! name = "orders-schemas"
//! compatibility = "Backward"         # None, Backward, Forward or Full; default None
//! format = "Avro"                    # Avro, Json or Custom; default Avro
//! contributors = ["orders-send"]     # hub-level rules that may register here
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::codec::schema_compat::Mode;
use crate::emulator::registry::SchemaFormat;

use super::{
    AccessRule, ConfigError, EmulatorConfig, HubConfig, NamespaceConfig, Rights, SchemaGroupConfig,
    check_entity_name, check_partitions, consumer_groups_with_default,
};

const DEFAULT_PARTITIONS: i64 = 4;
const DEFAULT_RETENTION: Duration = Duration::from_secs(24 * 3600);
const MAX_RETENTION: Duration = Duration::from_secs(90 * 24 * 3600);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    namespace: Vec<RawNamespace>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNamespace {
    name: Spanned<String>,
    listen: Option<Spanned<String>>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    hub: Vec<RawHub>,
    #[serde(default)]
    schema_group: Vec<RawSchemaGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchemaGroup {
    name: Spanned<String>,
    compatibility: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    contributors: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHub {
    name: Spanned<String>,
    partitions: Option<Spanned<i64>>,
    retention: Option<Spanned<String>>,
    consumer_groups: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    rule: Vec<RawRule>,
    capture: Option<super::capture::RawCapture>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Spanned<String>,
    key: Spanned<String>,
    rights: Spanned<Vec<String>>,
}

pub(super) fn parse(text: &str, path: &Path) -> Result<EmulatorConfig, ConfigError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let byte = e.span().map_or(0, |s| s.start);
        ConfigError::at(path, text, byte, e.message().trim().to_string())
    })?;
    let err = |byte: usize, message: String| ConfigError::at(path, text, byte, message);
    if raw.namespace.is_empty() {
        return Err(err(0, "no [[namespace]] defined".into()));
    }
    let mut namespaces: Vec<NamespaceConfig> = Vec::new();
    for ns in raw.namespace {
        let name_at = ns.name.span().start;
        check_entity_name(ns.name.get_ref()).map_err(|m| err(name_at, m))?;
        if namespaces
            .iter()
            .any(|n| n.name.eq_ignore_ascii_case(ns.name.get_ref()))
        {
            return Err(err(
                name_at,
                format!("namespace {:?} is defined twice", ns.name.get_ref()),
            ));
        }
        let listen = match ns.listen {
            Some(addr) => Some(addr.get_ref().parse().map_err(|_| {
                err(
                    addr.span().start,
                    format!("listen address {:?} is not IP:PORT", addr.get_ref()),
                )
            })?),
            None => None,
        };
        let rules = convert_rules(ns.rule, &err)?;
        let mut hubs: Vec<HubConfig> = Vec::new();
        for hub in ns.hub {
            let hub = convert_hub(hub, &err)?;
            if hubs.iter().any(|h| h.name.eq_ignore_ascii_case(&hub.name)) {
                return Err(err(
                    name_at,
                    format!(
                        "hub {:?} is defined twice in namespace {:?}",
                        hub.name,
                        ns.name.get_ref()
                    ),
                ));
            }
            hubs.push(hub);
        }
        for hub in &hubs {
            let notify = hub.capture.as_ref().and_then(|c| c.notify_hub.as_ref());
            if let Some(target) =
                notify.filter(|t| !hubs.iter().any(|h| h.name.eq_ignore_ascii_case(t)))
            {
                return Err(err(
                    name_at,
                    format!(
                        "hub {:?}: capture notify_hub {target:?} is no hub of namespace {:?}",
                        hub.name,
                        ns.name.get_ref()
                    ),
                ));
            }
        }
        let mut schema_groups: Vec<SchemaGroupConfig> = Vec::new();
        for group in ns.schema_group {
            let at = group.name.span().start;
            check_schema_group_name(group.name.get_ref()).map_err(|m| err(at, m))?;
            let defined_before = namespaces
                .iter()
                .flat_map(|n| &n.schema_groups)
                .chain(&schema_groups)
                .any(|g| g.name.eq_ignore_ascii_case(group.name.get_ref()));
            if defined_before {
                return Err(err(
                    at,
                    format!("schema group {:?} is defined twice", group.name.get_ref()),
                ));
            }
            let compatibility = match group.compatibility {
                Some(mode) => Mode::parse(mode.get_ref()).ok_or_else(|| {
                    err(
                        mode.span().start,
                        format!(
                            "compatibility {:?} is not one of None, Backward, Forward, Full",
                            mode.get_ref()
                        ),
                    )
                })?,
                None => Mode::None,
            };
            let format = match group.format {
                Some(format) => SchemaFormat::parse(format.get_ref()).ok_or_else(|| {
                    err(
                        format.span().start,
                        format!(
                            "format {:?} is not one of Avro, Json, Custom",
                            format.get_ref()
                        ),
                    )
                })?,
                None => SchemaFormat::Avro,
            };
            let contributors = match group.contributors {
                Some(names) => {
                    let at = names.span().start;
                    let names = names.into_inner();
                    if let Some(unknown) = names.iter().find(|n| !rule_defined(&rules, &hubs, n)) {
                        return Err(err(
                            at,
                            format!(
                                "contributor {unknown:?} of schema group {:?} is no rule of namespace {:?}",
                                group.name.get_ref(),
                                ns.name.get_ref()
                            ),
                        ));
                    }
                    names
                }
                None => Vec::new(),
            };
            schema_groups.push(SchemaGroupConfig {
                name: group.name.into_inner(),
                compatibility,
                format,
                contributors,
            });
        }
        namespaces.push(NamespaceConfig {
            name: ns.name.into_inner(),
            listen,
            tags: ns.tags,
            rules,
            hubs,
            schema_groups,
        });
    }
    Ok(EmulatorConfig { namespaces })
}

/// Whether a rule of this name is defined in the namespace, at its level or on a hub.
fn rule_defined(rules: &[AccessRule], hubs: &[HubConfig], name: &str) -> bool {
    rules
        .iter()
        .chain(hubs.iter().flat_map(|h| &h.rules))
        .any(|r| r.name == name)
}

fn convert_hub(
    hub: RawHub,
    err: &impl Fn(usize, String) -> ConfigError,
) -> Result<HubConfig, ConfigError> {
    let name_at = hub.name.span().start;
    check_entity_name(hub.name.get_ref()).map_err(|m| err(name_at, m))?;
    let partitions = match hub.partitions {
        Some(p) => check_partitions(*p.get_ref()).map_err(|m| err(p.span().start, m))?,
        None => check_partitions(DEFAULT_PARTITIONS).map_err(|m| err(name_at, m))?,
    };
    let retention = match hub.retention {
        Some(r) => parse_duration(r.get_ref()).map_err(|m| err(r.span().start, m))?,
        None => DEFAULT_RETENTION,
    };
    let consumer_groups = match hub.consumer_groups {
        Some(groups) => {
            let at = groups.span().start;
            consumer_groups_with_default(groups.into_inner()).map_err(|m| err(at, m))?
        }
        None => consumer_groups_with_default(Vec::new()).map_err(|m| err(name_at, m))?,
    };
    Ok(HubConfig {
        name: hub.name.into_inner(),
        partitions,
        retention,
        consumer_groups,
        tags: hub.tags,
        rules: convert_rules(hub.rule, err)?,
        capture: hub
            .capture
            .map(|raw| super::capture::convert(raw, err))
            .transpose()?,
    })
}

fn convert_rules(
    raw: Vec<RawRule>,
    err: &impl Fn(usize, String) -> ConfigError,
) -> Result<Vec<AccessRule>, ConfigError> {
    let mut rules: Vec<AccessRule> = Vec::new();
    for rule in raw {
        let name_at = rule.name.span().start;
        if rule.name.get_ref().is_empty() || rule.name.get_ref().len() > 256 {
            return Err(err(name_at, "rule name must be 1 to 256 characters".into()));
        }
        if rules.iter().any(|r| r.name == *rule.name.get_ref()) {
            return Err(err(
                name_at,
                format!("rule {:?} is defined twice here", rule.name.get_ref()),
            ));
        }
        if rule.key.get_ref().is_empty() {
            return Err(err(
                rule.key.span().start,
                "rule key must not be empty".into(),
            ));
        }
        let rights_at = rule.rights.span().start;
        let rights = Rights::parse(rule.rights.get_ref().iter().map(String::as_str))
            .map_err(|m| err(rights_at, m))?;
        rules.push(AccessRule {
            name: rule.name.into_inner(),
            key: rule.key.into_inner(),
            rights,
        });
    }
    Ok(rules)
}

/// `90s` as 90 and `s`: a whole number and the unit after it, if it starts with one.
pub(crate) fn amount_and_unit(text: &str) -> Option<(u64, &str)> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    Some((digits.parse().ok()?, unit))
}

/// Parses `90s`, `30m`, `24h`, `7d`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (amount, unit) = amount_and_unit(text)
        .ok_or_else(|| format!("retention {text:?} must be a number followed by s, m, h or d"))?;
    let seconds = match unit {
        "s" => amount,
        "m" => amount.saturating_mul(60),
        "h" => amount.saturating_mul(3600),
        "d" => amount.saturating_mul(86_400),
        _ => return Err(format!("retention {text:?} must end in s, m, h or d")),
    };
    let duration = Duration::from_secs(seconds);
    if duration.is_zero() || duration > MAX_RETENTION {
        return Err(format!("retention {text:?} must be between 1s and 90d"));
    }
    Ok(duration)
}

/// Azure's limits on a group name (docs/protocol-notes.md section 3: at most 50 characters; letters,
/// digits, `-`, `_` and `.`, starting with a letter or digit).
fn check_schema_group_name(name: &str) -> Result<(), String> {
    let well_formed = !name.is_empty()
        && name.len() <= 50
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "schema group name {name:?} must be 1 to 50 letters, digits, '-', '_' or '.', starting with a letter or digit"
        ))
    }
}
