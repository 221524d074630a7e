//! `ehops capture ls HUB` and `ehops capture read HUB`: a hub's Capture files and their
//! events, decoded exactly as `ehops tail` decodes (the same decoder and output). Reading
//! needs the storage account, not the hub: no Event Hubs permission is checked.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::tail::{JsonEvent, write_human, write_json};
use super::target::{self, DEFAULT_CONSUMER_GROUP, Target, TargetArgs};
use super::{duration_arg, exit, fail};
use crate::connect::capture::CaptureSource;
use crate::connect::checkpoints::ContainerAccess;
use crate::connect::error::ConnectError;
use crate::connect::identity::{SignInChain, SignInOptions};
use crate::model::{ArchiveNameFormat, CaptureFileInfo};
use crate::ops::capture::{self, TimeRange};
use crate::ops::event_decoder::TailDecoder;

#[derive(Debug, Clone, Subcommand)]
pub enum CaptureCommand {
    /// List a hub's capture files: window, size, events, first and last sequence number.
    Ls(CaptureLsArgs),
    /// Print a hub's captured events, decoded as `ehops tail` decodes them.
    Read(CaptureReadArgs),
    /// Re-publish captured events to the hub or another, as `ehops replay` does (dry run
    /// unless --execute).
    Replay(super::capture_replay::CaptureReplayArgs),
}

/// Where the capture files are.
#[derive(Debug, Clone, Args)]
pub struct CaptureSourceArgs {
    /// A directory in the container's layout (a copy of one, or an emulator's
    /// `{data}/capture/{container}`). Default: the embedded emulator's.
    #[arg(long, value_name = "DIR", conflicts_with = "capture_store")]
    pub capture_dir: Option<PathBuf>,
    /// The blob container Capture writes to: a container URL with a SAS, a container URL
    /// without one (signed in with `az login`), or a storage connection string.
    #[arg(long, value_name = "URL|CS", env = "EHOPS_CAPTURE_STORE")]
    pub capture_store: Option<String>,
    /// The container, with a storage connection string.
    #[arg(long, value_name = "NAME")]
    pub capture_container: Option<String>,
    /// The namespace as blob names spell it. Default: the target's namespace.
    #[arg(long, value_name = "NS")]
    pub capture_namespace: Option<String>,
    /// How blob names are formed (the nine tokens in any order). Default: the hub's
    /// `archiveNameFormat` as the catalog shows it, else Azure's default layout.
    #[arg(long, value_name = "FORMAT")]
    pub archive_name_format: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct CaptureLsArgs {
    pub hub: String,
    /// Only files holding events of the last D (30m, 2h, 7d) or since an RFC 3339 time.
    #[arg(long, value_name = "D|TIME", value_parser = parse_time)]
    pub since: Option<OffsetDateTime>,
    /// One JSON object per file and line.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub source: CaptureSourceArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CaptureReadArgs {
    pub hub: String,
    /// Events enqueued at or after this RFC 3339 time (or this long ago: 2h).
    #[arg(long, value_name = "TIME|D", value_parser = parse_time)]
    pub from: Option<OffsetDateTime>,
    /// Events enqueued at or before this RFC 3339 time (or this long ago).
    #[arg(long, value_name = "TIME|D", value_parser = parse_time)]
    pub until: Option<OffsetDateTime>,
    /// Stop after this many events.
    #[arg(long)]
    pub count: Option<u64>,
    /// One JSON object per event and line, as `ehops tail --json` prints them.
    #[arg(long)]
    pub json: bool,
    /// Leave events undecoded: no Schema Registry lookups, no `decoded` field.
    #[arg(long)]
    pub no_decode: bool,
    #[command(flatten)]
    pub source: CaptureSourceArgs,
}

/// An RFC 3339 time, or a duration before now.
pub(super) fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).or_else(|_| {
        duration_arg::parse(text)
            .map(|d| OffsetDateTime::now_utc() - d)
            .map_err(|_| format!("{text:?} is neither an RFC 3339 time nor a duration (2h)"))
    })
}

pub async fn run(target_args: &TargetArgs, command: &CaptureCommand) -> u8 {
    let source_args = match command {
        CaptureCommand::Ls(args) => &args.source,
        CaptureCommand::Read(args) => &args.source,
        CaptureCommand::Replay(args) => return super::capture_replay::run(target_args, args).await,
    };
    let target = match target::open(target_args, DEFAULT_CONSUMER_GROUP).await {
        Ok(target) => target,
        Err(error) => return fail(&error),
    };
    let source = match source(source_args, &target) {
        Ok(source) => source,
        Err(error) => return fail(&error),
    };
    let connection = target.plane.connection();
    let hub = match command {
        CaptureCommand::Ls(args) => &args.hub,
        CaptureCommand::Read(args) => &args.hub,
        CaptureCommand::Replay(args) => &args.hub,
    };
    let source = source.with_catalog_format(connection, hub).await;
    let namespace = source_args
        .capture_namespace
        .clone()
        .unwrap_or_else(|| connection.namespace.clone());
    let outcome = match command {
        CaptureCommand::Ls(args) => ls(&source, &namespace, args).await,
        CaptureCommand::Read(args) => read(&target, &source, &namespace, args).await,
        CaptureCommand::Replay(_) => Ok(exit::OK),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => fail(&error),
    }
}

/// The `--archive-name-format` given, checked.
fn format(args: &CaptureSourceArgs) -> Result<Option<ArchiveNameFormat>, ConnectError> {
    args.archive_name_format
        .as_deref()
        .map(ArchiveNameFormat::parse)
        .transpose()
        .map_err(|e| ConnectError::usage(format!("--archive-name-format: {e}")))
}

pub(super) fn source(
    args: &CaptureSourceArgs,
    target: &Target,
) -> Result<CaptureSource, ConnectError> {
    if let Some(text) = &args.capture_store {
        let access = ContainerAccess::parse(text, args.capture_container.as_deref(), || {
            Ok(SignInChain::from_environment(&SignInOptions::default()))
        })?;
        return Ok(CaptureSource::blob(access).with_format(format(args)?));
    }
    let container = args.capture_container.as_deref().unwrap_or("capture");
    let dir = match (&args.capture_dir, target.embedded_capture()) {
        (Some(dir), _) => dir.clone(),
        (None, Some(root)) => root.join(container),
        (None, None) => {
            return Err(ConnectError::usage(
                "name the capture files with --capture-dir DIR or --capture-store URL|CS",
            ));
        }
    };
    Ok(CaptureSource::directory(dir).with_format(format(args)?))
}

#[derive(Serialize)]
struct FileLine<'a> {
    name: &'a str,
    partition: &'a str,
    window_start: Option<String>,
    size: u64,
    events: usize,
    first_sequence: Option<i64>,
    last_sequence: Option<i64>,
    first_enqueued: Option<String>,
    last_enqueued: Option<String>,
    problems: &'a [String],
}

async fn ls(
    source: &CaptureSource,
    namespace: &str,
    args: &CaptureLsArgs,
) -> Result<u8, ConnectError> {
    let files = capture::list_files(source, namespace, &args.hub, args.since).await?;
    let mut out = io::BufWriter::new(io::stdout());
    let rfc = |t: Option<OffsetDateTime>| t.and_then(|t| t.format(&Rfc3339).ok());
    if !args.json {
        let _ = writeln!(
            out,
            "{:<4} {:<20} {:>10} {:>7} {:>10} {:>10}  FILE",
            "PART", "WINDOW", "SIZE", "EVENTS", "FIRST SEQ", "LAST SEQ"
        );
    }
    for file in &files {
        let written = if args.json {
            let line = FileLine {
                name: &file.name,
                partition: &file.partition,
                window_start: rfc(Some(file.window_start)),
                size: file.size,
                events: file.events,
                first_sequence: file.first_sequence,
                last_sequence: file.last_sequence,
                first_enqueued: rfc(file.first_enqueued),
                last_enqueued: rfc(file.last_enqueued),
                problems: &file.problems,
            };
            serde_json::to_writer(&mut out, &line)
                .map_err(io::Error::other)
                .and_then(|()| out.write_all(b"\n"))
        } else {
            write_file_row(&mut out, file)
        };
        if written.is_err() {
            break;
        }
    }
    let _ = out.flush();
    for file in files.iter().filter(|f| !f.problems.is_empty()) {
        for problem in &file.problems {
            eprintln!("warning: {}: {problem}", file.name);
        }
    }
    Ok(if files.is_empty() {
        eprintln!(
            "no capture files for hub {} in {}",
            args.hub,
            source.describe()
        );
        exit::NOT_FOUND
    } else {
        exit::OK
    })
}

fn write_file_row(out: &mut impl Write, file: &CaptureFileInfo) -> io::Result<()> {
    let seq = |s: Option<i64>| s.map_or("-".to_string(), |s| s.to_string());
    let window = file.window_start.format(&Rfc3339).unwrap_or_default();
    writeln!(
        out,
        "{:<4} {:<20} {:>10} {:>7} {:>10} {:>10}  {}{}",
        file.partition,
        window,
        file.size,
        file.events,
        seq(file.first_sequence),
        seq(file.last_sequence),
        file.name,
        if file.problems.is_empty() {
            ""
        } else {
            "  (damaged)"
        }
    )
}

async fn read(
    target: &Target,
    source: &CaptureSource,
    namespace: &str,
    args: &CaptureReadArgs,
) -> Result<u8, ConnectError> {
    let range = TimeRange {
        from: args.from,
        until: args.until,
    };
    let mut decoder = (!args.no_decode).then(|| TailDecoder::new(target.plane.connection()));
    let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout());
    let mut scratch = String::new();
    let mut printed = 0u64;
    let hub = args.hub.as_str();
    let problems = capture::read_events(source, namespace, hub, range, async |_file, event| {
        if args.count.is_some_and(|n| printed >= n) {
            return false;
        }
        let decoded = match &mut decoder {
            Some(decoder) => Some(decoder.decode(&event).await),
            None => None,
        };
        let written = if args.json {
            let line = JsonEvent {
                hub,
                event: &event,
                decoded: decoded.as_ref(),
            };
            write_json(&mut out, &line, &mut scratch)
        } else {
            write_human(&mut out, &event, decoded.as_ref())
        };
        printed += 1;
        // A closed pipe (`| head`) ends the read; it is not an error.
        written.is_ok()
    })
    .await?;
    let _ = out.flush();
    for problem in &problems {
        eprintln!("warning: {problem}");
    }
    Ok(exit::OK)
}
