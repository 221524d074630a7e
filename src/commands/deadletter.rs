//! `ehops deadletter HUB --partition P [--consumer-group CG] [--sequence N] --reason TEXT`:
//! copies a poison event to the team's dead-letter hub, waits for the hub to accept it, then
//! moves the group's checkpoint past it. `--checkpoint-only` moves past without a copy
//! (checkpoint-on-error). The dry run shows the event, where the copy goes, whether an
//! earlier run already copied it, and the checkpoint move.

use clap::Args;
use serde_json::json;

use super::incident::{self, Execution, Incident};
use super::kafka_deadletter::KafkaTarget;
use super::target::TargetArgs;
use super::{exit, fail};
use crate::connect::checkpoints::CheckpointStore;
use crate::connect::error::ConnectError;
use crate::model::dead_letter_hub_for;
use crate::model::permissions::ConsoleAction;
use crate::ops::audited;
use crate::ops::dead_letter::{self, DeadLetterPlan, DeadLetterRequest, Mode};
use crate::ops::event_decoder::TailDecoder;
use crate::ops::hubs;
use crate::tui::views::sanitize::sanitize;

#[derive(Debug, Clone, Args)]
pub struct DeadLetterArgs {
    /// The event hub holding the poison event.
    pub hub: String,
    /// The partition holding it.
    #[arg(long, value_name = "P")]
    pub partition: String,
    /// The consumer group stuck on it: its checkpoint moves past the event. Without it the
    /// event is only copied.
    #[arg(long, value_name = "CG")]
    pub consumer_group: Option<String>,
    /// A Kafka consumer group stuck on it instead: its committed offset moves past the event
    /// (only while the group has no members, as Kafka requires).
    #[arg(long, value_name = "G", conflicts_with = "consumer_group")]
    pub kafka_group: Option<String>,
    /// The event's sequence number; by default the group's next event.
    #[arg(long, value_name = "N")]
    pub sequence: Option<i64>,
    /// Why: recorded on the copy and in the audit trail.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Where the copy goes; by default the team's dead-letter hub (tagged `deadletter_for`).
    #[arg(long, value_name = "HUB")]
    pub dead_letter_hub: Option<String>,
    /// Checkpoint-on-error: move the group (`--consumer-group` or `--kafka-group`) past the
    /// event without copying it.
    #[arg(long)]
    pub checkpoint_only: bool,
    #[command(flatten)]
    pub execution: Execution,
}

pub async fn run(target_args: &TargetArgs, args: &DeadLetterArgs) -> u8 {
    let incident = match Incident::open(target_args).await {
        Ok(incident) => incident,
        Err(code) => return code,
    };
    let mode = if args.checkpoint_only {
        Mode::CheckpointOnError
    } else {
        Mode::DeadLetter
    };
    if args.checkpoint_only && args.consumer_group.is_none() && args.kafka_group.is_none() {
        return fail(&ConnectError::usage(
            "--checkpoint-only moves a group: name it with --consumer-group or --kafka-group",
        ));
    }
    let kafka = match &args.kafka_group {
        Some(id) => match KafkaTarget::open(&incident, id).await {
            Ok(kafka) => Some(kafka),
            Err(error) => return fail(&error),
        },
        None => None,
    };
    let label = kafka.as_ref().map(KafkaTarget::label);
    let group = label.as_deref().or(args.consumer_group.as_deref());
    let dead_letter_hub = match mode {
        Mode::CheckpointOnError => String::new(),
        Mode::DeadLetter => match choose_dead_letter_hub(&incident, args).await {
            Ok(hub) => hub,
            Err(error) => return fail(&error),
        },
    };
    // Checkpoint-on-error sends nothing: it needs what dead-lettering needs on the hub and
    // the checkpoints, and no dead-letter hub.
    let dlq = (mode == Mode::DeadLetter).then_some(dead_letter_hub.as_str());
    if let Err(code) = incident
        .allow(
            ConsoleAction::DeadLetter,
            mode.name(),
            &args.hub,
            group,
            dlq,
        )
        .await
    {
        return code;
    }
    if args.reason.trim().is_empty() {
        return fail(&ConnectError::usage("--reason must say why"));
    }
    let request = DeadLetterRequest {
        hub: args.hub.clone(),
        partition: args.partition.clone(),
        consumer_group: group.map(str::to_owned),
        sequence: args.sequence,
        dead_letter_hub,
        reason: args.reason.clone(),
        mode,
        kafka_group: args.kafka_group.clone(),
    };
    let target = &incident.target;
    // A Kafka group's offsets stand where an AMQP group's checkpoint blobs would.
    let store: &dyn CheckpointStore = match &kafka {
        Some(kafka) => &kafka.offsets,
        None => target.checkpoints.as_ref(),
    };
    let plan = match dead_letter::plan(&target.plane, store, &request).await {
        Ok(plan) => plan,
        Err(error) => return fail(&error),
    };
    // What a consumer would make of it: on-call should not dead-letter a sound event by a
    // wrong sequence number without being told.
    let rejection = TailDecoder::new(target.plane.connection())
        .decode(&plan.event.event)
        .await
        .rejection();
    show_plan(&plan, rejection.as_deref(), args.execution.json);
    if let Some(kafka) = &kafka {
        kafka.show(args.execution.json);
    }
    if !args.execution.execute {
        incident::dry_run_footer(args.execution.json);
        return exit::OK;
    }
    if let Some(reason) = kafka.as_ref().and_then(|k| k.group.members_block()) {
        return incident
            .refuse(mode.name(), &args.hub, group, &reason, exit::USAGE)
            .await;
    }
    let executed = audited::dead_letter(&target.plane, store, &incident.trail, &plan).await;
    match executed {
        Ok((done, record)) => {
            if args.execution.json {
                incident::print_json(&json!({"executed": true, "result": done, "audit": record}));
            } else {
                let copy = match (mode, done.copied) {
                    (Mode::CheckpointOnError, _) => "no copy (checkpoint-on-error)".to_owned(),
                    (Mode::DeadLetter, true) => format!("copied to {}", request.dead_letter_hub),
                    (Mode::DeadLetter, false) => format!(
                        "already in {} from an earlier run; not copied again",
                        request.dead_letter_hub
                    ),
                };
                let next = done
                    .new_next
                    .map(|n| format!("; next event {n}"))
                    .unwrap_or_default();
                println!("{}: {copy}{next}", mode.name());
            }
            exit::OK
        }
        Err(error) => fail(&error),
    }
}

/// `--dead-letter-hub`, else the hub tagged for the signed-in team, else the only dead-letter
/// hub the identity sees (a team's key sees its own), else the one for the hub's owning team.
async fn choose_dead_letter_hub(
    incident: &Incident,
    args: &DeadLetterArgs,
) -> Result<String, ConnectError> {
    if let Some(hub) = &args.dead_letter_hub {
        return Ok(hub.clone());
    }
    let plane = &incident.target.plane;
    let listed = hubs::list(plane, &plane.connection().namespace).await?;
    let owner = listed
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(&args.hub))
        .and_then(|h| h.team.clone());
    let for_team = |team: Option<String>| {
        team.and_then(|team| dead_letter_hub_for(&listed, &team).map(|h| h.name.clone()))
    };
    let visible: Vec<&str> = listed
        .iter()
        .filter(|h| h.dead_letter_for.is_some())
        .map(|h| h.name.as_str())
        .collect();
    let only_visible = match visible.as_slice() {
        [only] => Some((*only).to_owned()),
        _ => None,
    };
    for_team(incident.target.team.clone())
        .or(only_visible)
        .or_else(|| for_team(owner))
        .ok_or_else(|| {
            ConnectError::usage(
                "no dead-letter hub found for the team (none tagged deadletter_for); name one \
                 with --dead-letter-hub",
            )
        })
}

fn show_plan(plan: &DeadLetterPlan, rejection: Option<&str>, json: bool) {
    let request = &plan.request;
    let event = &plan.event.event;
    if json {
        incident::print_json(&json!({
            "dry_run": true,
            "action": request.mode.name(),
            "hub": request.hub,
            "partition": request.partition,
            "consumer_group": request.consumer_group,
            "sequence": event.sequence,
            "offset": event.offset,
            "id": event.cloud_event.id,
            "type": event.cloud_event.event_type,
            "why_poison": rejection,
            "dead_letter_hub": (request.mode == Mode::DeadLetter).then_some(&request.dead_letter_hub),
            "existing_copy": plan.existing_copy,
            "current_next": plan.current_next,
            "new_next": plan.new_checkpoint.as_ref().map(|c| c.sequence + 1),
            "skipped_before": plan.skipped_before,
            "reason": request.reason,
        }));
        return;
    }
    let ce = &event.cloud_event;
    println!(
        "{} {} partition {} sequence {} (type {}, id {})",
        request.mode.name(),
        request.hub,
        request.partition,
        event.sequence,
        sanitize(ce.event_type.as_deref().unwrap_or("-"), false),
        sanitize(ce.id.as_deref().unwrap_or("-"), false),
    );
    match rejection {
        Some(why) => println!("why poison: {}", sanitize(why, false)),
        None => println!(
            "WARNING: this event decodes and keeps the mandate; is it the one the group is stuck on?"
        ),
    }
    if request.mode == Mode::DeadLetter {
        match &plan.existing_copy {
            Some((p, s)) => println!(
                "copy: already in {} (partition {p}, sequence {s}); it will not be copied again",
                request.dead_letter_hub
            ),
            None => println!(
                "copy: to {}, with provenance and reason",
                request.dead_letter_hub
            ),
        }
    }
    match (&request.consumer_group, &plan.new_checkpoint) {
        (Some(group), Some(checkpoint)) => {
            println!(
                "checkpoint: {group} next {} -> {}",
                plan.current_next.unwrap_or(checkpoint.sequence),
                checkpoint.sequence + 1
            );
            if plan.skipped_before > 0 {
                println!(
                    "WARNING: {} events before it are skipped too",
                    plan.skipped_before
                );
            }
        }
        (Some(group), None) => println!("checkpoint: {group} is already past it; unchanged"),
        (None, _) => println!("checkpoint: no consumer group named; none moves"),
    }
}
