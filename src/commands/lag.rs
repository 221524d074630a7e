//! `ehops lag HUB [--consumer-group CG]`, `ehops lag --all` (every namespace the identity
//! reads): how far consumer groups are behind, per partition, from their checkpoints in the
//! standard blob layout, with the time behind, the rates and the forecast that the recorded
//! history allows. `--history` prints the samples recorded for one group (by `ehops watch`,
//! `ehops lag` and the console).

use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use serde::Serialize;
use time::OffsetDateTime;

use super::sampled_groups::{every_group_in, hubs_to_watch};
use super::target::{self, DEFAULT_CONSUMER_GROUP, TargetArgs};
use super::{duration_arg, exit, fail, kafka_lag, output};
use crate::connect::error::ConnectError;
use crate::model::{NextEventVerdict, PartitionLag, duration_text};
use crate::ops;
use crate::ops::lag_history::HistoryStore;
use crate::ops::lag_sampler::{GroupSample, LagSampler};
use crate::ops::next_event::NextEventJudge;
use crate::tui::views::sanitize::sanitize;

#[derive(Debug, Clone, Args)]
pub struct LagArgs {
    /// The event hub (omit with --all).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub hub: Option<String>,
    /// Every consumer group of every hub the identity may read, in every namespace it reads
    /// (another namespace's hubs named `namespace/hub`).
    #[arg(long)]
    pub all: bool,
    /// The consumer group to report; every group of the hub (from the catalog) if omitted.
    #[arg(long, value_name = "CG")]
    pub consumer_group: Option<String>,
    /// Report only this Kafka consumer group (read through the namespace's Kafka endpoint,
    /// see --kafka-endpoint). Without it and --consumer-group, Kafka groups are listed beside
    /// the AMQP groups.
    #[arg(long, value_name = "GROUP", conflicts_with_all = ["consumer_group", "history"])]
    pub kafka_group: Option<String>,
    /// Print the samples recorded for the group instead of sampling now (needs HUB and
    /// --consumer-group).
    #[arg(long, requires = "consumer_group", conflicts_with = "all")]
    pub history: bool,
    /// With --history: how far back.
    #[arg(long, value_name = "DURATION", value_parser = duration_arg::parse, default_value = "1h", requires = "history")]
    pub since: Duration,
    /// One JSON object per consumer group, partition and line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct LagLine<'a> {
    namespace: &'a str,
    hub: &'a str,
    consumer_group: &'a str,
    partition: &'a str,
    last_sequence: i64,
    checkpoint_sequence: Option<i64>,
    checkpoint_offset: Option<&'a str>,
    events_behind: u64,
    time_behind_secs: Option<u64>,
    checkpoint_age_secs: Option<u64>,
    owner: Option<&'a str>,
    ingress_per_sec: Option<f64>,
    drain_per_sec: Option<f64>,
    forecast: &'static str,
    forecast_secs: Option<u64>,
    status: &'static str,
    /// On a stuck partition, what its next event is.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_event: Option<NextEventLine>,
}

#[derive(Serialize)]
struct NextEventLine {
    sequence: i64,
    /// ehops finds the event itself at fault (it does not decode, or breaks the mandate).
    poison: bool,
    says: String,
}

pub async fn run(target_args: &TargetArgs, args: &LagArgs) -> u8 {
    let target = match target::open(target_args, DEFAULT_CONSUMER_GROUP).await {
        Ok(target) => target,
        Err(error) => return fail(&error),
    };
    if args.history {
        return history(&target.data, &target.plane.connection().namespace, args);
    }
    let named: Vec<String> = args.hub.iter().cloned().collect();
    let hubs = match hubs_to_watch(&target, &named, args.consumer_group.as_deref()).await {
        Ok(hubs) => hubs,
        Err(code) => return code,
    };
    let mut table = output::Table::new(&[
        "HUB", "GROUP", "PART", "LAST SEQ", "CHECKPT", "BEHIND", "TIME", "CP AGE", "OWNER",
        "STATUS", "FORECAST",
    ]);
    let mut failure: Option<ConnectError> = None;
    let mut why = Vec::new();
    let amqp_hubs = if args.kafka_group.is_some() {
        Vec::new()
    } else {
        hubs.clone()
    };
    // `--all`: every namespace the identity reads, the one it was started on first.
    let mut rounds = vec![(Arc::clone(&target.plane), amqp_hubs)];
    if args.all && args.kafka_group.is_none() {
        for plane in ops::namespaces::others(&target.plane).await {
            let groups = every_group_in(&plane, args.consumer_group.as_deref()).await;
            rounds.push((plane, groups));
        }
    }
    let home = target.plane.connection().namespace.clone();
    for (plane, hubs) in rounds {
        let mut sampler = LagSampler::new(
            Arc::clone(&plane),
            Arc::clone(&target.checkpoints),
            Some(HistoryStore::new(&target.data)),
        );
        // Stuck partitions say what holds them: their next event, read and judged.
        let mut judge = NextEventJudge::new(&plane);
        let namespace = plane.connection().namespace.clone();
        // Another namespace's hubs are named with it, as the console lists them.
        let label = |hub: &str| {
            if namespace == home {
                hub.to_owned()
            } else {
                format!("{namespace}/{hub}")
            }
        };
        for sample in sampler.round(&hubs).await {
            match sample {
                GroupSample::Lag(lag) => {
                    if args.consumer_group.is_none() && lag.is_unused_default() {
                        continue;
                    }
                    let next_events = judge.stuck_partitions(&plane, &lag).await;
                    let hub = label(&lag.hub);
                    for p in &lag.partitions {
                        let next = next_events.get(&p.partition);
                        if args.json {
                            let json = line(&namespace, &lag.hub, &lag.consumer_group, p, next);
                            output::json_line(&json);
                        } else {
                            table.row(cells(&hub, &lag.consumer_group, p));
                            if let Some(next) = next {
                                why.push(format!(
                                    "{hub}/{} partition {}: {}",
                                    lag.consumer_group,
                                    p.partition,
                                    next.sentence()
                                ));
                            }
                        }
                    }
                }
                GroupSample::Failed {
                    hub,
                    consumer_group,
                    error,
                } => {
                    eprintln!("error: {}/{consumer_group}: {error}", label(&hub));
                    failure.get_or_insert(error);
                }
            }
        }
    }
    if args.consumer_group.is_none() {
        match kafka_lag::endpoint(&target) {
            Some(endpoint) => {
                match kafka_lag::sample(&endpoint, &target, &hubs, args.kafka_group.as_deref())
                    .await
                {
                    Ok(groups) => kafka_lag::print(&groups, args.json, &mut table),
                    Err(error) => {
                        eprintln!("error: Kafka groups: {error}");
                        failure.get_or_insert(error);
                    }
                }
            }
            None if args.kafka_group.is_some() => {
                eprintln!(
                    "error: Kafka groups need the namespace's Kafka endpoint: on an emulator pass --kafka-endpoint HOST:PORT (its `kafka` address)"
                );
                return exit::USAGE;
            }
            None => tracing::info!("no Kafka endpoint to read Kafka groups from"),
        }
    }
    if !args.json {
        table.print();
        for line in why {
            println!("{}", sanitize(&line, false));
        }
    }
    match failure {
        Some(error) => super::exit_code(error.failure),
        None => exit::OK,
    }
}

/// `--history`: the recorded samples of one group, oldest first.
fn history(data: &std::path::Path, namespace: &str, args: &LagArgs) -> u8 {
    let (Some(hub), Some(group)) = (&args.hub, &args.consumer_group) else {
        eprintln!("error: --history needs HUB and --consumer-group CG");
        return exit::USAGE;
    };
    let since = OffsetDateTime::now_utc() - args.since;
    let loaded = match HistoryStore::new(data).load(namespace, hub, group, since) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!(
                "error: cannot read the lag history under {}: {error}",
                data.display()
            );
            return exit::USAGE;
        }
    };
    if loaded.skipped > 0 {
        eprintln!("warning: {} damaged history lines skipped", loaded.skipped);
    }
    if args.json {
        for sample in &loaded.samples {
            output::json_line(sample);
        }
        return exit::OK;
    }
    let mut table = output::Table::new(&["AT", "BEHIND", "TIME", "STATUS"]);
    for sample in &loaded.samples {
        let at = OffsetDateTime::from_unix_timestamp(sample.at)
            .map_or_else(|_| sample.at.to_string(), crate::tui::views::format::clock);
        table.row(vec![
            at,
            sample.events_behind.to_string(),
            sample
                .time_behind_secs
                .map_or_else(|| "-".to_owned(), |s| duration_text(Duration::from_secs(s))),
            sample.status.clone(),
        ]);
    }
    table.print();
    if loaded.samples.is_empty() {
        eprintln!(
            "no samples of {hub}/{group} in the last {} (ehops watch, ehops lag and the console record them)",
            duration_text(args.since)
        );
    }
    exit::OK
}

fn cells(hub: &str, group: &str, p: &PartitionLag) -> Vec<String> {
    let opt = |d: Option<Duration>| d.map_or_else(|| "-".to_owned(), duration_text);
    vec![
        hub.to_owned(),
        group.to_owned(),
        p.partition.clone(),
        p.last_enqueued_sequence.to_string(),
        p.checkpoint_sequence
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
        p.events_behind.to_string(),
        opt(p.time_behind),
        opt(p.checkpoint_age),
        p.owner_id.clone().unwrap_or_else(|| "-".to_owned()),
        p.status.label().to_owned(),
        if p.events_behind == 0 {
            String::new()
        } else {
            p.forecast.sentence()
        },
    ]
}

fn line<'a>(
    namespace: &'a str,
    hub: &'a str,
    group: &'a str,
    p: &'a PartitionLag,
    next: Option<&NextEventVerdict>,
) -> LagLine<'a> {
    LagLine {
        namespace,
        hub,
        consumer_group: group,
        partition: &p.partition,
        last_sequence: p.last_enqueued_sequence,
        checkpoint_sequence: p.checkpoint_sequence,
        checkpoint_offset: p.checkpoint_offset.as_deref(),
        events_behind: p.events_behind,
        time_behind_secs: p.time_behind.map(|d| d.as_secs()),
        checkpoint_age_secs: p.checkpoint_age.map(|a| a.as_secs()),
        owner: p.owner_id.as_deref(),
        ingress_per_sec: p.ingress_per_sec,
        drain_per_sec: p.drain_per_sec,
        forecast: p.forecast.key(),
        forecast_secs: p.forecast.seconds(),
        status: p.status.key(),
        next_event: next.map(|n| NextEventLine {
            sequence: n.sequence,
            poison: n.is_poison(),
            says: n.sentence(),
        }),
    }
}
