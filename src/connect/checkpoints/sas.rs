//! An account shared access signature signed with a storage account key. Microsoft's Rust
//! storage crate (azure_storage_blob 1.x) authenticates only with Entra ID tokens or a SAS
//! already in the URL, so a connection string with `AccountKey` (Azurite's, or an account's
//! access key) becomes a short-lived SAS for the Blob service, made here.
//!
//! The string-to-sign is the one "Create an account SAS" (Azure Storage REST reference,
//! learn.microsoft.com/rest/api/storageservices/create-account-sas) defines for version
//! 2020-12-06 and later: account name, permissions, services, resource types, start, expiry,
//! IP range, protocol, version and encryption scope, each followed by a newline; the
//! signature is Base64(HMAC-SHA256(Base64-decoded key, UTF-8 string-to-sign)).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The SAS format version, which fixes the string-to-sign above.
const SIGNED_VERSION: &str = "2020-12-06";
/// Blob service only.
const SERVICES: &str = "b";
/// Containers and blobs (listing is a container operation, metadata a blob one).
const RESOURCE_TYPES: &str = "co";
/// Read, add, create, write, delete, list: what reading and writing checkpoints needs.
const PERMISSIONS: &str = "racwdl";
/// Plain HTTP is allowed for Azurite; an https endpoint is reached over TLS regardless.
const PROTOCOLS: &str = "https,http";

/// Everything but RFC 3986's unreserved characters is escaped in query values.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The query string (no leading `?`) of an account SAS valid until `expiry`, or `None` when
/// the key is not Base64 (the caller reports it without echoing the key).
pub fn account_sas(account: &str, key_base64: &str, expiry: OffsetDateTime) -> Option<String> {
    let key = STANDARD.decode(key_base64.trim()).ok()?;
    // Whole seconds: the service accepts ISO 8601 UTC without fractions.
    let expiry = expiry.replace_nanosecond(0).ok()?.format(&Rfc3339).ok()?;
    let string_to_sign = [
        account,
        PERMISSIONS,
        SERVICES,
        RESOURCE_TYPES,
        "", // start: valid at once
        &expiry,
        "", // any IP
        PROTOCOLS,
        SIGNED_VERSION,
        "", // no encryption scope
        "",
    ]
    .join("\n");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(string_to_sign.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    let encode = |v: &str| utf8_percent_encode(v, QUERY_VALUE).to_string();
    Some(format!(
        "sv={SIGNED_VERSION}&ss={SERVICES}&srt={RESOURCE_TYPES}&sp={PERMISSIONS}&se={}&spr={}&sig={}",
        encode(&expiry),
        encode(PROTOCOLS),
        encode(&signature)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_documented_fields_and_encodes_the_signature() {
        let expiry = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let key = STANDARD.encode(b"not a real key");
        let sas = account_sas("acct", &key, expiry).expect("signs");
        assert!(
            sas.starts_with("sv=2020-12-06&ss=b&srt=co&sp=racwdl&se=2027-01-15T08%3A00%3A00Z&spr=https%2Chttp&sig="),
            "{sas}"
        );

        let expected = {
            let text = "acct\nracwdl\nb\nco\n\n2027-01-15T08:00:00Z\n\nhttps,http\n2020-12-06\n\n";
            let mut mac = Hmac::<Sha256>::new_from_slice(b"not a real key").expect("key");
            mac.update(text.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        };
        let sig = sas.rsplit("sig=").next().expect("sig");
        let decoded = percent_encoding::percent_decode_str(sig)
            .decode_utf8()
            .expect("utf8");
        assert_eq!(decoded, expected);
        assert!(account_sas("acct", "not base64!", expiry).is_none());
    }
}
