//! The emulator's checkpoint store: the blob checkpoint layout every official SDK uses
//! (docs/protocol-notes.md section 5), kept as files in a local directory so the console reads the
//! emulator's checkpoints with the same naming it uses for a real storage container.
//!
//! Layout under the root ([`checkpoint_dir_layout`], `{data}/checkpoints/`): each blob is a
//! file at the path of its blob name, and the blob's metadata is the file's content, a JSON
//! object of strings:
//! - `{fqns}/{hub}/{cg}/checkpoint/{pid}`: `{"sequencenumber":"123","offset":"4567"}`
//! - `{fqns}/{hub}/{cg}/ownership/{pid}`: `{"ownerid":"crm-sync-7f3a"}`; the file's
//!   modification time stands for the blob's `lastModified`.
//!
//! `fqns`, `hub` and `cg` are lower-cased as the Python and .NET stores write them. `fqns` is
//! the namespace *name* (`ehops-demo`), not the `host:port` clients connect to: the port changes
//! from run to run (port 0, `--amqp`), and checkpoints must survive restarts. A console reading
//! these files maps an emulator namespace to its name the same way.
//! Files are replaced atomically (write a temporary file, then rename), so a reader never sees
//! half a checkpoint.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

pub use crate::model::blob_layout::{BlobKind, GroupPath};

/// Where checkpoints live under the emulator's data directory, and how blob names map to files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointLayout {
    pub root: PathBuf,
}

/// The checkpoint store of an emulator whose data directory is `data_dir`: the directory
/// `{data_dir}/checkpoints`, holding one file per blob at the path of the blob's name (module
/// documentation above).
pub fn checkpoint_dir_layout(data_dir: &Path) -> CheckpointLayout {
    CheckpointLayout {
        root: data_dir.join("checkpoints"),
    }
}

/// A checkpoint as the SDKs store it in blob metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub sequence_number: i64,
    pub offset: u64,
}

impl CheckpointLayout {
    /// The file of one partition's blob, named as the Python and .NET stores name it
    /// (lowercased).
    pub fn file(&self, group: &GroupPath, kind: BlobKind, partition: &str) -> PathBuf {
        self.root
            .join(group.lowercased().blob_name(kind, partition))
    }

    pub async fn write_checkpoint(
        &self,
        group: &GroupPath,
        partition: &str,
        checkpoint: Checkpoint,
    ) -> io::Result<()> {
        let metadata = BTreeMap::from([
            ("offset", checkpoint.offset.to_string()),
            ("sequencenumber", checkpoint.sequence_number.to_string()),
        ]);
        let path = self.file(group, BlobKind::Checkpoint, partition);
        write_atomically(&path, &metadata).await
    }

    pub async fn read_checkpoint(&self, group: &GroupPath, partition: &str) -> Option<Checkpoint> {
        let path = self.file(group, BlobKind::Checkpoint, partition);
        let text = tokio::fs::read(&path).await.ok()?;
        let metadata: BTreeMap<String, String> = serde_json::from_slice(&text).ok()?;
        Some(Checkpoint {
            sequence_number: metadata.get("sequencenumber")?.parse().ok()?,
            offset: metadata.get("offset")?.parse().ok()?,
        })
    }

    pub async fn write_ownership(
        &self,
        group: &GroupPath,
        partition: &str,
        owner: &str,
    ) -> io::Result<()> {
        let metadata = BTreeMap::from([("ownerid", owner.to_string())]);
        let path = self.file(group, BlobKind::Ownership, partition);
        write_atomically(&path, &metadata).await
    }
}

async fn write_atomically(path: &Path, metadata: &BTreeMap<&str, String>) -> io::Result<()> {
    let parent = path
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a blob path has a parent"))?;
    tokio::fs::create_dir_all(parent).await?;
    let content = serde_json::to_vec(metadata).map_err(io::Error::other)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Dot-prefixed so a reader listing the directory skips it.
    let temporary = parent.join(format!(".{name}.tmp"));
    tokio::fs::write(&temporary, content).await?;
    tokio::fs::rename(&temporary, path).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn checkpoints_are_files_at_their_blob_names_holding_their_metadata() {
        let data = tempfile::tempdir().expect("temp dir");
        let layout = checkpoint_dir_layout(data.path());
        let checkpoint = Checkpoint {
            sequence_number: 123,
            offset: 4567,
        };
        layout
            .write_checkpoint(
                &GroupPath::new("EHOPS-Demo", "Sale", "CRM-Sync"),
                "1",
                checkpoint,
            )
            .await
            .expect("write");
        let file = data
            .path()
            .join("checkpoints/ehops-demo/sale/crm-sync/checkpoint/1");
        let text = std::fs::read_to_string(&file).expect("checkpoint file");
        assert_eq!(text, r#"{"offset":"4567","sequencenumber":"123"}"#);
        assert_eq!(
            layout
                .read_checkpoint(&GroupPath::new("ehops-demo", "sale", "crm-sync"), "1")
                .await,
            Some(checkpoint)
        );
        layout
            .write_ownership(
                &GroupPath::new("ehops-demo", "sale", "crm-sync"),
                "1",
                "crm-sync-7f3a",
            )
            .await
            .expect("write");
        let owner = data
            .path()
            .join("checkpoints/ehops-demo/sale/crm-sync/ownership/1");
        assert_eq!(
            std::fs::read_to_string(owner).expect("ownership file"),
            r#"{"ownerid":"crm-sync-7f3a"}"#
        );
    }
}
