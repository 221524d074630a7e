//! Lag history on disk, so that the console reopened an hour later, and `ehops watch --once`
//! run from cron, still know what the lag did before.
//!
//! Layout: `{data}/lag-history/{namespace}/{hub}/{group}/{YYYY-MM-DDTHH}.jsonl`, one line per
//! sample of the group (its totals and each partition), one file per UTC hour. Each name is
//! percent-encoded into a single path component, so no hub or group name can leave the
//! directory. Files older than [`KEEP`] are deleted as new hours begin. A line that does not
//! parse (a torn write, a hand edit) is skipped and counted; the others still load.

use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::{ConsumerGroupLag, GroupHistory, PartitionPoint, TrendPoint};

/// How much history is kept on disk.
pub const KEEP: Duration = Duration::from_secs(25 * 3_600);

/// One recorded sample of a group, as stored and as `ehops lag --history --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSample {
    /// Unix seconds.
    pub at: i64,
    pub hub: String,
    pub consumer_group: String,
    pub events_behind: u64,
    /// The longest time behind among the partitions, in seconds.
    pub time_behind_secs: Option<u64>,
    pub status: String,
    pub partitions: Vec<StoredPartition>,
}

/// One partition of a stored sample. On disk a compact array (a line holds every partition
/// of the group, so names would triple its size): `[id, last, processed, behind, time
/// behind]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "PartitionRow", into = "PartitionRow")]
pub struct StoredPartition {
    pub id: String,
    pub last_sequence: i64,
    pub processed_sequence: i64,
    pub events_behind: u64,
    pub time_behind_secs: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct PartitionRow(String, i64, i64, u64, Option<u64>);

impl From<PartitionRow> for StoredPartition {
    fn from(
        PartitionRow(id, last_sequence, processed_sequence, events_behind, time_behind_secs): PartitionRow,
    ) -> Self {
        Self {
            id,
            last_sequence,
            processed_sequence,
            events_behind,
            time_behind_secs,
        }
    }
}

impl From<StoredPartition> for PartitionRow {
    fn from(p: StoredPartition) -> Self {
        PartitionRow(
            p.id,
            p.last_sequence,
            p.processed_sequence,
            p.events_behind,
            p.time_behind_secs,
        )
    }
}

impl StoredSample {
    pub fn of(lag: &ConsumerGroupLag) -> Self {
        Self {
            at: lag.sampled_at.unix_timestamp(),
            hub: lag.hub.clone(),
            consumer_group: lag.consumer_group.clone(),
            events_behind: lag.total_behind(),
            time_behind_secs: lag.max_time_behind().map(|d| d.as_secs()),
            status: lag.worst_status().key().to_owned(),
            partitions: lag
                .partitions
                .iter()
                .map(|p| StoredPartition {
                    id: p.partition.clone(),
                    last_sequence: p.last_enqueued_sequence,
                    processed_sequence: p.processed_sequence(),
                    events_behind: p.events_behind,
                    time_behind_secs: p.time_behind.map(|d| d.as_secs()),
                })
                .collect(),
        }
    }
}

/// What loading a group's history found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub samples: Vec<StoredSample>,
    /// Lines that did not parse and were skipped.
    pub skipped: usize,
}

impl Loaded {
    /// The in-memory history these samples make.
    pub fn history(&self) -> GroupHistory {
        let mut history = GroupHistory::default();
        for sample in &self.samples {
            for p in &sample.partitions {
                let point = PartitionPoint {
                    at: sample.at,
                    last_sequence: p.last_sequence,
                    processed_sequence: p.processed_sequence,
                    events_behind: p.events_behind,
                };
                history.restore_partition(
                    &p.id,
                    point,
                    p.time_behind_secs.map(Duration::from_secs),
                );
            }
            history.record_total(TrendPoint::new(
                sample.at,
                sample.events_behind,
                sample.time_behind_secs.map(Duration::from_secs),
            ));
            history.record_arrivals(
                sample.at,
                sample.partitions.iter().map(|p| p.last_sequence).sum(),
            );
        }
        history
    }
}

/// The lag history under one data directory.
#[derive(Debug, Clone)]
pub struct HistoryStore {
    root: PathBuf,
}

impl HistoryStore {
    pub fn new(data: &Path) -> Self {
        Self {
            root: data.join("lag-history"),
        }
    }

    fn group_dir(&self, namespace: &str, hub: &str, group: &str) -> PathBuf {
        self.root
            .join(component(namespace))
            .join(component(hub))
            .join(component(group))
    }

    /// Appends one sample; the first sample of a new hour also deletes hours past [`KEEP`].
    pub fn append(&self, namespace: &str, lag: &ConsumerGroupLag) -> io::Result<()> {
        let dir = self.group_dir(namespace, &lag.hub, &lag.consumer_group);
        fs::create_dir_all(&dir)?;
        let path = dir.join(hour_file(lag.sampled_at));
        let new_hour = !path.exists();
        let mut line = serde_json::to_vec(&StoredSample::of(lag)).map_err(io::Error::other)?;
        line.push(b'\n');
        // One write call per line: a crash leaves at most one torn line, which loading skips.
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?
            .write_all(&line)?;
        if new_hour {
            prune(&dir, lag.sampled_at)?;
        }
        Ok(())
    }

    /// The group's samples since `since`, oldest first.
    pub fn load(
        &self,
        namespace: &str,
        hub: &str,
        group: &str,
        since: OffsetDateTime,
    ) -> io::Result<Loaded> {
        let dir = self.group_dir(namespace, hub, group);
        let mut files = match fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .collect::<Vec<_>>(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Loaded::default()),
            Err(e) => return Err(e),
        };
        // Hour names sort in time order.
        files.sort();
        let first_hour = hour_file(since);
        let mut loaded = Loaded::default();
        for path in files {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name < first_hour.as_str() {
                continue;
            }
            for line in BufReader::new(fs::File::open(&path)?).lines() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<StoredSample>(&line) {
                    Ok(sample) if sample.at >= since.unix_timestamp() => {
                        loaded.samples.push(sample)
                    }
                    Ok(_) => {}
                    Err(_) => loaded.skipped += 1,
                }
            }
        }
        loaded.samples.sort_by_key(|s| s.at);
        Ok(loaded)
    }
}

/// `2026-12-06T09.jsonl`: sorts in time order.
fn hour_file(at: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}.jsonl",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour()
    )
}

fn prune(dir: &Path, now: OffsetDateTime) -> io::Result<()> {
    let oldest_kept = hour_file(now - KEEP);
    for entry in fs::read_dir(dir)?.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.ends_with(".jsonl") && name < oldest_kept.as_str() {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// A name as one safe path component: letters, digits, `-` and `_` stay, every other byte
/// becomes `%XX` (so `.`, `..`, `/` and `\` cannot mean anything to the file system).
fn component(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    if out.is_empty() {
        out.push('%');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Checkpoint, LagPolicy, LagSnapshot, Ownership, PartitionLagSample};

    fn lag(at: i64, last: i64, checkpoint: i64) -> ConsumerGroupLag {
        let now = OffsetDateTime::from_unix_timestamp(at).expect("time");
        let snapshot = LagSnapshot {
            hub: "sale".into(),
            consumer_group: "crm-sync".into(),
            sampled_at: now,
            partitions: vec![PartitionLagSample {
                partition: "1".into(),
                begin_sequence: 0,
                last_enqueued_sequence: last,
                last_enqueued_time: Some(now),
                next_unprocessed_time: Some(now - time::Duration::seconds(40)),
                checkpoint: Some(Checkpoint {
                    sequence: checkpoint,
                    offset: "0".into(),
                    updated_at: now,
                }),
                ownership: Some(Ownership {
                    owner_id: "o".into(),
                    renewed_at: now,
                }),
            }],
        };
        let policy = LagPolicy {
            retention: Duration::from_secs(86_400),
            stuck_after: Duration::from_secs(300),
        };
        ConsumerGroupLag::compute(&snapshot, None, policy)
    }

    #[test]
    fn samples_round_trip_and_rebuild_the_history() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = HistoryStore::new(dir.path());
        // At the start of a minute, so the four samples share one trend bucket.
        let t0 = 1_764_999_960;
        for i in 0..5 {
            store
                .append("ns", &lag(t0 + i * 10, 100 + i * 3, 90))
                .expect("append");
        }
        let since = OffsetDateTime::from_unix_timestamp(t0 + 10).expect("time");
        let loaded = store.load("ns", "sale", "crm-sync", since).expect("load");
        assert_eq!(loaded.skipped, 0);
        let ats: Vec<i64> = loaded.samples.iter().map(|s| s.at).collect();
        assert_eq!(ats, vec![t0 + 10, t0 + 20, t0 + 30, t0 + 40]);
        assert_eq!(loaded.samples[3].events_behind, 22);
        assert_eq!(loaded.samples[3].time_behind_secs, Some(40));
        let history = loaded.history();
        let points = history.partition("1").expect("partition history");
        assert_eq!(points.last().map(|p| p.processed_sequence), Some(90));
        assert_eq!(
            history.trend.len(),
            1,
            "four samples within one minute make one bucket"
        );
    }

    #[test]
    fn a_torn_line_is_skipped_and_the_rest_loads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = HistoryStore::new(dir.path());
        let t0 = 1_765_000_000;
        store.append("ns", &lag(t0, 100, 90)).expect("append");
        let file = store.group_dir("ns", "sale", "crm-sync").join(hour_file(
            OffsetDateTime::from_unix_timestamp(t0).expect("time"),
        ));
        let mut f = OpenOptions::new().append(true).open(&file).expect("open");
        f.write_all(b"{\"at\":17650").expect("write torn line");
        f.write_all(b"\n").expect("write");
        drop(f);
        store.append("ns", &lag(t0 + 10, 103, 90)).expect("append");
        let since = OffsetDateTime::from_unix_timestamp(t0 - 1).expect("time");
        let loaded = store.load("ns", "sale", "crm-sync", since).expect("load");
        assert_eq!(loaded.skipped, 1);
        assert_eq!(loaded.samples.len(), 2);
    }

    #[test]
    fn hostile_names_stay_inside_the_directory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = HistoryStore::new(dir.path());
        let path = store.group_dir("..", "../../etc", "a/b\\c");
        assert!(path.starts_with(dir.path().join("lag-history")));
        let components: Vec<_> = path
            .strip_prefix(dir.path())
            .expect("inside")
            .components()
            .collect();
        assert_eq!(components.len(), 4, "{path:?}");
        assert!(
            components
                .iter()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        );
    }

    #[test]
    fn hours_past_the_keep_window_are_deleted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = HistoryStore::new(dir.path());
        let t0 = 1_765_000_000;
        store.append("ns", &lag(t0, 100, 90)).expect("append");
        store
            .append("ns", &lag(t0 + 26 * 3_600, 100, 90))
            .expect("append a day later");
        let files = fs::read_dir(store.group_dir("ns", "sale", "crm-sync"))
            .expect("dir")
            .count();
        assert_eq!(files, 1);
    }
}
