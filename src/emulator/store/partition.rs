//! One partition's durable log: appends go through a single writer task that commits groups of
//! batches with one `fdatasync` (group commit) before acknowledging them; readers read committed
//! records straight from the segment files and wait on a watch channel for new ones.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot, watch};

use super::record::{self, StoredEvent};
use super::segment::{self, IndexEntry, Segment, SegmentIndex};
use super::{Start, StoreError};

/// A segment is sealed when it passes this size.
const SEGMENT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Pending appends a writer takes into one commit, at most.
const GROUP_MAX_BYTES: usize = 8 * 1024 * 1024;
const WRITER_QUEUE: usize = 1024;
const RETENTION_CHECK: Duration = Duration::from_secs(30);

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

struct State {
    sealed: Vec<Segment>,
    active: Segment,
    active_index: SegmentIndex,
    /// The newest record, kept even when retention removed it.
    last: Option<IndexEntry>,
}

impl State {
    fn next_sequence_number(&self) -> i64 {
        self.active_index
            .last
            .map_or(self.active.base_seq, |l| l.sequence_number + 1)
    }

    fn begin(&self) -> (i64, u64) {
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

struct AppendRequest {
    events: Vec<NewEvent>,
    ack: oneshot::Sender<Result<Vec<Appended>, StoreError>>,
}

pub struct PartitionLog {
    dir: PathBuf,
    retention: Duration,
    state: RwLock<State>,
    head: watch::Sender<i64>,
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

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A writer that panicked mid-update left counters that are still consistent enough to
        // read; poisoning would otherwise take the whole partition down.
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
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

fn create_segment_file(dir: &Path, base_seq: i64, base_offset: u64) -> io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(Segment::file_name(base_seq, base_offset)))?;
    // The new name must survive a crash too.
    File::open(dir)?.sync_all()?;
    Ok(file)
}

fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

async fn run_writer(
    log: Arc<PartitionLog>,
    mut requests: mpsc::Receiver<AppendRequest>,
    mut file: Arc<File>,
) {
    // Short retentions (tests, demos) are checked often enough to be seen working.
    let every = RETENTION_CHECK
        .min(log.retention / 2)
        .max(Duration::from_millis(100));
    let mut retention_check = tokio::time::interval(every);
    loop {
        tokio::select! {
            request = requests.recv() => {
                let Some(first) = request else { break };
                let mut group = vec![first];
                let mut bytes: usize = group[0].events.iter().map(|e| e.message.len()).sum();
                while bytes < GROUP_MAX_BYTES {
                    match requests.try_recv() {
                        Ok(more) => {
                            bytes += more.events.iter().map(|e| e.message.len()).sum::<usize>();
                            group.push(more);
                        }
                        Err(_) => break,
                    }
                }
                file = commit(&log, file, group).await;
            }
            _ = retention_check.tick() => {
                file = match enforce_retention(&log, Arc::clone(&file)) {
                    Ok(file) => file,
                    Err(error) => {
                        tracing::warn!(dir = %log.dir.display(), %error, "retention check failed");
                        file
                    }
                };
            }
        }
    }
}

/// Writes a group of append requests with one sync, then publishes and acknowledges them.
async fn commit(log: &Arc<PartitionLog>, file: Arc<File>, group: Vec<AppendRequest>) -> Arc<File> {
    let group_bytes: u64 = group
        .iter()
        .flat_map(|r| &r.events)
        .map(|e| record::encoded_len(e.partition_key.as_deref(), e.message.len()) as u64)
        .sum();
    let file = match roll_if_due(log, file, group_bytes, now_ms()) {
        Ok(file) => file,
        Err((file, error)) => {
            fail_all(group, &error);
            return file;
        }
    };
    let (mut sequence_number, mut offset, write_at, enqueued_ms) = {
        let state = log.read_state();
        let last_ms = state.last.map_or(0, |l| l.enqueued_ms);
        (
            state.next_sequence_number(),
            state.active.end_offset(),
            state.active.len,
            now_ms().max(last_ms),
        )
    };
    let mut buf = Vec::with_capacity(group_bytes as usize);
    let mut results = Vec::with_capacity(group.len());
    for request in &group {
        let mut appended = Vec::with_capacity(request.events.len());
        for event in &request.events {
            record::encode(
                &mut buf,
                sequence_number,
                enqueued_ms,
                event.partition_key.as_deref(),
                &event.message,
            );
            appended.push(Appended {
                sequence_number,
                offset,
                enqueued_ms,
            });
            offset +=
                record::encoded_len(event.partition_key.as_deref(), event.message.len()) as u64;
            sequence_number += 1;
        }
        results.push(appended);
    }
    let writer = Arc::clone(&file);
    let written = buf.len() as u64;
    let outcome = tokio::task::spawn_blocking(move || -> io::Result<()> {
        let result = writer
            .write_all_at(&buf, write_at)
            .and_then(|()| writer.sync_data());
        if result.is_err() {
            // Leave no half-written group behind for the next commit to land after.
            let _ = writer.set_len(write_at);
        }
        result
    })
    .await
    .unwrap_or_else(|join| Err(io::Error::other(join.to_string())));
    if let Err(error) = outcome {
        fail_all(group, &error);
        return file;
    }
    let last_sequence_number = {
        let mut state = log.write_state();
        let base_offset = state.active.base_offset;
        for entry in results.iter().flatten() {
            state.active_index.push(
                IndexEntry {
                    sequence_number: entry.sequence_number,
                    offset: entry.offset,
                    enqueued_ms,
                },
                base_offset,
            );
        }
        state.active.len += written;
        state.last = state.active_index.last;
        state.next_sequence_number() - 1
    };
    log.head.send_replace(last_sequence_number);
    for (request, appended) in group.into_iter().zip(results) {
        let _ = request.ack.send(Ok(appended));
    }
    file
}

fn fail_all(group: Vec<AppendRequest>, error: &io::Error) {
    for request in group {
        let _ = request.ack.send(Err(StoreError::Io(error.to_string())));
    }
}

/// Starts a new segment when the active one is full or older than a quarter of the
/// retention (so retention can drop whole files on time).
fn roll_if_due(
    log: &PartitionLog,
    file: Arc<File>,
    incoming: u64,
    now: i64,
) -> Result<Arc<File>, (Arc<File>, io::Error)> {
    let due = {
        let state = log.read_state();
        let full = state.active.len > 0 && state.active.len + incoming > SEGMENT_MAX_BYTES;
        let roll_age = (log.retention / 4).clamp(Duration::from_secs(1), Duration::from_secs(3600));
        let old = state
            .active_index
            .first()
            .is_some_and(|f| now - f.enqueued_ms > roll_age.as_millis() as i64);
        full || old
    };
    if !due {
        return Ok(file);
    }
    roll(log).map_err(|e| (file, e))
}

fn roll(log: &PartitionLog) -> io::Result<Arc<File>> {
    let (base_seq, base_offset) = {
        let state = log.read_state();
        (state.next_sequence_number(), state.active.end_offset())
    };
    let write_file = create_segment_file(&log.dir, base_seq, base_offset)?;
    let fresh = Segment::open(&log.dir, base_seq, base_offset)?;
    let mut state = log.write_state();
    let old_index = std::mem::take(&mut state.active_index);
    let sealed = std::mem::replace(&mut state.active, fresh);
    let _ = sealed.index.set(old_index);
    state.sealed.push(sealed);
    Ok(Arc::new(write_file))
}

/// Deletes sealed segments whose every event is older than the retention period; rolls the
/// active segment first when all of it is that old.
fn enforce_retention(log: &PartitionLog, file: Arc<File>) -> io::Result<Arc<File>> {
    let cutoff = now_ms() - log.retention.as_millis() as i64;
    let active_expired = {
        let state = log.read_state();
        state
            .active_index
            .last
            .is_some_and(|l| l.enqueued_ms < cutoff)
    };
    let file = if active_expired { roll(log)? } else { file };
    let sealed: Vec<Segment> = log.read_state().sealed.clone();
    let mut expired = Vec::new();
    for segment in &sealed {
        match segment.index()?.last {
            Some(last) if last.enqueued_ms >= cutoff => break,
            _ => expired.push(segment.base_offset),
        }
    }
    if expired.is_empty() {
        return Ok(file);
    }
    let removed: Vec<Segment> = {
        let mut state = log.write_state();
        let (gone, kept) = std::mem::take(&mut state.sealed)
            .into_iter()
            .partition(|s| expired.contains(&s.base_offset));
        state.sealed = kept;
        gone
    };
    for segment in removed {
        // Readers holding the file keep reading it; the name goes now.
        fs::remove_file(&segment.path)?;
    }
    Ok(file)
}
