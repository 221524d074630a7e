//! `ehops capture replay HUB [--partition P] [--from T] [--until T] [--filter TEXT]
//! [--to-hub HUB] [--rate N] [--execute]`: captured events sent again, through the replay's
//! own steps (dry run, send right on the target checked first, progress, audit as
//! `capture-replay`). Reading Capture needs the storage account, not a right on the hub.

use clap::Args;
use time::OffsetDateTime;

use super::capture::{CaptureSourceArgs, parse_time, source};
use super::fail;
use super::incident::{Execution, Incident};
use super::replay::carry_out;
use super::target::TargetArgs;
use crate::model::permissions::ConsoleAction;
use crate::ops::capture::TimeRange;
use crate::ops::capture_replay::{CaptureReplayRequest, plan_capture_replay};

#[derive(Debug, Clone, Args)]
pub struct CaptureReplayArgs {
    /// The hub whose capture files are read.
    pub hub: String,
    /// Only this partition's files.
    #[arg(long, value_name = "P")]
    pub partition: Option<String>,
    /// Events enqueued at or after this RFC 3339 time (or this long ago: 2h).
    #[arg(long, value_name = "TIME|D", value_parser = parse_time)]
    pub from: Option<OffsetDateTime>,
    /// Events enqueued at or before this RFC 3339 time (or this long ago).
    #[arg(long, value_name = "TIME|D", value_parser = parse_time)]
    pub until: Option<OffsetDateTime>,
    /// Only events whose CloudEvents type, subject, source or id contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Where the copies go; the same hub by default.
    #[arg(long, value_name = "HUB")]
    pub to_hub: Option<String>,
    /// At most this many events per second.
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,
    #[command(flatten)]
    pub execution: Execution,
    #[command(flatten)]
    pub source: CaptureSourceArgs,
}

pub async fn run(target_args: &TargetArgs, args: &CaptureReplayArgs) -> u8 {
    let incident = match Incident::open(target_args).await {
        Ok(incident) => incident,
        Err(code) => return code,
    };
    let target_hub = args.to_hub.clone().unwrap_or_else(|| args.hub.clone());
    if let Err(code) = incident
        .allow(
            ConsoleAction::Produce,
            "capture-replay",
            &target_hub,
            None,
            None,
        )
        .await
    {
        return code;
    }
    let source = match source(&args.source, &incident.target) {
        Ok(source) => source,
        Err(error) => return fail(&error),
    };
    let connection = incident.target.plane.connection();
    let source = source.with_catalog_format(connection, &args.hub).await;
    let request = CaptureReplayRequest {
        namespace: args
            .source
            .capture_namespace
            .clone()
            .unwrap_or_else(|| connection.namespace.clone()),
        hub: args.hub.clone(),
        partition: args.partition.clone(),
        range: TimeRange {
            from: args.from,
            until: args.until,
        },
        filter: args.filter.clone(),
        target_hub,
        by: connection.principal.clone(),
    };
    let (plan, problems) = match plan_capture_replay(&source, &request).await {
        Ok(planned) => planned,
        Err(error) => return fail(&error),
    };
    for problem in &problems {
        eprintln!("warning: {problem}");
    }
    carry_out(
        &incident,
        "capture-replay",
        &args.hub,
        &plan,
        args.rate,
        &args.execution,
    )
    .await
}
