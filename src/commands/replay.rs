//! `ehops replay HUB --partition P --from POSITION [--to-sequence N] [--until TIME]
//! [--filter TEXT] [--to-hub HUB] [--rate N]` re-publishes a range, each copy keeping its
//! CloudEvent id and carrying its provenance; `ehops redrive DEAD_LETTER_HUB [--event P:SEQ]...
//! [--source-hub HUB]` sends dead-lettered events back to the hub they came from. Both show
//! the events first (dry run) and send only with `--execute`, with progress on stderr.

use std::io::Write;

use clap::Args;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::incident::{self, Execution, Incident};
use super::target::TargetArgs;
use super::{exit, fail};
use crate::connect::error::ConnectError;
use crate::model::StartPosition;
use crate::model::permissions::ConsoleAction;
use crate::ops::audited;
use crate::ops::redrive::{self, RedriveRequest};
use crate::ops::replay::{self, Progress, ReplayRequest, SendPlan};
use crate::tui::views::sanitize::sanitize;

#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The hub to read from.
    pub hub: String,
    #[arg(long, value_name = "P")]
    pub partition: String,
    /// The first event: earliest, seq:N, offset:X or time:RFC3339.
    #[arg(long, value_name = "POSITION")]
    pub from: StartPosition,
    /// The last sequence number (inclusive); by default the partition's newest event.
    #[arg(long, value_name = "N")]
    pub to_sequence: Option<i64>,
    /// Only events enqueued before this RFC 3339 time.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
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
}

#[derive(Debug, Clone, Args)]
pub struct RedriveArgs {
    /// The dead-letter hub to send from.
    pub dead_letter_hub: String,
    /// Only this copy, as PARTITION:SEQUENCE in the dead-letter hub (repeatable); all by default.
    #[arg(long = "event", value_name = "P:SEQ", value_parser = parse_event)]
    pub events: Vec<(String, i64)>,
    /// Only copies that came from this hub.
    #[arg(long, value_name = "HUB")]
    pub source_hub: Option<String>,
    /// At most this many events per second.
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,
    #[command(flatten)]
    pub execution: Execution,
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("`{text}` is not an RFC 3339 time ({e}); e.g. 2024-05-01T12:00:00Z"))
}

fn parse_event(text: &str) -> Result<(String, i64), String> {
    let (partition, sequence) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}`: expected PARTITION:SEQUENCE, e.g. 0:42"))?;
    let sequence = sequence
        .parse()
        .map_err(|_| format!("`{sequence}` is not a sequence number"))?;
    Ok((partition.to_owned(), sequence))
}

pub async fn replay(target_args: &TargetArgs, args: &ReplayArgs) -> u8 {
    let incident = match Incident::open(target_args).await {
        Ok(incident) => incident,
        Err(code) => return code,
    };
    let target_hub = args.to_hub.clone().unwrap_or_else(|| args.hub.clone());
    // Reading needs receive on the source; sending, send on the target.
    for (hub, action) in [
        (&args.hub, ConsoleAction::Tail),
        (&target_hub, ConsoleAction::Produce),
    ] {
        if let Err(code) = incident.allow(action, "replay", hub, None, None).await {
            return code;
        }
    }
    let request = ReplayRequest {
        hub: args.hub.clone(),
        partition: args.partition.clone(),
        from: args.from.clone(),
        to_sequence: args.to_sequence,
        until: args.until,
        filter: args.filter.clone(),
        target_hub,
    };
    let plan = match replay::plan_replay(&incident.target.plane, &request).await {
        Ok(plan) => plan,
        Err(error) => return fail(&error),
    };
    carry_out(
        &incident,
        "replay",
        &args.hub,
        &plan,
        args.rate,
        &args.execution,
    )
    .await
}

pub async fn redrive(target_args: &TargetArgs, args: &RedriveArgs) -> u8 {
    let incident = match Incident::open(target_args).await {
        Ok(incident) => incident,
        Err(code) => return code,
    };
    let hub = &args.dead_letter_hub;
    if let Err(code) = incident
        .allow(ConsoleAction::Tail, "redrive", hub, None, None)
        .await
    {
        return code;
    }
    let request = RedriveRequest {
        dead_letter_hub: hub.clone(),
        only: args.events.clone(),
        source_hub: args.source_hub.clone(),
    };
    let plan = match redrive::plan_redrive(&incident.target.plane, &request).await {
        Ok(plan) => plan,
        Err(error) => return fail(&error),
    };
    let mut targets: Vec<&str> = plan.events.iter().map(|o| o.target_hub.as_str()).collect();
    targets.sort_unstable();
    targets.dedup();
    for target_hub in targets {
        if let Err(code) = incident
            .allow(ConsoleAction::Produce, "redrive", target_hub, None, None)
            .await
        {
            return code;
        }
    }
    carry_out(&incident, "redrive", hub, &plan, args.rate, &args.execution).await
}

/// Shows the plan, and with `--execute` sends it with progress on stderr.
pub(super) async fn carry_out(
    incident: &Incident,
    action: &str,
    hub: &str,
    plan: &SendPlan,
    rate: Option<u32>,
    execution: &Execution,
) -> u8 {
    let summary = plan.summary();
    if execution.json {
        incident::print_json(&json!({
            "dry_run": true,
            "action": action,
            "events": summary,
            "filtered_out": plan.filtered_out,
        }));
    } else {
        for e in &summary {
            println!(
                "{} {}/{} seq {} -> {}{}  {}",
                action,
                sanitize(&e.source_hub, false),
                sanitize(&e.partition, false),
                e.sequence,
                sanitize(&e.target_hub, false),
                e.target_partition
                    .as_ref()
                    .map(|p| format!("/{p}"))
                    .unwrap_or_default(),
                sanitize(e.event_type.as_deref().unwrap_or("-"), false),
            );
        }
        println!(
            "{action}: {} events ({} left out by the filter)",
            summary.len(),
            plan.filtered_out
        );
    }
    if !execution.execute {
        incident::dry_run_footer(execution.json);
        return exit::OK;
    }
    if plan.events.is_empty() {
        return fail(&ConnectError::not_found(format!(
            "{action}: nothing to send"
        )));
    }
    let show_progress = !execution.json;
    let progress = |p: Progress| {
        if show_progress && (p.sent.is_multiple_of(100) || p.sent == p.total) {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r{action}: {}/{} sent", p.sent, p.total);
            if p.sent == p.total {
                let _ = writeln!(err);
            }
        }
    };
    let plane = &incident.target.plane;
    let sent = audited::send(plane, &incident.trail, action, hub, plan, rate, progress).await;
    match sent {
        Ok((done, record)) => {
            if execution.json {
                incident::print_json(&json!({"executed": true, "result": done, "audit": record}));
            } else {
                println!("{action}: {} of {} sent", done.sent, done.total);
            }
            match done.error {
                None => exit::OK,
                Some(error) => {
                    eprintln!("error: {action} stopped: {error}");
                    exit::CONNECTION
                }
            }
        }
        Err(error) => fail(&error),
    }
}
