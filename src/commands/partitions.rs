//! `ehops partitions HUB`: each partition's retained range and newest event.

use clap::Args;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use super::target::{self, DEFAULT_CONSUMER_GROUP, TargetArgs};
use super::{exit, fail, output};
use crate::model::PartitionInfo;

#[derive(Debug, Clone, Args)]
pub struct PartitionsArgs {
    /// The event hub.
    pub hub: String,
    /// One JSON object per partition and line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct PartitionLine<'a> {
    hub: &'a str,
    partition: &'a str,
    begin_sequence: i64,
    last_sequence: i64,
    last_offset: &'a str,
    last_enqueued_time: Option<String>,
    is_empty: bool,
    retained_events: u64,
}

pub async fn run(target_args: &TargetArgs, args: &PartitionsArgs) -> u8 {
    let target = match target::open(target_args, DEFAULT_CONSUMER_GROUP).await {
        Ok(target) => target,
        Err(error) => return fail(&error),
    };
    let partitions = match target.plane.partitions(&args.hub).await {
        Ok(partitions) => partitions,
        Err(error) => return fail(&error),
    };
    if args.json {
        for p in &partitions {
            output::json_line(&line(&args.hub, p));
        }
    } else {
        let mut table = output::Table::new(&[
            "PARTITION",
            "FIRST SEQ",
            "LAST SEQ",
            "EVENTS",
            "LAST OFFSET",
            "LAST ENQUEUED",
        ]);
        for p in &partitions {
            let l = line(&args.hub, p);
            table.row(vec![
                p.id.clone(),
                p.begin_sequence.to_string(),
                p.last_sequence.to_string(),
                p.retained_events().to_string(),
                p.last_offset.clone(),
                l.last_enqueued_time.unwrap_or_else(|| "-".to_owned()),
            ]);
        }
        table.print();
    }
    exit::OK
}

fn line<'a>(hub: &'a str, p: &'a PartitionInfo) -> PartitionLine<'a> {
    PartitionLine {
        hub,
        partition: &p.id,
        begin_sequence: p.begin_sequence,
        last_sequence: p.last_sequence,
        last_offset: &p.last_offset,
        last_enqueued_time: p.last_enqueued.and_then(|t| t.format(&Rfc3339).ok()),
        is_empty: p.is_empty,
        retained_events: p.retained_events(),
    }
}
