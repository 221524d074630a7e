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

use crate::connect::Connection;
use crate::connect::checkpoints::container::{ContainerAccess, storage_error};
use crate::connect::error::{ConnectError, Failure};
use crate::model::{ArchiveNameFormat, CaptureName};

/// Where the files are kept.
#[derive(Debug, Clone)]
pub enum CaptureStore {
    Directory(PathBuf),
    Blob(ContainerAccess),
}

/// Where the files are, and how they are named: Azure's default layout unless a custom
/// `archiveNameFormat` is given.
#[derive(Debug, Clone)]
pub struct CaptureSource {
    pub store: CaptureStore,
    pub format: Option<ArchiveNameFormat>,
}

/// One listed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFile {
    pub name: String,
    pub size: u64,
    pub parsed: CaptureName,
}

impl CaptureSource {
    pub fn directory(dir: PathBuf) -> Self {
        Self {
            store: CaptureStore::Directory(dir),
            format: None,
        }
    }

    pub fn blob(access: ContainerAccess) -> Self {
        Self {
            store: CaptureStore::Blob(access),
            format: None,
        }
    }

    /// Names read with `format` (the default layout's is left as the default).
    pub fn with_format(mut self, format: Option<ArchiveNameFormat>) -> Self {
        self.format = format.filter(|f| !f.is_default());
        self
    }

    /// With no format given, the one the catalog shows for `hub` (`captureDescription`), so
    /// files under a custom `archiveNameFormat` are found without naming it; the default
    /// layout when there is no catalog or it does not say.
    pub async fn with_catalog_format(self, connection: &Connection, hub: &str) -> Self {
        if self.format.is_some() {
            return self;
        }
        let Some(catalog) = &connection.catalog else {
            return self;
        };
        let shown = match catalog.hubs(&connection.namespace).await {
            Ok(hubs) => hubs
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(hub))
                .and_then(|h| h.archive_name_format().map(ArchiveNameFormat::parse)),
            Err(error) => {
                tracing::debug!(%error, "no capture description from the catalog; the default layout");
                None
            }
        };
        match shown {
            Some(Ok(format)) => self.with_format(Some(format)),
            Some(Err(error)) => {
                tracing::warn!(%hub, %error, "the catalog's archive name format is not usable; the default layout");
                self
            }
            None => self,
        }
    }

    pub fn describe(&self) -> String {
        match &self.store {
            CaptureStore::Directory(dir) => format!("directory {}", dir.display()),
            CaptureStore::Blob(access) => format!("container {}", access.display_url()),
        }
    }

    /// The hub's files, oldest window first (then by partition): under `{namespace}/{hub}/`
    /// in Azure's default layout, else wherever the archive name format puts them.
    pub async fn list(&self, namespace: &str, hub: &str) -> Result<Vec<ListedFile>, ConnectError> {
        let parse = |name: &str| match &self.format {
            None => CaptureName::parse(name),
            Some(format) => format.parse_name(namespace, hub, name),
        };
        let prefix = match &self.format {
            None => CaptureName::hub_prefix(namespace, hub),
            Some(format) => format.prefix(namespace, hub),
        };
        let mut files = match &self.store {
            CaptureStore::Directory(dir) => list_directory(dir, &prefix, &parse)?,
            CaptureStore::Blob(access) => list_container(access, &prefix, &parse).await?,
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
        match &self.store {
            CaptureStore::Directory(dir) => {
                let path = dir.join(name);
                tokio::fs::read(&path).await.map_err(|e| {
                    ConnectError::new(
                        Failure::NotFound,
                        format!("cannot read capture file {}: {e}", path.display()),
                    )
                })
            }
            CaptureStore::Blob(access) => {
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

/// Reads a listed name: what it encodes, or `None` for a file that is not one of the hub's.
type NameParser<'a> = dyn Fn(&str) -> Option<CaptureName> + Sync + 'a;

fn list_directory(
    root: &Path,
    prefix: &str,
    parse: &NameParser<'_>,
) -> Result<Vec<ListedFile>, ConnectError> {
    // A prefix ending inside a name (`2017-12-08/ns_`) lists from its directory.
    let start = match prefix.rfind('/') {
        Some(at) => root.join(&prefix[..at]),
        None => root.to_path_buf(),
    };
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
            if let Some(parsed) = parse(&name) {
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
    parse: &NameParser<'_>,
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
        let Some(parsed) = parse(&name) else {
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
