//! `ehops deadletter HUB --partition P --kafka-group G ...`: dead-letter and
//! checkpoint-on-error for a Kafka consumer group, by committing past the poison event
//! (docs/kafka.md). The plan, the copy with provenance, the permission check and the audit are
//! the AMQP group's (`ops::dead_letter`), over the group's committed offsets
//! ([`KafkaOffsets`]); what differs is here: the group is described first, and Kafka takes the
//! commit only while the group has no members, which the dry run says and executing enforces.

use serde_json::json;

use super::incident::{self, Incident};
use super::kafka_lag;
use crate::connect::error::ConnectError;
use crate::connect::kafka::{KafkaAdmin, KafkaOffsets};
use crate::model::KafkaGroup;

/// The Kafka group an action moves, and its offsets as a checkpoint store.
pub struct KafkaTarget {
    pub group: KafkaGroup,
    pub offsets: KafkaOffsets,
}

impl KafkaTarget {
    /// Connects to the namespace's Kafka endpoint and describes the group.
    pub async fn open(incident: &Incident, group_id: &str) -> Result<Self, ConnectError> {
        let endpoint = kafka_lag::endpoint(&incident.target).ok_or_else(|| {
            ConnectError::usage(
                "Kafka groups need the namespace's Kafka endpoint: on an emulator pass --kafka-endpoint HOST:PORT (its `kafka` address)",
            )
        })?;
        let mut admin = KafkaAdmin::connect(&endpoint).await?;
        let group = admin.describe(group_id).await?;
        Ok(Self {
            group,
            offsets: KafkaOffsets::new(admin, group_id),
        })
    }

    /// How the group is named in the plan, the copy's provenance and the audit trail.
    pub fn label(&self) -> String {
        format!("{} (kafka)", self.group.group_id)
    }

    /// The group's state and members, and whether they block the commit, after the plan.
    pub fn show(&self, json: bool) {
        let blocked = self.group.members_block();
        if json {
            incident::print_json(&json!({
                "protocol": "kafka",
                "consumer_group": self.group.group_id,
                "state": self.group.state,
                "members": self.group.members,
                "blocked": blocked,
            }));
            return;
        }
        println!(
            "kafka group {}: {}, {} member(s); the move is a commit of the next offset",
            self.group.group_id,
            self.group.state,
            self.group.members.len()
        );
        if let Some(reason) = blocked {
            println!("cannot execute now: {reason}");
        }
    }
}
