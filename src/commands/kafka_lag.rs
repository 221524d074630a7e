//! The Kafka groups in `ehops lag`, beside the AMQP groups and marked as Kafka: the group's
//! state, each partition's committed offset, events and time behind, the member reading it,
//! and the same statuses (docs/kafka.md). Groups with committed offsets and no members are
//! listed too.

use serde::Serialize;

use super::output;
use super::target::Target;
use crate::connect::error::ConnectError;
use crate::connect::kafka::{KafkaAdmin, KafkaEndpoint};
use crate::model::{KafkaMember, PartitionLag, duration_text};
use crate::ops::kafka_groups::{self, KafkaGroupLag};
use crate::ops::lag_sampler::HubGroups;

#[derive(Serialize)]
struct KafkaLagLine<'a> {
    protocol: &'static str,
    hub: &'a str,
    consumer_group: &'a str,
    state: &'a str,
    partition: &'a str,
    last_sequence: i64,
    committed_offset: Option<i64>,
    events_behind: u64,
    time_behind_secs: Option<u64>,
    owner: Option<&'a str>,
    members: &'a [KafkaMember],
    status: &'static str,
}

/// The namespace's Kafka endpoint, when ehops can sign in to it (see [`Target::kafka`]).
pub fn endpoint(target: &Target) -> Option<KafkaEndpoint> {
    target.kafka.clone()
}

/// Samples the Kafka groups on `hubs` (or only `only`).
pub async fn sample(
    endpoint: &KafkaEndpoint,
    target: &Target,
    hubs: &[HubGroups],
    only: Option<&str>,
) -> Result<Vec<KafkaGroupLag>, ConnectError> {
    let mut admin = KafkaAdmin::connect(endpoint).await?;
    kafka_groups::sample(&target.plane, &mut admin, hubs, only).await
}

/// One row (or JSON line) per group, hub and partition.
pub fn print(groups: &[KafkaGroupLag], json: bool, table: &mut output::Table) {
    for group in groups {
        let name = &group.group.group_id;
        for lag in &group.lags {
            for p in &lag.partitions {
                if json {
                    output::json_line(&line(group, &lag.hub, p));
                } else {
                    table.row(cells(group, &lag.hub, name, p));
                }
            }
        }
    }
}

fn cells(group: &KafkaGroupLag, hub: &str, name: &str, p: &PartitionLag) -> Vec<String> {
    let opt = |d: Option<std::time::Duration>| d.map_or_else(|| "-".to_owned(), duration_text);
    vec![
        hub.to_owned(),
        format!("{name} [kafka]"),
        p.partition.clone(),
        p.last_enqueued_sequence.to_string(),
        KafkaGroupLag::committed(p).map_or_else(|| "-".to_owned(), |o| o.to_string()),
        p.events_behind.to_string(),
        opt(p.time_behind),
        "-".to_owned(),
        p.owner_id
            .clone()
            .unwrap_or_else(|| format!("- ({})", group.group.state)),
        p.status.label().to_owned(),
        String::new(),
    ]
}

fn line<'a>(group: &'a KafkaGroupLag, hub: &'a str, p: &'a PartitionLag) -> KafkaLagLine<'a> {
    KafkaLagLine {
        protocol: "kafka",
        hub,
        consumer_group: &group.group.group_id,
        state: &group.group.state,
        partition: &p.partition,
        last_sequence: p.last_enqueued_sequence,
        committed_offset: KafkaGroupLag::committed(p),
        events_behind: p.events_behind,
        time_behind_secs: p.time_behind.map(|d| d.as_secs()),
        owner: p.owner_id.as_deref(),
        members: &group.group.members,
        status: p.status.key(),
    }
}
