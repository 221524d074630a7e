//! `ehops lag HUB [--consumer-group CG]`: how far each consumer group is behind, per
//! partition, from its checkpoints in the standard blob layout.

use std::time::Duration;

use clap::Args;
use serde::Serialize;

use super::target::{DEFAULT_CONSUMER_GROUP, Target, TargetArgs};
use super::{exit, fail, output, permission_gate};
use crate::connect::error::ConnectError;
use crate::model::permissions::ConsoleAction;
use crate::model::{ConsumerGroupLag, LagPolicy, LagStatus, PartitionLag};
use crate::ops;
use crate::tui::views::format::short_duration;

/// A checkpoint this old while events wait counts as stuck (one sample has no history).
const STUCK_AFTER: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Args)]
pub struct LagArgs {
    /// The event hub.
    pub hub: String,
    /// The consumer group to report; every group of the hub (from the catalog) if omitted.
    #[arg(long, value_name = "CG")]
    pub consumer_group: Option<String>,
    /// One JSON object per consumer group, partition and line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct LagLine<'a> {
    hub: &'a str,
    consumer_group: &'a str,
    partition: &'a str,
    last_sequence: i64,
    checkpoint_sequence: Option<i64>,
    checkpoint_offset: Option<&'a str>,
    events_behind: u64,
    checkpoint_age_secs: Option<u64>,
    owner: Option<&'a str>,
    status: &'static str,
}

pub async fn run(target_args: &TargetArgs, args: &LagArgs) -> u8 {
    let target = match permission_gate::open_for(
        target_args,
        DEFAULT_CONSUMER_GROUP,
        &args.hub,
        ConsoleAction::Lag,
    )
    .await
    {
        Ok(target) => target,
        Err(code) => return code,
    };
    match report(&target, args).await {
        Ok(()) => exit::OK,
        Err(error) => fail(&error),
    }
}

async fn report(target: &Target, args: &LagArgs) -> Result<(), ConnectError> {
    let plane = &target.plane;
    let catalog_hub = ops::hubs::find(plane, &args.hub).await;
    let groups = match (&args.consumer_group, &catalog_hub) {
        (Some(group), _) => {
            ops::lag::ensure_consumer_group(plane, &args.hub, group).await?;
            vec![group.clone()]
        }
        // The console's own group is not an application's; leave it out.
        (None, Some(hub)) => hub
            .consumer_groups
            .iter()
            .filter(|g| !g.eq_ignore_ascii_case(DEFAULT_CONSUMER_GROUP))
            .cloned()
            .collect(),
        (None, None) => {
            return Err(ConnectError::usage(
                "no catalog lists this hub's consumer groups; give --consumer-group CG",
            ));
        }
    };
    let policy = LagPolicy {
        retention: catalog_hub.as_ref().map_or(Duration::MAX, |h| h.retention),
        stuck_after: STUCK_AFTER,
    };
    let mut table = output::Table::new(&[
        "GROUP",
        "PARTITION",
        "LAST SEQ",
        "CHECKPOINT",
        "BEHIND",
        "AGE",
        "OWNER",
        "STATUS",
    ]);
    for group in &groups {
        let snapshot =
            ops::lag::snapshot(plane, target.checkpoints.as_ref(), &args.hub, group).await?;
        let lag = ConsumerGroupLag::compute(&snapshot, None, policy);
        for p in &lag.partitions {
            let l = line(&args.hub, group, p);
            if args.json {
                output::json_line(&l);
            } else {
                table.row(vec![
                    group.clone(),
                    p.partition.clone(),
                    p.last_enqueued_sequence.to_string(),
                    p.checkpoint_sequence
                        .map_or_else(|| "-".to_owned(), |s| s.to_string()),
                    p.events_behind.to_string(),
                    p.checkpoint_age
                        .map_or_else(|| "-".to_owned(), short_duration),
                    p.owner_id.clone().unwrap_or_else(|| "-".to_owned()),
                    l.status.to_owned(),
                ]);
            }
        }
    }
    if !args.json {
        table.print();
    }
    Ok(())
}

fn line<'a>(hub: &'a str, group: &'a str, p: &'a PartitionLag) -> LagLine<'a> {
    LagLine {
        hub,
        consumer_group: group,
        partition: &p.partition,
        last_sequence: p.last_enqueued_sequence,
        checkpoint_sequence: p.checkpoint_sequence,
        checkpoint_offset: p.checkpoint_offset.as_deref(),
        events_behind: p.events_behind,
        checkpoint_age_secs: p.checkpoint_age.map(|a| a.as_secs()),
        owner: p.owner_id.as_deref(),
        status: match p.status {
            LagStatus::Ok => "ok",
            LagStatus::Stuck => "stuck",
            LagStatus::Lost => "lost",
        },
    }
}
