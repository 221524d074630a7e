//! `ehops reset HUB --consumer-group CG [--partition P] --to POSITION [--execute --confirm CG]`:
//! moves a consumer group's checkpoints so its processors resume at POSITION. The dry run
//! (the default) shows per partition where the group stands, where it will resume, and how
//! many events that processes again or skips; executing it needs `--confirm` naming the
//! group, as the console asks the user to type it.

use clap::Args;
use serde_json::json;

use super::incident::{self, Execution, Incident};
use super::target::TargetArgs;
use super::{exit, fail};
use crate::model::StartPosition;
use crate::model::permissions::ConsoleAction;
use crate::ops::audited;
use crate::ops::reset::{self, ResetPlan, ResetRequest};

#[derive(Debug, Clone, Args)]
pub struct ResetArgs {
    /// The event hub.
    pub hub: String,
    /// The consumer group whose checkpoints move.
    #[arg(long, value_name = "CG", required_unless_present = "kafka_group")]
    pub consumer_group: Option<String>,
    /// A Kafka consumer group instead: its committed offsets move (through the namespace's
    /// Kafka endpoint, see --kafka-endpoint), only while it has no members. For it, seq:N is
    /// the Kafka offset N.
    #[arg(long, value_name = "GROUP", conflicts_with = "consumer_group")]
    pub kafka_group: Option<String>,
    /// Only this partition; every partition if omitted.
    #[arg(long, value_name = "P")]
    pub partition: Option<String>,
    /// The group's next event: earliest, latest, seq:N, offset:X (the event at X) or
    /// time:RFC3339 (the first enqueued at or after it).
    #[arg(long, value_name = "POSITION")]
    pub to: StartPosition,
    /// With --execute: the consumer group's name again, to confirm.
    #[arg(long, value_name = "CG")]
    pub confirm: Option<String>,
    #[command(flatten)]
    pub execution: Execution,
}

const ACTION: &str = "reset";

pub async fn run(target_args: &TargetArgs, args: &ResetArgs) -> u8 {
    let consumer_group = match (&args.consumer_group, &args.kafka_group) {
        (Some(group), _) => group,
        (None, Some(kafka)) => return super::kafka_reset::run(target_args, args, kafka).await,
        (None, None) => {
            eprintln!("error: name the group with --consumer-group CG or --kafka-group GROUP");
            return exit::USAGE;
        }
    };
    let incident = match Incident::open(target_args).await {
        Ok(incident) => incident,
        Err(code) => return code,
    };
    let group = Some(consumer_group.as_str());
    if let Err(code) = incident
        .allow(
            ConsoleAction::ResetCheckpoints,
            ACTION,
            &args.hub,
            group,
            None,
        )
        .await
    {
        return code;
    }
    let request = ResetRequest {
        hub: args.hub.clone(),
        consumer_group: consumer_group.clone(),
        partition: args.partition.clone(),
        to: args.to.clone(),
        kafka_group: None,
    };
    let target = &incident.target;
    let plan = match reset::plan(&target.plane, target.checkpoints.as_ref(), &request).await {
        Ok(plan) => plan,
        Err(error) => return fail(&error),
    };
    show_plan(&plan, args.execution.json);
    if let Some(code) = incident::dry_run_only(&args.execution) {
        return code;
    }
    if args.confirm.as_deref() != Some(consumer_group.as_str()) {
        let reason = format!(
            "reset not confirmed: pass --confirm {} to move its checkpoints",
            consumer_group
        );
        return incident
            .refuse(ACTION, &args.hub, group, &reason, exit::USAGE)
            .await;
    }
    let executed = audited::reset(
        &target.plane,
        target.checkpoints.as_ref(),
        &incident.trail,
        &plan,
    )
    .await;
    let (written, record) = match executed {
        Ok(done) => done,
        Err(error) => return fail(&error),
    };
    if args.execution.json {
        incident::print_json(&json!({"executed": true, "partitions": written, "audit": record}));
    }
    let mut failed = false;
    for w in &written {
        match &w.error {
            None if !args.execution.json => {
                println!("partition {}: next event {}", w.partition, w.new_next);
            }
            None => {}
            Some(error) => {
                failed = true;
                eprintln!("error: partition {}: {error}", w.partition);
            }
        }
    }
    if failed {
        return exit::CONNECTION;
    }
    if !args.execution.json {
        println!(
            "reset {} / {}: done; recorded in {}",
            args.hub,
            consumer_group,
            incident.trail.log.file().display()
        );
    }
    exit::OK
}

fn show_plan(plan: &ResetPlan, json: bool) {
    let request = &plan.request;
    if json {
        incident::print_json(&json!({
            "dry_run": true,
            "action": ACTION,
            "hub": request.hub,
            "consumer_group": request.consumer_group,
            "partitions": plan.partitions,
        }));
        return;
    }
    println!(
        "reset {} / {} to {}",
        request.hub, request.consumer_group, request.to
    );
    for p in &plan.partitions {
        let owner = p
            .live_owner
            .as_ref()
            .map(|o| format!("  WARNING: {o} is running and may overwrite it"))
            .unwrap_or_default();
        println!(
            "partition {}: next {} -> {}  (processed again {}, skipped {}){owner}",
            p.partition, p.current_next, p.new_next, p.replayed, p.skipped
        );
    }
    if !plan.live_owners().is_empty() {
        println!(
            "stop the group's processors first, or they may write their own checkpoints over it"
        );
    }
}
