//! State of the metadata panes: partitions (with a rate history), consumer groups and lag,
//! and the event detail.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::list::ListState;
use crate::model::{ConsumerGroupLag, PartitionInfo, TailEvent};

/// How many rate samples each partition's sparkline keeps.
pub const RATE_HISTORY: usize = 30;

#[derive(Debug, Clone, Default)]
pub struct PartitionsState {
    pub hub: String,
    pub partitions: Vec<PartitionInfo>,
    pub list: ListState,
    /// Events per second between successive samples, oldest first, per partition id.
    pub rates: BTreeMap<String, Vec<u64>>,
    sampled_at: Option<OffsetDateTime>,
}

impl PartitionsState {
    pub fn for_hub(hub: &str) -> Self {
        Self {
            hub: hub.to_owned(),
            ..Self::default()
        }
    }

    /// Takes a new sample; the rate is the sequence growth since the previous one.
    pub fn update(&mut self, partitions: Vec<PartitionInfo>, sampled_at: OffsetDateTime) {
        if let Some(before) = self.sampled_at {
            let seconds = (sampled_at - before).as_seconds_f64();
            for new in &partitions {
                let Some(old) = self.partitions.iter().find(|p| p.id == new.id) else {
                    continue;
                };
                let grown = u64::try_from(new.last_sequence - old.last_sequence).unwrap_or(0);
                let rate = if seconds > 0.0 {
                    (grown as f64 / seconds).round() as u64
                } else {
                    0
                };
                let history = self.rates.entry(new.id.clone()).or_default();
                history.push(rate);
                if history.len() > RATE_HISTORY {
                    history.remove(0);
                }
            }
        }
        self.sampled_at = Some(sampled_at);
        self.partitions = partitions;
        self.list.clamp(self.partitions.len());
    }
}

#[derive(Debug, Clone, Default)]
pub struct ConsumerGroupsState {
    pub hub: String,
    /// The hub's AMQP consumer groups.
    pub groups: Vec<String>,
    /// Its Kafka groups (from the latest lag round), listed after the AMQP groups; their lag
    /// comes from the round too.
    pub kafka_groups: Vec<String>,
    pub list: ListState,
    pub lag: Option<ConsumerGroupLag>,
    pub lag_list: ListState,
    /// Whether the lag table (not the group list) has the focus.
    pub lag_focused: bool,
}

impl ConsumerGroupsState {
    /// The selected AMQP group.
    pub fn selected_group(&self) -> Option<&str> {
        self.groups.get(self.list.selected).map(String::as_str)
    }

    /// The selected Kafka group.
    pub fn selected_kafka_group(&self) -> Option<&str> {
        let index = self.list.selected.checked_sub(self.groups.len())?;
        self.kafka_groups.get(index).map(String::as_str)
    }

    /// AMQP and Kafka groups listed.
    pub fn len(&self) -> usize {
        self.groups.len() + self.kafka_groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where the group of that name (AMQP or Kafka) is in the list.
    pub fn index_of(&self, name: &str, kafka: bool) -> Option<usize> {
        if kafka {
            let index = self.kafka_groups.iter().position(|g| g == name)?;
            Some(self.groups.len() + index)
        } else {
            self.groups.iter().position(|g| g == name)
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DetailState {
    pub event: Option<TailEvent>,
    /// The hub the event is in, when it was opened from the tail or a search: what dead-letter
    /// and replay act on. A Capture file's event may be past retention: none.
    pub hub: Option<String>,
    pub hex: bool,
    pub scroll: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(id: &str, last: i64) -> PartitionInfo {
        PartitionInfo {
            id: id.into(),
            begin_sequence: 0,
            last_sequence: last,
            last_offset: "0".into(),
            last_enqueued: None,
            is_empty: false,
        }
    }

    #[test]
    fn rates_come_from_sequence_growth() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let mut state = PartitionsState::for_hub("sale");
        state.update(vec![partition("0", 100)], t0);
        assert!(state.rates.is_empty());
        state.update(vec![partition("0", 120)], t0 + time::Duration::seconds(2));
        state.update(vec![partition("0", 120)], t0 + time::Duration::seconds(4));
        assert_eq!(state.rates["0"], [10, 0]);
    }
}
