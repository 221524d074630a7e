//! Kafka consumer groups, as the namespace's Kafka endpoint describes them: they keep their
//! offsets in the service (no blob checkpoints), so ehops reads them over Kafka and shows
//! them beside the AMQP groups, marked as Kafka (docs/kafka.md).

/// A member of a Kafka group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KafkaMember {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    /// `(topic, partition)` from the member's assignment; a topic is a hub.
    pub partitions: Vec<(String, i32)>,
}

/// A Kafka group: its state (`Stable`, `Empty`, `PreparingRebalance`, ...) and members.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KafkaGroup {
    pub group_id: String,
    pub state: String,
    pub members: Vec<KafkaMember>,
}

impl KafkaGroup {
    /// The name its lag history is kept under, apart from an AMQP group of the same name.
    pub fn history_name(&self) -> String {
        format!("{} [kafka]", self.group_id)
    }

    /// Kafka lets offsets be set only while a group has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Why Kafka will not take offsets for the group now: it has members.
    pub fn members_block(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let members: Vec<String> = self
            .members
            .iter()
            .map(|m| format!("{} ({})", m.client_id, m.host.trim_start_matches('/')))
            .collect();
        Some(format!(
            "Kafka group {} has {} member(s) ({}) and is {}: Kafka sets offsets only while a group has no members; stop its consumers first",
            self.group_id,
            members.len(),
            members.join(", "),
            self.state
        ))
    }

    /// Who reads `partition` of `hub`: `client-id (host)`.
    pub fn owner_of(&self, hub: &str, partition: i32) -> Option<String> {
        self.members
            .iter()
            .find(|m| {
                m.partitions
                    .iter()
                    .any(|(t, p)| t.eq_ignore_ascii_case(hub) && *p == partition)
            })
            .map(|m| format!("{} ({})", m.client_id, m.host.trim_start_matches('/')))
    }
}
