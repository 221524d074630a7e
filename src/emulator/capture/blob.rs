//! A blob container as the capture destination (Azure Storage or Azurite), through
//! Microsoft's `azure_storage_blob`. Each file is one block blob upload: the service makes a
//! block blob visible only when its content is committed, so no reader lists a partial file.
//! Access is a container URL with a SAS, read from the environment variable the config names
//! (the emulator signs nothing with account keys and keeps no secret in its config).

use azure_core::http::{RequestContent, Url};
use azure_storage_blob::BlobContainerClient;

pub struct BlobDestination {
    client: BlobContainerClient,
    /// The container URL without its query: safe to log.
    shown: String,
}

impl BlobDestination {
    /// From the container SAS URL in `env`; errors never echo the URL's signature.
    pub fn from_env(env: &str) -> Result<Self, String> {
        let text = std::env::var(env).map_err(|_| {
            format!("environment variable {env} (the capture container's SAS URL) is not set")
        })?;
        let url = Url::parse(text.trim())
            .map_err(|e| format!("{env} does not hold a container URL: {e}"))?;
        let mut shown = url.clone();
        shown.set_query(None);
        let client =
            BlobContainerClient::new(url, None, None).map_err(|e| format!("{env}: {e}"))?;
        Ok(Self {
            client,
            shown: shown.to_string(),
        })
    }

    pub fn describe(&self) -> String {
        format!("container {}", self.shown)
    }

    pub async fn exists(&self, name: &str) -> Result<bool, String> {
        self.client
            .blob_client(name)
            .exists()
            .await
            .map_err(|e| e.to_string())
    }

    /// Uploads `bytes` as `name` in one commit. Returns the blob's URL (without the SAS).
    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<String, String> {
        let blob = self.client.blob_client(name);
        blob.upload(RequestContent::from(bytes), None)
            .await
            .map_err(|e| e.to_string())?;
        let mut url = blob.url().clone();
        url.set_query(None);
        Ok(url.to_string())
    }
}
