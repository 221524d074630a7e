//! One partition's durable log: appends go to its writer task (`writer.rs`); readers read
//! committed records straight from the segment files and wait on a watch channel for new ones.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot, watch};

use super::damage::DamageReport;
use super::record::{MIN_RECORD_LEN, StoredEvent};
use super::scan::{self, DamagedRange, Tail};
use super::segment::{IndexEntry, Segment, SegmentIndex};
use super::writer::{SEGMENT_MAX_BYTES, create_segment_file, run_writer};
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
    pub(super) segment_max_bytes: u64,
    damage: Vec<DamageReport>,
    state: RwLock<State>,
    pub(super) head: watch::Sender<i64>,
    writer: mpsc::Sender<AppendRequest>,
}

impl PartitionLog {
    /// Opens (or creates) the log in `dir` and starts its writer task. Every segment is
    /// scanned: a torn write at the end of the newest (a crash before the acknowledgement) is
    /// cut off; damaged records anywhere are reported ([`PartitionLog::damage`]) and stepped
    /// over, and the sequence numbers they may have held are never handed out again.
    pub fn open(dir: &Path, retention: Duration) -> io::Result<Arc<PartitionLog>> {
        Self::open_with_segment_size(dir, retention, SEGMENT_MAX_BYTES)
    }

    /// [`PartitionLog::open`] with segments sealed once they pass `segment_max_bytes`.
    pub fn open_with_segment_size(
        dir: &Path,
        retention: Duration,
        segment_max_bytes: u64,
    ) -> io::Result<Arc<PartitionLog>> {
        fs::create_dir_all(dir)?;
        let mut names: Vec<(i64, u64)> = fs::read_dir(dir)?
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| Segment::parse_name(&entry.file_name().to_string_lossy()))
            .collect();
        names.sort_by_key(|(_, offset)| *offset);
        if names.is_empty() {
            create_segment_file(dir, 0, 0)?;
            names.push((0, 0));
        }
        let mut recovered = Recovered::default();
        for (i, &(base_seq, base_offset)) in names.iter().enumerate() {
            let next_base_seq = names.get(i + 1).map(|(seq, _)| *seq);
            recovered.add(
                dir,
                Segment::open(dir, base_seq, base_offset)?,
                next_base_seq,
            )?;
        }
        let Recovered {
            sealed,
            active,
            damage,
        } = recovered;
        let Some((active, active_index)) = active else {
            return Err(io::Error::other("no active segment after recovery"));
        };
        for report in &damage {
            tracing::warn!("{report}");
        }
        let last = match active_index.last {
            Some(last) => Some(last),
            None => sealed
                .iter()
                .rev()
                .find_map(|s| s.index().ok().and_then(|index| index.last)),
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
            segment_max_bytes,
            damage,
            state: RwLock::new(state),
            head,
            writer,
        });
        tokio::spawn(run_writer(Arc::clone(&log), requests, Arc::new(write_file)));
        Ok(log)
    }

    /// The damaged records found when the log was opened.
    pub fn damage(&self) -> &[DamageReport] {
        &self.damage
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
        let mut from = from.max(self.read_state().begin().1);
        loop {
            let segment = {
                let state = self.read_state();
                match state.segments().find(|s| from < s.end_offset()) {
                    Some(segment) => segment.clone(),
                    None => return Ok(Vec::new()),
                }
            };
            let events = segment.read(from, max_events, max_bytes)?;
            // Nothing intact left in this segment (damage to its end): go on to the next.
            if events.is_empty() && segment.skip_damage(from) >= segment.end_offset() {
                from = segment.end_offset();
                continue;
            }
            return Ok(events);
        }
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

/// The segments of a log as start-up found them, oldest first.
#[derive(Default)]
struct Recovered {
    sealed: Vec<Segment>,
    /// The newest segment and its index, once the last file has been added.
    active: Option<(Segment, SegmentIndex)>,
    damage: Vec<DamageReport>,
}

impl Recovered {
    /// Scans one segment file; `next_base_seq` is the first sequence number of the file after
    /// it, `None` for the newest.
    fn add(
        &mut self,
        dir: &Path,
        mut segment: Segment,
        next_base_seq: Option<i64>,
    ) -> io::Result<()> {
        let scanned = scan::scan(
            &segment.file,
            segment.base_offset,
            segment.base_seq,
            segment.len,
        )?;
        let mut damaged = scanned.damaged.clone();
        for range in &scanned.damaged {
            let last = range.last_sequence.unwrap_or(range.first_sequence);
            self.report(&segment, range, last, true);
        }
        let first_lost = scanned
            .index
            .last
            .map_or(segment.base_seq, |l| l.sequence_number + 1);
        let tail = match (scanned.tail, next_base_seq) {
            (Tail::Clean, _) => None,
            (Tail::Torn { at }, None) => {
                // Bytes past the last intact record were never acknowledged: drop them.
                let keep = at - segment.base_offset;
                tracing::info!(
                    file = %segment.path.display(),
                    bytes = segment.len - keep,
                    "cut a write a crash left unfinished (never acknowledged)"
                );
                let file = OpenOptions::new().write(true).open(&segment.path)?;
                file.set_len(keep)?;
                file.sync_all()?;
                segment.len = keep;
                None
            }
            // An older file cannot end in a torn write: it was sealed after its last commit.
            (Tail::Torn { at }, Some(_)) => Some(DamagedRange {
                start: at,
                end: segment.end_offset(),
                first_sequence: first_lost,
                last_sequence: None,
            }),
            (Tail::Damaged(range), _) => Some(range),
        };
        let Some(tail) = tail else {
            segment.damaged = Arc::from(damaged);
            if next_base_seq.is_some() {
                let _ = segment.index.set(scanned.index);
                self.sealed.push(segment);
            } else {
                self.active = Some((segment, scanned.index));
            }
            return Ok(());
        };
        // The damaged bytes held at most one record per smallest record's worth of bytes:
        // numbering goes on after all of them, so none is handed out twice.
        let most_lost = (tail.end - tail.start).div_ceil(MIN_RECORD_LEN as u64) as i64;
        let next_seq = next_base_seq.unwrap_or(tail.first_sequence + most_lost);
        self.report(&segment, &tail, next_seq - 1, false);
        damaged.push(tail);
        segment.damaged = Arc::from(damaged);
        let end_offset = segment.end_offset();
        let _ = segment.index.set(scanned.index);
        self.sealed.push(segment);
        if next_base_seq.is_none() {
            // Keep the damaged file as it is and write on in a new one.
            create_segment_file(dir, next_seq, end_offset)?;
            let fresh = Segment::open(dir, next_seq, end_offset)?;
            self.active = Some((fresh, SegmentIndex::default()));
        }
        Ok(())
    }

    fn report(&mut self, segment: &Segment, range: &DamagedRange, last: i64, followed: bool) {
        self.damage.push(DamageReport {
            file: segment.path.to_path_buf(),
            position: range.start - segment.base_offset,
            length: range.end - range.start,
            first_sequence: range.first_sequence,
            last_sequence: last,
            followed_by_intact: followed,
        });
    }
}
