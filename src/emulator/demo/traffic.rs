//! The demo's producers: one task per team publishing its business events as CloudEvents
//! ([`super::cloudevents`]) straight into the store, at a few events a second per hub, after
//! seeding a stretch of history into hubs that are still empty so the console has something to
//! show at once.
//!
//! **The poison event.** When the `sale` hub is seeded, one `com.example.conversions.sale.confirmed`
//! event with a normal CloudEvents envelope but a corrupt Avro body (a valid record cut in
//! half) goes into **sale partition 1** ([`POISON_PARTITION`]), about 70% of the way through
//! that partition's history. `crm-sync` cannot decode it and stops there
//! ([`super::consumers`]): the incident the console exists for. It is seeded only into an
//! empty hub, so it is there once per data directory; skipping it with a checkpoint reset
//! resolves the incident for good.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::emulator::amqp::partition_key::partition_for_key;
use crate::emulator::config::NamespaceConfig;
use crate::emulator::store::{NewEvent, Store, StoreError};

use super::cloudevents::{self, Envelope, Mode};
use super::events::{self, EventKind, KINDS};
use super::random::Rng;
use super::records::sale_confirmed_for;
use super::{avro, now_ms};

/// The `sale` partition that holds the poison event.
pub const POISON_PARTITION: u32 = 1;
/// How far back the seeded history's CloudEvents `time`s reach (they are enqueued at start).
const HISTORY_SPAN_MS: i64 = 10 * 60 * 1000;
/// Events per append when seeding: one durable write each.
const SEED_CHUNK: usize = 256;

#[derive(Debug, Clone)]
pub struct TrafficSettings {
    /// Across all hubs; each team gets its share by its events' weights.
    pub events_per_second: f64,
    /// Events seeded across the empty business hubs at start.
    pub history_events: usize,
    /// The share of events published in structured JSON mode rather than binary Avro.
    pub structured_share: f64,
}

impl Default for TrafficSettings {
    fn default() -> Self {
        TrafficSettings {
            events_per_second: 20.0,
            history_events: 4_000,
            structured_share: 0.1,
        }
    }
}

/// Where the demo publishes: the store and the demo namespace's hubs.
#[derive(Clone)]
pub struct Publisher {
    pub store: Arc<Store>,
    pub namespace: String,
    /// Partition counts of the business hubs the namespace has.
    pub partitions: BTreeMap<&'static str, u32>,
}

impl Publisher {
    pub fn new(store: Arc<Store>, namespace: &NamespaceConfig) -> Publisher {
        let partitions = events::business_hubs()
            .into_iter()
            .filter_map(|hub| Some((hub, namespace.hub(hub)?.partitions)))
            .collect();
        Publisher {
            store,
            namespace: namespace.name.clone(),
            partitions,
        }
    }

    fn kinds_of(&self, team: &str) -> Vec<&'static EventKind> {
        KINDS
            .iter()
            .filter(|k| k.team == team && self.partitions.contains_key(k.hub))
            .collect()
    }

    fn is_empty(&self, hub: &str) -> bool {
        let count = self.partitions.get(hub).copied().unwrap_or(0);
        (0..count).all(|p| {
            self.store
                .partition(&self.namespace, hub, &p.to_string())
                .is_none_or(|log| log.stats().is_empty)
        })
    }

    async fn append(
        &self,
        hub: &str,
        partition: u32,
        events: Vec<NewEvent>,
    ) -> Result<(), StoreError> {
        let log = self
            .store
            .partition(&self.namespace, hub, &partition.to_string())
            .ok_or(StoreError::Closed)?;
        log.append(events).await.map(|_| ())
    }
}

/// Starts one publishing task per team that has hubs here.
pub fn start(
    publisher: Publisher,
    settings: TrafficSettings,
    rng: &mut Rng,
) -> Vec<tokio::task::JoinHandle<()>> {
    let total: u32 = KINDS
        .iter()
        .filter(|k| publisher.partitions.contains_key(k.hub))
        .map(|k| k.weight)
        .sum();
    let mut teams: Vec<&str> = KINDS.iter().map(|k| k.team).collect();
    teams.dedup();
    teams
        .into_iter()
        .filter_map(|team| {
            let kinds = publisher.kinds_of(team);
            let weight: u32 = kinds.iter().map(|k| k.weight).sum();
            if kinds.is_empty() || total == 0 {
                return None;
            }
            let share = f64::from(weight) / f64::from(total);
            let rate = settings.events_per_second * share;
            let history = (settings.history_events as f64 * share) as usize;
            let publisher = publisher.clone();
            let settings = settings.clone();
            let rng = Rng::seeded(rng.next_u64());
            Some(tokio::spawn(async move {
                run_team(
                    publisher,
                    kinds,
                    rate,
                    history,
                    settings.structured_share,
                    rng,
                )
                .await;
            }))
        })
        .collect()
}

async fn run_team(
    publisher: Publisher,
    kinds: Vec<&'static EventKind>,
    rate: f64,
    history: usize,
    structured_share: f64,
    mut rng: Rng,
) {
    if let Err(error) = seed_history(&publisher, &kinds, history, structured_share, &mut rng).await
    {
        tracing::warn!(%error, "demo history not seeded");
    }
    if rate <= 0.0 {
        return;
    }
    loop {
        // Exponential gaps: arrivals of independent customers, not a metronome.
        let gap = (-(1.0 - rng.unit()).ln() / rate).min(10.0 / rate);
        tokio::time::sleep(Duration::from_secs_f64(gap)).await;
        let kind = pick(&kinds, &mut rng);
        let now = now_ms();
        let Some((partition, event)) =
            make_event(&publisher, kind, &mut rng, now, structured_share)
        else {
            continue;
        };
        if let Err(error) = publisher.append(kind.hub, partition, vec![event]).await {
            tracing::warn!(%error, hub = kind.hub, "demo traffic stopped");
            return;
        }
    }
}

fn pick(kinds: &[&'static EventKind], rng: &mut Rng) -> &'static EventKind {
    let total: u32 = kinds.iter().map(|k| k.weight).sum();
    let mut ticket = rng.below(u64::from(total.max(1))) as u32;
    for kind in kinds {
        if ticket < kind.weight {
            return kind;
        }
        ticket -= kind.weight;
    }
    kinds[0]
}

/// One event of `kind` made at `time_ms`, and the partition its key maps to; `None` (logged)
/// in the unexpected case that it cannot be encoded.
pub fn make_event(
    publisher: &Publisher,
    kind: &'static EventKind,
    rng: &mut Rng,
    time_ms: i64,
    structured_share: f64,
) -> Option<(u32, NewEvent)> {
    let event = kind.generate(rng, time_ms);
    let envelope = Envelope::new(&event, rng.uuid(), time_ms);
    let mode = if rng.chance(structured_share) {
        Mode::Structured
    } else {
        Mode::Binary
    };
    let partitions = publisher.partitions.get(kind.hub).copied().unwrap_or(1);
    let partition = partition_for_key(&event.subject, partitions);
    let message = match cloudevents::encode(&event, &envelope, mode) {
        Ok(message) => message,
        Err(error) => {
            tracing::warn!(%error, kind = kind.ce_type, "demo event not encodable; skipped");
            return None;
        }
    };
    Some((
        partition,
        NewEvent {
            partition_key: Some(event.subject),
            message,
        },
    ))
}

/// Seeds `count` events, spread over the last ten minutes of CloudEvents time, into those of
/// the kinds' hubs that are empty; and the poison event into `sale` (module documentation).
pub async fn seed_history(
    publisher: &Publisher,
    kinds: &[&'static EventKind],
    count: usize,
    structured_share: f64,
    rng: &mut Rng,
) -> Result<(), StoreError> {
    let empty: Vec<&'static EventKind> = kinds
        .iter()
        .copied()
        .filter(|k| publisher.is_empty(k.hub))
        .collect();
    if empty.is_empty() {
        return Ok(());
    }
    let start = now_ms() - HISTORY_SPAN_MS;
    let mut by_partition: BTreeMap<(&str, u32), Vec<NewEvent>> = BTreeMap::new();
    for i in 0..count {
        let time = start + HISTORY_SPAN_MS * i as i64 / count.max(1) as i64;
        let kind = pick(&empty, rng);
        let Some((partition, event)) = make_event(publisher, kind, rng, time, structured_share)
        else {
            continue;
        };
        by_partition
            .entry((kind.hub, partition))
            .or_default()
            .push(event);
    }
    if empty.iter().any(|k| k.hub == "sale")
        && let Some((partition, poison)) =
            poison_event(publisher, rng, start + HISTORY_SPAN_MS * 7 / 10)
    {
        let events = by_partition.entry(("sale", partition)).or_default();
        let at = events.len() * 7 / 10;
        events.insert(at, poison);
    }
    for ((hub, partition), events) in by_partition {
        for chunk in events.chunks(SEED_CHUNK) {
            publisher.append(hub, partition, chunk.to_vec()).await?;
        }
    }
    Ok(())
}

/// The poison event: a `sale.confirmed` CloudEvent whose Avro body is a valid record cut in
/// half, keyed by a sale id that maps to [`POISON_PARTITION`] (or the last partition of a
/// smaller hub).
pub fn poison_event(publisher: &Publisher, rng: &mut Rng, time_ms: i64) -> Option<(u32, NewEvent)> {
    let kind = events::sale_confirmed_kind()?;
    let partitions = *publisher.partitions.get(kind.hub)?;
    let target = POISON_PARTITION.min(partitions.saturating_sub(1));
    let sale_id = (0..10_000)
        .map(|n| format!("sale-{n:06}"))
        .find(|id| partition_for_key(id, partitions) == target)?;
    let (subject, fields) = sale_confirmed_for(rng, time_ms, sale_id);
    let mut body = avro::encode_record(kind.schema, &fields).ok()?;
    body.truncate(body.len() / 2);
    let event = events::Generated {
        kind,
        subject,
        fields,
    };
    let envelope = Envelope::new(&event, rng.uuid(), time_ms);
    let content_type = cloudevents::avro_content_type(&kind.schema.id());
    let message = cloudevents::build(
        &event.subject,
        &content_type,
        body,
        Some(cloudevents::binary_properties(&envelope)),
    );
    let bytes = crate::emulator::amqp::message::encode(&message).ok()?;
    Some((
        target,
        NewEvent {
            partition_key: Some(event.subject),
            message: bytes.into(),
        },
    ))
}
