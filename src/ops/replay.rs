//! Re-publishing events: a replay sends a range of one partition (optionally filtered) to
//! the same hub or another, each copy keeping its CloudEvent id and carrying provenance.
//! The plan and the sending are shared with redrive ([`super::redrive`]).
//!
//! Everything to send is read before anything is sent, so the dry run's count is the count
//! sent; events go one at a time, in order, at an optional rate limit, reporting progress.

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use super::provenance::{self, CopyKind, Provenance};
use crate::connect::backoff::Backoff;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::connect::producer::Producer;
use crate::connect::read::{self, RawEvent, ReadRange};
use crate::connect::sdk_error::{self, Cause};
use crate::model::{StartPosition, TailEvent};

/// Events a replay or redrive reads at most: beyond this, split the range.
pub const MAX_EVENTS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayRequest {
    pub hub: String,
    pub partition: String,
    /// The first event (inclusive).
    pub from: StartPosition,
    /// The last sequence number (inclusive); by default the partition's newest.
    pub to_sequence: Option<i64>,
    /// Only events enqueued before this instant.
    pub until: Option<OffsetDateTime>,
    /// Only events whose CloudEvents type, subject or source contains this text.
    pub filter: Option<String>,
    /// Where the copies go; the same hub by default.
    pub target_hub: String,
}

/// Whether `event` passes a replay's text filter.
pub fn matches(event: &TailEvent, filter: Option<&str>) -> bool {
    let Some(filter) = filter.filter(|f| !f.is_empty()) else {
        return true;
    };
    let needle = filter.to_lowercase();
    let ce = &event.cloud_event;
    [&ce.event_type, &ce.subject, &ce.source, &ce.id]
        .into_iter()
        .flatten()
        .any(|v| v.to_lowercase().contains(&needle))
}

/// One event to send, and where.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub original: RawEvent,
    pub target_hub: String,
    /// The partition to send to; `None` lets the partition key (or the service) decide.
    pub target_partition: Option<String>,
    pub provenance: Option<Provenance>,
}

impl Outgoing {
    fn message(&self) -> azure_core_amqp::AmqpMessage {
        match &self.provenance {
            Some(provenance) => provenance::copy_message(&self.original.message, provenance),
            None => provenance::original_message(&self.original.message),
        }
    }
}

/// A replay or redrive, ready to send.
#[derive(Debug, Clone)]
pub struct SendPlan {
    pub events: Vec<Outgoing>,
    /// Events read but left out by the filter.
    pub filtered_out: usize,
}

/// A short description of one planned event, for dry runs and `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedEvent {
    pub source_hub: String,
    pub partition: String,
    pub sequence: i64,
    pub id: Option<String>,
    pub event_type: Option<String>,
    pub target_hub: String,
    pub target_partition: Option<String>,
}

impl SendPlan {
    pub fn summary(&self) -> Vec<PlannedEvent> {
        self.events
            .iter()
            .map(|o| {
                let event = &o.original.event;
                let (source_hub, partition, sequence) = match Provenance::read(&event.properties) {
                    Some(p) if o.provenance.is_none() => (p.hub, p.partition, p.sequence),
                    _ => (
                        o.provenance
                            .as_ref()
                            .map(|p| p.hub.clone())
                            .unwrap_or_default(),
                        event.partition.clone(),
                        event.sequence,
                    ),
                };
                PlannedEvent {
                    source_hub,
                    partition,
                    sequence,
                    id: event.cloud_event.id.clone(),
                    event_type: event.cloud_event.event_type.clone(),
                    target_hub: o.target_hub.clone(),
                    target_partition: o.target_partition.clone(),
                }
            })
            .collect()
    }
}

/// Whether the message names a partition key: then the key routes it, not a partition id.
pub(super) fn has_partition_key(event: &TailEvent) -> bool {
    event
        .annotations
        .iter()
        .any(|(k, _)| k == "x-opt-partition-key")
}

/// Reads the range and builds the copies.
pub async fn plan_replay(
    plane: &DataPlane,
    request: &ReplayRequest,
) -> Result<SendPlan, ConnectError> {
    let info = plane.partition(&request.hub, &request.partition).await?;
    if info.is_empty {
        return Ok(SendPlan {
            events: Vec::new(),
            filtered_out: 0,
        });
    }
    let last = request
        .to_sequence
        .map_or(info.last_sequence, |n| n.min(info.last_sequence));
    let range = ReadRange {
        hub: request.hub.clone(),
        partition: request.partition.clone(),
        from: request.from.clone(),
        to_sequence: last,
        max: MAX_EVENTS,
        idle: Duration::from_secs(5),
    };
    let read = read::read(plane, &range).await?;
    let namespace = plane.connection().namespace.clone();
    let by = plane.connection().principal.clone();
    let same_hub = request.target_hub.eq_ignore_ascii_case(&request.hub);
    let mut events = Vec::new();
    let mut filtered_out = 0;
    for original in read {
        let event = &original.event;
        if request
            .until
            .is_some_and(|until| event.enqueued_time >= until)
        {
            break;
        }
        if !matches(event, request.filter.as_deref()) {
            filtered_out += 1;
            continue;
        }
        let mut provenance = Provenance::of(&CopyKind::Replay, &namespace, &request.hub, event);
        provenance.by = Some(by.clone());
        provenance.at = Some(OffsetDateTime::now_utc());
        let target_partition =
            (same_hub && !has_partition_key(event)).then(|| request.partition.clone());
        events.push(Outgoing {
            original,
            target_hub: request.target_hub.clone(),
            target_partition,
            provenance: Some(provenance),
        });
    }
    Ok(SendPlan {
        events,
        filtered_out,
    })
}

/// Progress of a send, after each event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub sent: usize,
    pub total: usize,
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendDone {
    pub sent: usize,
    pub total: usize,
    /// The first failure, after which nothing more was sent.
    pub error: Option<String>,
}

/// Tries of one send refused as server-busy.
const BUSY_TRIES: u32 = 8;

/// Sends one event. A send refused as `com.microsoft:server-busy` was not stored, and is tried
/// again after a jittered backoff (the service's advice: wait a while and retry); any other
/// failure ends the send where it is, so that an event whose fate is unknown (a connection
/// lost before the acknowledgement) is never sent twice.
async fn send_one(
    producer: &Producer,
    outgoing: &Outgoing,
) -> Result<(), azure_messaging_eventhubs::EventHubsError> {
    let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(4));
    loop {
        let options = azure_messaging_eventhubs::SendMessageOptions {
            partition_id: outgoing.target_partition.clone(),
        };
        match producer
            .send_message(outgoing.message(), Some(options))
            .await
        {
            Err(e)
                if sdk_error::read(&e).cause == Cause::Busy
                    && backoff.attempt() + 1 < BUSY_TRIES =>
            {
                let wait = backoff.next_delay();
                tracing::info!(hub = %outgoing.target_hub, ?wait, "send refused as busy; trying again");
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}

/// Sends the plan's events in order, at most `rate` per second when given.
pub async fn send(
    plane: &DataPlane,
    plan: &SendPlan,
    rate: Option<u32>,
    mut progress: impl FnMut(Progress),
) -> SendDone {
    let total = plan.events.len();
    let pause = rate
        .filter(|r| *r > 0)
        .map(|r| Duration::from_secs_f64(1.0 / f64::from(r)));
    let mut producers: Vec<(String, Producer)> = Vec::new();
    let mut sent = 0;
    let mut error = None;
    for outgoing in &plan.events {
        let started = tokio::time::Instant::now();
        let index = match producers
            .iter()
            .position(|(h, _)| *h == outgoing.target_hub)
        {
            Some(index) => index,
            None => match plane.open_producer(&outgoing.target_hub).await {
                Ok(producer) => {
                    producers.push((outgoing.target_hub.clone(), producer));
                    producers.len() - 1
                }
                Err(e) => {
                    error = Some(e.message);
                    break;
                }
            },
        };
        let result = send_one(&producers[index].1, outgoing).await;
        if let Err(e) = result {
            let failed = ConnectError::from_sdk(&format!("hub {}", outgoing.target_hub), &e);
            error = Some(failed.message);
            break;
        }
        sent += 1;
        progress(Progress { sent, total });
        if let Some(pause) = pause {
            tokio::time::sleep_until(started + pause).await;
        }
    }
    for (_, producer) in producers {
        let _ = producer.close().await;
    }
    SendDone { sent, total, error }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CloudEventAttributes;

    fn event(event_type: &str, subject: &str) -> TailEvent {
        TailEvent {
            enqueued_time: OffsetDateTime::UNIX_EPOCH,
            partition: "0".into(),
            sequence: 7,
            offset: "700".into(),
            cloud_event: CloudEventAttributes {
                id: Some("evt-7".into()),
                source: Some("/teams/conversions/sales".into()),
                event_type: Some(event_type.into()),
                subject: Some(subject.into()),
            },
            content_type: None,
            properties: Vec::new(),
            annotations: Vec::new(),
            body: Vec::new(),
        }
    }

    #[test]
    fn the_filter_matches_any_cloud_event_attribute_without_regard_to_case() {
        let sale = event("com.example.conversions.sale.confirmed", "acct-42");
        assert!(matches(&sale, None));
        assert!(matches(&sale, Some("")));
        assert!(matches(&sale, Some("Sale.Confirmed")));
        assert!(matches(&sale, Some("acct-42")));
        assert!(matches(&sale, Some("/teams/conversions")));
        assert!(matches(&sale, Some("evt-7")));
        assert!(!matches(&sale, Some("lead.generated")));
        let bare = TailEvent {
            cloud_event: CloudEventAttributes::default(),
            ..sale
        };
        assert!(
            !matches(&bare, Some("sale")),
            "no attributes, nothing to match"
        );
    }

    #[test]
    fn a_partition_key_routes_a_copy_instead_of_the_partition_id() {
        let mut keyed = event("t", "s");
        assert!(!has_partition_key(&keyed));
        keyed
            .annotations
            .push(("x-opt-partition-key".into(), "acct-42".into()));
        assert!(has_partition_key(&keyed));
    }
}
