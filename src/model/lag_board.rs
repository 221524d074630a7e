//! What one sampling round found, as the console's overview shows it: per hub, each consumer
//! group's lag with its trend (one point per sample, earlier runs' samples included), and
//! the hub's ingress over the recent rounds. Built by the sampler's owner, read by the
//! frames; everything a frame needs is here, so drawing does no sums over history.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::kafka_group::KafkaGroup;
use super::lag::{ConsumerGroupLag, LagStatus};
use super::lag_history::{GroupHistory, TrendPoint};
use super::next_event::NextEventVerdict;

/// One consumer group after a round.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBoard {
    pub lag: ConsumerGroupLag,
    /// The group's events behind at each sample, oldest first (partitions summed).
    pub behind_trend: Vec<u64>,
    /// Its partitions' events behind at each sample, in the order of `lag.partitions`.
    pub partition_trends: Vec<Vec<u64>>,
    /// What each stuck partition's next event is, by partition (read by the sampler's owner).
    pub next_events: BTreeMap<String, NextEventVerdict>,
    /// A Kafka group's state and members; `None` for an AMQP group. A Kafka group's
    /// checkpoints are its committed offsets (the checkpoint is the offset before).
    pub kafka: Option<KafkaGroup>,
}

impl GroupBoard {
    /// The lag and the sparklines its history holds.
    pub fn new(lag: ConsumerGroupLag, history: &GroupHistory) -> Self {
        let mut totals: BTreeMap<u32, u64> = BTreeMap::new();
        let partition_trends = lag
            .partitions
            .iter()
            .map(|p| {
                let trend = history.partition_trend(&p.partition);
                trend
                    .into_iter()
                    .flat_map(|ring| ring.iter())
                    .map(|point: &TrendPoint| {
                        let behind = u64::from(point.events_behind);
                        *totals.entry(point.at).or_default() += behind;
                        behind
                    })
                    .collect()
            })
            .collect();
        Self {
            lag,
            behind_trend: totals.into_values().collect(),
            partition_trends,
            next_events: BTreeMap::new(),
            kafka: None,
        }
    }

    /// The board of a Kafka group.
    pub fn with_kafka(mut self, group: KafkaGroup) -> Self {
        self.kafka = Some(group);
        self
    }

    /// The group's name as lists show it: a Kafka group marked as such.
    pub fn display_name(&self) -> String {
        match &self.kafka {
            Some(_) => format!("{} [kafka]", self.lag.consumer_group),
            None => self.lag.consumer_group.clone(),
        }
    }

    pub fn status(&self) -> LagStatus {
        self.lag.worst_status()
    }
}

/// A group the round could not read, and why, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFailure {
    pub consumer_group: String,
    pub message: String,
}

/// One hub's groups after a round.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HubBoard {
    pub groups: Vec<GroupBoard>,
    pub failures: Vec<GroupFailure>,
    /// Events per second arriving on the hub at each round, oldest first.
    pub ingress_trend: Vec<u64>,
}

impl HubBoard {
    /// The most alarming status among its groups (`None` before any was sampled).
    pub fn worst_status(&self) -> Option<LagStatus> {
        self.groups.iter().map(GroupBoard::status).max()
    }

    /// The longest time behind among the groups with the worst status: among hubs equally
    /// alarming, the one that has been so longest is the likelier incident (a group stuck for
    /// minutes, not one whose consumers are still starting).
    pub fn worst_time_behind(&self) -> Option<std::time::Duration> {
        let worst = self.worst_status()?;
        self.groups
            .iter()
            .filter(|g| g.status() == worst)
            .filter_map(|g| g.lag.max_time_behind())
            .max()
    }

    /// The AMQP group of that name.
    pub fn group(&self, name: &str) -> Option<&GroupBoard> {
        (self.groups.iter()).find(|g| g.kafka.is_none() && g.lag.consumer_group == name)
    }

    /// The Kafka group of that id.
    pub fn kafka_group(&self, id: &str) -> Option<&GroupBoard> {
        (self.groups.iter()).find(|g| g.kafka.is_some() && g.lag.consumer_group == id)
    }

    /// The ids of its Kafka groups, in name order.
    pub fn kafka_group_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = (self.groups.iter())
            .filter(|g| g.kafka.is_some())
            .map(|g| g.lag.consumer_group.clone())
            .collect();
        ids.sort();
        ids
    }
}

/// Every sampled hub after the latest round.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LagBoard {
    pub sampled_at: Option<OffsetDateTime>,
    /// By namespace and hub: two namespaces may each have a hub of the same name.
    pub hubs: BTreeMap<(String, String), HubBoard>,
    /// Why the round could not read the Kafka groups, when it could not.
    pub kafka_failure: Option<String>,
}

impl LagBoard {
    pub fn hub(&self, namespace: &str, name: &str) -> Option<&HubBoard> {
        self.hubs.get(&(namespace.to_owned(), name.to_owned()))
    }
}
