//! The registry's contents: groups (from config), their schemas and versions, kept in memory
//! with an index by id and persisted as an append-only log ([`super::log`]), so an
//! acknowledged registration survives kill -9 and costs the size of its schema.
//!
//! Ids are the first 32 hex digits of the SHA-256 of the schema text, as the demo's traffic
//! derives them (`demo::schemas::schema_id`), so the demo's `avro/binary+<id>` events name
//! registered ids. The same text under a second group or name gets an id salted with its
//! group and name: ids stay unique, as Azure's are.
//!
//! Limits, as Azure's quotas: a schema is at most 1 MB; a namespace's registry holds at most
//! 100 MB of schema text (Azure Premium's per-namespace size).

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::format::SchemaFormat;
use super::log::{Record, RegistrationLog};
use crate::codec::schema_compat::{self, Mode};
use crate::emulator::config::EmulatorConfig;
use crate::emulator::demo::schemas::schema_id;

/// Azure's quota on one schema's size.
pub const MAX_SCHEMA_BYTES: usize = 1024 * 1024;
/// Schema text a namespace's registry may hold in all.
pub const MAX_NAMESPACE_BYTES: u64 = 100 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Version {
    pub id: String,
    pub version: u32,
    /// The format's name (`Avro`, `Json`, `Custom`), as the SDKs spell it.
    pub format: String,
    pub content: String,
}

/// One group's identity, what its schemas are, and who may register in it.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub namespace: String,
    pub compatibility: Mode,
    pub format: SchemaFormat,
    pub contributors: Vec<String>,
}

/// Why a registration is refused.
#[derive(Debug)]
pub enum RegisterError {
    /// The new version breaks the group's compatibility mode.
    Incompatible {
        mode: Mode,
        reason: schema_compat::Incompatibility,
    },
    /// The text is not a schema of its declared format.
    Invalid(String),
    /// The schema is in another format than the group holds.
    WrongFormat {
        group: SchemaFormat,
        given: SchemaFormat,
    },
    /// The schema is larger than one schema may be.
    TooLarge {
        size: usize,
        limit: usize,
    },
    /// The namespace's registry is full.
    QuotaExceeded {
        namespace: String,
        limit: u64,
    },
    Storage(io::Error),
}

/// Where a version sits: group, schema name, index in its versions.
type Place = (String, String, usize);

pub struct RegistryStore {
    log: RegistrationLog,
    groups: Vec<Group>,
    /// Group name (as configured) -> schema name -> versions, oldest first.
    schemas: BTreeMap<String, BTreeMap<String, Vec<Version>>>,
    /// Lowercased id -> where the version is.
    ids: HashMap<String, Place>,
    /// Schema text held per namespace, against [`MAX_NAMESPACE_BYTES`].
    bytes_by_namespace: HashMap<String, u64>,
    namespace_limit: u64,
}

impl RegistryStore {
    /// Opens (or starts) the registry under `data_dir`; groups come from `config`.
    pub fn open(data_dir: &Path, config: &EmulatorConfig) -> io::Result<Self> {
        let (log, records) = RegistrationLog::open(&data_dir.join("registry"))?;
        let groups = config
            .namespaces
            .iter()
            .flat_map(|ns| {
                ns.schema_groups.iter().map(|g| Group {
                    name: g.name.clone(),
                    namespace: ns.name.clone(),
                    compatibility: g.compatibility,
                    format: g.format,
                    contributors: g.contributors.clone(),
                })
            })
            .collect();
        let mut store = RegistryStore {
            log,
            groups,
            schemas: BTreeMap::new(),
            ids: HashMap::new(),
            bytes_by_namespace: HashMap::new(),
            namespace_limit: MAX_NAMESPACE_BYTES,
        };
        for record in records {
            store.insert(record);
        }
        Ok(store)
    }

    /// The same store with a smaller namespace quota, to test the limit without 100 MB.
    #[cfg(test)]
    fn with_namespace_limit(mut self, limit: u64) -> Self {
        self.namespace_limit = limit;
        self
    }

    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(name))
    }

    fn schemas_of(&self, group: &Group) -> Option<&BTreeMap<String, Vec<Version>>> {
        self.schemas.get(&group.name)
    }

    pub fn schema_names(&self, group: &Group) -> Vec<String> {
        self.schemas_of(group)
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default()
    }

    pub fn versions(&self, group: &Group, name: &str) -> Option<&[Version]> {
        self.schemas_of(group)?.get(name).map(Vec::as_slice)
    }

    /// The version with this id, and the group and schema name it is registered under.
    pub fn by_id(&self, id: &str) -> Option<(&str, &str, &Version)> {
        let (group, name, index) = self.ids.get(&id.to_ascii_lowercase())?;
        let version = self.schemas.get(group)?.get(name)?.get(*index)?;
        Some((group.as_str(), name.as_str(), version))
    }

    /// The registered version with exactly this content, if any.
    pub fn find_content(&self, group: &Group, name: &str, content: &str) -> Option<&Version> {
        self.versions(group, name)?
            .iter()
            .find(|v| v.content == content)
    }

    /// Registers `content` as the next version of `name` (or returns the existing version with
    /// the same content), checking the group's format, the size limits and the group's
    /// compatibility against the latest version.
    pub fn register(
        &mut self,
        group: &Group,
        name: &str,
        format: SchemaFormat,
        content: &str,
    ) -> Result<Version, RegisterError> {
        if format != group.format {
            return Err(RegisterError::WrongFormat {
                group: group.format,
                given: format,
            });
        }
        if content.len() > MAX_SCHEMA_BYTES {
            return Err(RegisterError::TooLarge {
                size: content.len(),
                limit: MAX_SCHEMA_BYTES,
            });
        }
        if let Some(existing) = self.find_content(group, name, content) {
            return Ok(existing.clone());
        }
        self.check_content(group, name, format, content)?;
        let held = self
            .bytes_by_namespace
            .get(&group.namespace)
            .copied()
            .unwrap_or(0);
        if held.saturating_add(content.len() as u64) > self.namespace_limit {
            return Err(RegisterError::QuotaExceeded {
                namespace: group.namespace.clone(),
                limit: self.namespace_limit,
            });
        }
        let mut id = schema_id(content);
        if self.by_id(&id).is_some() {
            id = schema_id(&format!("{}/{name}\n{content}", group.name));
        }
        let version = Version {
            id,
            version: self
                .versions(group, name)
                .and_then(<[Version]>::last)
                .map_or(1, |v| v.version + 1),
            format: format.name().to_owned(),
            content: content.to_owned(),
        };
        let record = Record {
            group: group.name.clone(),
            name: name.to_owned(),
            version: version.clone(),
        };
        // Not acknowledged unless on the disk; memory changes only after.
        self.log.append(&record).map_err(RegisterError::Storage)?;
        self.insert(record);
        Ok(version)
    }

    /// Whether `content` is a schema of its format, and a compatible next version for Avro.
    fn check_content(
        &self,
        group: &Group,
        name: &str,
        format: SchemaFormat,
        content: &str,
    ) -> Result<(), RegisterError> {
        match format {
            SchemaFormat::Avro => {
                schema_compat::parse(content).map_err(|e| RegisterError::Invalid(e.to_string()))?;
                let latest = self.versions(group, name).and_then(<[Version]>::last);
                if let Some(latest) = latest.filter(|v| v.format == SchemaFormat::Avro.name()) {
                    let verdict = schema_compat::verdict(&latest.content, content)
                        .map_err(|e| RegisterError::Invalid(e.to_string()))?;
                    verdict.check(group.compatibility).map_err(|reason| {
                        RegisterError::Incompatible {
                            mode: group.compatibility,
                            reason,
                        }
                    })?;
                }
                Ok(())
            }
            SchemaFormat::Json => serde_json::from_str::<serde::de::IgnoredAny>(content)
                .map(|_| ())
                .map_err(|e| RegisterError::Invalid(format!("the schema is not JSON: {e}"))),
            SchemaFormat::Custom => Ok(()),
        }
    }

    /// Adds a registration to memory: its versions, its id, its namespace's size.
    fn insert(&mut self, record: Record) {
        let Record {
            group,
            name,
            version,
        } = record;
        if let Some(namespace) = self.group(&group).map(|g| g.namespace.clone()) {
            *self.bytes_by_namespace.entry(namespace).or_default() += version.content.len() as u64;
        }
        let versions = self
            .schemas
            .entry(group.clone())
            .or_default()
            .entry(name.clone())
            .or_default();
        self.ids.insert(
            version.id.to_ascii_lowercase(),
            (group, name, versions.len()),
        );
        versions.push(version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "[[namespace]]\nname = \"ns\"\n[[namespace.schema_group]]\nname = \"a\"\n[[namespace.schema_group]]\nname = \"b\"\ncompatibility = \"Full\"\n";
    const SCHEMA: &str = r#"{"type":"record","name":"T","fields":[{"name":"x","type":"int"}]}"#;

    fn open(dir: &Path) -> RegistryStore {
        let config = EmulatorConfig::parse(CONFIG, Path::new("test.toml")).expect("config");
        RegistryStore::open(dir, &config).expect("opens")
    }

    #[test]
    fn the_same_text_elsewhere_gets_its_own_id_and_every_id_resolves() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = open(dir.path());
        let (a, b) = (store.groups()[0].clone(), store.groups()[1].clone());
        let first = store
            .register(&a, "T", SchemaFormat::Avro, SCHEMA)
            .expect("registers");
        assert_eq!(
            first.id,
            schema_id(SCHEMA),
            "the demo's ids: a hash of the text"
        );
        let second = store
            .register(&b, "T", SchemaFormat::Avro, SCHEMA)
            .expect("registers");
        assert_ne!(first.id, second.id);
        assert_eq!(
            store.by_id(&second.id).map(|(g, n, _)| (g, n)),
            Some(("b", "T"))
        );

        let widened = SCHEMA.replace("\"int\"", "\"long\"");
        let refused = store.register(&b, "T", SchemaFormat::Avro, &widened);
        assert!(
            matches!(&refused, Err(RegisterError::Incompatible { reason, .. }) if reason.field == "x"),
            "Full refuses a one-way promotion: {refused:?}"
        );
        assert!(matches!(
            store.register(&a, "T", SchemaFormat::Avro, "not a schema"),
            Err(RegisterError::Invalid(_))
        ));
        let reopened = open(dir.path());
        assert_eq!(reopened.versions(&a, "T").map(<[Version]>::len), Some(1));
        assert!(reopened.by_id(&second.id).is_some());
    }

    #[test]
    fn a_group_takes_only_its_format_and_json_must_be_json() {
        let config = "[[namespace]]\nname = \"ns\"\n[[namespace.schema_group]]\nname = \"avro\"\n[[namespace.schema_group]]\nname = \"json\"\nformat = \"Json\"\n";
        let config = EmulatorConfig::parse(config, Path::new("test.toml")).expect("config");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = RegistryStore::open(dir.path(), &config).expect("opens");
        let (avro, json) = (store.groups()[0].clone(), store.groups()[1].clone());
        assert!(matches!(
            store.register(&avro, "T", SchemaFormat::Custom, "anything"),
            Err(RegisterError::WrongFormat {
                group: SchemaFormat::Avro,
                given: SchemaFormat::Custom
            })
        ));
        assert!(matches!(
            store.register(&json, "T", SchemaFormat::Json, "{not json"),
            Err(RegisterError::Invalid(_))
        ));
        store
            .register(&json, "T", SchemaFormat::Json, r#"{"type":"object"}"#)
            .expect("JSON in a Json group");
        assert_eq!(store.versions(&avro, "T"), None, "nothing refused was kept");
    }

    #[test]
    fn a_full_namespace_refuses_more_and_keeps_what_it_has() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = open(dir.path()).with_namespace_limit(SCHEMA.len() as u64 + 10);
        let a = store.groups()[0].clone();
        store
            .register(&a, "T", SchemaFormat::Avro, SCHEMA)
            .expect("fits");
        let second = SCHEMA.replace('T', "U");
        assert!(matches!(
            store.register(&a, "U", SchemaFormat::Avro, &second),
            Err(RegisterError::QuotaExceeded { .. })
        ));
        let again = store
            .register(&a, "T", SchemaFormat::Avro, SCHEMA)
            .expect("the same content is no new text");
        assert_eq!(again.version, 1);
        let big = "x".repeat(MAX_SCHEMA_BYTES + 1);
        assert!(matches!(
            store.register(&a, "V", SchemaFormat::Avro, &big),
            Err(RegisterError::TooLarge { .. })
        ));
    }
}
