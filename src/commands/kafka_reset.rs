//! `ehops reset HUB --kafka-group G --to POSITION [--execute --confirm G]`: moves a Kafka
//! consumer group's committed offsets, with the same dry run, confirmation, permission check
//! and audit as an AMQP group's reset. Kafka takes offsets only while the group has no
//! members: the dry run says so, and executing is refused until the consumers stop.

use serde_json::json;

use super::incident::{self, Incident};
use super::kafka_lag;
use super::reset::ResetArgs;
use super::target::TargetArgs;
use super::{exit, fail};
use crate::connect::kafka::KafkaAdmin;
use crate::model::permissions::ConsoleAction;
use crate::ops::kafka_reset::{self, KafkaResetPlan};

const ACTION: &str = "reset";

pub async fn run(target_args: &TargetArgs, args: &ResetArgs, group: &str) -> u8 {
    let incident = match Incident::open(target_args).await {
        Ok(incident) => incident,
        Err(code) => return code,
    };
    let label = format!("{group} (kafka)");
    if let Err(code) = incident
        .allow(
            ConsoleAction::ResetCheckpoints,
            ACTION,
            &args.hub,
            Some(&label),
            None,
        )
        .await
    {
        return code;
    }
    let target = &incident.target;
    let Some(endpoint) = kafka_lag::endpoint(target) else {
        eprintln!(
            "error: Kafka groups need the namespace's Kafka endpoint: on an emulator pass --kafka-endpoint HOST:PORT (its `kafka` address)"
        );
        return exit::USAGE;
    };
    let mut admin = match KafkaAdmin::connect(&endpoint).await {
        Ok(admin) => admin,
        Err(error) => return fail(&error),
    };
    let plan = match kafka_reset::plan(
        &target.plane,
        &mut admin,
        &args.hub,
        group,
        args.partition.as_deref(),
        &args.to,
    )
    .await
    {
        Ok(plan) => plan,
        Err(error) => return fail(&error),
    };
    show_plan(&plan, args.execution.json);
    if let Some(code) = incident::dry_run_only(&args.execution) {
        return code;
    }
    if let Some(reason) = plan.blocked_by_members() {
        return incident
            .refuse(ACTION, &args.hub, Some(&label), &reason, exit::USAGE)
            .await;
    }
    if args.confirm.as_deref() != Some(group) {
        let reason = format!("reset not confirmed: pass --confirm {group} to move its offsets");
        return incident
            .refuse(ACTION, &args.hub, Some(&label), &reason, exit::USAGE)
            .await;
    }
    match kafka_reset::execute(&target.plane, &mut admin, &incident.trail, &plan).await {
        Ok(record) if args.execution.json => {
            incident::print_json(
                &json!({"executed": true, "partitions": plan.partitions, "audit": record}),
            );
            exit::OK
        }
        Ok(_) => {
            for p in &plan.partitions {
                println!("partition {}: next offset {}", p.partition, p.new_next);
            }
            println!(
                "reset {} / {group} [kafka]: done; recorded in {}",
                args.hub,
                incident.trail.log.file().display()
            );
            exit::OK
        }
        Err(error) => fail(&error),
    }
}

fn show_plan(plan: &KafkaResetPlan, json: bool) {
    let blocked = plan.blocked_by_members();
    if json {
        incident::print_json(&json!({
            "dry_run": true,
            "action": ACTION,
            "protocol": "kafka",
            "hub": plan.hub,
            "consumer_group": plan.group.group_id,
            "state": plan.group.state,
            "members": plan.group.members,
            "blocked": blocked,
            "partitions": plan.partitions,
        }));
        return;
    }
    println!(
        "reset {} / {} [kafka, {}] to {}",
        plan.hub, plan.group.group_id, plan.group.state, plan.to
    );
    for p in &plan.partitions {
        println!(
            "partition {}: next offset {} -> {}  (processed again {}, skipped {})",
            p.partition, p.current_next, p.new_next, p.replayed, p.skipped
        );
    }
    if let Some(reason) = blocked {
        println!("cannot execute now: {reason}");
    }
}
