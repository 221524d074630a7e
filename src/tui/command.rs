//! Requests from the console to a backend. The backend answers with result [`Action`]s that
//! carry the same [`RequestId`], so the app can drop replies for views the user has left.
//!
//! [`Action`]: super::action::Action

use std::sync::Arc;

use crate::model::StartPosition;
use crate::ops::dead_letter::{DeadLetterPlan, DeadLetterRequest, Mode};
use crate::ops::redrive::RedriveRequest;
use crate::ops::replay::{ReplayRequest, SendPlan};
use crate::ops::reset::{ResetPlan, ResetRequest};

/// A plan the backend made and the user saw, travelling back unchanged to be executed: the
/// console executes exactly what its dry run showed. Equal only to itself (the same plan),
/// since plans hold whole AMQP messages.
#[derive(Debug)]
pub struct Seen<T>(pub Arc<T>);

impl<T> Seen<T> {
    pub fn new(plan: T) -> Self {
        Self(Arc::new(plan))
    }
}

impl<T> Clone for Seen<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Seen<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Eq for Seen<T> {}

impl<T> std::ops::Deref for Seen<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

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
    /// The identity's effective permissions for actions on `hub` (and on the team's
    /// dead-letter hub, when it has one); `fresh` skips the cache.
    Permissions {
        request: RequestId,
        hub: String,
        dead_letter_hub: Option<String>,
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
    /// The dry run of a checkpoint reset; nothing is written.
    PlanReset {
        request: RequestId,
        reset: ResetRequest,
    },
    /// Writes the reset the user confirmed, and audits it.
    ExecuteReset {
        request: RequestId,
        plan: Seen<ResetPlan>,
    },
    /// The dry run of dead-lettering (or checkpointing past) an event.
    PlanDeadLetter {
        request: RequestId,
        dead_letter: DeadLetterRequest,
    },
    /// Carries out the plan the user confirmed, in `mode`, with the reason they gave.
    ExecuteDeadLetter {
        request: RequestId,
        plan: Seen<DeadLetterPlan>,
        mode: Mode,
        reason: String,
    },
    /// The events ehops dead-lettered into `hub`.
    ListDeadLetters {
        request: RequestId,
        hub: String,
    },
    /// The dry run of sending dead-lettered events home.
    PlanRedrive {
        request: RequestId,
        redrive: RedriveRequest,
    },
    /// Sends the redrive the user confirmed, reporting progress, and audits it.
    ExecuteRedrive {
        request: RequestId,
        plan: Seen<SendPlan>,
        dead_letter_hub: String,
    },
    /// The dry run of re-publishing a range of one partition.
    PlanReplay {
        request: RequestId,
        replay: ReplayRequest,
    },
    /// Sends the replay the user confirmed, at most `rate` events a second, reporting
    /// progress, and audits it.
    ExecuteReplay {
        request: RequestId,
        plan: Seen<SendPlan>,
        source_hub: String,
        rate: Option<u32>,
    },
    /// Records in the audit trail that the user was refused `action` on `hub`, and why.
    AuditRefusal {
        request: RequestId,
        action: String,
        hub: String,
        consumer_group: Option<String>,
        reason: String,
    },
}
