//! What the emulator serves: namespaces, hubs, consumer groups, tags and shared-access rules.
//!
//! Two file formats are read into the same [`EmulatorConfig`]: ehops' own documented TOML
//! ([`toml_format`]) and Microsoft's emulator `Config.json` ([`microsoft`]), so that a user can
//! switch with the file they already have. Errors name the file, the line and the problem.

pub mod capture;
mod microsoft;
mod rights;
pub(crate) mod toml_format;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use capture::{BlobAccess, CaptureConfig, CaptureDestination, CaptureEncoding};
pub use rights::Rights;

/// Name of the consumer group every hub has, as Event Hubs spells it.
pub const DEFAULT_CONSUMER_GROUP: &str = "$Default";

/// The service limit on partitions per hub (Standard tier; docs/protocol-notes.md section 9).
pub const MAX_PARTITIONS: u32 = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorConfig {
    pub namespaces: Vec<NamespaceConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceConfig {
    pub name: String,
    /// A dedicated AMQP listener for this namespace. Without one the namespace is served on the
    /// emulator's main AMQP port and picked by the host name the client connects with.
    pub listen: Option<SocketAddr>,
    pub tags: BTreeMap<String, String>,
    pub rules: Vec<AccessRule>,
    pub hubs: Vec<HubConfig>,
    /// Schema Registry groups served for this namespace (names unique across the emulator).
    pub schema_groups: Vec<SchemaGroupConfig>,
}

/// A Schema Registry group: the format its schemas are in, the compatibility its new versions
/// must keep, and who besides the namespace's own rules may register in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaGroupConfig {
    pub name: String,
    pub compatibility: crate::codec::schema_compat::Mode,
    pub format: crate::emulator::registry::SchemaFormat,
    /// Hub-level rules, by name, whose holders may register here: Azure's Schema Registry
    /// Contributor assigned on the group. A namespace-level rule with Send or Manage may
    /// register in every group of its namespace without being named.
    pub contributors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubConfig {
    pub name: String,
    pub partitions: u32,
    pub retention: Duration,
    /// Always starts with [`DEFAULT_CONSUMER_GROUP`].
    pub consumer_groups: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub rules: Vec<AccessRule>,
    /// Event Hubs Capture, when configured (`[namespace.hub.capture]`).
    pub capture: Option<CaptureConfig>,
}

/// A shared-access authorization rule: a named key with rights, at namespace or hub level.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessRule {
    pub name: String,
    pub key: String,
    pub rights: Rights,
}

impl std::fmt::Debug for AccessRule {
    // Keys never reach logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessRule")
            .field("name", &self.name)
            .field("rights", &self.rights)
            .finish_non_exhaustive()
    }
}

impl HubConfig {
    pub fn has_consumer_group(&self, name: &str) -> bool {
        self.consumer_groups
            .iter()
            .any(|cg| cg.eq_ignore_ascii_case(name))
    }
}

impl EmulatorConfig {
    /// Reads a config file, choosing the format by its content: Microsoft's `Config.json` when
    /// it is a JSON object, ehops' TOML otherwise.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses config text; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config = if text.trim_start().starts_with('{') {
            microsoft::parse(text, path)?
        } else {
            toml_format::parse(text, path)?
        };
        Ok(config)
    }

    pub fn namespace(&self, name: &str) -> Option<&NamespaceConfig> {
        self.namespaces
            .iter()
            .find(|ns| ns.name.eq_ignore_ascii_case(name))
    }
}

impl NamespaceConfig {
    pub fn hub(&self, name: &str) -> Option<&HubConfig> {
        self.hubs
            .iter()
            .find(|hub| hub.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl ConfigError {
    fn at(path: &Path, text: &str, byte: usize, message: impl Into<String>) -> Self {
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, byte),
            message: message.into(),
        }
    }
}

/// 1-based line number of a byte position.
fn line_of(text: &str, byte: usize) -> usize {
    let end = byte.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Checks shared by both formats, so a name is valid or not whatever file it came from.
fn check_entity_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid name {name:?}: use letters, digits, '-', '.', '_', starting and ending with a letter or digit"
        ))
    }
}

fn check_partitions(count: i64) -> Result<u32, String> {
    match u32::try_from(count) {
        Ok(n) if (1..=MAX_PARTITIONS).contains(&n) => Ok(n),
        _ => Err(format!(
            "partition count {count} is out of range 1..={MAX_PARTITIONS}"
        )),
    }
}

/// Consumer groups as Event Hubs has them: `$Default` first and always present, no duplicates.
fn consumer_groups_with_default(configured: Vec<String>) -> Result<Vec<String>, String> {
    let mut groups = vec![DEFAULT_CONSUMER_GROUP.to_string()];
    for group in configured {
        if group.eq_ignore_ascii_case(DEFAULT_CONSUMER_GROUP) {
            continue;
        }
        // Event Hubs' rule; the name also becomes a directory of the checkpoint store.
        if group.len() > 50 || check_entity_name(&group).is_err() {
            return Err(format!(
                "consumer group name {group:?} must be 1 to 50 letters, digits, '-', '.' or '_', starting and ending with a letter or digit"
            ));
        }
        if groups.iter().any(|g| g.eq_ignore_ascii_case(&group)) {
            return Err(format!("consumer group {group:?} is listed twice"));
        }
        groups.push(group);
    }
    Ok(groups)
}

#[cfg(test)]
mod capture_tests;
#[cfg(test)]
mod tests;
