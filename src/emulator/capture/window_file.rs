//! One window's capture file while it is written, on the capture thread: records are encoded
//! with apache-avro as the events are read and go block by block into the staging file (a
//! directory destination) or into memory (a blob, uploaded whole at the window's end). A
//! staging file has its writeback started every MiB, so the sync that ends the window finds
//! little left to write instead of flushing the whole window at once.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use super::record::capture_record;
use crate::codec::capture::{CaptureCodec, CaptureWriter};
use crate::emulator::store::StoredEvent;

/// Written bytes between two starts of writeback.
const WRITEBACK_EVERY: u64 = 1 << 20;
/// Disk space reserved ahead of the writes at a time.
const RESERVE_AHEAD: u64 = 4 << 20;

/// Where the encoded file goes while the window lasts.
pub enum Sink {
    Staging(StagingFile),
    Memory(Vec<u8>),
}

pub struct StagingFile {
    path: PathBuf,
    file: File,
    written: u64,
    /// Bytes whose writeback has been started.
    started: u64,
    /// Bytes of disk space reserved for the file.
    reserved: u64,
}

impl Sink {
    /// A staging file at `path`, replacing what a failed window left there.
    pub fn staging(path: PathBuf) -> io::Result<Self> {
        let file = File::create(&path)?;
        Ok(Sink::Staging(StagingFile {
            path,
            file,
            written: 0,
            started: 0,
            reserved: 0,
        }))
    }

    fn written(&self) -> u64 {
        match self {
            Sink::Staging(staging) => staging.written,
            Sink::Memory(bytes) => bytes.len() as u64,
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Memory(bytes) => bytes.write(buf),
            Sink::Staging(staging) => {
                if staging.written + buf.len() as u64 > staging.reserved {
                    staging.reserve();
                }
                let n = staging.file.write(buf)?;
                staging.written += n as u64;
                if staging.written - staging.started >= WRITEBACK_EVERY {
                    staging.start_writeback();
                }
                Ok(n)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Memory(_) => Ok(()),
            Sink::Staging(staging) => staging.file.flush(),
        }
    }
}

impl StagingFile {
    /// Reserves the next blocks before they are written (`fallocate`, keeping the size): on
    /// ext4 writeback then fills reserved (unwritten) extents instead of allocating blocks,
    /// so a journal commit of the event log's sync does not wait for Capture's data (in
    /// data=ordered mode a commit first writes the data of blocks allocated in it). Only a
    /// hint: a file system without it allocates as it writes.
    fn reserve(&mut self) {
        let from = self.reserved.max(self.written);
        let flags = rustix::fs::FallocateFlags::KEEP_SIZE;
        if rustix::fs::fallocate(&self.file, flags, from, RESERVE_AHEAD).is_ok() {
            self.reserved = from + RESERVE_AHEAD;
        } else {
            // Not asked again for this file.
            self.reserved = u64::MAX;
        }
    }

    /// Starts writing the bytes written since the last start to disk, without waiting
    /// (`POSIX_FADV_DONTNEED` starts writeback of a range's dirty pages on Linux, as
    /// PostgreSQL's `pg_flush_data` uses it where `sync_file_range` is missing); it also
    /// drops the pages once clean, which a file read back rarely needs. Only a hint: a
    /// failure leaves the work to the final sync.
    fn start_writeback(&mut self) {
        let length = std::num::NonZeroU64::new(self.written - self.started);
        let advice = rustix::fs::Advice::DontNeed;
        let _ = rustix::fs::fadvise(&self.file, self.started, length, advice);
        self.started = self.written;
    }
}

/// A window's file, finished: where its bytes are, and what it holds.
pub struct Finished {
    pub staged: Staged,
    pub size: u64,
    pub count: usize,
    /// First and last sequence number and enqueued time, when it holds events.
    pub range: Option<((i64, i64), (i64, i64))>,
}

pub enum Staged {
    /// Synced, to be renamed into place.
    File(PathBuf),
    /// To be uploaded.
    Bytes(Vec<u8>),
}

pub struct WindowFile {
    writer: CaptureWriter<Sink>,
    range: Option<((i64, i64), (i64, i64))>,
}

impl WindowFile {
    pub fn begin(codec: CaptureCodec, sink: Sink) -> Result<Self, String> {
        Ok(Self {
            writer: CaptureWriter::into_sink(codec, sink)?,
            range: None,
        })
    }

    /// Encodes `events` (in sequence order) into the file.
    pub fn append(&mut self, events: &[StoredEvent]) -> Result<(), String> {
        for event in events {
            self.writer.append(&capture_record(event))?;
            let (sequences, times) = self.range.get_or_insert((
                (event.sequence_number, event.sequence_number),
                (event.enqueued_ms, event.enqueued_ms),
            ));
            sequences.1 = event.sequence_number;
            times.1 = event.enqueued_ms;
        }
        Ok(())
    }

    /// Bytes in the file so far, not counting the block apache-avro still buffers.
    pub fn written(&self) -> u64 {
        self.writer.sink().written()
    }

    /// Writes the last block; a staging file is synced before it is handed back.
    pub fn finish(self) -> Result<Finished, String> {
        let count = self.writer.records();
        let sink = self.writer.finish()?;
        let size = sink.written();
        let staged = match sink {
            Sink::Memory(bytes) => Staged::Bytes(bytes),
            Sink::Staging(staging) => {
                let failed = |e: io::Error| format!("{}: {e}", staging.path.display());
                // The reservation past the end is given back.
                if staging.reserved > staging.written && staging.reserved != u64::MAX {
                    staging.file.set_len(staging.written).map_err(failed)?;
                }
                staging.file.sync_all().map_err(failed)?;
                Staged::File(staging.path)
            }
        };
        Ok(Finished {
            staged,
            size,
            count,
            range: self.range,
        })
    }
}
