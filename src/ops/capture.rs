//! Reading a hub's Capture: its files with what each holds (window, size, events, first and
//! last sequence number), and its events in a time range, file by file so a million events
//! never sit in memory at once. A damaged file gives up only its damaged blocks, reported
//! with the file and block; nothing else stops.

use time::OffsetDateTime;

use crate::codec::capture::{CaptureFile, CaptureRecord, read_capture_file};
use crate::connect::capture::events::tail_event;
use crate::connect::capture::{CaptureSource, ListedFile};
use crate::connect::error::ConnectError;
use crate::model::{CaptureFileInfo, TailEvent};

/// A time range of enqueued times; either end open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

impl TimeRange {
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.from.is_none_or(|from| t >= from) && self.until.is_none_or(|until| t <= until)
    }
}

/// The hub's files, each read to count its events; `since` leaves out files whose last event
/// (or, when empty, whose window) is older.
pub async fn list_files(
    source: &CaptureSource,
    namespace: &str,
    hub: &str,
    since: Option<OffsetDateTime>,
) -> Result<Vec<CaptureFileInfo>, ConnectError> {
    let mut infos = Vec::new();
    for listed in source.list(namespace, hub).await? {
        let info = match source.fetch(&listed.name).await {
            Ok(bytes) => summarize(&listed, read_capture_file(&bytes)),
            Err(error) => unreadable(&listed, error.message),
        };
        let newest = info.last_enqueued.unwrap_or(info.window_start);
        if since.is_none_or(|since| newest >= since) {
            infos.push(info);
        }
    }
    Ok(infos)
}

/// Every record of the hub's files, in file order (windows oldest first; within a file, by
/// sequence number), handed to `each` with its listed file; `each` returns false to stop.
/// Returns the problems met: unreadable files and blocks, each naming the file.
pub async fn read_records(
    source: &CaptureSource,
    namespace: &str,
    hub: &str,
    mut each: impl AsyncFnMut(&ListedFile, &CaptureRecord) -> bool,
) -> Result<Vec<String>, ConnectError> {
    let mut problems = Vec::new();
    for listed in source.list(namespace, hub).await? {
        let file = match source.fetch(&listed.name).await {
            Ok(bytes) => read_capture_file(&bytes),
            Err(error) => Err(error.message),
        };
        let file = match file {
            Ok(file) => file,
            Err(reason) => {
                problems.push(format!("{}: {reason}", listed.name));
                continue;
            }
        };
        problems.extend(
            file.problems
                .iter()
                .map(|p| format!("{}: {p}", listed.name)),
        );
        for record in &file.records {
            if !each(&listed, record).await {
                return Ok(problems);
            }
        }
    }
    Ok(problems)
}

/// Every event of the hub's files enqueued in `range`, as the tail has them, in file order.
pub async fn read_events(
    source: &CaptureSource,
    namespace: &str,
    hub: &str,
    range: TimeRange,
    mut each: impl AsyncFnMut(&str, TailEvent) -> bool,
) -> Result<Vec<String>, ConnectError> {
    read_records(source, namespace, hub, async |listed, record| {
        let event = tail_event(record, &listed.parsed.partition);
        !range.contains(event.enqueued_time) || each(&listed.name, event).await
    })
    .await
}

fn summarize(listed: &ListedFile, file: Result<CaptureFile, String>) -> CaptureFileInfo {
    let file = match file {
        Ok(file) => file,
        Err(reason) => return unreadable(listed, reason),
    };
    let time = |ms: Option<i64>| {
        ms.and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
    };
    let first = file.records.first();
    let last = file.records.last();
    CaptureFileInfo {
        name: listed.name.clone(),
        partition: listed.parsed.partition.clone(),
        window_start: listed.parsed.window_start,
        size: listed.size,
        events: file.records.len(),
        first_sequence: first.map(|r| r.sequence_number),
        last_sequence: last.map(|r| r.sequence_number),
        first_enqueued: time(first.and_then(|r| r.enqueued_ms())),
        last_enqueued: time(last.and_then(|r| r.enqueued_ms())),
        problems: file.problems.iter().map(ToString::to_string).collect(),
    }
}

fn unreadable(listed: &ListedFile, reason: String) -> CaptureFileInfo {
    CaptureFileInfo {
        name: listed.name.clone(),
        partition: listed.parsed.partition.clone(),
        window_start: listed.parsed.window_start,
        size: listed.size,
        events: 0,
        first_sequence: None,
        last_sequence: None,
        first_enqueued: None,
        last_enqueued: None,
        problems: vec![reason],
    }
}
