//! One partition's durable log: appends go to its writer task (`writer.rs`); readers read
//! committed records straight from the segment files and wait on a watch channel for new ones.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot, watch};

use super::record::StoredEvent;
use super::segment::{self, IndexEntry, Segment, SegmentIndex};
use super::writer::{create_segment_file, run_writer};
use super::{Start, StoreError};

const WRITER_QUEUE: usize = 1024;

/// An event to append: the key it was sent with and the encoded AMQP message.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub partition_key: Option<String>,
    pub message: Bytes,
}

/// Where an appended event landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub sequence_number: i64,
    pub offset: u64,
    pub enqueued_ms: i64,
}

/// What `$management` reports for a partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionStats {
    pub begin_sequence_number: i64,
    pub last_sequence_number: i64,
    /// -1 when the partition has never held an event.
    pub last_offset: i64,
    pub last_enqueued_ms: i64,
    pub is_empty: bool,
    /// Where the next event will be written: a reader at this offset is at the head.
    pub end_offset: u64,
}

pub(super) struct State {
    pub(super) sealed: Vec<Segment>,
    pub(super) active: Segment,
    pub(super) active_index: SegmentIndex,
    /// The newest record, kept even when retention removed it.
    pub(super) last: Option<IndexEntry>,
}

impl State {
    pub(super) fn next_sequence_number(&self) -> i64 {
        self.active_index
            .last
            .map_or(self.active.base_seq, |l| l.sequence_number + 1)
    }

    pub(super) fn begin(&self) -> (i64, u64) {
        let first = self.sealed.first().unwrap_or(&self.active);
        (first.base_seq, first.base_offset)
    }

    fn stats(&self) -> PartitionStats {
        let (begin_seq, _) = self.begin();
        let last_seq = self.next_sequence_number() - 1;
        PartitionStats {
            begin_sequence_number: begin_seq,
            last_sequence_number: last_seq,
            last_offset: self.last.map_or(-1, |l| l.offset as i64),
            last_enqueued_ms: self.last.map_or(0, |l| l.enqueued_ms),
            is_empty: begin_seq > last_seq,
            end_offset: self.active.end_offset(),
        }
    }

    fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.sealed.iter().chain(std::iter::once(&self.active))
    }
}

pub(super) struct AppendRequest {
    pub(super) events: Vec<NewEvent>,
    pub(super) ack: oneshot::Sender<Result<Vec<Appended>, StoreError>>,
}

pub struct PartitionLog {
    pub(super) dir: PathBuf,
    pub(super) retention: Duration,
    state: RwLock<State>,
    pub(super) head: watch::Sender<i64>,
    writer: mpsc::Sender<AppendRequest>,
}

impl PartitionLog {
    /// Opens (or creates) the log in `dir`, cutting off a torn write at its end, and starts its
    /// writer task. Only the newest segment is scanned, so opening costs the same however much
    /// is stored.
    pub fn open(dir: &Path, retention: Duration) -> io::Result<Arc<PartitionLog>> {
        fs::create_dir_all(dir)?;
        let mut names: Vec<(i64, u64)> = fs::read_dir(dir)?
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| Segment::parse_name(&entry.file_name().to_string_lossy()))
            .collect();
        names.sort_by_key(|(_, offset)| *offset);
        let (active_seq, active_offset) = match names.pop() {
            Some(last) => last,
            None => {
                create_segment_file(dir, 0, 0)?;
                (0, 0)
            }
        };
        let sealed = names
            .into_iter()
            .map(|(seq, offset)| Segment::open(dir, seq, offset))
            .collect::<io::Result<Vec<_>>>()?;
        let mut active = Segment::open(dir, active_seq, active_offset)?;
        let (active_index, intact) = segment::scan(&active.file, active.base_offset, active.len)?;
        if intact < active.len {
            // Bytes past the last intact record were never acknowledged: drop them.
            let file = OpenOptions::new().write(true).open(&active.path)?;
            file.set_len(intact)?;
            file.sync_all()?;
            active.len = intact;
        }
        let last = match active_index.last {
            Some(last) => Some(last),
            None => match sealed.last() {
                Some(segment) => segment.index()?.last,
                None => None,
            },
        };
        let write_file = OpenOptions::new().write(true).open(&active.path)?;
        let state = State {
            sealed,
            active,
            active_index,
            last,
        };
        let (head, _) = watch::channel(state.next_sequence_number() - 1);
        let (writer, requests) = mpsc::channel(WRITER_QUEUE);
        let log = Arc::new(PartitionLog {
            dir: dir.to_path_buf(),
            retention,
            state: RwLock::new(state),
            head,
            writer,
        });
        tokio::spawn(run_writer(Arc::clone(&log), requests, Arc::new(write_file)));
        Ok(log)
    }

    /// Appends events atomically (all or none), durably, in order; returns where they landed.
    pub async fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, StoreError> {
        let (ack, done) = oneshot::channel();
        self.writer
            .send(AppendRequest { events, ack })
            .await
            .map_err(|_| StoreError::Closed)?;
        done.await.map_err(|_| StoreError::Closed)?
    }

    pub fn stats(&self) -> PartitionStats {
        self.read_state().stats()
    }

    /// Wakes when events are committed; the value is the last sequence number.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.head.subscribe()
    }

    /// Reads committed events from `from` on; empty when `from` is at the head. An offset that
    /// retention has removed reads from the oldest event kept.
    pub fn read(
        &self,
        from: u64,
        max_events: usize,
        max_bytes: usize,
    ) -> io::Result<Vec<StoredEvent>> {
        let segment = {
            let state = self.read_state();
            let (_, begin_offset) = state.begin();
            let from = from.max(begin_offset);
            match state.segments().find(|s| from < s.end_offset()) {
                Some(segment) => (segment.clone(), from),
                None => return Ok(Vec::new()),
            }
        };
        let (segment, from) = segment;
        segment.read(from, max_events, max_bytes)
    }

    /// The offset of the first event a reader starting at `start` receives.
    pub fn locate(&self, start: &Start) -> io::Result<u64> {
        let is_past: Box<dyn Fn(&IndexEntry) -> bool> = match *start {
            Start::Earliest => return Ok(self.read_state().begin().1),
            Start::Latest => return Ok(self.read_state().active.end_offset()),
            Start::Offset { offset, inclusive } => Box::new(move |e: &IndexEntry| {
                if inclusive {
                    e.offset >= offset
                } else {
                    e.offset > offset
                }
            }),
            Start::Sequence {
                sequence_number,
                inclusive,
            } => Box::new(move |e: &IndexEntry| {
                if inclusive {
                    e.sequence_number >= sequence_number
                } else {
                    e.sequence_number > sequence_number
                }
            }),
            Start::Enqueued { unix_ms, inclusive } => Box::new(move |e: &IndexEntry| {
                if inclusive {
                    e.enqueued_ms >= unix_ms
                } else {
                    e.enqueued_ms > unix_ms
                }
            }),
        };
        self.first_where(&*is_past)
    }

    /// The offset of the first record for which `is_past` holds (false then true along the
    /// log), or the head when none does.
    fn first_where(&self, is_past: &dyn Fn(&IndexEntry) -> bool) -> io::Result<u64> {
        // Pick the segment under the lock; read files outside it.
        let (segment, floor, end) = {
            let state = self.read_state();
            let end = state.active.end_offset();
            match state.last {
                Some(last) if is_past(&last) => {}
                _ => return Ok(end),
            }
            let segments: Vec<&Segment> = state.segments().filter(|s| s.len > 0).collect();
            let mut chosen = None;
            for (i, segment) in segments.iter().enumerate().rev() {
                let first = first_entry(segment)?;
                if first.as_ref().is_some_and(|f| !is_past(f)) || i == 0 {
                    chosen = Some((*segment).clone());
                    break;
                }
            }
            let Some(segment) = chosen else {
                return Ok(end);
            };
            let floor = if segment.base_offset == state.active.base_offset {
                state.active_index.floor(is_past)
            } else {
                None
            };
            (segment, floor, end)
        };
        let floor = match floor {
            Some(floor) => Some(floor),
            None => segment.index()?.floor(is_past),
        };
        let mut position = floor.map_or(segment.base_offset, |f| f.offset);
        while position < segment.end_offset() {
            let events = segment.read(position, 512, 256 * 1024)?;
            let Some(last) = events.last() else { break };
            if let Some(hit) = events.iter().find(|e| {
                is_past(&IndexEntry {
                    sequence_number: e.sequence_number,
                    offset: e.offset,
                    enqueued_ms: e.enqueued_ms,
                })
            }) {
                return Ok(hit.offset);
            }
            position = last.offset + last.encoded_len() as u64;
        }
        Ok(segment.end_offset().min(end))
    }

    pub(super) fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A writer that panicked mid-update left counters that are still consistent enough to
        // read; poisoning would otherwise take the whole partition down.
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn first_entry(segment: &Segment) -> io::Result<Option<IndexEntry>> {
    if let Some(index) = segment.index.get() {
        return Ok(index.first());
    }
    Ok(segment
        .read(segment.base_offset, 1, 64)?
        .first()
        .map(|e| IndexEntry {
            sequence_number: e.sequence_number,
            offset: e.offset,
            enqueued_ms: e.enqueued_ms,
        }))
}
