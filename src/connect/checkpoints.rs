//! Reading consumer checkpoints and partition ownerships in the blob layout every official
//! SDK writes (protocol-notes section 5): `{fqns}/{hub}/{cg}/checkpoint/{pid}` and
//! `.../ownership/{pid}`, the facts in the blob's metadata.
//!
//! SDKs disagree on case (Python lowercases the whole name, JS and .NET the namespace, hub
//! and group, Rust nothing), so names are matched without regard to case and, when two
//! writers left a blob for one partition, the newer wins.
//!
//! [`DirectoryCheckpoints`] reads a local mirror of a container, where each blob is a file
//! whose content is the JSON object of its metadata and whose mtime is its last-modified
//! time. An Azure Blob store implements the same trait.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::error::{ConnectError, Failure};
use crate::model::{Checkpoint, Ownership};

/// Which consumer group's blobs to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointScope {
    /// The fully qualified namespace as consumers wrote it; tried in order.
    pub namespaces: Vec<String>,
    pub hub: String,
    pub consumer_group: String,
}

/// Checkpoints and ownerships, by partition id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerState {
    pub checkpoints: HashMap<String, Checkpoint>,
    pub ownerships: HashMap<String, Ownership>,
}

#[async_trait::async_trait]
pub trait CheckpointStore: Send + Sync + std::fmt::Debug {
    async fn read(&self, scope: &CheckpointScope) -> Result<ConsumerState, ConnectError>;
}

/// A directory holding blobs as files (see the module docs).
#[derive(Debug, Clone)]
pub struct DirectoryCheckpoints {
    root: PathBuf,
}

impl DirectoryCheckpoints {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[async_trait::async_trait]
impl CheckpointStore for DirectoryCheckpoints {
    async fn read(&self, scope: &CheckpointScope) -> Result<ConsumerState, ConnectError> {
        let root = self.root.clone();
        let scope = scope.clone();
        tokio::task::spawn_blocking(move || read_directory(&root, &scope))
            .await
            .map_err(|e| ConnectError::new(Failure::Service, format!("checkpoint reader: {e}")))?
    }
}

fn read_directory(root: &Path, scope: &CheckpointScope) -> Result<ConsumerState, ConnectError> {
    let mut state = ConsumerState::default();
    if !root.is_dir() {
        // No consumer has written yet: no checkpoints, not an error.
        return Ok(state);
    }
    for namespace in &scope.namespaces {
        for group_dir in matching_dirs(root, &[namespace, &scope.hub, &scope.consumer_group])? {
            for (pid, metadata, modified) in blobs(&group_dir.join("checkpoint"))? {
                let Some(checkpoint) = checkpoint_from(&metadata, modified) else {
                    continue;
                };
                let newer = state
                    .checkpoints
                    .get(&pid)
                    .is_none_or(|c| c.updated_at < checkpoint.updated_at);
                if newer {
                    state.checkpoints.insert(pid, checkpoint);
                }
            }
            for (pid, metadata, modified) in blobs(&group_dir.join("ownership"))? {
                let Some(owner_id) = field(&metadata, "ownerid") else {
                    continue;
                };
                let newer = state
                    .ownerships
                    .get(&pid)
                    .is_none_or(|o| o.renewed_at < modified);
                if newer {
                    let renewed_at = modified;
                    state.ownerships.insert(
                        pid,
                        Ownership {
                            owner_id,
                            renewed_at,
                        },
                    );
                }
            }
        }
        if !state.checkpoints.is_empty() || !state.ownerships.is_empty() {
            break;
        }
    }
    Ok(state)
}

/// Directories under `root` matching each name in turn, case-insensitively.
fn matching_dirs(root: &Path, names: &[&String]) -> Result<Vec<PathBuf>, ConnectError> {
    let mut current = vec![root.to_path_buf()];
    for name in names {
        let mut next = Vec::new();
        for dir in &current {
            for entry in list(dir)? {
                let matches = entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name));
                if matches && entry.path().is_dir() {
                    next.push(entry.path());
                }
            }
        }
        current = next;
    }
    Ok(current)
}

/// `(partition id, metadata, last modified)` of each blob file in `dir`.
type Blob = (String, HashMap<String, String>, OffsetDateTime);

fn blobs(dir: &Path) -> Result<Vec<Blob>, ConnectError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for entry in list(dir)? {
        let path = entry.path();
        let Some(pid) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !path.is_file() {
            continue;
        }
        // A blob another process is rewriting can be briefly unreadable; skip it this round.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Some(metadata) = parse_metadata(&text) else {
            tracing::warn!(path = %path.display(), "checkpoint blob is not a JSON object");
            continue;
        };
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .map(OffsetDateTime::from)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        found.push((pid, metadata, modified));
    }
    Ok(found)
}

fn list(dir: &Path) -> Result<Vec<std::fs::DirEntry>, ConnectError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        ConnectError::new(
            Failure::Service,
            format!("cannot read checkpoints in {}: {e}", dir.display()),
        )
    })?;
    Ok(entries.filter_map(Result::ok).collect())
}

/// Blob metadata as a JSON object; keys lowercased (metadata keys are case-insensitive),
/// numbers accepted where SDKs write strings.
fn parse_metadata(text: &str) -> Option<HashMap<String, String>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    Some(
        object
            .iter()
            .filter_map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((k.to_ascii_lowercase(), text))
            })
            .collect(),
    )
}

fn field(metadata: &HashMap<String, String>, key: &str) -> Option<String> {
    metadata.get(key).filter(|v| !v.is_empty()).cloned()
}

fn checkpoint_from(
    metadata: &HashMap<String, String>,
    modified: OffsetDateTime,
) -> Option<Checkpoint> {
    let sequence = field(metadata, "sequencenumber")?.trim().parse().ok()?;
    // .NET writes "" when it does not know the offset, and once wrote a placeholder.
    let offset = field(metadata, "offset")
        .filter(|o| o != "no offset")
        .unwrap_or_default();
    Some(Checkpoint {
        sequence,
        offset,
        updated_at: modified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, content: &str) {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(file, content).expect("write");
    }

    fn scope(ns: &str) -> CheckpointScope {
        CheckpointScope {
            namespaces: vec![ns.into()],
            hub: "Sale".into(),
            consumer_group: "CRM-Sync".into(),
        }
    }

    #[tokio::test]
    async fn reads_checkpoints_and_ownerships_whatever_the_case() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Python lowercases everything; Rust keeps the case it was given.
        write(
            dir.path(),
            "contoso.servicebus.windows.net/sale/crm-sync/checkpoint/0",
            r#"{"sequencenumber":"123","offset":"4567"}"#,
        );
        write(
            dir.path(),
            "Contoso.servicebus.windows.net/Sale/CRM-Sync/checkpoint/1",
            r#"{"SequenceNumber":"9","offset":"no offset"}"#,
        );
        write(
            dir.path(),
            "contoso.servicebus.windows.net/sale/crm-sync/ownership/0",
            r#"{"ownerid":"crm-sync-7"}"#,
        );
        write(
            dir.path(),
            "contoso.servicebus.windows.net/sale/crm-sync/checkpoint/2",
            "junk",
        );
        let store = DirectoryCheckpoints::new(dir.path());
        let state = store
            .read(&scope("CONTOSO.servicebus.windows.net"))
            .await
            .expect("reads");
        assert_eq!(state.checkpoints["0"].sequence, 123);
        assert_eq!(state.checkpoints["0"].offset, "4567");
        assert_eq!(state.checkpoints["1"].sequence, 9);
        assert_eq!(state.checkpoints["1"].offset, "");
        assert!(!state.checkpoints.contains_key("2"));
        assert_eq!(state.ownerships["0"].owner_id, "crm-sync-7");
    }

    #[tokio::test]
    async fn a_missing_directory_means_no_checkpoints() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = DirectoryCheckpoints::new(dir.path().join("never-written"));
        let state = store.read(&scope("x")).await.expect("reads");
        assert!(state.checkpoints.is_empty());
    }
}
