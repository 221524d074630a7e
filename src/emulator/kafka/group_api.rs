//! JoinGroup, SyncGroup, Heartbeat and LeaveGroup: the wire side of the coordinator
//! (`groups.rs`). Listen is required.

use std::time::Duration;

use kafka_protocol::ResponseError;
use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::leave_group_response::MemberResponse;
use kafka_protocol::messages::{
    HeartbeatRequest, HeartbeatResponse, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest,
    LeaveGroupResponse, SyncGroupRequest, SyncGroupResponse,
};
use kafka_protocol::protocol::StrBytes;

use super::Broker;
use super::groups::{JoinArgs, Joined, Pending, Synced};
use super::session::Session;

fn str_bytes(text: Option<String>) -> Option<StrBytes> {
    text.map(StrBytes::from_string)
}

fn millis(ms: i32) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

pub async fn join(
    broker: &Broker,
    session: &Session,
    request: JoinGroupRequest,
    version: i16,
) -> JoinGroupResponse {
    let joined = if !session.may_consume() {
        Joined {
            error: ResponseError::GroupAuthorizationFailed.code(),
            generation: -1,
            ..Joined::default()
        }
    } else {
        let args = JoinArgs {
            member_id: request.member_id.to_string(),
            client_id: session.client_id.clone(),
            client_host: session.host.clone(),
            session_timeout: millis(request.session_timeout_ms),
            // v0 has no rebalance timeout: the session timeout stands in, as in Kafka.
            rebalance_timeout: millis(if version == 0 {
                request.session_timeout_ms
            } else {
                request.rebalance_timeout_ms
            }),
            protocol_type: request.protocol_type.to_string(),
            protocols: request
                .protocols
                .iter()
                .map(|p| (p.name.to_string(), p.metadata.clone()))
                .collect(),
            require_known_member_id: version >= 4,
        };
        let member_id = args.member_id.clone();
        match broker
            .groups
            .join(&session.namespace, &request.group_id.0, args)
        {
            Pending::Now(joined) => joined,
            Pending::Wait(rx) => rx.await.unwrap_or(Joined {
                // The member was removed while waiting (its rebalance timeout passed).
                error: ResponseError::UnknownMemberId.code(),
                generation: -1,
                member_id,
                ..Joined::default()
            }),
        }
    };
    let mut response = JoinGroupResponse::default();
    response.error_code = joined.error;
    response.generation_id = joined.generation;
    response.protocol_type = str_bytes(joined.protocol_type);
    // Before v7 the protocol name is not nullable.
    response.protocol_name = Some(StrBytes::from_string(
        joined.protocol_name.unwrap_or_default(),
    ));
    response.leader = StrBytes::from_string(joined.leader);
    response.member_id = StrBytes::from_string(joined.member_id);
    response.members = joined
        .members
        .into_iter()
        .map(|(id, metadata)| {
            let mut member = JoinGroupResponseMember::default();
            member.member_id = StrBytes::from_string(id);
            member.metadata = metadata;
            member
        })
        .collect();
    response
}

pub async fn sync(
    broker: &Broker,
    session: &Session,
    request: SyncGroupRequest,
) -> SyncGroupResponse {
    let synced = if !session.may_consume() {
        Synced {
            error: ResponseError::GroupAuthorizationFailed.code(),
            ..Synced::default()
        }
    } else {
        let assignments = request
            .assignments
            .iter()
            .map(|a| (a.member_id.to_string(), a.assignment.clone()))
            .collect();
        match broker.groups.sync(
            &session.namespace,
            &request.group_id.0,
            request.generation_id,
            &request.member_id,
            assignments,
        ) {
            Pending::Now(synced) => synced,
            Pending::Wait(rx) => rx.await.unwrap_or(Synced {
                error: ResponseError::RebalanceInProgress.code(),
                ..Synced::default()
            }),
        }
    };
    let mut response = SyncGroupResponse::default();
    response.error_code = synced.error;
    response.assignment = synced.assignment;
    response.protocol_type = str_bytes(synced.protocol_type);
    response.protocol_name = str_bytes(synced.protocol_name);
    response
}

pub fn heartbeat(
    broker: &Broker,
    session: &Session,
    request: &HeartbeatRequest,
) -> HeartbeatResponse {
    let mut response = HeartbeatResponse::default();
    response.error_code = if session.may_consume() {
        broker.groups.heartbeat(
            &session.namespace,
            &request.group_id.0,
            request.generation_id,
            &request.member_id,
        )
    } else {
        ResponseError::GroupAuthorizationFailed.code()
    };
    response
}

pub fn leave(
    broker: &Broker,
    session: &Session,
    request: &LeaveGroupRequest,
    version: i16,
) -> LeaveGroupResponse {
    let mut response = LeaveGroupResponse::default();
    if !session.may_consume() {
        response.error_code = ResponseError::GroupAuthorizationFailed.code();
        return response;
    }
    // v0-2 name one member; v3+ a list of them.
    let ids: Vec<String> = if version < 3 {
        vec![request.member_id.to_string()]
    } else {
        request
            .members
            .iter()
            .map(|m| m.member_id.to_string())
            .collect()
    };
    let codes = broker
        .groups
        .leave(&session.namespace, &request.group_id.0, &ids);
    if version < 3 {
        response.error_code = codes.first().copied().unwrap_or(0);
    } else {
        response.members = ids
            .into_iter()
            .zip(codes)
            .map(|(id, code)| {
                let mut member = MemberResponse::default();
                member.member_id = StrBytes::from_string(id);
                member.error_code = code;
                member
            })
            .collect();
    }
    response
}
