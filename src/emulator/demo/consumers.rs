//! The demo's consumer deployments, one consumer group each (seed mandate 8), reading
//! partitions straight from the store and checkpointing in the blob layout of
//! [`crate::emulator::checkpoints`], as an event processor would:
//! - `lake-ingest` (platform) on every business hub, copying raw events, never decoding them;
//! - `catalog-sync` (product) on `product`, `lead-scoring` (conversions) on `contact`,
//!   `sales-pipeline` (conversions) on `lead`, `crm-sync` (customer) on `sale`: each decodes
//!   every event's CloudEvent and Avro payload before moving on.
//!
//! A consumer that cannot decode an event stops at it on that partition, checkpoints what it
//! processed before it, and retries every few seconds; its other partitions go on. With the
//! poison event in `sale` partition 1 ([`super::traffic`]) that is `crm-sync`: its checkpoint
//! there stays put while the partition's lag grows. Consumers resume from their checkpoint
//! files, so the incident survives restarts; a stuck one re-reads its checkpoint before each
//! retry, so moving it past the poison event (ehops's dead-letter) un-sticks it.

use std::sync::Arc;
use std::time::Duration;

use crate::emulator::checkpoints::{Checkpoint, CheckpointLayout, GroupPath};
use crate::emulator::config::NamespaceConfig;
use crate::emulator::store::{PartitionLog, Start, Store, StoredEvent};

use super::cloudevents::{self, Mode};
use super::random::Rng;
use super::schemas::Schema;

/// One consuming deployment.
pub struct Deployment {
    pub name: &'static str,
    pub consumer_group: &'static str,
    /// Empty: every business hub that has this consumer group.
    pub hubs: &'static [&'static str],
    pub decodes_payload: bool,
    /// Poll interval, in ticks ([`ConsumerSettings::tick`]).
    pub poll_ticks: u32,
    /// Checkpoint after this many events, or at the next poll after `checkpoint_ticks`.
    pub checkpoint_events: u64,
    pub checkpoint_ticks: u32,
}

pub static DEPLOYMENTS: [Deployment; 5] = [
    // Batch ingestion into the lake: slow polls and sparse checkpoints, so its lag shows.
    Deployment {
        name: "lake-ingest",
        consumer_group: "lake-ingest",
        hubs: &[],
        decodes_payload: false,
        poll_ticks: 6,
        checkpoint_events: 200,
        checkpoint_ticks: 20,
    },
    Deployment {
        name: "catalog-sync",
        consumer_group: "catalog-sync",
        hubs: &["product"],
        decodes_payload: true,
        poll_ticks: 2,
        checkpoint_events: 25,
        checkpoint_ticks: 10,
    },
    Deployment {
        name: "lead-scoring",
        consumer_group: "lead-scoring",
        hubs: &["contact"],
        decodes_payload: true,
        poll_ticks: 1,
        checkpoint_events: 50,
        checkpoint_ticks: 10,
    },
    Deployment {
        name: "sales-pipeline",
        consumer_group: "sales-pipeline",
        hubs: &["lead"],
        decodes_payload: true,
        poll_ticks: 2,
        checkpoint_events: 25,
        checkpoint_ticks: 10,
    },
    Deployment {
        name: "crm-sync",
        consumer_group: "crm-sync",
        hubs: &["sale"],
        decodes_payload: true,
        poll_ticks: 1,
        checkpoint_events: 20,
        checkpoint_ticks: 6,
    },
];

#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    /// The unit of every consumer's pace.
    pub tick: Duration,
    /// Events a consumer takes from a partition per poll, at most.
    pub batch: usize,
    /// How long a consumer waits before retrying an event it could not process.
    pub retry_ticks: u32,
    /// How often ownership is renewed, as an event processor's load balancer does.
    pub ownership_ticks: u32,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        ConsumerSettings {
            tick: Duration::from_millis(500),
            batch: 100,
            retry_ticks: 10,
            ownership_ticks: 20,
        }
    }
}

/// Where a consumer reads and checkpoints.
#[derive(Clone)]
pub struct Target {
    pub store: Arc<Store>,
    pub layout: CheckpointLayout,
    pub namespace: String,
}

/// Starts every deployment on every hub of `namespace` that has its consumer group.
pub fn start(
    target: &Target,
    namespace: &NamespaceConfig,
    settings: &ConsumerSettings,
    rng: &mut Rng,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for deployment in &DEPLOYMENTS {
        let hubs: Vec<&str> = if deployment.hubs.is_empty() {
            super::events::business_hubs()
        } else {
            deployment.hubs.to_vec()
        };
        for hub in hubs.into_iter().filter_map(|h| namespace.hub(h)) {
            if !hub.has_consumer_group(deployment.consumer_group) {
                continue;
            }
            let owner = format!("{}-{}", deployment.name, rng.hex(2));
            let partitions = (0..hub.partitions).map(|p| p.to_string()).collect();
            let job = Job {
                deployment,
                target: target.clone(),
                hub: hub.name.clone(),
                owner,
                settings: settings.clone(),
            };
            tasks.push(tokio::spawn(job.run(partitions)));
        }
    }
    tasks
}

/// Why a deployment could not process an event.
pub fn process(deployment: &Deployment, stored: &[u8]) -> Result<(), String> {
    if !deployment.decodes_payload {
        return Ok(());
    }
    let event = cloudevents::read(stored)?;
    if event.mode == Mode::Structured {
        return Ok(());
    }
    let id = event
        .content_type
        .strip_prefix("avro/binary+")
        .ok_or_else(|| format!("unexpected content type {:?}", event.content_type))?;
    let schema = Schema::by_id(id).ok_or_else(|| format!("unknown schema id {id}"))?;
    schema
        .decode(&event.body)
        .map(|_| ())
        .map_err(|e| format!("{} {}: {e}", event.envelope.ce_type, event.envelope.id))
}

struct Job {
    deployment: &'static Deployment,
    target: Target,
    hub: String,
    owner: String,
    settings: ConsumerSettings,
}

/// One partition as the consumer sees it.
struct Cursor {
    id: String,
    log: Arc<PartitionLog>,
    position: u64,
    processed: Option<Checkpoint>,
    saved: Option<Checkpoint>,
    unsaved: u64,
    ticks_since_save: u32,
    /// Ticks left before retrying a failed event; `Some` while stuck.
    retry_in: Option<u32>,
    /// The sequence number of the event it last failed on, so that failure is logged once.
    failed_at: Option<i64>,
}

impl Job {
    /// Where this deployment's checkpoints and ownerships of the hub are filed.
    fn group(&self) -> GroupPath {
        GroupPath::new(
            &self.target.namespace,
            &self.hub,
            self.deployment.consumer_group,
        )
    }

    async fn run(self, partitions: Vec<String>) {
        let mut cursors = Vec::new();
        for id in partitions {
            let Some(log) = self
                .target
                .store
                .partition(&self.target.namespace, &self.hub, &id)
            else {
                continue;
            };
            let saved = self.target.layout.read_checkpoint(&self.group(), &id).await;
            // Resume after the checkpointed offset, exclusive, as the .NET processor does.
            let start = saved.map_or(Start::Earliest, |c| Start::Offset {
                offset: c.offset,
                inclusive: false,
            });
            let position = log.locate(&start).unwrap_or(0);
            cursors.push(Cursor {
                id,
                log: Arc::clone(log),
                position,
                processed: saved,
                saved,
                unsaved: 0,
                ticks_since_save: 0,
                retry_in: None,
                failed_at: None,
            });
        }
        let mut tick: u64 = 0;
        loop {
            if tick.is_multiple_of(u64::from(self.settings.ownership_ticks.max(1))) {
                self.renew_ownership(&cursors).await;
            }
            if tick.is_multiple_of(u64::from(self.deployment.poll_ticks.max(1))) {
                for cursor in &mut cursors {
                    self.poll(cursor).await;
                }
            }
            tick += 1;
            tokio::time::sleep(self.settings.tick).await;
        }
    }

    async fn renew_ownership(&self, cursors: &[Cursor]) {
        for cursor in cursors {
            let written = self
                .target
                .layout
                .write_ownership(&self.group(), &cursor.id, &self.owner)
                .await;
            if let Err(error) = written {
                tracing::warn!(%error, consumer = self.deployment.name, "ownership not written");
            }
        }
    }

    async fn poll(&self, cursor: &mut Cursor) {
        let poll = self.deployment.poll_ticks.max(1);
        cursor.ticks_since_save = cursor.ticks_since_save.saturating_add(poll);
        if let Some(left) = cursor.retry_in {
            if left > poll {
                cursor.retry_in = Some(left - poll);
                return;
            }
            cursor.retry_in = None;
            self.restart_from_checkpoint(cursor).await;
        }
        let events = match cursor
            .log
            .read(cursor.position, self.settings.batch, 1 << 20)
        {
            Ok(events) => events,
            Err(error) => {
                tracing::warn!(%error, consumer = self.deployment.name, "read failed");
                return;
            }
        };
        for event in events {
            if let Err(why) = process(self.deployment, &event.message) {
                self.report_failure(cursor, &event, &why);
                cursor.retry_in = Some(self.settings.retry_ticks);
                break;
            }
            cursor.failed_at = None;
            cursor.position = event.offset + event.encoded_len() as u64;
            cursor.processed = Some(Checkpoint {
                sequence_number: event.sequence_number,
                offset: event.offset,
            });
            cursor.unsaved += 1;
        }
        let due = cursor.unsaved >= self.deployment.checkpoint_events
            || cursor.ticks_since_save >= self.deployment.checkpoint_ticks
            || cursor.retry_in.is_some();
        if due && cursor.processed != cursor.saved {
            self.checkpoint(cursor).await;
        }
    }

    /// A consumer stuck on an event restarts its partition before each retry, as a
    /// crash-looping deployment does: it reads the checkpoint again, so a checkpoint moved
    /// from outside (dead-lettering the event with ehops, a reset) is where it resumes.
    async fn restart_from_checkpoint(&self, cursor: &mut Cursor) {
        let stored = self
            .target
            .layout
            .read_checkpoint(&self.group(), &cursor.id)
            .await;
        if stored == cursor.saved {
            return;
        }
        let start = stored.map_or(Start::Earliest, |c| Start::Offset {
            offset: c.offset,
            inclusive: false,
        });
        let Ok(position) = cursor.log.locate(&start) else {
            return;
        };
        tracing::info!(
            consumer = self.deployment.name,
            hub = %self.hub,
            partition = %cursor.id,
            checkpoint = ?stored.map(|c| c.sequence_number),
            "checkpoint moved from outside; resuming after it"
        );
        cursor.position = position;
        cursor.processed = stored;
        cursor.saved = stored;
        cursor.unsaved = 0;
        cursor.failed_at = None;
    }

    fn report_failure(&self, cursor: &mut Cursor, event: &StoredEvent, why: &str) {
        // Once per event: the console, not the log, is where on-call watches it retry.
        if cursor.failed_at == Some(event.sequence_number) {
            return;
        }
        cursor.failed_at = Some(event.sequence_number);
        tracing::info!(
            consumer = self.deployment.name,
            hub = %self.hub,
            partition = %cursor.id,
            sequence_number = event.sequence_number,
            %why,
            "cannot process event; this partition waits and retries"
        );
    }

    async fn checkpoint(&self, cursor: &mut Cursor) {
        let Some(checkpoint) = cursor.processed else {
            return;
        };
        let written = self
            .target
            .layout
            .write_checkpoint(&self.group(), &cursor.id, checkpoint)
            .await;
        match written {
            Ok(()) => {
                cursor.saved = Some(checkpoint);
                cursor.unsaved = 0;
                cursor.ticks_since_save = 0;
            }
            Err(error) => {
                tracing::warn!(%error, consumer = self.deployment.name, "checkpoint not written")
            }
        }
    }
}
