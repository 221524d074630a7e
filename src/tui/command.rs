//! Requests from the console to a backend. The backend answers with result [`Action`]s that
//! carry the same [`RequestId`], so the app can drop replies for views the user has left.
//!
//! [`Action`]: super::action::Action

use crate::model::StartPosition;

/// Identifies one request; ids only grow, so the latest request of a kind wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    ListNamespaces {
        request: RequestId,
    },
    ListHubs {
        request: RequestId,
        namespace: String,
    },
    PartitionInfo {
        request: RequestId,
        hub: String,
    },
    Lag {
        request: RequestId,
        hub: String,
        consumer_group: String,
    },
    /// Read `hub` from `from`; one partition, or all when `partition` is `None`.
    StartTail {
        request: RequestId,
        hub: String,
        partition: Option<String>,
        from: StartPosition,
    },
    StopTail {
        request: RequestId,
    },
    /// Sign in as `team` instead (the embedded demo's team identities).
    SwitchTeam {
        request: RequestId,
        team: String,
    },
    /// The registry's schema `id`, for decoding the tail.
    FetchSchema {
        request: RequestId,
        id: String,
    },
    /// Connect to the named context of the user's config file instead.
    SwitchContext {
        request: RequestId,
        name: String,
    },
    /// The identity's effective permissions for actions on `hub`; `fresh` skips the cache.
    Permissions {
        request: RequestId,
        hub: String,
        fresh: bool,
    },
    /// The pane that asked `request` (partitions, lag) is gone: stop refreshing it.
    StopRefresh {
        request: RequestId,
    },
    /// Every version of every schema the registry shows this identity.
    ListSchemas {
        request: RequestId,
    },
}
