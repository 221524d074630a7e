//! The capture pane's reads, on the backend: a hub's files (each read to count its events)
//! with the failures the emulator reports, one page of a file's events, and the dry run of
//! replaying a file. Files are read here, never on the console's thread; the console holds
//! one page of events at a time.

use std::path::PathBuf;

use time::OffsetDateTime;

use crate::codec::capture::read_capture_file;
use crate::connect::capture::events::tail_event;
use crate::connect::capture::{CaptureSource, CaptureStore};
use crate::connect::error::ConnectError;
use crate::ops::capture::{TimeRange, list_files};
use crate::ops::capture_replay::{CaptureReplayRequest, plan_file};
use crate::ops::replay::SendPlan;
use crate::protocol::{CaptureListing, CapturePage};

/// Where the console reads Capture.
#[derive(Debug, Clone)]
pub struct CaptureAccess {
    pub source: CaptureSource,
    /// The namespace as blob names spell it.
    pub namespace: String,
    /// The emulator's data directory, whose capture progress says which destinations fail.
    pub emulator_data: Option<PathBuf>,
}

/// No source, with the reason the console says instead.
pub type CaptureSetting = Result<CaptureAccess, String>;

fn access(setting: &CaptureSetting) -> Result<&CaptureAccess, ConnectError> {
    setting
        .as_ref()
        .map_err(|why| ConnectError::usage(why.clone()))
}

pub async fn files(
    setting: &CaptureSetting,
    connection: &crate::connect::Connection,
    hub: &str,
    since: Option<OffsetDateTime>,
) -> Result<CaptureListing, ConnectError> {
    let access = access(setting)?;
    let source = access
        .source
        .clone()
        .with_catalog_format(connection, hub)
        .await;
    let failures = access
        .emulator_data
        .as_deref()
        .map(|data| crate::connect::capture::health::failures(data, &access.namespace, hub))
        .unwrap_or_default();
    // No file yet (the directory appears with the first one) is an empty list, not an error,
    // so the failures still show.
    let files = match list_files(&source, &access.namespace, hub, since).await {
        Ok(files) => files,
        Err(_) if matches!(&access.source.store, CaptureStore::Directory(dir) if !dir.exists()) => {
            Vec::new()
        }
        Err(error) => return Err(error),
    };
    Ok(CaptureListing {
        source: source.describe(),
        files,
        failures,
    })
}

pub async fn page(
    setting: &CaptureSetting,
    file: &str,
    partition: &str,
    start: usize,
    count: usize,
) -> Result<CapturePage, ConnectError> {
    let access = access(setting)?;
    let bytes = access.source.fetch(file).await?;
    // Decoding a file of up to 500 MiB is CPU work: off the runtime's threads.
    let (file, partition) = (file.to_owned(), partition.to_owned());
    tokio::task::spawn_blocking(move || {
        let read = read_capture_file(&bytes)
            .map_err(|reason| ConnectError::usage(format!("{file}: {reason}")))?;
        let events = read
            .records
            .iter()
            .skip(start)
            .take(count)
            .map(|record| tail_event(record, &partition))
            .collect();
        Ok(CapturePage {
            total: read.records.len(),
            problems: read.problems.iter().map(ToString::to_string).collect(),
            file,
            start,
            events,
        })
    })
    .await
    .map_err(|e| ConnectError::usage(format!("reading a capture file: {e}")))?
}

/// The dry run of sending one file's events back to `hub`, as `ehops import` plans a file.
pub async fn plan_replay(
    setting: &CaptureSetting,
    hub: &str,
    file: &str,
    partition: &str,
    by: &str,
) -> Result<SendPlan, ConnectError> {
    let access = access(setting)?;
    let bytes = access.source.fetch(file).await?;
    let read = read_capture_file(&bytes)
        .map_err(|reason| ConnectError::usage(format!("{file}: {reason}")))?;
    let request = CaptureReplayRequest {
        namespace: access.namespace.clone(),
        hub: hub.to_owned(),
        partition: Some(partition.to_owned()),
        range: TimeRange::default(),
        filter: None,
        target_hub: hub.to_owned(),
        by: by.to_owned(),
    };
    plan_file(&read.records, partition, &request)
}
