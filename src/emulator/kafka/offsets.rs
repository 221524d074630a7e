//! Committed offsets, durable: `{data}/kafka/offsets.json` is rewritten whole on every commit
//! (temporary file, fsync, rename, fsync of the directory) before the commit is acknowledged,
//! so a kill -9 keeps every acknowledged commit and never leaves half a file.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committed {
    pub offset: i64,
    pub metadata: Option<String>,
    pub commit_ms: i64,
}

/// `(namespace, group)` to `(hub, partition)` to offset.
type Groups = BTreeMap<(String, String), BTreeMap<(String, i32), Committed>>;

#[derive(Serialize, Deserialize)]
struct Row {
    namespace: String,
    group: String,
    topic: String,
    partition: i32,
    #[serde(flatten)]
    committed: Committed,
}

pub struct OffsetStore {
    path: PathBuf,
    groups: Mutex<Groups>,
}

impl OffsetStore {
    pub fn open(data_dir: &Path) -> io::Result<OffsetStore> {
        let dir = data_dir.join("kafka");
        fs::create_dir_all(&dir)?;
        let path = dir.join("offsets.json");
        let mut groups = Groups::new();
        match fs::read(&path) {
            Ok(bytes) => {
                let rows: Vec<Row> = serde_json::from_slice(&bytes).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                for row in rows {
                    groups
                        .entry((row.namespace, row.group))
                        .or_default()
                        .insert((row.topic, row.partition), row.committed);
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        Ok(OffsetStore {
            path,
            groups: Mutex::new(groups),
        })
    }

    fn key(namespace: &str, group: &str) -> (String, String) {
        (namespace.to_ascii_lowercase(), group.to_string())
    }

    /// Stores `offsets` for a group durably; on error nothing is committed.
    pub fn commit(
        &self,
        namespace: &str,
        group: &str,
        offsets: Vec<((String, i32), Committed)>,
    ) -> io::Result<()> {
        let mut groups = self.lock();
        let mut next = groups.clone();
        next.entry(Self::key(namespace, group))
            .or_default()
            .extend(offsets);
        self.write(&next)?;
        *groups = next;
        Ok(())
    }

    pub fn delete(&self, namespace: &str, group: &str) -> io::Result<bool> {
        let mut groups = self.lock();
        let mut next = groups.clone();
        let existed = next.remove(&Self::key(namespace, group)).is_some();
        if existed {
            self.write(&next)?;
            *groups = next;
        }
        Ok(existed)
    }

    pub fn group(&self, namespace: &str, group: &str) -> BTreeMap<(String, i32), Committed> {
        self.lock()
            .get(&Self::key(namespace, group))
            .cloned()
            .unwrap_or_default()
    }

    /// Every group of the namespace that has committed offsets.
    pub fn groups(&self, namespace: &str) -> Vec<String> {
        let namespace = namespace.to_ascii_lowercase();
        self.lock()
            .keys()
            .filter(|(ns, _)| *ns == namespace)
            .map(|(_, group)| group.clone())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Groups> {
        // A panic while holding the lock leaves the map as it was before the failed commit.
        self.groups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self, groups: &Groups) -> io::Result<()> {
        let rows: Vec<Row> = groups
            .iter()
            .flat_map(|((namespace, group), offsets)| {
                offsets
                    .iter()
                    .map(move |((topic, partition), committed)| Row {
                        namespace: namespace.clone(),
                        group: group.clone(),
                        topic: topic.clone(),
                        partition: *partition,
                        committed: committed.clone(),
                    })
            })
            .collect();
        let bytes = serde_json::to_vec_pretty(&rows).map_err(io::Error::other)?;
        let temporary = self.path.with_extension("json.tmp");
        let mut file = fs::File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, &self.path)?;
        if let Some(dir) = self.path.parent() {
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_survive_a_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = OffsetStore::open(dir.path()).expect("opens");
        let committed = Committed {
            offset: 42,
            metadata: None,
            commit_ms: 1,
        };
        store
            .commit("NS", "g", vec![(("orders".into(), 1), committed.clone())])
            .expect("commits");
        let reopened = OffsetStore::open(dir.path()).expect("reopens");
        assert_eq!(
            reopened.group("ns", "g").get(&("orders".into(), 1)),
            Some(&committed)
        );
        assert_eq!(reopened.groups("ns"), vec!["g".to_string()]);
        assert!(reopened.delete("ns", "g").expect("deletes"));
        assert!(
            OffsetStore::open(dir.path())
                .expect("reopens")
                .groups("ns")
                .is_empty()
        );
    }
}
