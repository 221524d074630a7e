//! Producer links: a client sending to a hub (the service picks the partition) or to one
//! partition. Each transfer is stored atomically, durably, before it is accepted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use fe2o3_amqp::Receiver;
use fe2o3_amqp::link::RecvError;
use fe2o3_amqp::link::delivery::Delivery;
use fe2o3_amqp::types::definitions::{AmqpError, Error, ErrorCondition, LinkError};
use fe2o3_amqp::types::messaging::Body;
use fe2o3_amqp::types::primitives::Value;

use super::consumer::{INJECTED, fault_condition};
use super::message::{self, MessageError};
use super::partition_key::partition_for_key;
use super::refusal::{Refused, not_found};
use super::server::ConnectionState;
use super::token_expiry;
use crate::emulator::config::Rights;
use crate::emulator::entity_path::EntityPath;
use crate::emulator::faults::{LinkKind, Place};

/// A producer link that passed its checks.
pub struct Producer {
    namespace: String,
    hub: String,
    partitions: u32,
    /// Set when the client sends to one partition.
    partition: Option<String>,
    round_robin: Arc<AtomicU32>,
    /// What the link's token must allow.
    path: EntityPath,
}

pub fn check(
    state: &ConnectionState,
    address: &str,
    hub: &str,
    partition: Option<String>,
) -> Result<Producer, Refused> {
    let (namespace, hub_config) = state.resolve_hub(address, hub)?;
    let mut path = EntityPath::hub_only(&hub_config.name);
    if let Some(p) = &partition {
        if state
            .plane
            .store
            .partition(&namespace.name, &hub_config.name, p)
            .is_none()
        {
            let entity = format!("{}/Partitions/{p}", hub_config.name);
            return Err(Refused::new(
                AmqpError::NotFound,
                not_found(&namespace.name, &entity),
            ));
        }
        path = EntityPath::from_resource_uri(&format!("{}/partitions/{p}", hub_config.name));
    }
    let place = Place {
        namespace: &namespace.name,
        hub: &hub_config.name,
        partition: partition.as_deref(),
        link: LinkKind::Sender,
    };
    if !state.authorized(&namespace.name, &path, Rights::can_send)
        || token_expiry::expired(state, &place, &path, Rights::can_send)
    {
        return Err(Refused::new(
            AmqpError::UnauthorizedAccess,
            token_expiry::unauthorized("Send", &namespace.name, &hub_config.name),
        ));
    }
    Ok(Producer {
        namespace: namespace.name.clone(),
        hub: hub_config.name.clone(),
        partitions: hub_config.partitions,
        partition,
        round_robin: state.plane.round_robin(&namespace.name, &hub_config.name),
        path,
    })
}

/// What a fault does to a send.
enum Injected {
    Detach(Error),
    Busy,
}

const SERVER_BUSY: &str = "com.microsoft:server-busy";

/// The fault that strikes this send, if any.
fn injected(producer: &Producer, state: &ConnectionState) -> Option<Injected> {
    let place = Place {
        namespace: &producer.namespace,
        hub: &producer.hub,
        partition: producer.partition.as_deref(),
        link: LinkKind::Sender,
    };
    let faults = &state.plane.faults;
    if let Some(condition) = faults.detach(&place) {
        let error = Error::new(fault_condition(&condition), INJECTED.to_owned(), None);
        return Some(Injected::Detach(error));
    }
    if token_expiry::expired(state, &place, &producer.path, Rights::can_send) {
        return Some(Injected::Detach(token_expiry::detach_error("Send", &place)));
    }
    faults.refuse_send(&place).then_some(Injected::Busy)
}

/// Receives events until the client detaches, storing each transfer before accepting it.
pub async fn serve(mut receiver: Receiver, producer: Producer, state: Arc<ConnectionState>) {
    loop {
        let delivery: Delivery<Body<Value>> = match receiver.recv().await {
            Ok(delivery) => delivery,
            Err(RecvError::MessageSizeExceeded(exceeded)) => {
                // fe2o3 has detached the link already; close it so the client's pending send
                // fails with the reason instead of waiting for a resume.
                let error = Error::new(LinkError::MessageSizeExceeded, exceeded.to_string(), None);
                let _ = receiver.close_with_error(error).await;
                return;
            }
            Err(error) => {
                tracing::debug!(%error, hub = producer.hub, "producer link ended");
                break;
            }
        };
        match injected(&producer, &state) {
            Some(Injected::Detach(error)) => {
                let _ = receiver.close_with_error(error).await;
                return;
            }
            Some(Injected::Busy) => {
                let error = Error::new(fault_condition(SERVER_BUSY), INJECTED.to_owned(), None);
                let _ = receiver.reject(&delivery, error).await;
                continue;
            }
            None => {}
        }
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
        let target = match (&producer.partition, &events[0].partition_key) {
            (Some(p), _) => p.clone(),
            (None, Some(key)) => partition_for_key(key, producer.partitions).to_string(),
            (None, None) => (producer.round_robin.fetch_add(1, Ordering::Relaxed)
                % producer.partitions)
                .to_string(),
        };
        let Some(log) = state
            .plane
            .store
            .partition(&producer.namespace, &producer.hub, &target)
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
                tracing::error!(%error, hub = producer.hub, partition = target, "append failed");
                let error = Error::new(AmqpError::InternalError, error.to_string(), None);
                let _ = receiver.reject(&delivery, error).await;
            }
        }
    }
    let _ = receiver.close().await;
}
