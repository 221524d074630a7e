//! Consumer links: a client reading one partition through a consumer group, from a start
//! position, waiting at the head for new events, until it detaches or a receiver with a
//! higher owner level takes over.

use std::sync::Arc;

use fe2o3_amqp::Sender;
use fe2o3_amqp::link::delivery::Sendable;
use fe2o3_amqp::types::definitions::{AmqpError, Error, ErrorCondition, LinkError};
use fe2o3_amqp::types::performatives::Attach;
use fe2o3_amqp::types::primitives::{Symbol, Value};
use fe2o3_amqp_types::messaging::{Data, Message, SerializableBody};
use tokio::sync::oneshot;

use super::delivered_bytes::delivered_bytes;
use super::filter::{SELECTOR_FILTER_KEY, parse_selector};
use super::message;
use super::ownership::{ReaderKey, Refusal, Registration};
use super::refusal::{Refused, not_found};
use super::server::ConnectionState;
use super::token_expiry;
use crate::emulator::config::Rights;
use crate::emulator::entity_path::EntityPath;
use crate::emulator::faults::{Faults, LinkKind, Place};
use crate::emulator::store::{PartitionLog, PartitionStats, Start, StoredEvent};

const RUNTIME_METRIC: &str = "com.microsoft:enable-receiver-runtime-metric";
const EPOCH: &str = "com.microsoft:epoch";
const READ_BATCH_EVENTS: usize = 256;
const READ_BATCH_BYTES: usize = 512 * 1024;

/// A consumer link that passed its checks and holds its place among the partition's readers.
pub struct Consumer {
    log: Arc<PartitionLog>,
    position: u64,
    runtime_metrics: bool,
    registration: Registration,
    faults: FaultHook,
}

/// Where a consumer link is, for the faults that may strike it.
struct FaultHook {
    faults: Faults,
    namespace: String,
    hub: String,
    partition: String,
    /// What the link's token must allow.
    path: EntityPath,
}

impl FaultHook {
    fn place(&self) -> Place<'_> {
        Place {
            namespace: &self.namespace,
            hub: &self.hub,
            partition: Some(&self.partition),
            link: LinkKind::Receiver,
        }
    }

    /// The error to detach the link with, if a fault strikes it now: a detach, or its token
    /// run out.
    fn detach(&self, state: &ConnectionState) -> Option<Error> {
        let place = self.place();
        if let Some(condition) = self.faults.detach(&place) {
            return Some(Error::new(
                fault_condition(&condition),
                INJECTED.to_owned(),
                None,
            ));
        }
        token_expiry::expired(state, &place, &self.path, Rights::can_listen)
            .then(|| token_expiry::detach_error("Listen", &place))
    }

    /// Waits out a delay or a stall before a batch goes.
    async fn hold_delivery(&self) {
        while let Some((wait, again)) = self.faults.delivery_wait(&self.place()) {
            tokio::time::sleep(wait).await;
            if !again {
                return;
            }
        }
    }
}

fn owner_level(attach: &Attach) -> Option<i64> {
    let value = attach
        .properties
        .as_ref()?
        .iter()
        .find(|(k, _)| k.as_str() == EPOCH)?
        .1
        .clone();
    match value {
        Value::Long(v) => Some(v),
        Value::Int(v) => Some(i64::from(v)),
        Value::Ulong(v) => i64::try_from(v).ok(),
        Value::Uint(v) => Some(i64::from(v)),
        _ => None,
    }
}

fn wants_runtime_metrics(attach: &Attach) -> bool {
    attach
        .desired_capabilities
        .as_ref()
        .is_some_and(|caps| caps.iter().any(|c| c.as_str() == RUNTIME_METRIC))
}

/// The start position from the source's selector filter; no filter reads from the start.
fn start_of(attach: &Attach) -> Result<Start, String> {
    let Some(filter) = attach.source.as_ref().and_then(|s| s.filter.as_ref()) else {
        return Ok(Start::Earliest);
    };
    let Some((_, value)) = filter
        .iter()
        .find(|(k, _)| k.as_str() == SELECTOR_FILTER_KEY)
    else {
        return Ok(Start::Earliest);
    };
    let expression = match value {
        Value::Described(described) => match &described.value {
            Value::String(s) => s.clone(),
            other => return Err(format!("selector filter holds {other:?}, not a string")),
        },
        Value::String(s) => s.clone(),
        other => return Err(format!("selector filter holds {other:?}, not a string")),
    };
    parse_selector(&expression).map_err(|e| e.to_string())
}

pub fn check(
    state: &ConnectionState,
    attach: &Attach,
    address: &str,
    hub: &str,
    consumer_group: &str,
    partition: &str,
) -> Result<Consumer, Refused> {
    let (namespace, hub_config) = state.resolve_hub(address, hub)?;
    if !hub_config.has_consumer_group(consumer_group) {
        let entity = format!("{}/ConsumerGroups/{consumer_group}", hub_config.name);
        return Err(Refused::new(
            AmqpError::NotFound,
            not_found(&namespace.name, &entity),
        ));
    }
    let log = state
        .plane
        .store
        .partition(&namespace.name, &hub_config.name, partition)
        .cloned()
        .ok_or_else(|| {
            let entity = format!(
                "{}/ConsumerGroups/{consumer_group}/Partitions/{partition}",
                hub_config.name
            );
            Refused::new(AmqpError::NotFound, not_found(&namespace.name, &entity))
        })?;
    let path = EntityPath::from_resource_uri(&format!(
        "{}/consumergroups/{consumer_group}/partitions/{partition}",
        hub_config.name
    ));
    let place = Place {
        namespace: &namespace.name,
        hub: &hub_config.name,
        partition: Some(partition),
        link: LinkKind::Receiver,
    };
    if !state.authorized(&namespace.name, &path, Rights::can_listen)
        || token_expiry::expired(state, &place, &path, Rights::can_listen)
    {
        return Err(Refused::new(
            AmqpError::UnauthorizedAccess,
            token_expiry::unauthorized("Listen", &namespace.name, &hub_config.name),
        ));
    }
    let start = start_of(attach).map_err(|d| {
        Refused::new(
            ErrorCondition::Custom(Symbol::from("com.microsoft:argument-error")),
            d,
        )
    })?;
    let key = ReaderKey::new(&namespace.name, &hub_config.name, consumer_group, partition);
    let owner_level = owner_level(attach);
    tracing::debug!(?key, ?owner_level, ?start, "consumer attaching");
    let registration = state
        .plane
        .ownership
        .register(key, owner_level)
        .map_err(|refusal| {
            let condition: ErrorCondition = match refusal {
                Refusal::TooManyReceivers => AmqpError::ResourceLimitExceeded.into(),
                _ => LinkError::Stolen.into(),
            };
            Refused::new(condition, refusal.to_string())
        })?;
    let position = log
        .locate(&start)
        .map_err(|e| Refused::new(AmqpError::InternalError, e.to_string()))?;
    Ok(Consumer {
        log,
        position,
        runtime_metrics: wants_runtime_metrics(attach),
        registration,
        faults: FaultHook {
            faults: state.plane.faults.clone(),
            namespace: namespace.name.clone(),
            hub: hub_config.name.clone(),
            partition: partition.to_owned(),
            path,
        },
    })
}

/// How often a consumer link asks whether a fault detaches it.
const FAULT_CHECK: std::time::Duration = std::time::Duration::from_secs(1);
/// The description on a detach a fault caused.
pub(super) const INJECTED: &str = "fault injected by the emulator (docs/fault-injection.md)";

/// A fault's condition as it goes on the wire.
pub(super) fn fault_condition(condition: &str) -> ErrorCondition {
    ErrorCondition::Custom(Symbol::from(condition))
}

async fn detach_with(sender: Sender, condition: impl Into<ErrorCondition>, description: String) {
    let _ = sender
        .close_with_error(Error::new(condition.into(), description, None))
        .await;
}

/// An event as it goes to fe2o3: a stand-in for its encoding, or decoded when it does not
/// fit a stand-in's single frame.
enum ToSend {
    StandIn(Message<Data>),
    Decoded(message::AmqpMessage),
}

/// How `event` goes out; `None` when it cannot be decoded (it is skipped, and logged).
fn to_send(
    state: &ConnectionState,
    event: &StoredEvent,
    stats: Option<&PartitionStats>,
    now_ms: i64,
) -> Option<ToSend> {
    if let Some(bytes) = delivered_bytes(event, stats, now_ms)
        && let Ok(stand_in) = state.stand_ins.stand_in(bytes)
    {
        return Some(ToSend::StandIn(stand_in));
    }
    match message::delivered(event, stats, now_ms) {
        Ok(message) => Some(ToSend::Decoded(message)),
        Err(error) => {
            tracing::error!(%error, offset = event.offset, "stored event cannot be decoded; skipped");
            None
        }
    }
}

enum Delivery {
    Sent,
    Failed,
    Stolen(String),
}

/// Sends one event pre-settled, unless another receiver takes the partition first.
async fn deliver<T: SerializableBody>(
    sender: &mut Sender,
    message: Message<T>,
    stolen: &mut oneshot::Receiver<String>,
) -> Delivery {
    let sendable = Sendable::builder().message(message).settled(true).build();
    tokio::select! {
        sent = sender.send(sendable) => if sent.is_ok() { Delivery::Sent } else { Delivery::Failed },
        reason = stolen => Delivery::Stolen(reason.unwrap_or_default()),
    }
}

/// Delivers events from the start position on, pre-settled, as the SDKs expect.
pub async fn serve(mut sender: Sender, consumer: Consumer, state: Arc<ConnectionState>) {
    let Consumer {
        log,
        mut position,
        runtime_metrics,
        mut registration,
        faults,
    } = consumer;
    let mut head = log.subscribe();
    // Each second of a link's life is an opportunity for a fault to detach it.
    let mut fault_check = tokio::time::interval(FAULT_CHECK);
    fault_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut checked_at = tokio::time::Instant::now();
    loop {
        // Between batches (a send is never cut short, so no event is half delivered).
        if checked_at.elapsed() >= FAULT_CHECK {
            checked_at = tokio::time::Instant::now();
            if let Some(error) = faults.detach(&state) {
                let _ = sender.close_with_error(error).await;
                return;
            }
        }
        head.borrow_and_update();
        let events = match log.read(position, READ_BATCH_EVENTS, READ_BATCH_BYTES) {
            Ok(events) => events,
            Err(error) => {
                tracing::error!(%error, "read failed");
                return detach_with(sender, AmqpError::InternalError, error.to_string()).await;
            }
        };
        if events.is_empty() {
            tokio::select! {
                changed = head.changed() => if changed.is_err() { break },
                reason = &mut registration.stolen => {
                    return detach_with(sender, LinkError::Stolen, reason.unwrap_or_default()).await;
                }
                _ = sender.on_detach() => break,
                _ = fault_check.tick() => if let Some(error) = faults.detach(&state) {
                    let _ = sender.close_with_error(error).await;
                    return;
                },
            }
            continue;
        }
        faults.hold_delivery().await;
        let stats = runtime_metrics.then(|| log.stats());
        let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
        for event in events {
            let next = event.offset + event.encoded_len() as u64;
            let Some(to_send) = to_send(&state, &event, stats.as_ref(), now_ms) else {
                position = next;
                continue;
            };
            let stolen = &mut registration.stolen;
            let sent = match to_send {
                ToSend::StandIn(message) => deliver(&mut sender, message, stolen).await,
                ToSend::Decoded(message) => deliver(&mut sender, message, stolen).await,
            };
            match sent {
                Delivery::Sent => position = next,
                Delivery::Failed => return,
                Delivery::Stolen(reason) => {
                    return detach_with(sender, LinkError::Stolen, reason).await;
                }
            }
        }
    }
    let _ = sender.close().await;
}
