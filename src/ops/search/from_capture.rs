//! The part of a partition's history the hub no longer holds, read from the hub's Capture
//! files: every captured record before the first event the hub delivered, so Capture and the
//! hub read as one history with each event once. Files are fetched one at a time (a window's
//! file is at most its size limit), so memory stays bounded however long the history.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::codec::capture::{CaptureRecord, read_capture_file};
use crate::connect::Connection;
use crate::connect::capture::events::tail_event;
use crate::connect::capture::{CaptureSource, ListedFile};
use crate::model::{StartPosition, TailEvent};

/// Where a search finds what retention removed: the capture files' source, and the namespace
/// as their names spell it.
#[derive(Debug, Clone)]
pub struct CaptureHistory {
    pub source: CaptureSource,
    pub namespace: String,
}

impl CaptureHistory {
    /// `hub`'s files (named as the catalog says the hub names them), oldest window first.
    pub async fn hub_files(
        &self,
        connection: &Connection,
        hub: &str,
    ) -> Result<HubCapture, String> {
        let source = self
            .source
            .clone()
            .with_catalog_format(connection, hub)
            .await;
        let files = source
            .list(&self.namespace, hub)
            .await
            .map_err(|e| format!("{hub}: Capture not read: {}", e.message))?;
        Ok(HubCapture {
            source: Arc::new(source),
            files,
        })
    }
}

/// One hub's capture files.
pub struct HubCapture {
    source: Arc<CaptureSource>,
    files: Vec<ListedFile>,
}

impl HubCapture {
    /// What a pass over `partition` reads from Capture, starting at `from`; `None` when the
    /// partition has no files.
    pub fn partition(&self, partition: &str, from: &StartPosition) -> Option<CapturePart> {
        let files: Vec<ListedFile> = (self.files.iter())
            .filter(|f| f.parsed.partition == partition)
            .cloned()
            .collect();
        if files.is_empty() || matches!(from, StartPosition::Latest) {
            return None;
        }
        Some(CapturePart {
            source: Arc::clone(&self.source),
            files,
            partition: partition.to_owned(),
            from: from.clone(),
        })
    }
}

/// A partition's capture files and where the search starts.
pub struct CapturePart {
    source: Arc<CaptureSource>,
    files: Vec<ListedFile>,
    partition: String,
    from: StartPosition,
}

impl CapturePart {
    /// Reads the records before sequence number `before`, file by file.
    pub fn before(self, before: i64) -> CaptureReader {
        CaptureReader {
            part: self,
            next: 0,
            before,
            problems: Vec::new(),
        }
    }
}

/// Hands out a partition's captured events before a sequence number, one file at a time.
pub struct CaptureReader {
    part: CapturePart,
    next: usize,
    before: i64,
    /// Files and blocks that could not be read, each named.
    pub problems: Vec<String>,
}

impl CaptureReader {
    /// The events of the next file that holds any wanted, in sequence order; `None` when no
    /// file is left or the rest lie past the boundary.
    pub async fn next_file(&mut self) -> Option<Vec<TailEvent>> {
        if let StartPosition::Sequence(n) = self.part.from
            && n >= self.before
        {
            return None;
        }
        while let Some(listed) = self.part.files.get(self.next) {
            self.next += 1;
            let file = match self.part.source.fetch(&listed.name).await {
                Ok(bytes) => read_capture_file(&bytes),
                Err(error) => Err(error.message),
            };
            let file = match file {
                Ok(file) => file,
                Err(reason) => {
                    self.problems.push(format!("{}: {reason}", listed.name));
                    continue;
                }
            };
            (self.problems).extend(
                file.problems
                    .iter()
                    .map(|p| format!("{}: {p}", listed.name)),
            );
            // Windows are listed oldest first: a file starting at the boundary ends the part.
            if (file.records.first()).is_some_and(|r| r.sequence_number >= self.before) {
                self.next = self.part.files.len();
                return None;
            }
            let events: Vec<TailEvent> = (file.records.iter())
                .filter(|r| self.wanted(r))
                .map(|r| tail_event(r, &self.part.partition))
                .collect();
            if !events.is_empty() {
                return Some(events);
            }
        }
        None
    }

    fn wanted(&self, record: &CaptureRecord) -> bool {
        if record.sequence_number >= self.before {
            return false;
        }
        match &self.part.from {
            StartPosition::Earliest => true,
            StartPosition::Latest => false,
            StartPosition::Sequence(n) => record.sequence_number >= *n,
            StartPosition::Offset(offset) => {
                match (offset.parse::<i64>(), record.offset.parse::<i64>()) {
                    (Ok(from), Ok(at)) => at >= from,
                    _ => true,
                }
            }
            StartPosition::Time(t) => enqueued(record).is_none_or(|at| at >= *t),
        }
    }
}

fn enqueued(record: &CaptureRecord) -> Option<OffsetDateTime> {
    let ms = record.enqueued_ms()?;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}
