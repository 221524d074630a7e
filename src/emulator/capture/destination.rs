//! Where a hub's files go: a local directory (staged, synced, then renamed) or a blob container
//! (one upload per file). Both make a file visible only when it is complete.

use std::sync::Arc;

use super::blob::BlobDestination;
use super::capture_thread::CaptureThread;
use super::directory::Directory;
use super::window_file::{Finished, Sink, Staged};

pub enum Destination {
    Directory(Directory),
    Blob(BlobDestination),
}

impl Destination {
    pub fn describe(&self) -> String {
        match self {
            Destination::Directory(dir) => dir.describe(),
            Destination::Blob(blob) => blob.describe(),
        }
    }

    pub async fn exists(&self, name: &str) -> Result<bool, String> {
        match self {
            Destination::Directory(dir) => Ok(dir.exists(name)),
            Destination::Blob(blob) => blob.exists(name).await,
        }
    }

    /// Where a partition's window is written while it lasts: the directory's staging file
    /// for the partition, or memory for a blob. Blocking: for the capture thread.
    pub fn sink(&self, namespace: &str, hub: &str, partition: &str) -> std::io::Result<Sink> {
        match self {
            Destination::Directory(dir) => {
                Sink::staging(dir.staging_path(namespace, hub, partition))
            }
            Destination::Blob(_) => Ok(Sink::Memory(Vec::new())),
        }
    }

    /// Makes the finished window visible as `name`; returns where it is (path or URL).
    pub async fn publish(
        &self,
        thread: &CaptureThread,
        name: &str,
        window: Arc<Finished>,
    ) -> Result<String, String> {
        match (self, &window.staged) {
            (Destination::Directory(dir), Staged::File(staged)) => {
                let (dir, name, staged) = (dir.clone(), name.to_owned(), staged.clone());
                (thread.run(move || dir.publish(&staged, &name)).await?)
                    .map(|path| path.display().to_string())
                    .map_err(|e| e.to_string())
            }
            (Destination::Blob(blob), Staged::Bytes(bytes)) => blob.put(name, bytes.clone()).await,
            _ => Err("a capture file staged for another destination".to_owned()),
        }
    }
}
