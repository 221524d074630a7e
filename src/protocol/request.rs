//! What the console asks of the backend, grouped by how the backend runs it.

use super::{RequestId, Seen};
use crate::model::StartPosition;
use crate::ops::dead_letter::{DeadLetterPlan, DeadLetterRequest, Mode};
use crate::ops::lag_sampler::HubGroups;
use crate::ops::redrive::RedriveRequest;
use crate::ops::replay::{ReplayRequest, SendPlan};
use crate::ops::reset::{ResetPlan, ResetRequest};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// One read, one answer (repeated while its pane is on screen, for partitions and lag).
    Read(ReadRequest),
    /// An incident action or its dry run: runs to the end even when the user moves on.
    Incident(IncidentRequest),
    /// Read `hub` from `from`; one partition, or all when `partition` is `None`. Replaces
    /// the tail running before.
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
    /// Connect to the named context of the user's config file instead.
    SwitchContext {
        request: RequestId,
        name: String,
    },
    /// Sample the lag of every consumer group of these hubs on the backend's interval, from
    /// now on (replacing the hubs sampled before); boards come back as `LagSampled`.
    WatchLag {
        request: RequestId,
        hubs: Vec<HubGroups>,
    },
    /// Read and act on the hubs of `namespace` from now on (one the console listed), as the
    /// same identity; the lag sampling of every listed namespace goes on.
    UseNamespace {
        request: RequestId,
        namespace: String,
    },
    /// Search `hubs` of the namespace the backend reads for what `ask` names; matches come
    /// back as `SearchFound` (none lost: a console that falls behind slows the search),
    /// progress as `SearchProgress`, and the end as `SearchFinished`. Replaces the search
    /// running before.
    StartSearch {
        request: RequestId,
        hubs: Vec<String>,
        ask: SearchAsk,
    },
    /// Stops the search `request` started; what it found stays, and its summary still comes.
    StopSearch {
        request: RequestId,
    },
    /// The pane that asked `request` (partitions, lag) is gone: stop refreshing it.
    StopRefresh {
        request: RequestId,
    },
}

/// What a search looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchAsk {
    /// Events a CEL expression (or a bare word) matches.
    Where(String),
    /// Every event of one aggregate: its CloudEvents subject or partition key, reading only
    /// the partition the key hashes to where a hub keys by it.
    Trace(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadRequest {
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
    /// The registry's schema `id`, for decoding the tail.
    FetchSchema {
        request: RequestId,
        id: String,
    },
    /// The identity's effective permissions for actions on `hub` (and on the team's
    /// dead-letter hub, when it has one); `fresh` skips the cache.
    Permissions {
        request: RequestId,
        hub: String,
        dead_letter_hub: Option<String>,
        fresh: bool,
    },
    /// Every version of every schema the registry shows this identity.
    ListSchemas {
        request: RequestId,
    },
    /// The newest records of the audit trail (`{data}/audit.jsonl`).
    AuditTrail {
        request: RequestId,
    },
    /// The hub's capture files holding events of the last `within` (all when `None`), with
    /// the capture failures the emulator reports for the hub.
    CaptureFiles {
        request: RequestId,
        hub: String,
        within: Option<std::time::Duration>,
    },
    /// One page of a capture file's events: at most `count` from the `start`th.
    CaptureEvents {
        request: RequestId,
        file: String,
        partition: String,
        start: usize,
        count: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentRequest {
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
    ListDeadLetters { request: RequestId, hub: String },
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
    /// The dry run of re-publishing one capture file's events to the hub they came from;
    /// answered with `ReplayPlanned`, executed as any replay.
    PlanCaptureReplay {
        request: RequestId,
        hub: String,
        file: String,
        partition: String,
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

impl Request {
    pub fn id(&self) -> RequestId {
        match self {
            Request::Read(read) => read.id(),
            Request::Incident(incident) => incident.id(),
            Request::StartTail { request, .. }
            | Request::StopTail { request }
            | Request::SwitchTeam { request, .. }
            | Request::SwitchContext { request, .. }
            | Request::WatchLag { request, .. }
            | Request::UseNamespace { request, .. }
            | Request::StartSearch { request, .. }
            | Request::StopSearch { request }
            | Request::StopRefresh { request } => *request,
        }
    }
}

impl ReadRequest {
    pub fn id(&self) -> RequestId {
        match self {
            ReadRequest::ListNamespaces { request }
            | ReadRequest::ListHubs { request, .. }
            | ReadRequest::PartitionInfo { request, .. }
            | ReadRequest::Lag { request, .. }
            | ReadRequest::FetchSchema { request, .. }
            | ReadRequest::Permissions { request, .. }
            | ReadRequest::ListSchemas { request }
            | ReadRequest::AuditTrail { request }
            | ReadRequest::CaptureFiles { request, .. }
            | ReadRequest::CaptureEvents { request, .. } => *request,
        }
    }
}

impl IncidentRequest {
    pub fn id(&self) -> RequestId {
        match self {
            IncidentRequest::PlanReset { request, .. }
            | IncidentRequest::ExecuteReset { request, .. }
            | IncidentRequest::PlanDeadLetter { request, .. }
            | IncidentRequest::ExecuteDeadLetter { request, .. }
            | IncidentRequest::ListDeadLetters { request, .. }
            | IncidentRequest::PlanRedrive { request, .. }
            | IncidentRequest::ExecuteRedrive { request, .. }
            | IncidentRequest::PlanReplay { request, .. }
            | IncidentRequest::ExecuteReplay { request, .. }
            | IncidentRequest::PlanCaptureReplay { request, .. }
            | IncidentRequest::AuditRefusal { request, .. } => *request,
        }
    }
}
