//! `ehops search HUB [HUB...] | --all --where EXPR`: every retained event of the hubs that the
//! expression matches (CEL, or a bare word), one pass per partition, all partitions at once.
//! Progress on stderr; Ctrl-C stops reading and keeps what was found; the summary says what
//! was read, per partition, and what was skipped and why.

use std::sync::Arc;

use clap::Args;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::capture_history::CaptureHistoryArgs;
use super::search_output::{Kept, ProgressLine, print_matches, print_summary};
use super::tail::parse_position;
use super::target::{self, DEFAULT_CONSUMER_GROUP, TargetArgs};
use super::{duration_arg, exit, fail};
use crate::codec::query::Query;
use crate::model::StartPosition;
use crate::ops::event_decoder::TailDecoder;
use crate::ops::search::{self, HubTarget, Search, SearchRequest, SearchUpdate, Summary};

#[derive(Debug, Clone, Args)]
pub struct SearchArgs {
    /// The hubs to search.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub hubs: Vec<String>,
    /// Every hub the identity can see.
    #[arg(long)]
    pub all: bool,
    /// A CEL expression over type, source, subject, id, time, extensions, properties,
    /// partition, sequence, offset, enqueued, key, hub, data (decoded) and body, or a bare
    /// word (id, subject, type or body contains it).
    #[arg(long = "where", value_name = "EXPR")]
    pub expression: String,
    /// Where to start: earliest, seq:N, offset:X or time:RFC3339.
    #[arg(long, default_value = "earliest", value_parser = parse_position, conflicts_with = "since")]
    pub from: StartPosition,
    /// Start at events enqueued this long ago (30m, 2h, 1d).
    #[arg(long, value_name = "DURATION", value_parser = duration_arg::parse)]
    pub since: Option<std::time::Duration>,
    /// Stop at events enqueued after this time (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<OffsetDateTime>,
    /// Matches to print (the earliest); more are counted, not kept.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// One JSON object per match and line, and a last line with the summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub history: CaptureHistoryArgs,
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("{text:?} is not an RFC 3339 time: {e}"))
}

/// The expression, or exit 2 with the column it fails at.
pub(super) fn compile(expression: &str) -> Result<Query, u8> {
    Query::compile(expression).map_err(|error| {
        eprintln!("error: --where: {error}");
        eprintln!("  {expression}");
        eprintln!("  {:>width$}", "^", width = error.column);
        exit::USAGE
    })
}

/// `--since` as a start time, else `--from`.
pub(super) fn start_at(from: &StartPosition, since: Option<std::time::Duration>) -> StartPosition {
    match since {
        Some(ago) => StartPosition::Time(OffsetDateTime::now_utc() - ago),
        None => from.clone(),
    }
}

pub async fn run(target_args: &TargetArgs, args: &SearchArgs) -> u8 {
    let query = match compile(&args.expression) {
        Ok(query) => Arc::new(query),
        Err(code) => return code,
    };
    let target = match target::open(target_args, DEFAULT_CONSUMER_GROUP).await {
        Ok(target) => target,
        Err(error) => return fail(&error),
    };
    let capture = match args.history.history(&target) {
        Ok(capture) => capture,
        Err(error) => return fail(&error),
    };
    let hubs = if args.all {
        match crate::ops::hubs::list(&target.plane, &target.plane.connection().namespace).await {
            Ok(hubs) => hubs.into_iter().map(|h| h.name).collect(),
            Err(error) => return fail(&error),
        }
    } else {
        args.hubs.clone()
    };
    let request = SearchRequest {
        hubs: hubs
            .into_iter()
            .map(|hub| HubTarget {
                hub,
                only_key: None,
            })
            .collect(),
        query,
        from: start_at(&args.from, args.since),
        until: args.until,
        capture,
    };
    let search = search::start(Arc::clone(&target.plane), request);
    let (kept, summary) = collect(search, args.limit).await;
    let mut decoder = TailDecoder::new(target.plane.connection());
    let kept = kept.into_sorted();
    let shown = kept.len();
    print_matches(kept, &mut decoder, args.json).await;
    print_summary(&summary, shown, args.json);
    outcome(&summary)
}

/// Reads a search to its end: matches kept (up to `limit`), progress shown, Ctrl-C cancels
/// and the summary still comes.
pub(super) async fn collect(mut search: Search, limit: usize) -> (Kept, Summary) {
    let mut kept = Kept::new(limit);
    let mut progress = ProgressLine::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut interrupted = false;
    loop {
        let update = tokio::select! {
            _ = &mut ctrl_c, if !interrupted => {
                interrupted = true;
                search.cancel();
                continue;
            }
            update = search.updates.recv() => update,
        };
        match update {
            Some(SearchUpdate::Found(found)) => kept.add(found),
            Some(SearchUpdate::Progress(p)) => progress.show(&p),
            // The error names the hub and partition already.
            Some(SearchUpdate::Reconnecting { notice, .. }) => progress.note(&format!(
                "warning: {}; reconnecting, attempt {}, next in {:.1} s",
                notice.error,
                notice.attempt,
                notice.next_in.as_secs_f64()
            )),
            Some(SearchUpdate::Finished(summary)) => {
                progress.finish(&search::Progress {
                    scanned: summary.scanned,
                    total: summary.scanned,
                    matched: summary.matched,
                    events_per_second: summary.scanned as f64 / summary.seconds.max(1e-9),
                });
                return (kept, summary);
            }
            None => return (kept, Summary::default()),
        }
    }
}

/// 0 when everything planned was read; a failure's exit code when a partition failed or
/// nothing could be searched at all (every hub skipped).
pub(super) fn outcome(summary: &Summary) -> u8 {
    let failed = summary.partitions.iter().find_map(|p| match &p.status {
        search::PartitionStatus::Failed(reason) => Some(reason.clone()),
        _ => None,
    });
    if let Some(reason) = failed {
        eprintln!("error: the search is incomplete: {reason}");
        return exit::CONNECTION;
    }
    if summary.partitions.is_empty() && !summary.skipped.is_empty() {
        let refused = summary.skipped.iter().all(|s| s.denied);
        for s in &summary.skipped {
            eprintln!("error: hub {}: {}", s.hub, s.reason);
        }
        return if refused {
            exit::PERMISSION_DENIED
        } else {
            exit::NOT_FOUND
        };
    }
    for s in &summary.skipped {
        eprintln!("warning: hub {} skipped: {}", s.hub, s.reason);
    }
    for problem in &summary.capture_problems {
        eprintln!("warning: Capture: {problem}");
    }
    exit::OK
}
