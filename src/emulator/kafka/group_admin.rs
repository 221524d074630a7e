//! ListGroups, DescribeGroups and DeleteGroups. A group with committed offsets and no members
//! is listed as Empty, as Kafka lists it (Event Hubs' portal does not: `ehops lag` does).

use std::collections::BTreeSet;

use kafka_protocol::ResponseError;
use kafka_protocol::messages::delete_groups_response::DeletableGroupResult;
use kafka_protocol::messages::describe_groups_response::{DescribedGroup, DescribedGroupMember};
use kafka_protocol::messages::list_groups_response::ListedGroup;
use kafka_protocol::messages::{
    DeleteGroupsRequest, DeleteGroupsResponse, DescribeGroupsRequest, DescribeGroupsResponse,
    GroupId, ListGroupsRequest, ListGroupsResponse,
};
use kafka_protocol::protocol::StrBytes;

use super::Broker;
use super::groups::State;
use super::session::Session;

const CONSUMER: &str = "consumer";

pub fn list(broker: &Broker, session: &Session, request: &ListGroupsRequest) -> ListGroupsResponse {
    let mut response = ListGroupsResponse::default();
    if !session.may_consume() {
        response.error_code = ResponseError::GroupAuthorizationFailed.code();
        return response;
    }
    let active = broker.groups.list(&session.namespace);
    let active_ids: BTreeSet<&str> = active.iter().map(|g| g.group_id.as_str()).collect();
    let mut listed: Vec<(String, String, &'static str)> = active
        .iter()
        .map(|g| (g.group_id.clone(), g.protocol_type.clone(), g.state.name()))
        .collect();
    for group in broker.offsets.groups(&session.namespace) {
        if !active_ids.contains(group.as_str()) {
            listed.push((group, CONSUMER.to_string(), State::Empty.name()));
        }
    }
    let states: Vec<String> = request
        .states_filter
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    response.groups = listed
        .into_iter()
        .filter(|(_, _, state)| states.is_empty() || states.contains(&state.to_ascii_lowercase()))
        .map(|(id, protocol_type, state)| {
            let mut group = ListedGroup::default();
            group.group_id = GroupId(StrBytes::from_string(id));
            group.protocol_type = StrBytes::from_string(protocol_type);
            group.group_state = StrBytes::from_static_str(state);
            group.group_type = StrBytes::from_static_str("classic");
            group
        })
        .collect();
    response
}

pub fn describe(
    broker: &Broker,
    session: &Session,
    request: &DescribeGroupsRequest,
) -> DescribeGroupsResponse {
    let mut response = DescribeGroupsResponse::default();
    for id in &request.groups {
        let mut described = DescribedGroup::default();
        described.group_id = id.clone();
        if !session.may_consume() {
            described.error_code = ResponseError::GroupAuthorizationFailed.code();
            response.groups.push(described);
            continue;
        }
        let view = broker.groups.describe(&session.namespace, &id.0);
        let has_offsets = !broker.offsets.group(&session.namespace, &id.0).is_empty();
        // Kafka describes a group it never saw as Dead; one with offsets only as Empty.
        let state = match (view.members.is_empty(), has_offsets) {
            (true, false) => "Dead",
            (true, true) => State::Empty.name(),
            _ => view.state.name(),
        };
        described.group_state = StrBytes::from_static_str(state);
        described.protocol_type =
            StrBytes::from_string(if view.protocol_type.is_empty() && has_offsets {
                CONSUMER.to_string()
            } else {
                view.protocol_type
            });
        described.protocol_data = StrBytes::from_string(view.protocol);
        described.authorized_operations = i32::MIN;
        described.members = view
            .members
            .into_iter()
            .map(|m| {
                let mut member = DescribedGroupMember::default();
                member.member_id = StrBytes::from_string(m.member_id);
                member.client_id = StrBytes::from_string(m.client_id);
                member.client_host = StrBytes::from_string(m.client_host);
                member.member_metadata = m.metadata;
                member.member_assignment = m.assignment;
                member
            })
            .collect();
        response.groups.push(described);
    }
    response
}

pub fn delete(
    broker: &Broker,
    session: &Session,
    request: &DeleteGroupsRequest,
) -> DeleteGroupsResponse {
    let mut response = DeleteGroupsResponse::default();
    for id in &request.groups_names {
        let mut result = DeletableGroupResult::default();
        result.group_id = id.clone();
        result.error_code = if !session.may_consume() {
            ResponseError::GroupAuthorizationFailed.code()
        } else if !broker
            .groups
            .describe(&session.namespace, &id.0)
            .members
            .is_empty()
        {
            ResponseError::NonEmptyGroup.code()
        } else {
            match broker.offsets.delete(&session.namespace, &id.0) {
                Ok(true) => 0,
                Ok(false) => ResponseError::GroupIdNotFound.code(),
                Err(error) => {
                    tracing::error!(%error, "cannot delete kafka group offsets");
                    ResponseError::KafkaStorageError.code()
                }
            }
        };
        response.results.push(result);
    }
    response
}
