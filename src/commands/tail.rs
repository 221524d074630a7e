//! `ehops tail HUB`: events as they arrive (or from a position), on the console's own
//! consumer group. Stops after `--count` events, after `--timeout`, or on Ctrl-C. A lost
//! link is retried and resumed (said on stderr); only a failure a retry cannot fix ends it
//! with an error.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

use base64::Engine;
use clap::Args;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use super::target::{DEFAULT_CONSUMER_GROUP, Target, TargetArgs};
use super::{exit, fail, permission_gate};
use crate::codec::DecodedEvent;
use crate::codec::report::DecodedReport;
use crate::connect::error::ConnectError;
use crate::connect::tail::{self, TailItem, TailRequest, TailSubscription};
use crate::model::permissions::ConsoleAction;
use crate::model::{StartPosition, TailEvent};
use crate::ops::event_decoder::TailDecoder;
use crate::tui::views::sanitize::sanitize;

/// Body bytes shown per event in the human form.
const PREVIEW: usize = 120;
/// Bytes of output collected before a write, while events are waiting.
const OUTPUT_BUFFER: usize = 64 * 1024;

#[derive(Debug, Clone, Args)]
pub struct TailArgs {
    /// The event hub.
    pub hub: String,
    /// Where to start: earliest, latest, seq:N, offset:X or time:RFC3339.
    #[arg(long, default_value = "latest", value_parser = parse_position)]
    pub from: StartPosition,
    /// Only this partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// Stop after this many events.
    #[arg(long)]
    pub count: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// The consumer group to read with: the console's own, never an application's.
    #[arg(long, value_name = "CG", default_value = DEFAULT_CONSUMER_GROUP)]
    pub consumer_group: String,
    /// One JSON object per event and line.
    #[arg(long)]
    pub json: bool,
    /// Leave events undecoded: no Schema Registry lookups, no `decoded` field.
    #[arg(long)]
    pub no_decode: bool,
}

/// `--from` as the tail and lint parse it.
pub(super) fn parse_position(text: &str) -> Result<StartPosition, String> {
    text.parse()
        .map_err(|e: crate::model::StartPositionError| e.to_string())
}

#[derive(Serialize)]
struct EventLine<'a> {
    hub: &'a str,
    partition: &'a str,
    sequence: i64,
    offset: &'a str,
    enqueued_time: Option<String>,
    content_type: Option<&'a str>,
    cloudevents: CloudEventLine<'a>,
    properties: BTreeMap<&'a str, &'a str>,
    size: usize,
    /// The body as text when it is UTF-8, else `null` (see `body_base64`).
    body: Option<&'a str>,
    body_base64: &'a str,
    /// CloudEvent, schema, data and mandate violations (as `ehops decode` prints them).
    #[serde(skip_serializing_if = "Option::is_none")]
    decoded: Option<DecodedReport<'a>>,
}

#[derive(Serialize)]
struct CloudEventLine<'a> {
    id: Option<&'a str>,
    source: Option<&'a str>,
    #[serde(rename = "type")]
    event_type: Option<&'a str>,
    subject: Option<&'a str>,
}

pub async fn run(target_args: &TargetArgs, args: &TailArgs) -> u8 {
    let reading = Reading {
        consumer_group: &args.consumer_group,
        hub: &args.hub,
        partition: args.partition.clone(),
        from: args.from.clone(),
    };
    let (target, mut subscription) = match start_recorded(target_args, reading).await {
        Ok(started) => started,
        Err(code) => return code,
    };
    let deadline = args
        .timeout
        .map(|s| tokio::time::Instant::now() + Duration::from_secs(s));
    // Registered once, so a Ctrl-C while lines are being written is not missed.
    let ctrl_c = tokio::signal::ctrl_c();
    let stop_at = sleep_until(deadline);
    tokio::pin!(ctrl_c, stop_at);
    // Lines are written in blocks, flushed whenever no more events are waiting, so a fast
    // backlog costs one write per block while a live tail still shows each event at once.
    let mut out = io::BufWriter::with_capacity(OUTPUT_BUFFER, io::stdout());
    let mut base64_scratch = String::new();
    let mut decoder = (!args.no_decode).then(|| TailDecoder::new(target.plane.connection()));
    let mut printed = 0u64;
    let outcome: Result<(), ConnectError> = loop {
        if args.count.is_some_and(|n| printed >= n) {
            break Ok(());
        }
        let item = tokio::select! {
            biased;
            _ = &mut ctrl_c => break Ok(()),
            () = &mut stop_at => break Ok(()),
            item = subscription.events.recv() => item,
        };
        match item {
            Some(TailItem::Event(event)) => {
                let decoded = match &mut decoder {
                    Some(decoder) => Some(decoder.decode(&event).await),
                    None => None,
                };
                let written = if args.json {
                    let line = JsonEvent {
                        hub: &args.hub,
                        event: &event,
                        decoded: decoded.as_ref(),
                    };
                    write_json(&mut out, &line, &mut base64_scratch)
                } else {
                    write_human(&mut out, &event, decoded.as_ref())
                };
                // A closed pipe (`| head`) ends the tail; it is not an error.
                if written.is_err() {
                    break Ok(());
                }
                printed += 1;
                if subscription.events.is_empty() && out.flush().is_err() {
                    break Ok(());
                }
            }
            // One partition that cannot be read makes the whole answer unreliable.
            Some(TailItem::Failed { error, .. }) => break Err(error),
            Some(notice) => report_link(&notice),
            None => break Ok(()),
        }
    };
    let _ = out.flush();
    let dropped = subscription.take_dropped();
    if dropped > 0 {
        eprintln!("warning: {dropped} events were dropped because output was too slow");
    }
    match outcome {
        Ok(()) => exit::OK,
        Err(error) => fail(&error),
    }
}

/// What `tail` and `lint` read.
pub(super) struct Reading<'a> {
    pub consumer_group: &'a str,
    pub hub: &'a str,
    pub partition: Option<String>,
    pub from: StartPosition,
}

/// Connects, checks the right to read the hub, and starts a tail whose receivers wait for
/// the reader: printed output is a record, so slow output slows them and nothing is
/// dropped. `Err(exit code)` once the failure has been printed.
pub(super) async fn start_recorded(
    target_args: &TargetArgs,
    reading: Reading<'_>,
) -> Result<(Target, TailSubscription), u8> {
    let target = permission_gate::open_for(
        target_args,
        reading.consumer_group,
        reading.hub,
        ConsoleAction::Tail,
    )
    .await?;
    let request = TailRequest {
        hub: reading.hub.to_owned(),
        partition: reading.partition,
        from: reading.from,
        buffer: 4096,
        wait_for_reader: true,
    };
    match tail::start(&target.plane, request).await {
        Ok(subscription) => Ok((target, subscription)),
        Err(error) => Err(fail(&error)),
    }
}

/// Says on stderr what a partition's link is doing; stdout stays the record of events.
pub(super) fn report_link(notice: &TailItem) {
    match notice {
        // The error names the partition already.
        TailItem::Reconnecting {
            attempt,
            next_in,
            error,
            ..
        } => eprintln!(
            "warning: {error}; reconnecting, attempt {attempt}, next in {:.1} s",
            next_in.as_secs_f64()
        ),
        TailItem::Resumed { partition } => {
            eprintln!("partition {partition}: reconnected, resuming after the last event");
        }
        TailItem::Event(_) | TailItem::Failed { .. } => {}
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// What one JSON line is made of.
pub(super) struct JsonEvent<'a> {
    pub hub: &'a str,
    pub event: &'a TailEvent,
    pub decoded: Option<&'a DecodedEvent>,
}

/// One event as a JSON line; `scratch` is reused for the body's base64 between events.
pub(super) fn write_json(
    out: &mut impl Write,
    json: &JsonEvent<'_>,
    scratch: &mut String,
) -> io::Result<()> {
    let JsonEvent {
        hub,
        event,
        decoded,
    } = *json;
    let ce = &event.cloud_event;
    scratch.clear();
    base64::engine::general_purpose::STANDARD.encode_string(&event.body, scratch);
    let line = EventLine {
        hub,
        partition: &event.partition,
        sequence: event.sequence,
        offset: &event.offset,
        enqueued_time: event.enqueued_time.format(&Rfc3339).ok(),
        content_type: event.content_type.as_deref(),
        cloudevents: CloudEventLine {
            id: ce.id.as_deref(),
            source: ce.source.as_deref(),
            event_type: ce.event_type.as_deref(),
            subject: ce.subject.as_deref(),
        },
        properties: event
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        size: event.size(),
        body: std::str::from_utf8(&event.body).ok(),
        body_base64: scratch,
        decoded: decoded.map(|d| DecodedReport::new(d, &event.body, false)),
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

/// One event as a line for people: decoded data when there is some, else the body, and a
/// mark on what breaks the mandate or does not decode.
pub(super) fn write_human(
    out: &mut impl Write,
    event: &TailEvent,
    decoded: Option<&DecodedEvent>,
) -> io::Result<()> {
    let enqueued = event.enqueued_time.format(&Rfc3339).unwrap_or_default();
    let data = decoded
        .filter(|d| d.data.error().is_none())
        .map(|d| serde_json::to_string(&d.data).unwrap_or_default());
    let mut preview = match (data, std::str::from_utf8(&event.body)) {
        (Some(json), _) => json.chars().take(PREVIEW).collect::<String>(),
        (None, Ok(text)) => text.chars().take(PREVIEW).collect::<String>(),
        (None, Err(_)) => format!("<{} bytes, binary>", event.body.len()),
    };
    if let Some(decoded) = decoded {
        if let Some(error) = decoded.data.error() {
            preview.push_str(&format!("  [undecodable: {error}]"));
        }
        if !decoded.violations.is_empty() {
            let rules: Vec<&str> = decoded
                .violations
                .iter()
                .map(|v| v.reason.as_str())
                .collect();
            preview.push_str(&format!("  [mandate: {}]", rules.join("; ")));
        }
    }
    let kind = event.cloud_event.event_type.as_deref().unwrap_or("-");
    let subject = event.cloud_event.subject.as_deref().unwrap_or("-");
    writeln!(
        out,
        "{enqueued}  p{}  #{}  {}  {}  {}",
        sanitize(&event.partition, false),
        event.sequence,
        sanitize(kind, false),
        sanitize(subject, false),
        sanitize(&preview, false)
    )
}
