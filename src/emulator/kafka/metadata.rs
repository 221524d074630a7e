//! Metadata and FindCoordinator: one broker (this endpoint, node 0) leads every partition of
//! every hub the connection string may see, and coordinates every group.

use kafka_protocol::ResponseError;
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::{
    BrokerId, FindCoordinatorRequest, FindCoordinatorResponse, MetadataRequest, MetadataResponse,
    TopicName,
};
use kafka_protocol::protocol::StrBytes;

use crate::emulator::config::{HubConfig, Rights};

use super::Broker;
use super::session::Session;

pub const NODE_ID: i32 = 0;
const CLUSTER_ID: &str = "ehops-emulator";

pub fn metadata(broker: &Broker, session: &Session, request: &MetadataRequest) -> MetadataResponse {
    let mut response = MetadataResponse::default();
    let mut node = MetadataResponseBroker::default();
    node.node_id = BrokerId(NODE_ID);
    node.host = StrBytes::from_string(broker.advertised.ip().to_string());
    node.port = i32::from(broker.advertised.port());
    response.brokers = vec![node];
    response.cluster_id = Some(StrBytes::from_static_str(CLUSTER_ID));
    response.controller_id = BrokerId(NODE_ID);
    let requested: Option<Vec<String>> = request.topics.as_ref().and_then(|topics| {
        let names: Vec<String> = topics
            .iter()
            .filter_map(|t| t.name.as_ref().map(|n| n.0.to_string()))
            .collect();
        // v0 asks for every topic with an empty list.
        (!names.is_empty()).then_some(names)
    });
    response.topics = match requested {
        None => session
            .visible_hubs(broker)
            .into_iter()
            .map(|hub| topic(&hub.name, Ok(hub)))
            .collect(),
        Some(names) => names
            .iter()
            .map(|name| {
                topic(
                    name,
                    resolve(broker, session, name, Rights::can_listen_or_send),
                )
            })
            .collect(),
    };
    response
}

/// The hub a topic names, or the error a client gets for it: unknown when the namespace has
/// no such hub, not authorized when the rule does not cover it (or lacks `need`).
pub fn resolve<'a>(
    broker: &'a Broker,
    session: &Session,
    topic: &str,
    need: fn(Rights) -> bool,
) -> Result<&'a HubConfig, ResponseError> {
    let hub = session
        .namespace(broker)
        .and_then(|ns| ns.hub(topic))
        .ok_or(ResponseError::UnknownTopicOrPartition)?;
    if !session.may(&hub.name, need) {
        return Err(ResponseError::TopicAuthorizationFailed);
    }
    Ok(hub)
}

fn topic(name: &str, hub: Result<&HubConfig, ResponseError>) -> MetadataResponseTopic {
    let mut topic = MetadataResponseTopic::default();
    topic.name = Some(TopicName(StrBytes::from_string(name.to_string())));
    topic.topic_authorized_operations = i32::MIN;
    match hub {
        Ok(hub) => {
            topic.partitions = (0..hub.partitions)
                .map(|index| {
                    let mut partition = MetadataResponsePartition::default();
                    partition.partition_index = i32::try_from(index).unwrap_or(i32::MAX);
                    partition.leader_id = BrokerId(NODE_ID);
                    partition.replica_nodes = vec![BrokerId(NODE_ID)];
                    partition.isr_nodes = vec![BrokerId(NODE_ID)];
                    partition
                })
                .collect();
        }
        Err(error) => topic.error_code = error.code(),
    }
    topic
}

pub fn find_coordinator(
    broker: &Broker,
    session: &Session,
    request: &FindCoordinatorRequest,
    version: i16,
) -> FindCoordinatorResponse {
    let mut response = FindCoordinatorResponse::default();
    let refusal = if request.key_type != 0 {
        // Transactions are not offered (Event Hubs' Kafka endpoint has no transaction API).
        Some(ResponseError::CoordinatorNotAvailable)
    } else if !session.may_consume() {
        Some(ResponseError::GroupAuthorizationFailed)
    } else {
        None
    };
    match refusal {
        Some(error) => {
            response.error_code = error.code();
            response.node_id = BrokerId(-1);
            if version >= 1 {
                response.error_message = Some(StrBytes::from_static_str(match error {
                    ResponseError::GroupAuthorizationFailed => {
                        "Unauthorized access. 'Listen' claim(s) are required to perform this operation."
                    }
                    _ => "Only group coordinators are offered.",
                }));
            }
        }
        None => {
            response.node_id = BrokerId(NODE_ID);
            response.host = StrBytes::from_string(broker.advertised.ip().to_string());
            response.port = i32::from(broker.advertised.port());
        }
    }
    response
}
