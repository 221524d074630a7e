//! How far one partition's capture got, kept so that a restart neither loses nor repeats an
//! event. Before a file is made visible the record names it and the sequence numbers it
//! holds (`pending`); after, it moves `next` past them. At start a pending file that is
//! visible counts as written, one that is not is written again: a crash at any point leaves
//! each event in exactly one visible file.
//!
//! `{data}/capture-progress/{namespace}/{hub}/{partition}.json`, replaced by rename.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::directory::sync_dir;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The first sequence number not yet in a visible file; `None` before the first file.
    pub next: Option<i64>,
    pub pending: Option<Pending>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub name: String,
    pub first: i64,
    pub last: i64,
}

pub struct ProgressFile {
    path: PathBuf,
}

impl ProgressFile {
    pub fn new(data_dir: &Path, namespace: &str, hub: &str, partition: &str) -> Self {
        let path = data_dir
            .join("capture-progress")
            .join(namespace.to_ascii_lowercase())
            .join(hub.to_ascii_lowercase())
            .join(format!("{partition}.json"));
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The record; a missing file is a partition never captured. A record that does not
    /// parse is an error: guessing would lose or repeat events.
    pub fn load(&self) -> io::Result<Progress> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                io::Error::other(format!("{} does not parse: {e}", self.path.display()))
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(e) => Err(e),
        }
    }

    pub fn save(&self, progress: &Progress) -> io::Result<()> {
        let dir = self
            .path
            .parent()
            .ok_or_else(|| io::Error::other("progress path has no directory"))?;
        std::fs::create_dir_all(dir)?;
        let staged = self.path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&staged)?;
        file.write_all(&serde_json::to_vec(progress).map_err(io::Error::other)?)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&staged, &self.path)?;
        sync_dir(dir)
    }
}
