//! `ehops watch [HUB...]`: samples consumer-group lag on an interval like the console does,
//! records the same history under the data directory, and prints each change of a group's
//! status. With `--once` it samples once and exits [`exit::THRESHOLD`] when a group is over
//! `--max-behind` or `--max-time-behind`: a cron job or CI gate. `ehops lag --all` covers
//! every group the same way without thresholds.

use std::collections::HashMap;
use std::time::Duration;

use clap::Args;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use super::sampled_groups::hubs_to_watch;
use super::target::{self, DEFAULT_CONSUMER_GROUP, TargetArgs};
use super::{duration_arg, exit, fail};
use crate::connect::backoff::transient;
use crate::model::{ConsumerGroupLag, LagStatus, duration_text};
use crate::ops::lag_history::HistoryStore;
use crate::ops::lag_sampler::{GroupSample, LagSampler};
use crate::tui::views::sanitize::sanitize;

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// The hubs to watch; every hub the identity may read when none is named.
    pub hubs: Vec<String>,
    /// Watch only this consumer group (every group of each hub otherwise).
    #[arg(long, value_name = "CG")]
    pub consumer_group: Option<String>,
    /// A group more than this many events behind (all partitions) crosses the threshold.
    #[arg(long, value_name = "N")]
    pub max_behind: Option<u64>,
    /// A group whose oldest unprocessed event has waited longer than this crosses the
    /// threshold (30s, 5m, 1h).
    #[arg(long, value_name = "DURATION", value_parser = duration_arg::parse)]
    pub max_time_behind: Option<Duration>,
    /// Time between samples.
    #[arg(long, value_name = "DURATION", value_parser = duration_arg::parse, default_value = "10s")]
    pub interval: Duration,
    /// Stop after this long (default: until interrupted).
    #[arg(long, value_name = "DURATION", value_parser = duration_arg::parse)]
    pub duration: Option<Duration>,
    /// Sample once, print every group, and exit 8 when a threshold is crossed.
    #[arg(long)]
    pub once: bool,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

/// What `watch` prints for a group: on every change of status, or once per group with `--once`.
#[derive(Debug, Serialize)]
pub struct StatusLine {
    pub at: String,
    pub namespace: String,
    pub hub: String,
    pub consumer_group: String,
    pub status: &'static str,
    pub previous_status: Option<&'static str>,
    pub events_behind: u64,
    pub time_behind_secs: Option<u64>,
    /// The partition that decides the status.
    pub partition: Option<String>,
    pub forecast: &'static str,
    pub forecast_secs: Option<u64>,
    pub forecast_text: String,
    /// Thresholds crossed: `max_behind`, `max_time_behind`.
    pub breaches: Vec<&'static str>,
}

pub async fn run(target_args: &TargetArgs, args: &WatchArgs) -> u8 {
    if args.interval.is_zero() {
        eprintln!("error: --interval must be longer than 0s");
        return exit::USAGE;
    }
    let target = match target::open(target_args, DEFAULT_CONSUMER_GROUP).await {
        Ok(target) => target,
        Err(error) => return fail(&error),
    };
    let hubs = match hubs_to_watch(&target, &args.hubs, args.consumer_group.as_deref()).await {
        Ok(hubs) => hubs,
        Err(code) => return code,
    };
    let mut sampler = LagSampler::new(
        std::sync::Arc::clone(&target.plane),
        std::sync::Arc::clone(&target.checkpoints),
        Some(HistoryStore::new(&target.data)),
    );
    let thresholds = Thresholds {
        max_behind: args.max_behind,
        max_time_behind: args.max_time_behind,
    };
    let namespace = target.plane.connection().namespace.clone();
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);
    let mut last_status: HashMap<(String, String), LagStatus> = HashMap::new();
    let mut gap = Gap::default();
    loop {
        let round = sampler.round(&hubs).await;
        let mut breached = false;
        let mut failures = Vec::new();
        for sample in &round {
            match sample {
                GroupSample::Lag(lag) => {
                    if lag.is_unused_default() && args.consumer_group.is_none() {
                        continue;
                    }
                    let key = (lag.hub.clone(), lag.consumer_group.clone());
                    let status = lag.worst_status();
                    let previous = last_status.insert(key, status);
                    let line = status_line(&namespace, lag, previous, &thresholds);
                    breached |= !line.breaches.is_empty();
                    if args.once || previous != Some(status) {
                        print_line(&line, args.json);
                    }
                }
                GroupSample::Failed {
                    hub,
                    consumer_group,
                    error,
                } => failures.push((hub, consumer_group, error)),
            }
        }
        let nothing_sampled = !failures.is_empty() && failures.len() == round.len();
        // A continuous watch outlives an outage of the service: the rounds it misses are a
        // gap in the history (nothing is recorded for them), said on stderr. A single sample,
        // or a failure a retry cannot fix, ends it.
        let outlives = !args.once && failures.iter().all(|(_, _, error)| transient(error));
        for (hub, group, error) in &failures {
            let level = if outlives { "warning" } else { "error" };
            eprintln!("{level}: {hub}/{group}: {error}");
        }
        if nothing_sampled && !outlives {
            return exit::CONNECTION;
        }
        gap.after_round(nothing_sampled);
        let done =
            args.once || deadline.is_some_and(|d| tokio::time::Instant::now() + args.interval > d);
        if done {
            return if breached { exit::THRESHOLD } else { exit::OK };
        }
        tokio::select! {
            () = tokio::time::sleep(args.interval) => {}
            _ = tokio::signal::ctrl_c() => return if breached { exit::THRESHOLD } else { exit::OK },
        }
    }
}

/// Rounds in a row that sampled nothing: a gap in the history, reported when it starts and
/// when it ends.
#[derive(Default)]
struct Gap {
    since: Option<tokio::time::Instant>,
}

impl Gap {
    fn after_round(&mut self, nothing_sampled: bool) {
        match (nothing_sampled, self.since) {
            (true, None) => {
                self.since = Some(tokio::time::Instant::now());
                eprintln!(
                    "warning: no group could be sampled; watching on, retrying every interval \
                     (the lag history has a gap until the service answers)"
                );
            }
            (false, Some(since)) => {
                self.since = None;
                eprintln!(
                    "sampling again after a gap of {} s with no samples",
                    since.elapsed().as_secs()
                );
            }
            _ => {}
        }
    }
}

struct Thresholds {
    max_behind: Option<u64>,
    max_time_behind: Option<Duration>,
}

fn status_line(
    namespace: &str,
    lag: &ConsumerGroupLag,
    previous: Option<LagStatus>,
    thresholds: &Thresholds,
) -> StatusLine {
    let worst = lag.worst_partition();
    let time_behind = lag.max_time_behind();
    let mut breaches = Vec::new();
    if thresholds
        .max_behind
        .is_some_and(|max| lag.total_behind() > max)
    {
        breaches.push("max_behind");
    }
    if let (Some(max), Some(waited)) = (thresholds.max_time_behind, time_behind)
        && waited > max
    {
        breaches.push("max_time_behind");
    }
    let forecast = worst.map(|p| p.forecast);
    StatusLine {
        at: lag
            .sampled_at
            .format(&Rfc3339)
            .unwrap_or_else(|_| lag.sampled_at.unix_timestamp().to_string()),
        namespace: namespace.to_owned(),
        hub: lag.hub.clone(),
        consumer_group: lag.consumer_group.clone(),
        status: lag.worst_status().key(),
        previous_status: previous.map(LagStatus::key),
        events_behind: lag.total_behind(),
        time_behind_secs: time_behind.map(|d| d.as_secs()),
        partition: worst.map(|p| p.partition.clone()),
        forecast: forecast.map_or("unknown", |f| f.key()),
        forecast_secs: forecast.and_then(|f| f.seconds()),
        forecast_text: forecast.map_or_else(String::new, |f| f.sentence()),
        breaches,
    }
}

fn print_line(line: &StatusLine, json: bool) {
    if json {
        super::output::json_line(line);
        return;
    }
    let was = line
        .previous_status
        .map_or_else(String::new, |p| format!(" (was {p})"));
    let time = line.time_behind_secs.map_or_else(
        || "time behind unknown".to_owned(),
        |s| format!("{} behind in time", duration_text(Duration::from_secs(s))),
    );
    let partition = line.partition.as_deref().map_or_else(String::new, |p| {
        format!(", partition {p}: {}", line.forecast_text)
    });
    let breaches = if line.breaches.is_empty() {
        String::new()
    } else {
        format!(" [over {}]", line.breaches.join(", "))
    };
    println!(
        "{} {}/{} {}{was}: {} events behind, {time}{partition}{breaches}",
        line.at,
        sanitize(&line.hub, false),
        sanitize(&line.consumer_group, false),
        line.status,
        line.events_behind,
    );
}
