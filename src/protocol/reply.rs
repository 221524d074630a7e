//! What the backend answers: each reply names the request it answers, so the console can
//! drop answers for panes the user has left.

use std::sync::Arc;

use time::OffsetDateTime;

use super::{RequestId, Seen};
use crate::model::{
    CaptureFailure, CaptureFileInfo, Hub, LagBoard, LagSnapshot, Namespace, PartitionInfo,
    RegisteredSchema, SchemaFetch, SwitchedContext, TailEvent,
};
use crate::ops::audit_read::Trail;
use crate::ops::dead_letter::{DeadLetterDone, DeadLetterPlan, Mode};
use crate::ops::permissions::HubPermissions;
use crate::ops::provenance::Provenance;
use crate::ops::replay::{Progress, SendDone, SendPlan};
use crate::ops::reset::{PartitionWritten, ResetPlan};

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    NamespacesLoaded {
        request: RequestId,
        namespaces: Vec<Namespace>,
    },
    HubsLoaded {
        request: RequestId,
        namespace: String,
        hubs: Vec<Hub>,
    },
    /// Matches of a search, by hub, in the order found.
    SearchFound {
        request: RequestId,
        found: Vec<(String, TailEvent)>,
    },
    SearchProgress {
        request: RequestId,
        progress: crate::ops::search::Progress,
    },
    /// The search is over: what it read and did not, in one sentence.
    SearchFinished {
        request: RequestId,
        summary: String,
        complete: bool,
    },
    PartitionsLoaded {
        request: RequestId,
        hub: String,
        partitions: Vec<PartitionInfo>,
        sampled_at: OffsetDateTime,
    },
    LagLoaded {
        request: RequestId,
        snapshot: LagSnapshot,
    },
    /// A sampling round of the hubs `WatchLag` named (on the bounded lag channel).
    LagSampled {
        request: RequestId,
        board: Arc<LagBoard>,
    },
    /// A batch of tail events; `lost` counts events the backend dropped before sending.
    TailReceived {
        request: RequestId,
        events: Vec<TailEvent>,
        lost: u64,
    },
    TailEnded {
        request: RequestId,
        reason: Option<String>,
    },
    TeamSwitched {
        request: RequestId,
        team: String,
        principal: String,
    },
    SchemaFetched {
        request: RequestId,
        id: String,
        outcome: SchemaFetch,
    },
    ContextSwitched {
        request: RequestId,
        switched: SwitchedContext,
    },
    PermissionsLoaded {
        request: RequestId,
        hub: String,
        permissions: HubPermissions,
    },
    SchemasLoaded {
        request: RequestId,
        schemas: Vec<RegisteredSchema>,
    },
    AuditLoaded {
        request: RequestId,
        trail: Arc<Trail>,
    },
    CaptureFilesLoaded {
        request: RequestId,
        hub: String,
        listing: CaptureListing,
    },
    CaptureEventsLoaded {
        request: RequestId,
        page: CapturePage,
    },
    ResetPlanned {
        request: RequestId,
        plan: Seen<ResetPlan>,
    },
    ResetExecuted {
        request: RequestId,
        written: Vec<PartitionWritten>,
    },
    DeadLetterPlanned {
        request: RequestId,
        plan: Seen<DeadLetterPlan>,
    },
    DeadLetterExecuted {
        request: RequestId,
        mode: Mode,
        done: DeadLetterDone,
    },
    DeadLettersLoaded {
        request: RequestId,
        hub: String,
        rows: Vec<DeadLetterRow>,
    },
    RedrivePlanned {
        request: RequestId,
        plan: Seen<SendPlan>,
    },
    /// How far a long send got: after each event.
    SendProgress {
        request: RequestId,
        progress: Progress,
    },
    RedriveExecuted {
        request: RequestId,
        done: SendDone,
    },
    ReplayPlanned {
        request: RequestId,
        plan: Seen<SendPlan>,
    },
    ReplayExecuted {
        request: RequestId,
        done: SendDone,
    },
    /// A refusal was written to the audit trail.
    RefusalAudited {
        request: RequestId,
    },
    RequestFailed {
        request: RequestId,
        message: String,
    },
    /// Not an answer: the link to the service changed.
    ConnectionChanged(ConnectionState),
}

/// What the status bar says about the link to the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// A link was lost and is being tried again: what, which attempt, when next.
    Reconnecting(String),
    Disconnected(String),
}

/// A hub's capture files, where they were read, and what is failing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaptureListing {
    /// Where the files were read (`directory …`, `container …`).
    pub source: String,
    pub files: Vec<CaptureFileInfo>,
    /// Capture destinations of the hub that are failing now.
    pub failures: Vec<CaptureFailure>,
}

/// A page of one capture file's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturePage {
    pub file: String,
    /// The position of the page's first event in the file.
    pub start: usize,
    /// Events the file holds.
    pub total: usize,
    pub events: Vec<TailEvent>,
    /// Blocks of the file that could not be read.
    pub problems: Vec<String>,
}

/// One dead-lettered event: the copy as it sits in the dead-letter hub, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterRow {
    pub event: TailEvent,
    pub provenance: Provenance,
}

impl DeadLetterRow {
    /// Where the copy is in the dead-letter hub: what a redrive names.
    pub fn key(&self) -> (String, i64) {
        (self.event.partition.clone(), self.event.sequence)
    }
}

impl Reply {
    /// The request this answers; `None` for news nobody asked for.
    pub fn request(&self) -> Option<RequestId> {
        match self {
            Reply::NamespacesLoaded { request, .. }
            | Reply::HubsLoaded { request, .. }
            | Reply::SearchFound { request, .. }
            | Reply::SearchProgress { request, .. }
            | Reply::SearchFinished { request, .. }
            | Reply::PartitionsLoaded { request, .. }
            | Reply::LagLoaded { request, .. }
            | Reply::LagSampled { request, .. }
            | Reply::TailReceived { request, .. }
            | Reply::TailEnded { request, .. }
            | Reply::TeamSwitched { request, .. }
            | Reply::SchemaFetched { request, .. }
            | Reply::ContextSwitched { request, .. }
            | Reply::PermissionsLoaded { request, .. }
            | Reply::SchemasLoaded { request, .. }
            | Reply::AuditLoaded { request, .. }
            | Reply::CaptureFilesLoaded { request, .. }
            | Reply::CaptureEventsLoaded { request, .. }
            | Reply::ResetPlanned { request, .. }
            | Reply::ResetExecuted { request, .. }
            | Reply::DeadLetterPlanned { request, .. }
            | Reply::DeadLetterExecuted { request, .. }
            | Reply::DeadLettersLoaded { request, .. }
            | Reply::RedrivePlanned { request, .. }
            | Reply::SendProgress { request, .. }
            | Reply::RedriveExecuted { request, .. }
            | Reply::ReplayPlanned { request, .. }
            | Reply::ReplayExecuted { request, .. }
            | Reply::RefusalAudited { request }
            | Reply::RequestFailed { request, .. } => Some(*request),
            Reply::ConnectionChanged(_) => None,
        }
    }
}
