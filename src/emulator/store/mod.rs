//! Durable storage for the emulator: one append-only log per partition under the data
//! directory (`{data}/{namespace}/{hub}/{partition}/`), crash-safe by checksummed records and
//! `fdatasync` before acknowledgement.

mod damage;
mod partition;
mod record;
mod scan;
mod segment;
mod writer;

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Arc;

pub use damage::DamageReport;
pub use partition::{Appended, NewEvent, PartitionLog, PartitionStats};
pub use record::StoredEvent;

use super::config::EmulatorConfig;

/// Where a reader starts, as the Event Hubs start-position filter expresses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Earliest,
    Latest,
    Offset {
        offset: u64,
        inclusive: bool,
    },
    Sequence {
        sequence_number: i64,
        inclusive: bool,
    },
    Enqueued {
        unix_ms: i64,
        inclusive: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("storage failed: {0}")]
    Io(String),
    #[error("the partition log is shut down")]
    Closed,
}

/// Every partition of every configured hub.
pub struct Store {
    partitions: HashMap<PartitionKey, Arc<PartitionLog>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PartitionKey {
    namespace: String,
    hub: String,
    partition: String,
}

impl PartitionKey {
    fn new(namespace: &str, hub: &str, partition: &str) -> Self {
        PartitionKey {
            namespace: namespace.to_ascii_lowercase(),
            hub: hub.to_ascii_lowercase(),
            partition: partition.to_string(),
        }
    }
}

impl Store {
    /// Opens every partition's log, creating what is missing. Must run inside a tokio runtime:
    /// each partition gets its writer task.
    pub fn open(root: &Path, config: &EmulatorConfig) -> io::Result<Store> {
        let mut partitions = HashMap::new();
        for namespace in &config.namespaces {
            for hub in &namespace.hubs {
                for id in 0..hub.partitions {
                    let id = id.to_string();
                    let dir = root
                        .join(namespace.name.to_ascii_lowercase())
                        .join(hub.name.to_ascii_lowercase())
                        .join(&id);
                    let log = PartitionLog::open(&dir, hub.retention).map_err(|e| {
                        io::Error::new(e.kind(), format!("cannot open {}: {e}", dir.display()))
                    })?;
                    partitions.insert(PartitionKey::new(&namespace.name, &hub.name, &id), log);
                }
            }
        }
        Ok(Store { partitions })
    }

    /// Every damaged stretch found when the partitions were opened.
    pub fn damage(&self) -> Vec<DamageReport> {
        let mut reports: Vec<DamageReport> = self
            .partitions
            .values()
            .flat_map(|log| log.damage().iter().cloned())
            .collect();
        reports.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
        reports
    }

    pub fn partition(
        &self,
        namespace: &str,
        hub: &str,
        partition: &str,
    ) -> Option<&Arc<PartitionLog>> {
        self.partitions
            .get(&PartitionKey::new(namespace, hub, partition))
    }
}

#[cfg(test)]
mod tests;
