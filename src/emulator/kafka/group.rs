//! One group's state machine (the coordinator in `groups.rs` holds one per group id): joins,
//! the rebalance they start, the leader's assignments, heartbeats and session expiry.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use bytes::Bytes;
use kafka_protocol::ResponseError;
use tokio::sync::oneshot;

use super::groups::{
    GroupView, JoinArgs, Joined, MemberView, Pending, State, Synced, error_joined,
};

pub(super) struct Member {
    client_id: String,
    client_host: String,
    session_timeout: Duration,
    rebalance_timeout: Duration,
    protocols: Vec<(String, Bytes)>,
    pub(super) assignment: Bytes,
    pub(super) last_seen: Instant,
    join: Option<oneshot::Sender<Joined>>,
    sync: Option<oneshot::Sender<Synced>>,
}

pub(super) struct Group {
    pub(super) state: State,
    pub(super) generation: i32,
    protocol_type: Option<String>,
    protocol: Option<String>,
    leader: Option<String>,
    pub(super) members: BTreeMap<String, Member>,
    /// Ids handed out with MEMBER_ID_REQUIRED, not yet joined.
    pub(super) pending_ids: HashSet<String>,
    rebalance_deadline: Option<Instant>,
}

impl Group {
    pub(super) fn new() -> Self {
        Group {
            state: State::Empty,
            generation: 0,
            protocol_type: None,
            protocol: None,
            leader: None,
            members: BTreeMap::new(),
            pending_ids: HashSet::new(),
            rebalance_deadline: None,
        }
    }

    pub(super) fn join(&mut self, args: JoinArgs, serial: u64, now: Instant) -> Pending<Joined> {
        let others_type = self
            .protocol_type
            .as_ref()
            .filter(|_| !self.members.is_empty());
        let compatible = others_type.is_none_or(|t| *t == args.protocol_type)
            && self.members.values().all(|m| {
                m.protocols
                    .iter()
                    .any(|(name, _)| args.protocols.iter().any(|(n, _)| n == name))
            });
        if !compatible || args.protocols.is_empty() {
            return Pending::Now(error_joined(
                ResponseError::InconsistentGroupProtocol,
                args.member_id,
            ));
        }
        let member_id = if args.member_id.is_empty() {
            let id = format!("{}-{serial:08x}", args.client_id);
            if args.require_known_member_id {
                self.pending_ids.insert(id.clone());
                return Pending::Now(error_joined(ResponseError::MemberIdRequired, id));
            }
            id
        } else if self.members.contains_key(&args.member_id)
            || self.pending_ids.contains(&args.member_id)
        {
            args.member_id
        } else {
            return Pending::Now(error_joined(ResponseError::UnknownMemberId, args.member_id));
        };
        self.pending_ids.remove(&member_id);
        let (tx, rx) = oneshot::channel();
        let assignment = self
            .members
            .remove(&member_id)
            .map(|m| m.assignment)
            .unwrap_or_default();
        self.members.insert(
            member_id,
            Member {
                client_id: args.client_id,
                client_host: args.client_host,
                session_timeout: args.session_timeout,
                rebalance_timeout: args.rebalance_timeout,
                protocols: args.protocols,
                assignment,
                last_seen: now,
                join: Some(tx),
                sync: None,
            },
        );
        self.protocol_type = Some(args.protocol_type);
        if self.state != State::PreparingRebalance {
            self.begin_rebalance(now);
        }
        self.try_complete_join(now);
        Pending::Wait(rx)
    }

    fn begin_rebalance(&mut self, now: Instant) {
        self.state = State::PreparingRebalance;
        let longest = self
            .members
            .values()
            .map(|m| m.rebalance_timeout)
            .max()
            .unwrap_or_default();
        self.rebalance_deadline = Some(now + longest);
        for member in self.members.values_mut() {
            if let Some(sync) = member.sync.take() {
                let _ = sync.send(Synced {
                    error: ResponseError::RebalanceInProgress.code(),
                    ..Synced::default()
                });
            }
        }
    }

    /// A member left or expired: rebalance the rest, or fall back to Empty.
    pub(super) fn membership_changed(&mut self, now: Instant) {
        if self.members.is_empty() {
            self.state = State::Empty;
            self.leader = None;
            self.protocol = None;
            self.rebalance_deadline = None;
            self.generation += 1;
            return;
        }
        if self.state != State::PreparingRebalance {
            self.begin_rebalance(now);
        }
        self.try_complete_join(now);
    }

    fn try_complete_join(&mut self, now: Instant) {
        if self.state != State::PreparingRebalance {
            return;
        }
        let all_joined = self.members.values().all(|m| m.join.is_some());
        let overdue = self.rebalance_deadline.is_some_and(|d| now >= d);
        if !all_joined && !overdue {
            return;
        }
        self.members.retain(|_, m| m.join.is_some());
        if self.members.is_empty() {
            self.membership_changed(now);
            return;
        }
        self.generation += 1;
        self.protocol = self.choose_protocol();
        if !self
            .leader
            .as_ref()
            .is_some_and(|l| self.members.contains_key(l))
        {
            self.leader = self.members.keys().next().cloned();
        }
        self.state = State::CompletingRebalance;
        self.rebalance_deadline = None;
        let protocol = self.protocol.clone().unwrap_or_default();
        let leader = self.leader.clone().unwrap_or_default();
        let roster: Vec<(String, Bytes)> = self
            .members
            .iter()
            .map(|(id, m)| (id.clone(), metadata_for(m, &protocol)))
            .collect();
        for (id, member) in self.members.iter_mut() {
            member.last_seen = now;
            if let Some(join) = member.join.take() {
                let _ = join.send(Joined {
                    error: 0,
                    generation: self.generation,
                    protocol_type: self.protocol_type.clone(),
                    protocol_name: Some(protocol.clone()),
                    leader: leader.clone(),
                    member_id: id.clone(),
                    members: if *id == leader {
                        roster.clone()
                    } else {
                        Vec::new()
                    },
                });
            }
        }
    }

    /// The first of the leader-candidate's protocols that every member supports.
    fn choose_protocol(&self) -> Option<String> {
        let first = self.members.values().next()?;
        first
            .protocols
            .iter()
            .map(|(name, _)| name)
            .find(|name| {
                self.members
                    .values()
                    .all(|m| m.protocols.iter().any(|(n, _)| n == *name))
            })
            .cloned()
    }

    pub(super) fn sync(
        &mut self,
        generation: i32,
        member_id: &str,
        assignments: Vec<(String, Bytes)>,
        now: Instant,
    ) -> Pending<Synced> {
        let refuse = |error: ResponseError| {
            Pending::Now(Synced {
                error: error.code(),
                ..Synced::default()
            })
        };
        if !self.members.contains_key(member_id) {
            return refuse(ResponseError::UnknownMemberId);
        }
        if generation != self.generation {
            return refuse(ResponseError::IllegalGeneration);
        }
        let synced = |g: &Group, assignment: Bytes| Synced {
            error: 0,
            assignment,
            protocol_type: g.protocol_type.clone(),
            protocol_name: g.protocol.clone(),
        };
        match self.state {
            State::Empty | State::PreparingRebalance => refuse(ResponseError::RebalanceInProgress),
            State::Stable => {
                let assignment = self.members.get(member_id).map(|m| m.assignment.clone());
                Pending::Now(synced(self, assignment.unwrap_or_default()))
            }
            State::CompletingRebalance if self.leader.as_deref() != Some(member_id) => {
                let (tx, rx) = oneshot::channel();
                if let Some(member) = self.members.get_mut(member_id) {
                    member.sync = Some(tx);
                    member.last_seen = now;
                }
                Pending::Wait(rx)
            }
            State::CompletingRebalance => {
                let mut assigned: HashMap<String, Bytes> = assignments.into_iter().collect();
                self.state = State::Stable;
                let template = synced(self, Bytes::new());
                for (id, member) in self.members.iter_mut() {
                    member.assignment = assigned.remove(id).unwrap_or_default();
                    member.last_seen = now;
                    if let Some(sync) = member.sync.take() {
                        let _ = sync.send(Synced {
                            assignment: member.assignment.clone(),
                            ..template.clone()
                        });
                    }
                }
                let own = self.members.get(member_id).map(|m| m.assignment.clone());
                Pending::Now(synced(self, own.unwrap_or_default()))
            }
        }
    }

    pub(super) fn heartbeat(&mut self, generation: i32, member_id: &str) -> i16 {
        let Some(member) = self.members.get_mut(member_id) else {
            return ResponseError::UnknownMemberId.code();
        };
        member.last_seen = Instant::now();
        if generation != self.generation {
            return ResponseError::IllegalGeneration.code();
        }
        match self.state {
            State::PreparingRebalance => ResponseError::RebalanceInProgress.code(),
            _ => 0,
        }
    }

    pub(super) fn expire(&mut self, now: Instant) {
        let before = self.members.len();
        self.members.retain(|_, m| {
            m.join.is_some()
                || m.sync.is_some()
                || now.duration_since(m.last_seen) <= m.session_timeout
        });
        if self.members.len() != before {
            self.membership_changed(now);
        }
        self.try_complete_join(now);
    }

    pub(super) fn view(&self, group_id: &str) -> GroupView {
        let protocol = self.protocol.clone().unwrap_or_default();
        GroupView {
            group_id: group_id.to_string(),
            state: self.state,
            protocol_type: self.protocol_type.clone().unwrap_or_default(),
            members: self
                .members
                .iter()
                .map(|(id, m)| MemberView {
                    member_id: id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    metadata: metadata_for(m, &protocol),
                    assignment: m.assignment.clone(),
                })
                .collect(),
            protocol,
        }
    }
}

fn metadata_for(member: &Member, protocol: &str) -> Bytes {
    member
        .protocols
        .iter()
        .find(|(name, _)| name == protocol)
        .map(|(_, metadata)| metadata.clone())
        .unwrap_or_default()
}
