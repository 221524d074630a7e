//! How far one partition's capture got, kept so that a restart neither loses nor repeats an
//! event. Before a file is made visible the record names it and the sequence numbers it
//! holds (`pending`). At start a pending file that is visible counts as written, one that is
//! not is written again: a crash at any point leaves each event in exactly one visible file.
//!
//! `{data}/capture-progress/{namespace}/{hub}/{partition}.progress`: two slots of one block
//! each, written in turn in place and synced with `fdatasync`. Writing in place changes no
//! file system metadata, so the sync writes one block and commits no journal transaction (a
//! new file renamed over the old one took two journal commits per window, which the event
//! log's own syncs waited behind). Each slot carries a generation and a CRC: a write torn by
//! a crash leaves the other slot, the record before it, which is still true (its file was
//! made visible before this record was begun). A `{partition}.json` of an older emulator is
//! read when there is no slot file yet.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::directory::sync_dir;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The first sequence number not yet in a visible file; `None` before the first file.
    pub next: Option<i64>,
    pub pending: Option<Pending>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub name: String,
    pub first: i64,
    pub last: i64,
}

/// One slot per file system block, so a torn write touches one slot only.
const SLOT: u64 = 4096;
const MAGIC: &[u8; 4] = b"EHCP";
/// Magic, generation, payload length, CRC.
const HEADER: usize = 4 + 8 + 4 + 4;

#[derive(Debug, Clone)]
pub struct ProgressFile {
    path: PathBuf,
    /// The generation of the newest slot written or read; 0 before any.
    generation: Arc<AtomicU64>,
}

impl ProgressFile {
    pub fn new(data_dir: &Path, namespace: &str, hub: &str, partition: &str) -> Self {
        let path = data_dir
            .join("capture-progress")
            .join(namespace.to_ascii_lowercase())
            .join(hub.to_ascii_lowercase())
            .join(format!("{partition}.progress"));
        Self {
            path,
            generation: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The newest intact record; a missing file is a partition never captured. A file with
    /// no intact slot is an error: guessing would lose or repeat events.
    pub fn load(&self) -> io::Result<Progress> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return self.load_older(),
            Err(e) => return Err(e),
        };
        let newest = (0..2)
            .filter_map(|slot| read_slot(&file, slot))
            .max_by_key(|(generation, _)| *generation);
        let Some((generation, progress)) = newest else {
            return Err(io::Error::other(format!(
                "{} holds no intact progress record",
                self.path.display()
            )));
        };
        self.generation.store(generation, Ordering::SeqCst);
        Ok(progress)
    }

    /// The JSON record an older emulator replaced by rename.
    fn load_older(&self) -> io::Result<Progress> {
        let older = self.path.with_extension("json");
        match std::fs::read(&older) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| io::Error::other(format!("{} does not parse: {e}", older.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(e) => Err(e),
        }
    }

    /// Writes `progress` over the older slot and syncs it.
    pub fn save(&self, progress: &Progress) -> io::Result<()> {
        let payload = serde_json::to_vec(progress).map_err(io::Error::other)?;
        if HEADER + payload.len() > SLOT as usize {
            return Err(io::Error::other(format!(
                "a progress record of {} bytes does not fit a slot",
                payload.len()
            )));
        }
        let file = self.open_or_create()?;
        let generation = self.generation.load(Ordering::SeqCst) + 1;
        let mut slot = Vec::with_capacity(HEADER + payload.len());
        slot.extend_from_slice(MAGIC);
        slot.extend_from_slice(&generation.to_le_bytes());
        slot.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        slot.extend_from_slice(&checksum(generation, &payload).to_le_bytes());
        slot.extend_from_slice(&payload);
        file.write_all_at(&slot, (generation % 2) * SLOT)?;
        file.sync_data()?;
        self.generation.store(generation, Ordering::SeqCst);
        Ok(())
    }

    /// The slot file; made (both slots allocated, the file and its directory synced) the
    /// first time, so later saves change no metadata.
    fn open_or_create(&self) -> io::Result<File> {
        match OpenOptions::new().write(true).open(&self.path) {
            Ok(file) => return Ok(file),
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            Err(_) => {}
        }
        let dir = self
            .path
            .parent()
            .ok_or_else(|| io::Error::other("progress path has no directory"))?;
        std::fs::create_dir_all(dir)?;
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.path)?;
        file.write_all_at(&[0; 2 * SLOT as usize], 0)?;
        file.sync_all()?;
        sync_dir(dir)?;
        Ok(file)
    }
}

fn checksum(generation: u64, payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&generation.to_le_bytes());
    hasher.update(payload);
    hasher.finalize()
}

/// The slot's generation and record, if it is intact.
fn read_slot(file: &File, slot: u64) -> Option<(u64, Progress)> {
    let mut bytes = vec![0; SLOT as usize];
    file.read_exact_at(&mut bytes, slot * SLOT).ok()?;
    if &bytes[..4] != MAGIC {
        return None;
    }
    let generation = u64::from_le_bytes(bytes[4..12].try_into().ok()?);
    let len = u32::from_le_bytes(bytes[12..16].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(bytes[16..20].try_into().ok()?);
    let payload = bytes.get(HEADER..HEADER + len)?;
    if checksum(generation, payload) != crc {
        return None;
    }
    Some((generation, serde_json::from_slice(payload).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(first: i64) -> Progress {
        Progress {
            next: Some(first),
            pending: Some(Pending {
                name: format!("ns/hub/0/{first}.avro"),
                first,
                last: first + 9,
            }),
        }
    }

    #[test]
    fn the_newest_record_wins_across_restarts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = ProgressFile::new(dir.path(), "ns", "hub", "0");
        assert_eq!(file.load().expect("none yet"), Progress::default());
        for first in [0, 10, 20] {
            file.save(&pending(first)).expect("saved");
        }
        let again = ProgressFile::new(dir.path(), "ns", "hub", "0");
        assert_eq!(again.load().expect("loads"), pending(20));
        again.save(&pending(30)).expect("saved after a restart");
        let third = ProgressFile::new(dir.path(), "ns", "hub", "0");
        assert_eq!(third.load().expect("loads"), pending(30));
    }

    #[test]
    fn a_torn_write_leaves_the_record_before_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = ProgressFile::new(dir.path(), "ns", "hub", "0");
        file.save(&pending(0)).expect("saved");
        file.save(&pending(10)).expect("saved");
        // The newest slot (generation 2, slot 0) half written by a crash.
        let raw = OpenOptions::new()
            .write(true)
            .open(file.path())
            .expect("open");
        raw.write_all_at(&[0xAB; 40], 10).expect("tear");
        let again = ProgressFile::new(dir.path(), "ns", "hub", "0");
        assert_eq!(again.load().expect("loads"), pending(0));
    }

    #[test]
    fn an_older_emulators_json_record_is_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = ProgressFile::new(dir.path(), "ns", "hub", "0");
        let older = file.path().with_extension("json");
        std::fs::create_dir_all(older.parent().expect("dir")).expect("dirs");
        let json = serde_json::to_vec(&pending(40)).expect("json");
        std::fs::write(&older, json).expect("write");
        assert_eq!(file.load().expect("loads"), pending(40));
    }
}
