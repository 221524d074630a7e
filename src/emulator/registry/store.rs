//! The registry's contents: groups (from config), their schemas and versions, kept in one JSON
//! file under the data directory and rewritten crash-safely (temp file, fsync, rename, fsync
//! of the directory) on every registration, so an acknowledged registration survives kill -9.
//!
//! Ids are the first 32 hex digits of the SHA-256 of the schema text, as the demo's traffic
//! derives them (`demo::schemas::schema_id`), so the demo's `avro/binary+<id>` events name
//! registered ids. The same text under a second group or name gets an id salted with its
//! group and name: ids stay unique, as Azure's are.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::codec::schema_compat::{self, Mode};
use crate::emulator::config::EmulatorConfig;
use crate::emulator::demo::schemas::schema_id;

/// The serialization formats the registry knows; Avro is the one it checks compatibility for.
pub const AVRO: &str = "Avro";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Version {
    pub id: String,
    pub version: u32,
    pub format: String,
    pub content: String,
}

/// One group's identity and what its schemas are.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub namespace: String,
    pub compatibility: Mode,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Persisted {
    /// Group name (as configured) -> schema name -> versions, oldest first.
    groups: BTreeMap<String, BTreeMap<String, Vec<Version>>>,
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
    Storage(io::Error),
}

pub struct RegistryStore {
    file: PathBuf,
    groups: Vec<Group>,
    data: Persisted,
}

impl RegistryStore {
    /// Opens (or starts) the registry under `data_dir`; groups come from `config`.
    pub fn open(data_dir: &Path, config: &EmulatorConfig) -> io::Result<Self> {
        let file = data_dir.join("registry").join("schemas.json");
        let data = match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} is not a registry file: {e}", file.display()),
                )
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Persisted::default(),
            Err(e) => return Err(e),
        };
        let groups = config
            .namespaces
            .iter()
            .flat_map(|ns| {
                ns.schema_groups.iter().map(|g| Group {
                    name: g.name.clone(),
                    namespace: ns.name.clone(),
                    compatibility: g.compatibility,
                })
            })
            .collect();
        Ok(RegistryStore { file, groups, data })
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
        self.data.groups.get(&group.name)
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
        self.data.groups.iter().find_map(|(group, schemas)| {
            schemas.iter().find_map(|(name, versions)| {
                versions
                    .iter()
                    .find(|v| v.id.eq_ignore_ascii_case(id))
                    .map(|v| (group.as_str(), name.as_str(), v))
            })
        })
    }

    /// The registered version with exactly this content, if any.
    pub fn find_content(&self, group: &Group, name: &str, content: &str) -> Option<&Version> {
        self.versions(group, name)?
            .iter()
            .find(|v| v.content == content)
    }

    /// Registers `content` as the next version of `name` (or returns the existing version with
    /// the same content), checking the group's compatibility against the latest version.
    pub fn register(
        &mut self,
        group: &Group,
        name: &str,
        format: &str,
        content: &str,
    ) -> Result<Version, RegisterError> {
        if let Some(existing) = self.find_content(group, name, content) {
            return Ok(existing.clone());
        }
        if format == AVRO {
            schema_compat::parse(content).map_err(|e| RegisterError::Invalid(e.to_string()))?;
            let latest = self.versions(group, name).and_then(<[Version]>::last);
            if let Some(latest) = latest.filter(|v| v.format == AVRO) {
                let verdict = schema_compat::verdict(&latest.content, content)
                    .map_err(|e| RegisterError::Invalid(e.to_string()))?;
                verdict.check(group.compatibility).map_err(|reason| {
                    RegisterError::Incompatible {
                        mode: group.compatibility,
                        reason,
                    }
                })?;
            }
        }
        let mut id = schema_id(content);
        if self.by_id(&id).is_some() {
            id = schema_id(&format!("{}/{name}\n{content}", group.name));
        }
        let versions = self
            .data
            .groups
            .entry(group.name.clone())
            .or_default()
            .entry(name.to_string())
            .or_default();
        let version = Version {
            id,
            version: versions.last().map_or(1, |v| v.version + 1),
            format: format.to_string(),
            content: content.to_string(),
        };
        versions.push(version.clone());
        if let Err(error) = self.save() {
            // Not acknowledged, so not kept: memory matches the file.
            if let Some(versions) = self
                .data
                .groups
                .get_mut(&group.name)
                .and_then(|s| s.get_mut(name))
            {
                versions.pop();
            }
            return Err(RegisterError::Storage(error));
        }
        Ok(version)
    }

    fn save(&self) -> io::Result<()> {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let bytes = serde_json::to_vec_pretty(&self.data).map_err(io::Error::other)?;
        let temp = self.file.with_extension("json.tmp");
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &self.file)?;
        // The rename itself must reach the disk too.
        std::fs::File::open(dir)?.sync_all()
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
        let first = store.register(&a, "T", AVRO, SCHEMA).expect("registers");
        assert_eq!(
            first.id,
            schema_id(SCHEMA),
            "the demo's ids: a hash of the text"
        );
        let second = store.register(&b, "T", AVRO, SCHEMA).expect("registers");
        assert_ne!(first.id, second.id);
        assert_eq!(
            store.by_id(&second.id).map(|(g, n, _)| (g, n)),
            Some(("b", "T"))
        );

        let widened = SCHEMA.replace("\"int\"", "\"long\"");
        let refused = store.register(&b, "T", AVRO, &widened);
        assert!(
            matches!(&refused, Err(RegisterError::Incompatible { reason, .. }) if reason.field == "x"),
            "Full refuses a one-way promotion: {refused:?}"
        );
        assert!(matches!(
            store.register(&a, "T", AVRO, "not a schema"),
            Err(RegisterError::Invalid(_))
        ));
        let reopened = open(dir.path());
        assert_eq!(reopened.versions(&a, "T").map(<[Version]>::len), Some(1));
        assert!(reopened.by_id(&second.id).is_some());
    }
}
