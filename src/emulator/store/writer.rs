//! A partition's writer task: the only code that writes its log. It commits groups of pending
//! appends with one `fdatasync` (group commit) before acknowledging them, rolls segments by
//! size and age, and drops segments older than the retention period.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::StoreError;
use super::partition::{AppendRequest, Appended, PartitionLog};
use super::record;
use super::segment::{IndexEntry, Segment};

/// A segment is sealed when it passes this size.
pub(super) const SEGMENT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Pending appends a writer takes into one commit, at most.
const GROUP_MAX_BYTES: usize = 8 * 1024 * 1024;
const RETENTION_CHECK: Duration = Duration::from_secs(30);

pub(super) fn create_segment_file(dir: &Path, base_seq: i64, base_offset: u64) -> io::Result<File> {
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

pub(super) async fn run_writer(
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
        let full = state.active.len > 0 && state.active.len + incoming > log.segment_max_bytes;
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
    // A segment with no intact record (all damaged) has no time of its own: it goes when the
    // segment after it goes, being older.
    let mut undated = Vec::new();
    for segment in &sealed {
        match segment.index()?.last {
            Some(last) if last.enqueued_ms >= cutoff => break,
            Some(_) => {
                expired.append(&mut undated);
                expired.push(segment.base_offset);
            }
            None if segment.damaged.is_empty() => expired.push(segment.base_offset),
            None => undated.push(segment.base_offset),
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
