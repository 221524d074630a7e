//! What the live tail's receivers last said about their links, shared by the tail's feed
//! (which writes it) and the backend (which reads it before it calls the link `connected`:
//! a catalog refresh that succeeds says nothing about a receiver that is reconnecting).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct TailLink {
    /// Partitions reconnecting, with what the status bar says about each.
    down: Arc<Mutex<BTreeMap<String, String>>>,
}

impl TailLink {
    /// Records a partition's reconnect; returns the status text for it.
    pub fn reconnecting(
        &self,
        hub: &str,
        partition: &str,
        attempt: u32,
        next_in: Duration,
    ) -> String {
        // Whole seconds, rounded up: "next in 0 s" would be a promise already broken.
        let seconds = next_in.as_secs() + u64::from(next_in.subsec_nanos() > 0);
        let text = format!(
            "reconnecting to {hub} partition {partition}, attempt {attempt}, next in {seconds} s"
        );
        self.with(|down| down.insert(partition.to_owned(), text.clone()));
        text
    }

    /// A partition receives again; returns what is still down, if anything.
    pub fn resumed(&self, partition: &str) -> Option<String> {
        self.with(|down| {
            down.remove(partition);
        });
        self.down()
    }

    /// One partition still reconnecting, as the status bar says it.
    pub fn down(&self) -> Option<String> {
        self.with(|down| down.values().next().cloned())
    }

    /// The tail stopped: its links no longer matter.
    pub fn clear(&self) {
        self.with(BTreeMap::clear);
    }

    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, String>) -> T) -> T {
        // A panic while holding the lock cannot leave the map half written: use it as is.
        let mut down = self
            .down
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut down)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_which_partition_is_reconnecting_until_every_one_is_back() {
        let link = TailLink::default();
        let text = link.reconnecting("sale", "1", 3, Duration::from_millis(3200));
        assert_eq!(
            text,
            "reconnecting to sale partition 1, attempt 3, next in 4 s"
        );
        link.reconnecting("sale", "2", 1, Duration::from_secs(1));
        assert!(link.resumed("1").is_some_and(|t| t.contains("partition 2")));
        assert_eq!(link.resumed("2"), None);
        assert_eq!(link.down(), None);
    }
}
