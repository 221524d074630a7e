//! A hub's Capture description (`[namespace.hub.capture]`): what Azure's ARM API calls
//! `captureDescription`, with Azure's limits, plus where the emulator writes the files. Every
//! error names the key's line, as the rest of the config does.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::ConfigError;

/// Azure's default archive name; every token is mandatory, in any order (ARM 2024-01-01
/// `Destination.properties.archiveNameFormat`).
pub const DEFAULT_ARCHIVE_NAME_FORMAT: &str = crate::model::ArchiveNameFormat::DEFAULT;
/// The tokens Azure accepts in `archiveNameFormat`.
pub const ARCHIVE_NAME_TOKENS: [&str; 9] = crate::model::ARCHIVE_NAME_TOKENS;
/// ARM's limits on `intervalInSeconds` and `sizeLimitInBytes`.
const INTERVAL_SECONDS: std::ops::RangeInclusive<u64> = 60..=900;
const SIZE_LIMIT: std::ops::RangeInclusive<u64> = 10_485_760..=524_288_000;
const DEFAULT_INTERVAL: u64 = 300;
const DEFAULT_SIZE_LIMIT: u64 = 314_572_800;
const DEFAULT_CONTAINER: &str = "capture";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureEncoding {
    /// Avro container files with the `null` codec.
    Avro,
    /// Avro container files with the `deflate` codec.
    AvroDeflate,
}

impl CaptureEncoding {
    pub fn name(self) -> &'static str {
        match self {
            CaptureEncoding::Avro => "Avro",
            CaptureEncoding::AvroDeflate => "AvroDeflate",
        }
    }
}

/// Where the files go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureDestination {
    /// A directory laid out as the blob container would be; `None` is `{data}/capture/{container}`.
    Directory(Option<PathBuf>),
    /// A blob container (Azure Storage or Azurite), reached with what the named environment
    /// variable holds, so no secret sits in the config file.
    Blob { env: String, access: BlobAccess },
}

/// What a blob destination's environment variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobAccess {
    /// The container's URL with a SAS (`blob_sas_url_env`).
    SasUrl,
    /// A storage connection string with an account key (`blob_connection_string_env`); the
    /// container is `container`.
    ConnectionString,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureConfig {
    pub enabled: bool,
    pub encoding: CaptureEncoding,
    /// `intervalInSeconds` as the catalog shows it.
    pub interval: Duration,
    /// How long a window really lasts: `interval` unless the emulator-only `window` key
    /// shortens it (test suites cannot wait a minute per file).
    pub window: Duration,
    pub size_limit_bytes: u64,
    pub skip_empty_archives: bool,
    pub container: String,
    pub archive_name_format: String,
    pub storage_account_resource_id: String,
    pub destination: CaptureDestination,
    /// A hub of the same namespace that receives a `Microsoft.EventHub.CaptureFileCreated`
    /// CloudEvent per file.
    pub notify_hub: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCapture {
    enabled: Option<bool>,
    encoding: Option<Spanned<String>>,
    interval_seconds: Option<Spanned<i64>>,
    window: Option<Spanned<String>>,
    size_limit_bytes: Option<Spanned<i64>>,
    skip_empty_archives: Option<bool>,
    container: Option<Spanned<String>>,
    archive_name_format: Option<Spanned<String>>,
    storage_account_resource_id: Option<String>,
    directory: Option<String>,
    blob_sas_url_env: Option<Spanned<String>>,
    blob_connection_string_env: Option<Spanned<String>>,
    notify_hub: Option<Spanned<String>>,
}

pub(super) fn convert(
    raw: RawCapture,
    err: &impl Fn(usize, String) -> ConfigError,
) -> Result<CaptureConfig, ConfigError> {
    let encoding = match raw.encoding {
        None => CaptureEncoding::Avro,
        Some(e) => match e.get_ref().as_str() {
            "Avro" => CaptureEncoding::Avro,
            "AvroDeflate" => CaptureEncoding::AvroDeflate,
            other => {
                return Err(err(
                    e.span().start,
                    format!("capture encoding {other:?} is not one of Avro, AvroDeflate"),
                ));
            }
        },
    };
    let interval = match raw.interval_seconds {
        None => DEFAULT_INTERVAL,
        Some(s) => u64::try_from(*s.get_ref())
            .ok()
            .filter(|n| INTERVAL_SECONDS.contains(n))
            .ok_or_else(|| {
                err(
                    s.span().start,
                    format!(
                        "capture interval_seconds {} is out of range 60..=900",
                        s.get_ref()
                    ),
                )
            })?,
    };
    let interval = Duration::from_secs(interval);
    let window = match raw.window {
        None => interval,
        Some(w) => super::toml_format::parse_duration(w.get_ref())
            .ok()
            .filter(|d| *d <= interval)
            .ok_or_else(|| {
                err(
                    w.span().start,
                    format!(
                        "capture window {:?} must be a duration (s, m) no longer than interval_seconds",
                        w.get_ref()
                    ),
                )
            })?,
    };
    let size_limit_bytes = match raw.size_limit_bytes {
        None => DEFAULT_SIZE_LIMIT,
        Some(s) => u64::try_from(*s.get_ref())
            .ok()
            .filter(|n| SIZE_LIMIT.contains(n))
            .ok_or_else(|| {
                err(
                    s.span().start,
                    format!(
                        "capture size_limit_bytes {} is out of range 10485760..=524288000",
                        s.get_ref()
                    ),
                )
            })?,
    };
    let container = match raw.container {
        None => DEFAULT_CONTAINER.to_string(),
        Some(c) => {
            check_container(c.get_ref()).map_err(|m| err(c.span().start, m))?;
            c.into_inner()
        }
    };
    let archive_name_format = match raw.archive_name_format {
        None => DEFAULT_ARCHIVE_NAME_FORMAT.to_string(),
        Some(f) => {
            check_archive_name_format(f.get_ref()).map_err(|m| err(f.span().start, m))?;
            f.into_inner()
        }
    };
    let blob = match (raw.blob_sas_url_env, raw.blob_connection_string_env) {
        (Some(_), Some(cs)) => {
            return Err(err(
                cs.span().start,
                "capture takes either blob_sas_url_env or blob_connection_string_env, not both"
                    .into(),
            ));
        }
        (Some(env), None) => Some((env, BlobAccess::SasUrl, "blob_sas_url_env")),
        (None, Some(env)) => Some((
            env,
            BlobAccess::ConnectionString,
            "blob_connection_string_env",
        )),
        (None, None) => None,
    };
    let destination = match (raw.directory, blob) {
        (Some(_), Some((env, _, key))) => {
            return Err(err(
                env.span().start,
                format!("capture takes either directory or {key}, not both"),
            ));
        }
        (_, Some((env, _, key))) if env.get_ref().trim().is_empty() => {
            return Err(err(
                env.span().start,
                format!("capture {key} must name an environment variable"),
            ));
        }
        (_, Some((env, access, _))) => CaptureDestination::Blob {
            env: env.into_inner(),
            access,
        },
        (dir, None) => CaptureDestination::Directory(dir.map(PathBuf::from)),
    };
    let notify_hub = match raw.notify_hub {
        None => None,
        Some(hub) => {
            super::check_entity_name(hub.get_ref()).map_err(|m| err(hub.span().start, m))?;
            Some(hub.into_inner())
        }
    };
    Ok(CaptureConfig {
        enabled: raw.enabled.unwrap_or(true),
        encoding,
        interval,
        window,
        size_limit_bytes,
        skip_empty_archives: raw.skip_empty_archives.unwrap_or(false),
        storage_account_resource_id: raw.storage_account_resource_id.unwrap_or_else(|| {
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ehops-local/providers/Microsoft.Storage/storageAccounts/devstoreaccount1".to_string()
        }),
        container,
        archive_name_format,
        destination,
        notify_hub,
    })
}

/// Azure Storage's container names: 3 to 63 lowercase letters, digits and single hyphens,
/// starting and ending with a letter or digit.
fn check_container(name: &str) -> Result<(), String> {
    let ok = (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "capture container {name:?} must be 3 to 63 lowercase letters, digits and single hyphens"
        ))
    }
}

/// Every token present, no other `{...}` token, as Azure requires.
pub fn check_archive_name_format(format: &str) -> Result<(), String> {
    if let Some(missing) = ARCHIVE_NAME_TOKENS.iter().find(|t| !format.contains(*t)) {
        return Err(format!(
            "capture archive_name_format lacks {missing}; Azure requires every one of {}",
            ARCHIVE_NAME_TOKENS.join(", ")
        ));
    }
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|c| open + c + 1);
        let Some(close) = close else {
            return Err("capture archive_name_format has a '{' without '}'".into());
        };
        let token = &rest[open..close];
        if !ARCHIVE_NAME_TOKENS.contains(&token) {
            return Err(format!(
                "capture archive_name_format token {token} is not one Azure accepts ({})",
                ARCHIVE_NAME_TOKENS.join(", ")
            ));
        }
        rest = &rest[close..];
    }
    if format.starts_with('/') || format.contains("//") {
        return Err("capture archive_name_format must not start with '/' or hold '//'".into());
    }
    Ok(())
}
