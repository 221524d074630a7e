//! The registry's persistence: an append-only log of registrations, one JSON object per line
//! (`{data}/registry/registrations.jsonl`), each appended and flushed to the disk (fsync)
//! before the registration is acknowledged. A registration costs the size of its schema, not
//! of the registry (the whole-file rewrite it replaces took 12 ms, and 199 ms at 50 MB).
//!
//! A crash can leave only the last line torn: it was never acknowledged, so opening cuts it
//! off. Any other line that does not read is damage the registry will not guess around: the
//! open fails naming the file and line.
//!
//! The previous layout, one `schemas.json` rewritten per registration, is turned into a log
//! the first time it is opened (written aside, flushed, renamed into place, then the old file
//! removed, so a crash at any step leaves one complete copy).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::store::Version;

const LOG_FILE: &str = "registrations.jsonl";
const LEGACY_FILE: &str = "schemas.json";

/// One registration: a new version of `name` in `group`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    pub group: String,
    pub name: String,
    #[serde(flatten)]
    pub version: Version,
}

pub struct RegistrationLog {
    file: File,
}

impl RegistrationLog {
    /// Opens (or starts) the log in `dir`, with every registration it holds, oldest first.
    pub fn open(dir: &Path) -> io::Result<(Self, Vec<Record>)> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(LOG_FILE);
        let legacy = dir.join(LEGACY_FILE);
        if !path.exists() && legacy.exists() {
            migrate(&legacy, &path)?;
        }
        let records = match std::fs::read(&path) {
            Ok(bytes) => read_records(&path, &bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let created = !path.exists();
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        if created {
            sync_dir(dir)?;
        }
        if legacy.exists() {
            // Migrated before a crash kept the old file from going: the log has it all.
            std::fs::remove_file(&legacy)?;
        }
        Ok((RegistrationLog { file }, records))
    }

    /// Appends one registration and waits until it is on the disk.
    pub fn append(&mut self, record: &Record) -> io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()
    }
}

/// The records of a log file's bytes; a torn last line (no newline after it) is cut off the
/// file, as a crash mid-append leaves it.
fn read_records(path: &Path, bytes: &[u8]) -> io::Result<Vec<Record>> {
    let complete = bytes
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |last| last + 1);
    if complete < bytes.len() {
        tracing::warn!(file = %path.display(), "cutting off a registration a crash left unfinished");
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(complete as u64)?;
        file.sync_all()?;
    }
    let mut records = Vec::new();
    for (index, line) in bytes[..complete].split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let record = serde_json::from_slice(line).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}:{}: not a registration record ({e}); the registry will not start on a damaged log",
                    path.display(),
                    index + 1
                ),
            )
        })?;
        records.push(record);
    }
    Ok(records)
}

/// The old layout: group -> schema name -> versions, oldest first.
#[derive(Deserialize)]
struct Legacy {
    groups: BTreeMap<String, BTreeMap<String, Vec<Version>>>,
}

fn migrate(legacy: &Path, log: &Path) -> io::Result<()> {
    let bytes = std::fs::read(legacy)?;
    let old: Legacy = serde_json::from_slice(&bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a registry file: {e}", legacy.display()),
        )
    })?;
    let mut text = Vec::new();
    for (group, schemas) in old.groups {
        for (name, versions) in schemas {
            for version in versions {
                let record = Record {
                    group: group.clone(),
                    name: name.clone(),
                    version,
                };
                serde_json::to_writer(&mut text, &record).map_err(io::Error::other)?;
                text.push(b'\n');
            }
        }
    }
    let aside = log.with_extension("jsonl.tmp");
    let mut file = File::create(&aside)?;
    file.write_all(&text)?;
    file.sync_all()?;
    std::fs::rename(&aside, log)?;
    sync_dir(log.parent().unwrap_or(Path::new(".")))
}

/// A new or renamed file's directory entry must reach the disk too.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(version: u32, content: &str) -> Record {
        Record {
            group: "g".into(),
            name: "n".into(),
            version: Version {
                id: format!("{version:032}"),
                version,
                format: "Avro".into(),
                content: content.into(),
            },
        }
    }

    #[test]
    fn a_torn_last_line_is_cut_off_and_appending_goes_on_after_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut log, records) = RegistrationLog::open(dir.path()).expect("opens");
        assert!(records.is_empty());
        log.append(&record(1, "one\ntwo")).expect("appends");
        let path = dir.path().join(LOG_FILE);
        drop(log);
        let mut file = OpenOptions::new().append(true).open(&path).expect("file");
        file.write_all(br#"{"group":"g","name":"n","id":"0"#)
            .expect("a torn write");
        drop(file);

        let (mut log, records) = RegistrationLog::open(dir.path()).expect("reopens");
        assert_eq!(records, vec![record(1, "one\ntwo")]);
        log.append(&record(2, "three")).expect("appends");
        drop(log);
        let (_, records) = RegistrationLog::open(dir.path()).expect("reopens");
        assert_eq!(records, vec![record(1, "one\ntwo"), record(2, "three")]);
    }

    #[test]
    fn a_damaged_line_in_the_middle_stops_the_open_naming_the_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let good = serde_json::to_string(&record(1, "x")).expect("encodes");
        std::fs::write(
            dir.path().join(LOG_FILE),
            format!("{good}\nnot json\n{good}\n"),
        )
        .expect("write");
        let error = RegistrationLog::open(dir.path())
            .err()
            .expect("refuses a damaged log");
        assert!(
            error.to_string().contains("registrations.jsonl:2:"),
            "{error}"
        );
    }

    #[test]
    fn the_old_single_file_becomes_a_log_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let old = r#"{"groups":{"g":{"n":[{"id":"00000000000000000000000000000001","version":1,"format":"Avro","content":"one"}]}}}"#;
        std::fs::write(dir.path().join(LEGACY_FILE), old).expect("write");
        let (_, records) = RegistrationLog::open(dir.path()).expect("migrates");
        assert_eq!(records, vec![record(1, "one")]);
        assert!(!dir.path().join(LEGACY_FILE).exists());
        let (_, again) = RegistrationLog::open(dir.path()).expect("reopens");
        assert_eq!(again, records);
    }
}
