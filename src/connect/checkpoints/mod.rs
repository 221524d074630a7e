//! Consumer checkpoints and partition ownerships in the blob layout every official SDK
//! writes (docs/protocol-notes.md section 5): `{fqns}/{hub}/{cg}/checkpoint/{pid}` and
//! `.../ownership/{pid}`, the facts in the blob's metadata.
//!
//! SDKs disagree on case (Python lowercases the whole name, JS and .NET the namespace, hub
//! and group, Rust nothing), so names are matched without regard to case where the store
//! allows it and, when two writers left a blob for one partition, the newer wins.
//!
//! Two stores share the [`CheckpointStore`] trait:
//! - [`DirectoryCheckpoints`]: a local mirror of a container (the embedded emulator's).
//! - [`BlobCheckpoints`]: Azure Blob Storage or Azurite, through Microsoft's crates.
//!
//! A store lists one consumer group's blobs and writes one checkpoint; reading the newest
//! facts and choosing where a new checkpoint goes are the same for both, and live here.

mod blob;
mod blob_retry;
pub(crate) mod container;
mod directory;
mod sas;

use std::collections::HashMap;

use time::OffsetDateTime;

use super::error::ConnectError;
pub use crate::model::blob_layout::{BlobKind, GroupPath, parse_blob_name};
use crate::model::{Checkpoint, Ownership};

pub use blob::BlobCheckpoints;
pub use container::ContainerAccess;
pub use directory::DirectoryCheckpoints;

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

/// One checkpoint or ownership blob as a store found it.
#[derive(Debug, Clone)]
pub struct FoundBlob {
    pub group: GroupPath,
    pub kind: BlobKind,
    pub partition: String,
    /// Keys lowercased: metadata keys are case-insensitive.
    pub metadata: HashMap<String, String>,
    pub modified: OffsetDateTime,
}

#[async_trait::async_trait]
pub trait CheckpointStore: Send + Sync + std::fmt::Debug {
    /// Every checkpoint and ownership blob of `group` (whatever case its writers used, as far
    /// as the store can tell).
    async fn list(&self, group: &GroupPath) -> Result<Vec<FoundBlob>, ConnectError>;

    /// Writes `{group}/checkpoint/{partition}` with the metadata every SDK writes and reads.
    async fn put_checkpoint(
        &self,
        group: &GroupPath,
        partition: &str,
        position: &CheckpointPosition,
    ) -> Result<(), ConnectError>;

    /// The group's newest checkpoints and ownerships, under the first namespace spelling
    /// that has any.
    async fn read(&self, scope: &CheckpointScope) -> Result<ConsumerState, ConnectError> {
        Ok(merge(&self.first_found(scope).await?))
    }

    /// Sets one partition's checkpoint where the group's consumers read it: over the blob
    /// they wrote for it, else beside their other blobs (their spelling of the namespace),
    /// else under the lowercased name most SDKs use.
    async fn set_checkpoint(
        &self,
        scope: &CheckpointScope,
        partition: &str,
        position: &CheckpointPosition,
    ) -> Result<(), ConnectError> {
        check_scope(scope, partition)?;
        let found = self.first_found(scope).await?;
        let newest_group = |own: bool| {
            found
                .iter()
                .filter(|b| !own || (b.kind == BlobKind::Checkpoint && b.partition == partition))
                .max_by_key(|b| b.modified)
                .map(|b| b.group.clone())
        };
        let group = match newest_group(true).or_else(|| newest_group(false)) {
            Some(group) => group,
            None => scope_group(scope)?.lowercased(),
        };
        self.put_checkpoint(&group, partition, position).await
    }

    /// The blobs under the first of the scope's namespace spellings that has any.
    async fn first_found(&self, scope: &CheckpointScope) -> Result<Vec<FoundBlob>, ConnectError> {
        for namespace in &scope.namespaces {
            let group = GroupPath::new(namespace, &scope.hub, &scope.consumer_group);
            let found = self.list(&group).await?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }
}

/// Where a consumer resumes: both numbers, as every SDK writes them (JS refuses a checkpoint
/// without an offset; .NET and Python prefer the offset when present).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointPosition {
    pub sequence: i64,
    pub offset: String,
}

impl CheckpointPosition {
    /// The blob metadata, keys lowercase as the SDKs require.
    pub fn metadata(&self) -> HashMap<String, String> {
        HashMap::from([
            ("sequencenumber".to_owned(), self.sequence.to_string()),
            ("offset".to_owned(), self.offset.clone()),
        ])
    }
}

/// Refuses a name that would not stay one segment of a blob name: empty, `.` or `..`, or
/// holding a `/`, a `\\` or a control character. Blob names are paths in the directory store,
/// so such a name would write outside its group (`--consumer-group ../../elsewhere`).
pub fn check_segment(what: &str, name: &str) -> Result<(), ConnectError> {
    let unsafe_name = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control);
    if unsafe_name {
        return Err(ConnectError::usage(format!(
            "{what} {name:?} cannot name a checkpoint: it must be non-empty, not . or .., and hold no /, \\ or control character"
        )));
    }
    Ok(())
}

fn check_group_path(group: &GroupPath, partition: &str) -> Result<(), ConnectError> {
    check_segment("namespace", &group.namespace)?;
    check_segment("event hub", &group.hub)?;
    check_segment("consumer group", &group.consumer_group)?;
    check_segment("partition", partition)
}

fn check_scope(scope: &CheckpointScope, partition: &str) -> Result<(), ConnectError> {
    check_group_path(&scope_group(scope)?, partition)?;
    scope
        .namespaces
        .iter()
        .try_for_each(|namespace| check_segment("namespace", namespace))
}

fn scope_group(scope: &CheckpointScope) -> Result<GroupPath, ConnectError> {
    let namespace = scope
        .namespaces
        .first()
        .ok_or_else(|| ConnectError::usage("no namespace to file the checkpoint under"))?;
    Ok(GroupPath::new(namespace, &scope.hub, &scope.consumer_group))
}

/// The newest checkpoint and ownership of each partition.
fn merge(found: &[FoundBlob]) -> ConsumerState {
    let mut state = ConsumerState::default();
    for blob in found {
        match blob.kind {
            BlobKind::Checkpoint => {
                let Some(checkpoint) = checkpoint_from(&blob.metadata, blob.modified) else {
                    continue;
                };
                let newer = state
                    .checkpoints
                    .get(&blob.partition)
                    .is_none_or(|c| c.updated_at < checkpoint.updated_at);
                if newer {
                    state.checkpoints.insert(blob.partition.clone(), checkpoint);
                }
            }
            BlobKind::Ownership => {
                let Some(owner_id) = field(&blob.metadata, "ownerid") else {
                    continue;
                };
                let newer = state
                    .ownerships
                    .get(&blob.partition)
                    .is_none_or(|o| o.renewed_at < blob.modified);
                if newer {
                    let ownership = Ownership {
                        owner_id,
                        renewed_at: blob.modified,
                    };
                    state.ownerships.insert(blob.partition.clone(), ownership);
                }
            }
        }
    }
    state
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

    #[test]
    fn blob_names_outside_the_layout_are_ignored() {
        let (group, kind, pid) =
            parse_blob_name("Contoso.servicebus.windows.net/Sale/CRM/checkpoint/3").expect("ok");
        assert_eq!(group.hub, "Sale");
        assert_eq!(kind, BlobKind::Checkpoint);
        assert_eq!(pid, "3");
        assert!(parse_blob_name("ns/hub/cg/checkpoint/").is_none());
        assert!(parse_blob_name("ns/hub/cg/other/0").is_none());
        assert!(
            parse_blob_name("ns/hub/cg/0").is_none(),
            "legacy .NET layout"
        );
    }
}
