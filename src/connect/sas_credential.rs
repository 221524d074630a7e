//! A shared-access-signature `TokenCredential` for Microsoft's Rust SDK, which (0.15) has none:
//! it hands each token to `$cbs`, where Event Hubs and the emulator judge it by its
//! `SharedAccessSignature ` prefix (docs/sdk-quirks.md).

use std::time::Duration;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;
use time::OffsetDateTime;

use super::connection_string::ConnectionString;

/// How long each token lives; the SDK asks again before it expires.
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

pub struct SasCredential {
    /// The resource tokens are signed for: the namespace, or the hub of `EntityPath`.
    resource: String,
    secret: Secret,
}

enum Secret {
    Key { name: String, key: String },
    Token(String),
}

impl std::fmt::Debug for SasCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SasCredential")
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

impl SasCredential {
    pub fn from_connection_string(cs: &ConnectionString) -> Self {
        let resource = match &cs.entity_path {
            Some(hub) => format!("sb://{}/{hub}", cs.host),
            None => format!("sb://{}/", cs.host),
        };
        let secret = match (&cs.key_name, &cs.key, &cs.signature) {
            (Some(name), Some(key), _) => Secret::Key {
                name: name.clone(),
                key: key.clone(),
            },
            (_, _, Some(token)) => Secret::Token(token.clone()),
            // ConnectionString::parse guarantees one of the two.
            _ => Secret::Token(String::new()),
        };
        SasCredential { resource, secret }
    }
}

/// Signs a SAS token: HMAC-SHA256 with the UTF-8 bytes of the key over the encoded resource,
/// a newline and the expiry (unix seconds).
pub fn sign_token(resource: &str, key_name: &str, key: &str, expires_at: i64) -> String {
    let encoded = utf8_percent_encode(resource, NON_ALPHANUMERIC).to_string();
    let mut mac = match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length.
        Err(_) => return String::new(),
    };
    mac.update(format!("{encoded}\n{expires_at}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!(
        "SharedAccessSignature sr={encoded}&sig={}&se={expires_at}&skn={}",
        utf8_percent_encode(&signature, NON_ALPHANUMERIC),
        utf8_percent_encode(key_name, NON_ALPHANUMERIC)
    )
}

#[async_trait::async_trait]
impl TokenCredential for SasCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let expires_on = OffsetDateTime::now_utc() + TOKEN_LIFETIME;
        let token = match &self.secret {
            Secret::Key { name, key } => {
                sign_token(&self.resource, name, key, expires_on.unix_timestamp())
            }
            Secret::Token(token) => token.clone(),
        };
        Ok(AccessToken::new(token, expires_on))
    }
}
