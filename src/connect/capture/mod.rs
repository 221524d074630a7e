//! Capture files where Azure (or the emulator) writes them: a blob container, reached like
//! the checkpoint store (SAS URL, `az login`, or a storage connection string), or a local
//! directory in the same layout (the emulator's `{data}/capture/{container}`, or a copy of a
//! container). Listing and fetching only; [`events`] turns a record into a tail event.

pub mod events;
pub mod export;
pub mod health;
pub mod message;

use std::path::{Path, PathBuf};

use azure_storage_blob::models::BlobContainerClientListBlobsOptions;
use futures_util::TryStreamExt;

use crate::connect::checkpoints::container::{ContainerAccess, storage_error};
use crate::connect::error::{ConnectError, Failure};
use crate::model::CaptureName;

/// Where the files are.
#[derive(Debug, Clone)]
pub enum CaptureSource {
    Directory(PathBuf),
    Blob(ContainerAccess),
}

/// One listed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFile {
    pub name: String,
    pub size: u64,
    pub parsed: CaptureName,
}

impl CaptureSource {
    pub fn describe(&self) -> String {
        match self {
            CaptureSource::Directory(dir) => format!("directory {}", dir.display()),
            CaptureSource::Blob(access) => format!("container {}", access.display_url()),
        }
    }

    /// The hub's files in Azure's default layout, oldest window first (then by partition).
    pub async fn list(&self, namespace: &str, hub: &str) -> Result<Vec<ListedFile>, ConnectError> {
        let prefix = CaptureName::hub_prefix(namespace, hub);
        let mut files = match self {
            CaptureSource::Directory(dir) => list_directory(dir, &prefix)?,
            CaptureSource::Blob(access) => list_container(access, &prefix).await?,
        };
        files.sort_by(|a, b| {
            (a.parsed.window_start, &a.parsed.partition, &a.name).cmp(&(
                b.parsed.window_start,
                &b.parsed.partition,
                &b.name,
            ))
        });
        Ok(files)
    }

    pub async fn fetch(&self, name: &str) -> Result<Vec<u8>, ConnectError> {
        match self {
            CaptureSource::Directory(dir) => {
                let path = dir.join(name);
                tokio::fs::read(&path).await.map_err(|e| {
                    ConnectError::new(
                        Failure::NotFound,
                        format!("cannot read capture file {}: {e}", path.display()),
                    )
                })
            }
            CaptureSource::Blob(access) => {
                let client = access.client()?;
                let failed = |e: azure_core::Error| storage_error(access, &e);
                let download = client
                    .blob_client(name)
                    .download(None)
                    .await
                    .map_err(failed)?;
                let bytes = download.body.collect().await.map_err(failed)?;
                Ok(bytes.to_vec())
            }
        }
    }
}

fn list_directory(root: &Path, prefix: &str) -> Result<Vec<ListedFile>, ConnectError> {
    let start = root.join(prefix);
    if !root.is_dir() {
        return Err(ConnectError::new(
            Failure::NotFound,
            format!(
                "capture directory {} does not exist; name another with --capture-dir or a container with --capture-store",
                root.display()
            ),
        ));
    }
    let mut files = Vec::new();
    let mut stack = vec![start];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if let Some(parsed) = CaptureName::parse(&name) {
                files.push(ListedFile {
                    name,
                    size: meta.len(),
                    parsed,
                });
            }
        }
    }
    Ok(files)
}

async fn list_container(
    access: &ContainerAccess,
    prefix: &str,
) -> Result<Vec<ListedFile>, ConnectError> {
    let client = access.client()?;
    let failed = |e: azure_core::Error| storage_error(access, &e);
    let options = BlobContainerClientListBlobsOptions {
        prefix: Some(prefix.to_string()),
        ..Default::default()
    };
    let mut pages = client.list_blobs(Some(options)).map_err(failed)?;
    let mut files = Vec::new();
    while let Some(blob) = pages.try_next().await.map_err(failed)? {
        let Some(name) = blob.name.as_deref().map(str::to_owned) else {
            continue;
        };
        let Some(parsed) = CaptureName::parse(&name) else {
            continue;
        };
        let size = blob
            .properties
            .and_then(|p| p.content_length)
            .unwrap_or_default();
        files.push(ListedFile { name, size, parsed });
    }
    Ok(files)
}
