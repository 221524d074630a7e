//! Who may read a partition through a consumer group, by the service's owner-level (epoch)
//! rules (docs/protocol-notes.md 1.6):
//! 1. with no receiver present any owner level is accepted;
//! 2. a level greater than or equal to the current one disconnects the receivers there
//!    (they are detached with `amqp:link:stolen`);
//! 3. a lower level is refused;
//! 4. while an owner-level receiver exists, receivers without one are refused;
//! 5. at most five receivers without an owner level per consumer group and partition.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

pub const MAX_NON_EPOCH_RECEIVERS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReaderKey {
    pub namespace: String,
    pub hub: String,
    pub consumer_group: String,
    pub partition: String,
}

impl ReaderKey {
    pub fn new(namespace: &str, hub: &str, consumer_group: &str, partition: &str) -> Self {
        ReaderKey {
            namespace: namespace.to_ascii_lowercase(),
            hub: hub.to_ascii_lowercase(),
            consumer_group: consumer_group.to_ascii_lowercase(),
            partition: partition.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A receiver with a higher owner level holds the partition.
    LowerOwnerLevel {
        current: i64,
    },
    /// An owner-level receiver holds the partition.
    OwnerLevelPresent {
        current: i64,
    },
    TooManyReceivers,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::LowerOwnerLevel { current } => write!(
                f,
                "a receiver with owner level (epoch) {current} already exists; a lower one cannot replace it"
            ),
            Refusal::OwnerLevelPresent { current } => write!(
                f,
                "a receiver with owner level (epoch) {current} already exists; receivers without an owner level are refused"
            ),
            Refusal::TooManyReceivers => write!(
                f,
                "at most {MAX_NON_EPOCH_RECEIVERS} receivers without an owner level may read one partition of a consumer group"
            ),
        }
    }
}

struct Reader {
    id: u64,
    owner_level: Option<i64>,
    /// Told why when a higher owner level takes over.
    stolen: Option<oneshot::Sender<String>>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    readers: HashMap<ReaderKey, Vec<Reader>>,
}

#[derive(Clone, Default)]
pub struct Ownership {
    inner: Arc<Mutex<Inner>>,
}

/// A registered receiver; dropping it frees its place.
pub struct Registration {
    ownership: Ownership,
    key: ReaderKey,
    id: u64,
    /// Resolves when another receiver took over the partition.
    pub stolen: oneshot::Receiver<String>,
}

impl Ownership {
    pub fn register(
        &self,
        key: ReaderKey,
        owner_level: Option<i64>,
    ) -> Result<Registration, Refusal> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.next_id += 1;
        let id = inner.next_id;
        let readers = inner.readers.entry(key.clone()).or_default();
        let current = readers.iter().filter_map(|r| r.owner_level).max();
        match (owner_level, current) {
            (Some(new), Some(current)) if new < current => {
                return Err(Refusal::LowerOwnerLevel { current });
            }
            (Some(new), _) => {
                for mut reader in readers.drain(..) {
                    if let Some(tell) = reader.stolen.take() {
                        let _ = tell.send(format!(
                            "New receiver with higher epoch of '{new}' is created hence current receiver with epoch '{}' is getting disconnected",
                            reader.owner_level.unwrap_or(0)
                        ));
                    }
                }
            }
            (None, Some(current)) => return Err(Refusal::OwnerLevelPresent { current }),
            (None, None) => {
                if readers.len() >= MAX_NON_EPOCH_RECEIVERS {
                    return Err(Refusal::TooManyReceivers);
                }
            }
        }
        let (tell, stolen) = oneshot::channel();
        readers.push(Reader {
            id,
            owner_level,
            stolen: Some(tell),
        });
        Ok(Registration {
            ownership: self.clone(),
            key,
            id,
            stolen,
        })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut inner = self
            .ownership
            .inner
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(readers) = inner.readers.get_mut(&self.key) {
            readers.retain(|r| r.id != self.id);
            if readers.is_empty() {
                inner.readers.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ReaderKey {
        ReaderKey::new("ns", "hub", "$Default", "0")
    }

    #[test]
    fn higher_owner_level_steals_and_lower_is_refused() {
        let ownership = Ownership::default();
        let mut first = ownership.register(key(), Some(1)).expect("first");
        let _second = ownership.register(key(), Some(2)).expect("higher level");
        assert!(
            first
                .stolen
                .try_recv()
                .expect("told")
                .contains("epoch of '2'")
        );
        assert_eq!(
            ownership.register(key(), Some(1)).err(),
            Some(Refusal::LowerOwnerLevel { current: 2 })
        );
        assert_eq!(
            ownership.register(key(), None).err(),
            Some(Refusal::OwnerLevelPresent { current: 2 })
        );
    }

    #[test]
    fn five_plain_receivers_at_most_and_places_are_freed() {
        let ownership = Ownership::default();
        let mut held: Vec<Registration> = (0..5)
            .map(|_| ownership.register(key(), None).expect("room"))
            .collect();
        assert_eq!(
            ownership.register(key(), None).err(),
            Some(Refusal::TooManyReceivers)
        );
        held.pop();
        assert!(ownership.register(key(), None).is_ok());
        let other = ReaderKey::new("ns", "hub", "other", "0");
        assert!(
            ownership.register(other, None).is_ok(),
            "groups are independent"
        );
    }
}
