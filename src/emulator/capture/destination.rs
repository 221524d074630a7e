//! Where a hub's files go: a local directory (written whole, then renamed) or a blob container
//! (one upload per file). Both make a file visible only when it is complete.

use super::blob::BlobDestination;
use super::directory::Directory;

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

    /// Makes `bytes` visible as `name`; returns where it is (path or URL).
    pub async fn put(&self, name: &str, bytes: &[u8]) -> Result<String, String> {
        match self {
            Destination::Directory(dir) => {
                // A file of up to 500 MiB is written and synced off the runtime's threads.
                let (dir, name, bytes) = (dir.clone(), name.to_string(), bytes.to_vec());
                tokio::task::spawn_blocking(move || dir.put(&name, &bytes))
                    .await
                    .map_err(|e| e.to_string())?
                    .map(|path| path.display().to_string())
                    .map_err(|e| e.to_string())
            }
            Destination::Blob(blob) => blob.put(name, bytes.to_vec()).await,
        }
    }
}
