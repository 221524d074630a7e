//! The incident actions as the console and the headless commands carry them out: each
//! executes a plan the user has seen (the dry run) and appends what happened to the audit
//! trail, and a refusal is recorded the same way. One place, so the TUI and `ehops reset`
//! leave the same record for the same act.

use serde_json::json;

use super::audit::{AuditLog, AuditRecord, Outcome};
use super::dead_letter::{self, DeadLetterDone, DeadLetterPlan};
use super::replay::{self, Progress, SendDone, SendPlan};
use super::reset::{self, PartitionWritten, ResetPlan};
use crate::connect::checkpoints::CheckpointStore;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;

/// Who acts: the signed-in principal and, when known, the team it acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub principal: String,
    pub team: Option<String>,
}

/// Where records go and whose acts they are.
#[derive(Debug, Clone)]
pub struct Trail {
    pub log: AuditLog,
    pub actor: Actor,
}

impl Trail {
    /// A record of `action` on `hub` by this trail's actor, before and after still empty.
    pub(crate) fn record(&self, plane: &DataPlane, action: &str, hub: &str) -> AuditRecord {
        let namespace = &plane.connection().namespace;
        let mut record = AuditRecord::new(&self.actor.principal, action, namespace, hub);
        record.team = self.actor.team.clone();
        record
    }
}

/// Records that `action` on `hub` was refused, and why; nothing was changed.
pub async fn refused(
    plane: &DataPlane,
    trail: &Trail,
    action: &str,
    hub: &str,
    consumer_group: Option<&str>,
    reason: &str,
) -> Result<AuditRecord, ConnectError> {
    let mut record = trail.record(plane, action, hub);
    record.consumer_group = consumer_group.map(str::to_owned);
    record.outcome = Outcome::Refused;
    record.detail = Some(reason.to_owned());
    trail.log.record(plane, record).await
}

/// Writes the reset's checkpoints and records before and after per partition.
pub async fn reset(
    plane: &DataPlane,
    store: &dyn CheckpointStore,
    trail: &Trail,
    plan: &ResetPlan,
) -> Result<(Vec<PartitionWritten>, AuditRecord), ConnectError> {
    let written = reset::execute(store, plan).await;
    let mut record = trail.record(plane, "reset", &plan.request.hub);
    record.consumer_group = Some(plan.request.consumer_group.clone());
    record.partition = plan.request.partition.clone();
    record.before = json!(
        plan.partitions
            .iter()
            .map(|p| json!({"partition": p.partition, "checkpoint": p.current_checkpoint, "next": p.current_next}))
            .collect::<Vec<_>>()
    );
    record.after = json!(written);
    let failed: Vec<&PartitionWritten> = written.iter().filter(|w| w.error.is_some()).collect();
    if !failed.is_empty() {
        record.outcome = Outcome::Failed;
        record.detail = Some(format!(
            "{} of {} partitions not written",
            failed.len(),
            written.len()
        ));
    }
    let record = trail.log.record(plane, record).await?;
    Ok((written, record))
}

/// Dead-letters (or checkpoints past) the plan's event and records it.
pub async fn dead_letter(
    plane: &DataPlane,
    store: &dyn CheckpointStore,
    trail: &Trail,
    plan: &DeadLetterPlan,
) -> Result<(DeadLetterDone, AuditRecord), ConnectError> {
    let request = &plan.request;
    let mut record = trail.record(plane, request.mode.name(), &request.hub);
    record.consumer_group = request.consumer_group.clone();
    record.partition = Some(request.partition.clone());
    record.before = json!({
        "checkpoint": plan.current_checkpoint,
        "next": plan.current_next,
        "event": {
            "sequence": plan.event.event.sequence,
            "offset": plan.event.event.offset,
            "id": plan.event.event.cloud_event.id,
            "type": plan.event.event.cloud_event.event_type,
        },
    });
    record.detail = Some(request.reason.clone());
    match dead_letter::execute(plane, store, plan).await {
        Ok(done) => {
            record.after = json!({
                "next": done.new_next,
                "copied": done.copied,
                "copy_at": done.copy_at,
                "dead_letter_hub": (request.mode == dead_letter::Mode::DeadLetter)
                    .then(|| request.dead_letter_hub.clone()),
            });
            let record = trail.log.record(plane, record).await?;
            Ok((done, record))
        }
        Err(error) => {
            record.outcome = Outcome::Failed;
            record.detail = Some(format!("{}: {}", request.reason, error.message));
            trail.log.record(plane, record).await?;
            Err(error)
        }
    }
}

/// Sends a replay or redrive plan and records the count sent.
pub async fn send(
    plane: &DataPlane,
    trail: &Trail,
    action: &str,
    source_hub: &str,
    plan: &SendPlan,
    rate: Option<u32>,
    progress: impl FnMut(Progress),
) -> Result<(SendDone, AuditRecord), ConnectError> {
    let done = replay::send(plane, plan, rate, progress).await;
    let mut record = trail.record(plane, action, source_hub);
    let summary = plan.summary();
    record.before = json!({
        "events": summary.len(),
        "first": summary.first(),
        "last": summary.last(),
    });
    record.after = json!(done);
    if let Some(error) = &done.error {
        record.outcome = Outcome::Failed;
        record.detail = Some(error.clone());
    }
    let record = trail.log.record(plane, record).await?;
    Ok((done, record))
}
