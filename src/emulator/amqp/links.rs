//! Data links: producers sending to a hub or partition, consumers reading a partition through
//! a consumer group.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use fe2o3_amqp::link::delivery::{Delivery, Sendable};
use fe2o3_amqp::types::definitions::{AmqpError, Error, ErrorCondition, Fields, LinkError};
use fe2o3_amqp::types::messaging::{Body, FilterSet};
use fe2o3_amqp::types::primitives::{Array, Symbol, Value};
use fe2o3_amqp::{Receiver, Sender};

use super::filter::{SELECTOR_FILTER_KEY, parse_selector};
use super::message::{self, MessageError};
use super::nodes::now_seconds;
use super::ownership::{ReaderKey, Refusal};
use super::partition_key::partition_for_key;
use super::server::ConnectionState;
use crate::emulator::config::Rights;
use crate::emulator::entity_path::EntityPath;
use crate::emulator::store::Start;

const RUNTIME_METRIC: &str = "com.microsoft:enable-receiver-runtime-metric";
const EPOCH: &str = "com.microsoft:epoch";
const READ_BATCH_EVENTS: usize = 256;
const READ_BATCH_BYTES: usize = 512 * 1024;

pub async fn refuse_receiver(receiver: Receiver, condition: ErrorCondition, description: String) {
    tracing::debug!(%description, "refusing a producer link");
    let _ = receiver
        .close_with_error(Error::new(condition, description, None))
        .await;
}

pub async fn refuse_sender(sender: Sender, condition: ErrorCondition, description: String) {
    tracing::debug!(%description, "refusing a consumer link");
    let _ = sender
        .close_with_error(Error::new(condition, description, None))
        .await;
}

fn not_found(namespace: &str, entity: &str) -> String {
    format!("The messaging entity '{namespace}:eventhub:{entity}' could not be found.")
}

fn authorized(
    state: &ConnectionState,
    namespace: &str,
    path: &EntityPath,
    need: fn(Rights) -> bool,
) -> bool {
    let now = now_seconds();
    state
        .grants(namespace)
        .iter()
        .any(|g| g.allows(path, need, now))
}

/// Receives events from a producer and stores each transfer atomically before accepting it.
pub async fn serve_producer(
    mut receiver: Receiver,
    address: String,
    hub: String,
    partition: Option<String>,
    state: Arc<ConnectionState>,
) {
    let Some(namespace) = state.namespace_for(&address) else {
        return refuse_receiver(
            receiver,
            AmqpError::NotFound.into(),
            "no namespace is served here".into(),
        )
        .await;
    };
    let Some(hub_config) = namespace.hub(&hub) else {
        return refuse_receiver(
            receiver,
            AmqpError::NotFound.into(),
            not_found(&namespace.name, &hub),
        )
        .await;
    };
    let mut path = EntityPath::hub_only(&hub_config.name);
    if let Some(p) = &partition {
        if state
            .plane
            .store
            .partition(&namespace.name, &hub_config.name, p)
            .is_none()
        {
            let entity = format!("{}/Partitions/{p}", hub_config.name);
            return refuse_receiver(
                receiver,
                AmqpError::NotFound.into(),
                not_found(&namespace.name, &entity),
            )
            .await;
        }
        path = EntityPath::from_resource_uri(&format!("{}/partitions/{p}", hub_config.name));
    }
    if !authorized(&state, &namespace.name, &path, Rights::can_send) {
        let description = format!(
            "Unauthorized access. 'Send' claim(s) are required to perform this operation. Resource: 'sb://{}/{}'.",
            namespace.name, hub_config.name
        );
        return refuse_receiver(receiver, AmqpError::UnauthorizedAccess.into(), description).await;
    }
    let round_robin = state.plane.round_robin(&namespace.name, &hub_config.name);
    loop {
        let delivery: Delivery<Body<Value>> = match receiver.recv().await {
            Ok(delivery) => delivery,
            Err(error) => {
                tracing::debug!(%error, hub = hub_config.name, "producer link ended");
                break;
            }
        };
        let format = delivery.message_format().unwrap_or(0);
        let events = match message::events_of(delivery.message(), format) {
            Ok(events) if !events.is_empty() => events,
            Ok(_) => {
                let _ = receiver.accept(&delivery).await;
                continue;
            }
            Err(error) => {
                let condition: ErrorCondition = match error {
                    MessageError::TooLarge { .. } => LinkError::MessageSizeExceeded.into(),
                    _ => AmqpError::DecodeError.into(),
                };
                let _ = receiver
                    .reject(&delivery, Error::new(condition, error.to_string(), None))
                    .await;
                continue;
            }
        };
        let target = match (&partition, &events[0].partition_key) {
            (Some(p), _) => p.clone(),
            (None, Some(key)) => partition_for_key(key, hub_config.partitions).to_string(),
            (None, None) => {
                (round_robin.fetch_add(1, Ordering::Relaxed) % hub_config.partitions).to_string()
            }
        };
        let Some(log) = state
            .plane
            .store
            .partition(&namespace.name, &hub_config.name, &target)
        else {
            let error = Error::new(
                AmqpError::InternalError,
                format!("partition {target} is missing"),
                None,
            );
            let _ = receiver.reject(&delivery, error).await;
            continue;
        };
        match log.append(events).await {
            Ok(_) => {
                let _ = receiver.accept(&delivery).await;
            }
            Err(error) => {
                tracing::error!(%error, hub = hub_config.name, partition = target, "append failed");
                let error = Error::new(AmqpError::InternalError, error.to_string(), None);
                let _ = receiver.reject(&delivery, error).await;
            }
        }
    }
    let _ = receiver.close().await;
}

/// What a consumer asked for when it attached.
pub struct ConsumerRequest {
    pub address: String,
    pub hub: String,
    pub consumer_group: String,
    pub partition: String,
    pub properties: Option<Fields>,
    pub desired_capabilities: Option<Array<Symbol>>,
    pub filter: Option<FilterSet>,
}

impl ConsumerRequest {
    fn owner_level(&self) -> Option<i64> {
        let value = self
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

    fn wants_runtime_metrics(&self) -> bool {
        self.desired_capabilities
            .as_ref()
            .is_some_and(|caps| caps.iter().any(|c| c.as_str() == RUNTIME_METRIC))
    }

    fn start(&self) -> Result<Start, String> {
        let Some(filter) = &self.filter else {
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
}

/// Delivers a partition's events to a consumer from its start position on, waiting at the
/// head for new ones, until the client detaches or a higher owner level takes over.
pub async fn serve_consumer(
    mut sender: Sender,
    request: ConsumerRequest,
    state: Arc<ConnectionState>,
) {
    let Some(namespace) = state.namespace_for(&request.address) else {
        return refuse_sender(
            sender,
            AmqpError::NotFound.into(),
            "no namespace is served here".into(),
        )
        .await;
    };
    let Some(hub) = namespace.hub(&request.hub) else {
        return refuse_sender(
            sender,
            AmqpError::NotFound.into(),
            not_found(&namespace.name, &request.hub),
        )
        .await;
    };
    if !hub.has_consumer_group(&request.consumer_group) {
        let entity = format!("{}/ConsumerGroups/{}", hub.name, request.consumer_group);
        return refuse_sender(
            sender,
            AmqpError::NotFound.into(),
            not_found(&namespace.name, &entity),
        )
        .await;
    }
    let Some(log) = state
        .plane
        .store
        .partition(&namespace.name, &hub.name, &request.partition)
        .cloned()
    else {
        let entity = format!(
            "{}/ConsumerGroups/{}/Partitions/{}",
            hub.name, request.consumer_group, request.partition
        );
        return refuse_sender(
            sender,
            AmqpError::NotFound.into(),
            not_found(&namespace.name, &entity),
        )
        .await;
    };
    let path = EntityPath::from_resource_uri(&format!(
        "{}/consumergroups/{}/partitions/{}",
        hub.name, request.consumer_group, request.partition
    ));
    if !authorized(&state, &namespace.name, &path, Rights::can_listen) {
        let description = format!(
            "Unauthorized access. 'Listen' claim(s) are required to perform this operation. Resource: 'sb://{}/{}'.",
            namespace.name, hub.name
        );
        return refuse_sender(sender, AmqpError::UnauthorizedAccess.into(), description).await;
    }
    let start = match request.start() {
        Ok(start) => start,
        Err(description) => {
            let condition = ErrorCondition::Custom(Symbol::from("com.microsoft:argument-error"));
            return refuse_sender(sender, condition, description).await;
        }
    };
    let key = ReaderKey::new(
        &namespace.name,
        &hub.name,
        &request.consumer_group,
        &request.partition,
    );
    let mut registration = match state.plane.ownership.register(key, request.owner_level()) {
        Ok(registration) => registration,
        Err(refusal) => {
            let condition: ErrorCondition = match refusal {
                Refusal::TooManyReceivers => AmqpError::ResourceLimitExceeded.into(),
                _ => LinkError::Stolen.into(),
            };
            return refuse_sender(sender, condition, refusal.to_string()).await;
        }
    };
    let mut position = match log.locate(&start) {
        Ok(position) => position,
        Err(error) => {
            return refuse_sender(sender, AmqpError::InternalError.into(), error.to_string()).await;
        }
    };
    let metrics = request.wants_runtime_metrics();
    let mut head = log.subscribe();
    loop {
        head.borrow_and_update();
        let events = match log.read(position, READ_BATCH_EVENTS, READ_BATCH_BYTES) {
            Ok(events) => events,
            Err(error) => {
                tracing::error!(%error, "read failed");
                return refuse_sender(sender, AmqpError::InternalError.into(), error.to_string())
                    .await;
            }
        };
        if events.is_empty() {
            tokio::select! {
                changed = head.changed() => if changed.is_err() { break },
                reason = &mut registration.stolen => {
                    let reason = reason.unwrap_or_default();
                    return refuse_sender(sender, LinkError::Stolen.into(), reason).await;
                }
                _ = sender.on_detach() => break,
            }
            continue;
        }
        let stats = metrics.then(|| log.stats());
        let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
        for event in events {
            let next = event.offset + event.encoded_len() as u64;
            let message = match message::delivered(&event, stats.as_ref(), now_ms) {
                Ok(message) => message,
                Err(error) => {
                    tracing::error!(%error, offset = event.offset, "stored event cannot be decoded; skipped");
                    position = next;
                    continue;
                }
            };
            let sendable = Sendable::builder().message(message).settled(true).build();
            tokio::select! {
                sent = sender.send(sendable) => if sent.is_err() { return },
                reason = &mut registration.stolen => {
                    let reason = reason.unwrap_or_default();
                    return refuse_sender(sender, LinkError::Stolen.into(), reason).await;
                }
            }
            position = next;
        }
    }
    let _ = sender.close().await;
}
