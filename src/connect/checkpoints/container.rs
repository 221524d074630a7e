//! Which checkpoint container to use and how to prove the right to it, from what a user
//! types: a container URL with a SAS, a container URL signed in with an Azure identity, or a
//! storage connection string and a container name. Nothing here prints a key or signature.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Url};
use azure_storage_blob::{BlobContainerClient, BlobContainerClientOptions};
use time::{Duration, OffsetDateTime};

use super::sas::account_sas;
use crate::connect::error::{ConnectError, Failure};

/// How long a SAS signed from an account key lives; a fresh one is signed for every round of
/// requests, so a console left open for days keeps working.
const SAS_LIFETIME: Duration = Duration::hours(1);

/// A container and the right to it.
#[derive(Clone)]
pub enum ContainerAccess {
    /// The URL carries a SAS (`?sv=...&sig=...`).
    Sas { url: Url },
    /// Entra ID tokens for the storage scope (`az login`, managed identity, ...).
    Identity {
        url: Url,
        credential: Arc<dyn TokenCredential>,
    },
    /// A storage account key, from which a short-lived account SAS is signed.
    AccountKey {
        url: Url,
        account: String,
        key: String,
    },
}

impl fmt::Debug for ContainerAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self {
            Self::Sas { .. } => "shared access signature",
            Self::Identity { .. } => "Azure identity",
            Self::AccountKey { .. } => "account key",
        };
        write!(f, "{} ({how})", self.display_url())
    }
}

impl ContainerAccess {
    /// From `--checkpoint-store`: a container URL (with or without a SAS), or a storage
    /// connection string, which needs `container`. `identity` is asked for only when a URL
    /// without a SAS is given.
    pub fn parse(
        text: &str,
        container: Option<&str>,
        identity: impl FnOnce() -> Result<Arc<dyn TokenCredential>, ConnectError>,
    ) -> Result<Self, ConnectError> {
        let text = text.trim();
        if text.starts_with("https://") || text.starts_with("http://") {
            if container.is_some() {
                return Err(ConnectError::usage(
                    "--checkpoint-container goes with a storage connection string; a URL already names its container",
                ));
            }
            return from_url(text, identity);
        }
        from_connection_string(text, container)
    }

    /// The container URL without its query: safe to show.
    pub fn display_url(&self) -> String {
        let mut url = self.url().clone();
        url.set_query(None);
        url.to_string()
    }

    fn url(&self) -> &Url {
        match self {
            Self::Sas { url } | Self::Identity { url, .. } | Self::AccountKey { url, .. } => url,
        }
    }

    /// A client for the next round of requests.
    pub fn client(&self) -> Result<BlobContainerClient, ConnectError> {
        let (url, credential) = match self {
            Self::Sas { url } => (url.clone(), None),
            Self::Identity { url, credential } => (url.clone(), Some(Arc::clone(credential))),
            Self::AccountKey { url, account, key } => {
                let expiry = OffsetDateTime::now_utc() + SAS_LIFETIME;
                let sas = account_sas(account, key, expiry).ok_or_else(|| {
                    ConnectError::usage("the storage AccountKey is not valid Base64")
                })?;
                let mut url = url.clone();
                url.set_query(Some(&sas));
                (url, None)
            }
        };
        BlobContainerClient::new(url, credential, Some(client_options()))
            .map_err(|e| ConnectError::usage(format!("checkpoint container: {e}")))
    }
}

/// Two quick retries: the console refreshes lag every few seconds anyway, and a wrong
/// address must become a clear error in seconds, not after the SDK's minute of back-off.
fn client_options() -> BlobContainerClientOptions {
    let retry = RetryOptions::exponential(ExponentialRetryOptions {
        max_retries: 2,
        max_total_elapsed: Duration::seconds(10),
        ..ExponentialRetryOptions::default()
    });
    BlobContainerClientOptions {
        client_options: ClientOptions {
            retry,
            ..ClientOptions::default()
        },
        ..BlobContainerClientOptions::default()
    }
}

fn from_url(
    text: &str,
    identity: impl FnOnce() -> Result<Arc<dyn TokenCredential>, ConnectError>,
) -> Result<ContainerAccess, ConnectError> {
    // Never echo the text: it may hold a signature.
    let url = Url::parse(text)
        .map_err(|e| ConnectError::usage(format!("the checkpoint store URL is not valid: {e}")))?;
    let has_path = url
        .path_segments()
        .is_some_and(|mut s| s.any(|p| !p.is_empty()));
    if !has_path {
        return Err(ConnectError::usage(
            "the checkpoint store URL must name a container (https://ACCOUNT.blob.core.windows.net/CONTAINER)",
        ));
    }
    if url.query_pairs().any(|(k, _)| k == "sig") {
        return Ok(ContainerAccess::Sas { url });
    }
    if url.scheme() != "https" {
        return Err(ConnectError::usage(
            "a checkpoint container over http needs a SAS in its URL (?sv=...&sig=...) or a storage connection string",
        ));
    }
    Ok(ContainerAccess::Identity {
        url,
        credential: identity()?,
    })
}

/// `DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...;BlobEndpoint=...;` or with
/// `SharedAccessSignature=...` instead of the key; `EndpointSuffix` for sovereign clouds.
fn from_connection_string(
    text: &str,
    container: Option<&str>,
) -> Result<ContainerAccess, ConnectError> {
    let fields: HashMap<String, String> = text
        .split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .ok_or_else(|| {
                    ConnectError::usage(
                        "--checkpoint-store is neither a container URL nor a storage connection string (Key=Value;...)",
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    let container = container.filter(|c| !c.trim().is_empty()).ok_or_else(|| {
        ConnectError::usage("a storage connection string needs --checkpoint-container NAME")
    })?;
    let account = fields.get("accountname").filter(|a| !a.is_empty());
    let endpoint = match (fields.get("blobendpoint"), account) {
        (Some(endpoint), _) => endpoint.trim_end_matches('/').to_owned(),
        (None, Some(account)) => {
            let protocol = fields
                .get("defaultendpointsprotocol")
                .map_or("https", String::as_str);
            let suffix = fields
                .get("endpointsuffix")
                .map_or("core.windows.net", String::as_str);
            format!("{protocol}://{account}.blob.{suffix}")
        }
        (None, None) => {
            return Err(ConnectError::usage(
                "the storage connection string has neither AccountName nor BlobEndpoint",
            ));
        }
    };
    let mut url = Url::parse(&format!("{endpoint}/"))
        .map_err(|e| ConnectError::usage(format!("the storage BlobEndpoint is not valid: {e}")))?;
    url.path_segments_mut()
        .map_err(|()| ConnectError::usage("the storage BlobEndpoint cannot hold a container"))?
        .pop_if_empty()
        .push(container.trim());
    if let Some(sas) = fields.get("sharedaccesssignature") {
        url.set_query(Some(sas.trim_start_matches('?')));
        return Ok(ContainerAccess::Sas { url });
    }
    match (account, fields.get("accountkey")) {
        (Some(account), Some(key)) => Ok(ContainerAccess::AccountKey {
            url,
            account: account.clone(),
            key: key.clone(),
        }),
        _ => Err(ConnectError::usage(
            "the storage connection string needs AccountName and AccountKey, or SharedAccessSignature",
        )),
    }
}

/// Sorts a storage error by what the user can do, with the container's address (never its
/// query) and no signature from the error's own text.
pub fn storage_error(access: &ContainerAccess, error: &azure_core::Error) -> ConnectError {
    let where_ = access.display_url();
    let text = redact_signatures(&chain(error));
    let status = error.http_status().map(u16::from);
    match status {
        Some(401 | 403) => ConnectError::new(
            Failure::Auth,
            format!(
                "checkpoint storage {where_} refused the credentials (HTTP {}): check the account key, the SAS and its expiry, or the identity's Storage Blob Data role",
                status.unwrap_or_default()
            ),
        ),
        Some(404) => ConnectError::not_found(format!(
            "checkpoint container {where_} does not exist (create it, or check the name)"
        )),
        Some(code) => ConnectError::new(
            Failure::Service,
            format!("checkpoint storage {where_} answered HTTP {code}: {text}"),
        ),
        None => {
            let failure = match error.kind() {
                azure_core::error::ErrorKind::Io | azure_core::error::ErrorKind::Connection => {
                    Failure::Unreachable
                }
                azure_core::error::ErrorKind::Credential => Failure::Auth,
                _ => crate::connect::sdk_error::read(error).cause.failure(),
            };
            let hint = match failure {
                Failure::Unreachable => {
                    " (is the storage account or Azurite running, and the address right?)"
                }
                _ => "",
            };
            ConnectError::new(
                failure,
                format!("cannot reach checkpoint storage {where_}: {text}{hint}"),
            )
        }
    }
}

/// The error and its causes: the retry policy's own message hides the refused connection.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let message = inner.to_string();
        if !text.contains(&message) {
            text = format!("{text}: {message}");
        }
        cause = inner.source();
    }
    text
}

/// Replaces the value of every `sig=` in `text` (an HTTP client's error may quote the URL).
fn redact_signatures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("sig=") {
        out.push_str(&rest[..at + 4]);
        out.push_str("REDACTED");
        let tail = &rest[at + 4..];
        let end = tail
            .find(|c: char| c == '&' || c == ')' || c.is_whitespace())
            .unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_identity() -> Result<Arc<dyn TokenCredential>, ConnectError> {
        Err(ConnectError::usage("no identity in tests"))
    }

    #[test]
    fn a_connection_string_names_the_container_under_its_blob_endpoint() {
        let cs = "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/dev;";
        let access = ContainerAccess::parse(cs, Some("checkpoints"), no_identity).expect("ok");
        assert_eq!(
            access.display_url(),
            "http://127.0.0.1:10000/dev/checkpoints"
        );
        assert!(matches!(access, ContainerAccess::AccountKey { .. }));
        assert!(
            !format!("{access:?}").contains("a2V5"),
            "the key never shows"
        );

        let azure = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net";
        let access = ContainerAccess::parse(azure, Some("cp"), no_identity).expect("ok");
        assert_eq!(
            access.display_url(),
            "https://acct.blob.core.windows.net/cp"
        );
    }

    #[test]
    fn bad_input_is_refused_without_echoing_secrets() {
        let cs = "AccountName=dev;AccountKey=secret-key";
        let missing = ContainerAccess::parse(cs, None, no_identity).expect_err("no container");
        assert!(missing.message.contains("--checkpoint-container"));
        assert!(!missing.message.contains("secret-key"));

        let plain_http = "http://127.0.0.1:10000/dev/cp";
        let err = ContainerAccess::parse(plain_http, None, no_identity).expect_err("no SAS");
        assert!(err.message.contains("SAS"), "{}", err.message);

        let sas = "https://acct.blob.core.windows.net/cp?sv=2022-11-02&sig=s3cr3t";
        let access = ContainerAccess::parse(sas, None, no_identity).expect("SAS URL");
        assert!(!format!("{access:?}").contains("s3cr3t"));
        let err = ContainerAccess::parse("nonsense", Some("cp"), no_identity).expect_err("bad");
        assert_eq!(err.failure, Failure::Usage);
    }

    #[test]
    fn signatures_are_cut_from_error_text() {
        let text = "error sending request for url (http://h/c?comp=list&sig=abc%2Bdef&sv=1)";
        assert_eq!(
            redact_signatures(text),
            "error sending request for url (http://h/c?comp=list&sig=REDACTED&sv=1)"
        );
    }
}
