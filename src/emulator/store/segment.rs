//! One file of a partition log: records back to back, named by the sequence number and offset
//! of its first record (`{base_seq:020}-{base_offset:020}.log`), with a sparse in-memory index
//! built as records are written, or by the scan at start (`scan.rs`). Reads skip the stretches
//! that scan found damaged.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;

use super::record::{self, Decoded, StoredEvent};
use super::scan::{self, DamagedRange};

/// One index entry every this many bytes of log: bounds the scan after a lookup.
pub const INDEX_INTERVAL: u64 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexEntry {
    pub sequence_number: i64,
    /// Offset within the partition (not within the segment).
    pub offset: u64,
    pub enqueued_ms: i64,
}

/// The sparse index and the last record of a segment.
#[derive(Debug, Clone, Default)]
pub struct SegmentIndex {
    pub entries: Vec<IndexEntry>,
    pub last: Option<IndexEntry>,
}

impl SegmentIndex {
    pub fn push(&mut self, entry: IndexEntry, base_offset: u64) {
        let due = match self.entries.last() {
            None => true,
            Some(prev) => {
                (entry.offset - base_offset) / INDEX_INTERVAL
                    > (prev.offset - base_offset) / INDEX_INTERVAL
            }
        };
        if due {
            self.entries.push(entry);
        }
        self.last = Some(entry);
    }

    pub fn first(&self) -> Option<IndexEntry> {
        self.entries.first().copied()
    }

    /// The last entry at or before the first record matching `is_past`, a predicate that is
    /// false then true along the log; scanning from there finds the record.
    pub fn floor(&self, is_past: impl Fn(&IndexEntry) -> bool) -> Option<IndexEntry> {
        let i = self.entries.partition_point(|e| !is_past(e));
        self.entries.get(i.saturating_sub(1)).copied()
    }
}

/// A segment as readers see it; cheap to clone, so reads happen outside the partition lock.
#[derive(Debug, Clone)]
pub struct Segment {
    pub base_seq: i64,
    pub base_offset: u64,
    pub path: Arc<Path>,
    pub file: Arc<File>,
    /// Committed length: readers never see bytes past it.
    pub len: u64,
    /// A sealed segment's index, built on first use. The active segment's index is kept by
    /// the partition's writer instead.
    pub index: Arc<OnceLock<SegmentIndex>>,
    /// Stretches found damaged at start, in order; readers step over them.
    pub damaged: Arc<[DamagedRange]>,
}

impl Segment {
    pub fn file_name(base_seq: i64, base_offset: u64) -> String {
        format!("{base_seq:020}-{base_offset:020}.log")
    }

    /// Parses a segment file name; `None` for files that are not segments.
    pub fn parse_name(name: &str) -> Option<(i64, u64)> {
        let stem = name.strip_suffix(".log")?;
        let (seq, offset) = stem.split_once('-')?;
        Some((seq.parse().ok()?, offset.parse().ok()?))
    }

    pub fn open(dir: &Path, base_seq: i64, base_offset: u64) -> io::Result<Segment> {
        let path = dir.join(Self::file_name(base_seq, base_offset));
        let file = File::open(&path)?;
        let len = file.metadata()?.len();
        Ok(Segment {
            base_seq,
            base_offset,
            path: Arc::from(path),
            file: Arc::new(file),
            len,
            index: Arc::new(OnceLock::new()),
            damaged: Arc::from(Vec::new()),
        })
    }

    pub fn end_offset(&self) -> u64 {
        self.base_offset + self.len
    }

    /// The index, scanning the file the first time.
    pub fn index(&self) -> io::Result<&SegmentIndex> {
        if let Some(index) = self.index.get() {
            return Ok(index);
        }
        let scanned = scan::scan(&self.file, self.base_offset, self.base_seq, self.len)?;
        Ok(self.index.get_or_init(|| scanned.index))
    }

    /// `offset`, or the end of the damaged stretch it falls in.
    pub fn skip_damage(&self, offset: u64) -> u64 {
        self.damaged
            .iter()
            .find(|d| d.start <= offset && offset < d.end)
            .map_or(offset, |d| d.end)
    }

    /// Where the intact bytes from `offset` on end: the next damaged stretch, else the end.
    fn intact_until(&self, offset: u64) -> u64 {
        self.damaged
            .iter()
            .find(|d| d.start >= offset)
            .map_or(self.end_offset(), |d| d.start)
    }

    /// Reads whole records from `from` (a partition offset inside this segment), up to about
    /// `max_bytes` and `max_events`, never past the committed length, stepping over damaged
    /// stretches. Returns at least one record when any is committed after `from`, even one
    /// larger than `max_bytes`.
    pub fn read(
        &self,
        from: u64,
        max_events: usize,
        max_bytes: usize,
    ) -> io::Result<Vec<StoredEvent>> {
        // Damaged stretches never touch: an intact record always ends one.
        let from = self.skip_damage(from);
        let available = self.intact_until(from).saturating_sub(from) as usize;
        if available == 0 || max_events == 0 {
            return Ok(Vec::new());
        }
        let mut want = max_bytes.clamp(record::HEADER_LEN, available);
        'read: loop {
            let chunk = read_at(&self.file, from - self.base_offset, want)?;
            let mut events = Vec::new();
            let mut cursor = 0usize;
            let mut position = from;
            while events.len() < max_events {
                match record::decode(&chunk.slice(cursor..), position) {
                    Decoded::Record(event, len) => {
                        events.push(event);
                        cursor += len;
                        position += len as u64;
                    }
                    Decoded::Incomplete { needed } if events.is_empty() => {
                        if needed > want && needed <= available {
                            want = needed;
                            continue 'read;
                        }
                        return Err(self.damaged(position));
                    }
                    Decoded::Incomplete { .. } => break,
                    Decoded::Corrupt => return Err(self.damaged(position)),
                }
            }
            return Ok(events);
        }
    }

    /// Damage that appeared after start (scan found this record intact). The file is named
    /// in the server's log only: errors go to clients, which must not learn server paths.
    fn damaged(&self, offset: u64) -> io::Error {
        tracing::error!(file = %self.path.display(), offset, "damaged record in a partition log");
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("damaged record at offset {offset}"),
        )
    }
}

pub(super) fn read_at(file: &File, at: u64, len: usize) -> io::Result<Bytes> {
    let mut buf = vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        let n = file.read_at(&mut buf[filled..], at + filled as u64)?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    buf.truncate(filled);
    Ok(Bytes::from(buf))
}
