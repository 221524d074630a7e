//! The group coordinator: Kafka's classic rebalance protocol, one state machine per group.
//! A join (or a leave, or a member's session expiring) starts a rebalance; it completes when
//! every member has rejoined or the longest rebalance timeout passes, and the members who did
//! not rejoin are removed. The leader's SyncGroup then hands every member its assignment.
//! Waiting requests hold a oneshot sender; the periodic `tick` enforces the timeouts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use kafka_protocol::ResponseError;
use tokio::sync::oneshot;

use super::group::Group;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
}

impl State {
    /// The names Kafka's DescribeGroups and ListGroups use.
    pub fn name(self) -> &'static str {
        match self {
            State::Empty => "Empty",
            State::PreparingRebalance => "PreparingRebalance",
            State::CompletingRebalance => "CompletingRebalance",
            State::Stable => "Stable",
        }
    }
}

pub struct JoinArgs {
    pub member_id: String,
    pub client_id: String,
    pub client_host: String,
    pub session_timeout: Duration,
    pub rebalance_timeout: Duration,
    pub protocol_type: String,
    pub protocols: Vec<(String, Bytes)>,
    /// JoinGroup v4+: a member without an id is given one and must join again with it.
    pub require_known_member_id: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Joined {
    pub error: i16,
    pub generation: i32,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    pub leader: String,
    pub member_id: String,
    /// For the leader only: every member's id and subscription metadata.
    pub members: Vec<(String, Bytes)>,
}

#[derive(Debug, Clone, Default)]
pub struct Synced {
    pub error: i16,
    pub assignment: Bytes,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
}

/// An answer now, or one that comes when the rebalance moves on.
pub enum Pending<T> {
    Now(T),
    Wait(oneshot::Receiver<T>),
}

/// A member as DescribeGroups shows it.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub member_id: String,
    pub client_id: String,
    pub client_host: String,
    pub metadata: Bytes,
    pub assignment: Bytes,
}

#[derive(Debug, Clone)]
pub struct GroupView {
    pub group_id: String,
    pub state: State,
    pub protocol_type: String,
    pub protocol: String,
    pub members: Vec<MemberView>,
}

#[derive(Default)]
pub struct Coordinator {
    groups: Mutex<HashMap<(String, String), Group>>,
    next_member: AtomicU64,
}

pub(super) fn error_joined(error: ResponseError, member_id: String) -> Joined {
    Joined {
        error: error.code(),
        generation: -1,
        member_id,
        ..Joined::default()
    }
}

impl Coordinator {
    fn with<T>(&self, namespace: &str, group: &str, f: impl FnOnce(&mut Group) -> T) -> T {
        let mut groups = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        let key = (namespace.to_ascii_lowercase(), group.to_string());
        let entry = groups.entry(key.clone()).or_insert_with(Group::new);
        let out = f(entry);
        if entry.members.is_empty() && entry.pending_ids.is_empty() {
            groups.remove(&key);
        }
        out
    }

    pub fn join(&self, namespace: &str, group: &str, args: JoinArgs) -> Pending<Joined> {
        let serial = self.next_member.fetch_add(1, Ordering::Relaxed);
        self.with(namespace, group, |g| g.join(args, serial, Instant::now()))
    }

    pub fn sync(
        &self,
        namespace: &str,
        group: &str,
        generation: i32,
        member_id: &str,
        assignments: Vec<(String, Bytes)>,
    ) -> Pending<Synced> {
        self.with(namespace, group, |g| {
            g.sync(generation, member_id, assignments, Instant::now())
        })
    }

    pub fn heartbeat(&self, namespace: &str, group: &str, generation: i32, member_id: &str) -> i16 {
        self.with(namespace, group, |g| g.heartbeat(generation, member_id))
    }

    /// Removes members; answers each one's error code.
    pub fn leave(&self, namespace: &str, group: &str, member_ids: &[String]) -> Vec<i16> {
        self.with(namespace, group, |g| {
            let now = Instant::now();
            let codes = member_ids
                .iter()
                .map(|id| match g.members.remove(id) {
                    Some(_) => 0,
                    None => ResponseError::UnknownMemberId.code(),
                })
                .collect::<Vec<_>>();
            if codes.contains(&0) {
                g.membership_changed(now);
            }
            codes
        })
    }

    /// Whether a commit with this generation and member may be stored now.
    pub fn may_commit(
        &self,
        namespace: &str,
        group: &str,
        generation: i32,
        member_id: &str,
    ) -> Result<(), ResponseError> {
        self.with(namespace, group, |g| {
            if g.members.is_empty() {
                return if generation < 0 {
                    Ok(())
                } else {
                    Err(ResponseError::UnknownMemberId)
                };
            }
            let member = g
                .members
                .get_mut(member_id)
                .ok_or(ResponseError::UnknownMemberId)?;
            if generation != g.generation {
                return Err(ResponseError::IllegalGeneration);
            }
            member.last_seen = Instant::now();
            match g.state {
                State::CompletingRebalance => Err(ResponseError::RebalanceInProgress),
                _ => Ok(()),
            }
        })
    }

    pub fn describe(&self, namespace: &str, group: &str) -> GroupView {
        self.with(namespace, group, |g| g.view(group))
    }

    /// Every group of the namespace that has members.
    pub fn list(&self, namespace: &str) -> Vec<GroupView> {
        let groups = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        let namespace = namespace.to_ascii_lowercase();
        groups
            .iter()
            .filter(|((ns, _), g)| *ns == namespace && !g.members.is_empty())
            .map(|((_, id), g)| g.view(id))
            .collect()
    }

    /// Expires members whose session ran out and completes overdue rebalances.
    pub fn tick(&self) {
        let now = Instant::now();
        let mut groups = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        for group in groups.values_mut() {
            group.expire(now);
        }
        groups.retain(|_, g| !(g.members.is_empty() && g.pending_ids.is_empty()));
    }
}
