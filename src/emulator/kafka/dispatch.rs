//! Routes an authenticated connection's request to the file that serves its API.

use kafka_protocol::messages::{RequestKind, ResponseKind};

use super::session::Session;
use super::{
    Broker, fetch, group_admin, group_api, list_offsets, metadata, offset_api, produce, producer_id,
};

/// The response to `request`, or `None` for a request that has no place after SASL (the
/// connection closes, as Kafka brokers do).
pub async fn handle(
    broker: &Broker,
    session: &Session,
    request: RequestKind,
    version: i16,
) -> Option<ResponseKind> {
    Some(match request {
        RequestKind::Metadata(r) => ResponseKind::Metadata(metadata::metadata(broker, session, &r)),
        RequestKind::FindCoordinator(r) => {
            ResponseKind::FindCoordinator(metadata::find_coordinator(broker, session, &r, version))
        }
        RequestKind::Produce(r) => ResponseKind::Produce(produce::handle(broker, session, r).await),
        RequestKind::Fetch(r) => ResponseKind::Fetch(fetch::handle(broker, session, r).await),
        RequestKind::ListOffsets(r) => {
            ResponseKind::ListOffsets(list_offsets::handle(broker, session, &r))
        }
        RequestKind::JoinGroup(r) => {
            ResponseKind::JoinGroup(group_api::join(broker, session, r, version).await)
        }
        RequestKind::SyncGroup(r) => {
            ResponseKind::SyncGroup(group_api::sync(broker, session, r).await)
        }
        RequestKind::Heartbeat(r) => {
            ResponseKind::Heartbeat(group_api::heartbeat(broker, session, &r))
        }
        RequestKind::LeaveGroup(r) => {
            ResponseKind::LeaveGroup(group_api::leave(broker, session, &r, version))
        }
        RequestKind::OffsetCommit(r) => {
            ResponseKind::OffsetCommit(offset_api::commit(broker, session, &r))
        }
        RequestKind::OffsetFetch(r) => {
            ResponseKind::OffsetFetch(offset_api::fetch(broker, session, &r, version))
        }
        RequestKind::InitProducerId(r) => {
            ResponseKind::InitProducerId(producer_id::handle(session, &r))
        }
        RequestKind::ListGroups(r) => {
            ResponseKind::ListGroups(group_admin::list(broker, session, &r))
        }
        RequestKind::DescribeGroups(r) => {
            ResponseKind::DescribeGroups(group_admin::describe(broker, session, &r))
        }
        RequestKind::DeleteGroups(r) => {
            ResponseKind::DeleteGroups(group_admin::delete(broker, session, &r))
        }
        _ => return None,
    })
}
