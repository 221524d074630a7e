//! A blob container as the capture destination (Azure Storage or Azurite), through
//! Microsoft's `azure_storage_blob`. Each file is one block blob upload: the service makes a
//! block blob visible only when its content is committed, so no reader lists a partial file.
//! Access is read from the environment variable the config names, so no secret sits in the
//! config: a container URL with a SAS, or a storage connection string with an account key
//! (Azurite's well-known development account, say). `azure_storage_blob` 1.1 takes only Entra
//! ID tokens or a SAS, not Shared Key, so with an account key each round of requests is signed
//! as a short account SAS, as the checkpoint store does (`connect::checkpoints::container`).

use azure_core::http::{RequestContent, Url};
use azure_storage_blob::BlobContainerClient;

use crate::connect::checkpoints::ContainerAccess;

pub struct BlobDestination {
    access: Access,
    /// The container URL without its query: safe to log.
    shown: String,
}

enum Access {
    /// The container URL with its SAS.
    Sas(Url),
    AccountKey(ContainerAccess),
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
        // A URL the client refuses is refused here, at start, not at the first file.
        BlobContainerClient::new(url.clone(), None, None).map_err(|e| format!("{env}: {e}"))?;
        Ok(Self {
            access: Access::Sas(url),
            shown: shown.to_string(),
        })
    }

    /// From the storage connection string in `env` (with `AccountKey`), for `container`;
    /// errors never echo the key.
    pub fn from_connection_string_env(env: &str, container: &str) -> Result<Self, String> {
        let text = std::env::var(env).map_err(|_| {
            format!(
                "environment variable {env} (the capture account's connection string) is not set"
            )
        })?;
        if text.trim().starts_with("http") {
            return Err(format!(
                "{env} holds a URL; name it with blob_sas_url_env, or put a connection string in {env}"
            ));
        }
        let access = ContainerAccess::parse(&text, Some(container), || {
            Err(crate::connect::error::ConnectError::usage(
                "the emulator signs in with no identity",
            ))
        })
        .map_err(|e| format!("{env}: {}", e.message))?;
        Ok(Self {
            shown: access.display_url(),
            access: Access::AccountKey(access),
        })
    }

    /// A client for the next request (with an account key: freshly signed).
    fn client(&self) -> Result<BlobContainerClient, String> {
        match &self.access {
            Access::Sas(url) => {
                BlobContainerClient::new(url.clone(), None, None).map_err(|e| e.to_string())
            }
            Access::AccountKey(access) => access.client().map_err(|e| e.message),
        }
    }

    pub fn describe(&self) -> String {
        format!("container {}", self.shown)
    }

    pub async fn exists(&self, name: &str) -> Result<bool, String> {
        self.client()?
            .blob_client(name)
            .exists()
            .await
            .map_err(|e| e.to_string())
    }

    /// Uploads `bytes` as `name` in one commit. Returns the blob's URL (without the SAS).
    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<String, String> {
        let blob = self.client()?.blob_client(name);
        blob.upload(RequestContent::from(bytes), None)
            .await
            .map_err(|e| e.to_string())?;
        let mut url = blob.url().clone();
        url.set_query(None);
        Ok(url.to_string())
    }
}
