//! A local mirror of a checkpoint container: each blob is a file at the path of its name,
//! whose content is the JSON object of its metadata and whose mtime is its last-modified
//! time. The embedded emulator's simulated consumers write their checkpoints this way.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::{BlobKind, CheckpointPosition, CheckpointStore, FoundBlob, GroupPath};
use crate::connect::error::{ConnectError, Failure};

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
    async fn list(&self, group: &GroupPath) -> Result<Vec<FoundBlob>, ConnectError> {
        let root = self.root.clone();
        let group = group.clone();
        tokio::task::spawn_blocking(move || list_group(&root, &group))
            .await
            .map_err(|e| ConnectError::new(Failure::Service, format!("checkpoint reader: {e}")))?
    }

    async fn put_checkpoint(
        &self,
        group: &GroupPath,
        partition: &str,
        position: &CheckpointPosition,
    ) -> Result<(), ConnectError> {
        // Each name becomes a directory: one that is not a single segment would leave the root.
        super::check_group_path(group, partition)?;
        let dir = self
            .root
            .join(&group.namespace)
            .join(&group.hub)
            .join(&group.consumer_group)
            .join("checkpoint");
        let partition = partition.to_owned();
        let metadata = position.metadata();
        tokio::task::spawn_blocking(move || write_blob(&dir, &partition, &metadata))
            .await
            .map_err(|e| ConnectError::new(Failure::Service, format!("checkpoint writer: {e}")))?
    }
}

fn list_group(root: &Path, group: &GroupPath) -> Result<Vec<FoundBlob>, ConnectError> {
    let mut found = Vec::new();
    if !root.is_dir() {
        // No consumer has written yet: no checkpoints, not an error.
        return Ok(found);
    }
    let names = [&group.namespace, &group.hub, &group.consumer_group];
    for group_dir in matching_dirs(root, &names)? {
        let Some(group) = group_path_of(root, &group_dir) else {
            continue;
        };
        for (kind, folder) in [
            (BlobKind::Checkpoint, "checkpoint"),
            (BlobKind::Ownership, "ownership"),
        ] {
            for (partition, metadata, modified) in blobs(&group_dir.join(folder))? {
                found.push(FoundBlob {
                    group: group.clone(),
                    kind,
                    partition,
                    metadata,
                    modified,
                });
            }
        }
    }
    Ok(found)
}

/// The group as its writer spelled it: the directory names under `root`.
fn group_path_of(root: &Path, dir: &Path) -> Option<GroupPath> {
    let relative = dir.strip_prefix(root).ok()?;
    let mut parts = relative.iter().map(|p| p.to_str().map(str::to_owned));
    Some(GroupPath {
        namespace: parts.next()??,
        hub: parts.next()??,
        consumer_group: parts.next()??,
    })
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
        // Temporary files of a write in progress start with a dot.
        if !path.is_file() || pid.starts_with('.') {
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

/// Replaces the blob file atomically (temporary file, then rename): a reader never sees half
/// a checkpoint.
fn write_blob(
    dir: &Path,
    partition: &str,
    metadata: &HashMap<String, String>,
) -> Result<(), ConnectError> {
    let failed = |e: std::io::Error| {
        ConnectError::new(
            Failure::Service,
            format!("cannot write the checkpoint in {}: {e}", dir.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let text = serde_json::to_string(metadata)
        .map_err(|e| ConnectError::new(Failure::Service, format!("checkpoint metadata: {e}")))?;
    let temporary = dir.join(format!(".{partition}.ehops-tmp"));
    std::fs::write(&temporary, text).map_err(failed)?;
    std::fs::rename(&temporary, dir.join(partition)).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::super::{CheckpointScope, CheckpointStore};
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

    #[tokio::test]
    async fn a_checkpoint_is_set_where_the_groups_consumers_read() {
        let position = |sequence: i64| CheckpointPosition {
            sequence,
            offset: (sequence * 10).to_string(),
        };
        let scope = scope("contoso");

        // A group nobody checkpointed yet gets the name Python, JS and .NET read.
        let empty = tempfile::tempdir().expect("temp dir");
        let store = DirectoryCheckpoints::new(empty.path());
        store
            .set_checkpoint(&scope, "0", &position(5))
            .await
            .expect("sets");
        assert!(
            empty
                .path()
                .join("contoso/sale/crm-sync/checkpoint/0")
                .is_file()
        );

        // A Rust consumer's blobs keep their case: over its blob, and beside it.
        let dir = tempfile::tempdir().expect("temp dir");
        let rust_written = "Contoso/Sale/CRM-Sync/checkpoint/1";
        write(
            dir.path(),
            rust_written,
            r#"{"sequencenumber":"9","offset":"90"}"#,
        );
        let store = DirectoryCheckpoints::new(dir.path());
        store
            .set_checkpoint(&scope, "1", &position(3))
            .await
            .expect("sets");
        store
            .set_checkpoint(&scope, "2", &position(7))
            .await
            .expect("sets");
        let text = std::fs::read_to_string(dir.path().join(rust_written)).expect("blob");
        assert_eq!(parse_metadata(&text), Some(position(3).metadata()));
        assert!(
            dir.path()
                .join("Contoso/Sale/CRM-Sync/checkpoint/2")
                .is_file()
        );
        let state = store.read(&scope).await.expect("reads");
        assert_eq!(state.checkpoints["1"].offset, "30");
        assert_eq!(state.checkpoints["2"].sequence, 7);
    }
}
