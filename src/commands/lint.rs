//! `ehops lint HUB [--count N] [--from ...] [--json]`: samples a hub's events and reports how
//! well they keep the mandate. Exits [`exit::VIOLATIONS`] when any sampled event breaks it, so
//! a CI step can gate on it, and [`exit::NOT_FOUND`] when there was no event to sample (an
//! empty hub, or a start past the newest event): an empty sample is not a pass.

use std::time::Duration;

use clap::Args;

use super::tail::{Reading, parse_position, start_recorded};
use super::target::{DEFAULT_CONSUMER_GROUP, TargetArgs};
use super::{exit, fail};
use crate::connect::tail::TailItem;
use crate::model::StartPosition;
use crate::ops::event_decoder::TailDecoder;
use crate::ops::lint::LintReport;

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// The event hub.
    pub hub: String,
    /// Events to sample.
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    /// Where to sample from: earliest, latest, seq:N, offset:X or time:RFC3339.
    #[arg(long, default_value = "earliest", value_parser = parse_position)]
    pub from: StartPosition,
    /// Stop sampling when no event arrives for this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub idle: u64,
    /// Stop sampling after this many seconds in all (a hub with live traffic is never idle).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// The report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(target_args: &TargetArgs, args: &LintArgs) -> u8 {
    let reading = Reading {
        consumer_group: DEFAULT_CONSUMER_GROUP,
        hub: &args.hub,
        partition: None,
        from: args.from.clone(),
    };
    let (target, mut subscription) = match start_recorded(target_args, reading).await {
        Ok(started) => started,
        Err(code) => return code,
    };
    let mut decoder = TailDecoder::new(target.plane.connection());
    let mut report = LintReport::new(&args.hub);
    let idle = Duration::from_secs(args.idle);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.timeout);
    while report.sampled < args.count {
        let wait = idle.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
        match tokio::time::timeout(wait, subscription.events.recv()).await {
            Ok(Some(TailItem::Event(event))) => report.add(&decoder.decode(&event).await),
            Ok(Some(TailItem::Failed { error, .. })) => return fail(&error),
            Ok(Some(notice)) => super::tail::report_link(&notice),
            // Idle or out of time: the sample is what there is.
            Ok(None) | Err(_) => break,
        }
    }
    if args.json {
        match serde_json::to_string(&report) {
            Ok(line) => println!("{line}"),
            Err(error) => eprintln!("error: {error}"),
        }
    } else {
        print_human(&report);
    }
    if report.sampled == 0 {
        // An empty sample proves nothing: a CI gate must not pass on it.
        eprintln!(
            "error: no events sampled from hub {} starting at {}: nothing was checked",
            args.hub, args.from
        );
        return exit::NOT_FOUND;
    }
    if report.clean() {
        exit::OK
    } else {
        exit::VIOLATIONS
    }
}

fn print_human(report: &LintReport) {
    println!("hub {}: {} events sampled", report.hub, report.sampled);
    for (label, count) in [
        ("CloudEvents", report.cloudevents),
        ("registered schema", report.schema_registered),
        ("decodable", report.decodable),
    ] {
        println!("  {label:<18} {count:>8}  {:5.1}%", report.share(count));
    }
    if report.sampled == 0 {
        return;
    }
    if report.clean() {
        println!("  no violations");
        return;
    }
    println!("  violations (source, rule, events):");
    for (source, rules) in &report.violations {
        for (rule, count) in rules {
            println!(
                "    {}  {rule}  {count}",
                crate::tui::views::sanitize::sanitize(source, false)
            );
        }
    }
}
