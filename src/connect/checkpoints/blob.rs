//! Checkpoints in Azure Blob Storage or Azurite. Writes go through Microsoft's
//! `azure_messaging_eventhubs_checkpointstore_blob`, so a checkpoint set here is the blob the
//! Rust SDK itself writes (empty content, `sequencenumber` and `offset` metadata). Reads list
//! the blobs with `azure_storage_blob` directly: the official store's `list_checkpoints`
//! drops each blob's last-modified time, which the console shows as the checkpoint's age and
//! uses to pick the newer of two writers.

use azure_messaging_eventhubs::CheckpointStore as _;
use azure_messaging_eventhubs::models::Checkpoint;
use azure_messaging_eventhubs_checkpointstore_blob::BlobCheckpointStore;
use azure_storage_blob::models::{BlobContainerClientListBlobsOptions, ListBlobsIncludeItem};
use futures_util::TryStreamExt;
use time::OffsetDateTime;

use azure_storage_blob::BlobContainerClient;

use super::blob_retry::retrying;
use super::container::{ContainerAccess, storage_error};
use super::{CheckpointPosition, CheckpointStore, FoundBlob, GroupPath, parse_blob_name};
use crate::connect::error::ConnectError;

#[derive(Debug, Clone)]
pub struct BlobCheckpoints {
    access: ContainerAccess,
}

impl BlobCheckpoints {
    pub fn new(access: ContainerAccess) -> Self {
        Self { access }
    }

    /// The blobs whose names start with `prefix`, listed again from the start while the
    /// store fails in a way a retry can fix.
    async fn list_prefix(&self, prefix: String) -> Result<Vec<FoundBlob>, ConnectError> {
        let client = self.access.client()?;
        retrying("list checkpoints", || list_once(&client, &prefix))
            .await
            .map_err(|e| storage_error(&self.access, &e))
    }
}

/// One listing of the blobs whose names start with `prefix`, every page of it.
async fn list_once(
    client: &BlobContainerClient,
    prefix: &str,
) -> Result<Vec<FoundBlob>, azure_core::Error> {
    let options = BlobContainerClientListBlobsOptions {
        prefix: Some(prefix.to_owned()),
        include: Some(vec![ListBlobsIncludeItem::Metadata]),
        ..Default::default()
    };
    let mut blobs = client.list_blobs(Some(options))?;
    let mut found = Vec::new();
    while let Some(blob) = blobs.try_next().await? {
        let Some((group, kind, partition)) = blob.name.as_deref().and_then(parse_blob_name) else {
            continue;
        };
        let metadata = blob
            .metadata
            .and_then(|m| m.values)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let modified = blob
            .properties
            .and_then(|p| p.last_modified)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        found.push(FoundBlob {
            group,
            kind,
            partition,
            metadata,
            modified,
        });
    }
    Ok(found)
}

#[async_trait::async_trait]
impl CheckpointStore for BlobCheckpoints {
    /// Blob names are case-sensitive: the spelling given (Rust consumers) and the lowercased
    /// one (Python, JS, .NET) are listed.
    async fn list(&self, group: &GroupPath) -> Result<Vec<FoundBlob>, ConnectError> {
        let given = group.prefix();
        let lowered = group.lowercased().prefix();
        let mut found = self.list_prefix(lowered.clone()).await?;
        if given != lowered {
            found.extend(self.list_prefix(given).await?);
        }
        Ok(found)
    }

    async fn put_checkpoint(
        &self,
        group: &GroupPath,
        partition: &str,
        position: &CheckpointPosition,
    ) -> Result<(), ConnectError> {
        let store = BlobCheckpointStore::new(self.access.client()?);
        let checkpoint = || Checkpoint {
            fully_qualified_namespace: group.namespace.clone(),
            event_hub_name: group.hub.clone(),
            consumer_group: group.consumer_group.clone(),
            partition_id: partition.to_owned(),
            offset: Some(position.offset.clone()),
            sequence_number: Some(position.sequence),
        };
        retrying("write a checkpoint", || {
            store.update_checkpoint(checkpoint())
        })
        .await
        .map_err(|e| storage_error(&self.access, &e))
    }
}
