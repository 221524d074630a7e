//! `ehops trace SUBJECT [--hubs ...] [--since D] [--json]`: the story of one aggregate, every
//! event whose CloudEvents subject or partition key is SUBJECT, across every hub the identity
//! reads, merged in enqueued order with hub, type, source and decoded data. Hubs whose
//! producers key by the subject are read only in the partition the key hashes to, and the
//! summary says how many events that spared.

use std::sync::Arc;

use clap::Args;

use super::capture_history::CaptureHistoryArgs;
use super::search::{collect, outcome, start_at};
use super::search_output::{print_matches, print_summary};
use super::target::{self, DEFAULT_CONSUMER_GROUP, TargetArgs};
use super::{duration_arg, exit, fail};
use crate::model::StartPosition;
use crate::ops::event_decoder::TailDecoder;
use crate::ops::search::{self, SearchRequest};
use crate::ops::trace;

#[derive(Debug, Clone, Args)]
pub struct TraceArgs {
    /// The aggregate: a CloudEvents subject (or partition key), e.g. `cont-00042`.
    pub subject: String,
    /// Only these hubs (default: every hub the identity can see).
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub hubs: Vec<String>,
    /// Only events enqueued this long ago or since (30m, 2h, 1d).
    #[arg(long, value_name = "DURATION", value_parser = duration_arg::parse)]
    pub since: Option<std::time::Duration>,
    /// Read every partition, even of hubs keyed by the subject (to compare).
    #[arg(long)]
    pub no_key_hash: bool,
    /// Events to print (the earliest); more are counted.
    #[arg(long, default_value_t = 10_000)]
    pub limit: usize,
    /// One JSON object per event and line, and a last line with the summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub history: CaptureHistoryArgs,
}

pub async fn run(target_args: &TargetArgs, args: &TraceArgs) -> u8 {
    let query = match trace::query(&args.subject) {
        Ok(query) => Arc::new(query),
        Err(error) => {
            eprintln!("error: cannot trace {:?}: {}", args.subject, error.message);
            return exit::USAGE;
        }
    };
    let target = match target::open(target_args, DEFAULT_CONSUMER_GROUP).await {
        Ok(target) => target,
        Err(error) => return fail(&error),
    };
    let capture = match args.history.history(&target) {
        Ok(capture) => capture,
        Err(error) => return fail(&error),
    };
    let plane = &target.plane;
    let hubs = if args.hubs.is_empty() {
        match crate::ops::hubs::list(plane, &plane.connection().namespace).await {
            Ok(hubs) => hubs.into_iter().map(|h| h.name).collect(),
            Err(error) => return fail(&error),
        }
    } else {
        args.hubs.clone()
    };
    let mut targets = trace::targets(plane, &hubs, &args.subject).await;
    if args.no_key_hash {
        targets.iter_mut().for_each(|t| t.only_key = None);
    }
    let request = SearchRequest {
        hubs: targets,
        query,
        from: start_at(&StartPosition::Earliest, args.since),
        until: None,
        capture,
    };
    let (kept, summary) = collect(search::start(Arc::clone(plane), request), args.limit).await;
    let kept = kept.into_sorted();
    let shown = kept.len();
    print_matches(kept, &mut TailDecoder::new(plane.connection()), args.json).await;
    print_summary(&summary, shown, args.json);
    let (spared, held) = trace::saved(&summary.partitions);
    let share = if held == 0 {
        0.0
    } else {
        spared as f64 * 100.0 / held as f64
    };
    eprintln!(
        "key-hash shortcut: {spared} of {held} retained events not read ({share:.0}%), in {:.1} s",
        summary.seconds
    );
    outcome(&summary)
}
