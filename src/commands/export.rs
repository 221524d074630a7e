//! `ehops export HUB --partition P --from POSITION [--until TIME] FILE` writes a range of a
//! partition as a Capture file (written whole, then renamed into place); `ehops import FILE
//! HUB` replays one (`import.rs`).

use std::path::PathBuf;

use clap::Args;
use time::OffsetDateTime;

use super::capture::parse_time;
use super::{exit, fail, permission_gate};
use crate::codec::capture::CaptureCodec;
use crate::connect::error::{ConnectError, Failure};
use crate::model::StartPosition;
use crate::model::permissions::ConsoleAction;
use crate::ops::capture_export::{ExportRequest, export};

use super::target::{DEFAULT_CONSUMER_GROUP, TargetArgs};

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    pub hub: String,
    /// The file to write (Avro object container, Azure Capture's record).
    pub file: PathBuf,
    #[arg(long, value_name = "P")]
    pub partition: String,
    /// The first event: earliest, seq:N, offset:X or time:RFC3339.
    #[arg(long, value_name = "POSITION", default_value = "earliest")]
    pub from: StartPosition,
    /// Only events enqueued at or before this RFC 3339 time (or this long ago: 2h).
    #[arg(long, value_name = "TIME|D", value_parser = parse_time)]
    pub until: Option<OffsetDateTime>,
    /// Compress blocks with deflate (Capture's AvroDeflate).
    #[arg(long)]
    pub deflate: bool,
    /// The consumer group to read with.
    #[arg(long, value_name = "CG", default_value = DEFAULT_CONSUMER_GROUP)]
    pub consumer_group: String,
}

pub async fn run(target_args: &TargetArgs, args: &ExportArgs) -> u8 {
    let target = match permission_gate::open_for(
        target_args,
        &args.consumer_group,
        &args.hub,
        ConsoleAction::Tail,
    )
    .await
    {
        Ok(target) => target,
        Err(code) => return code,
    };
    let request = ExportRequest {
        hub: args.hub.clone(),
        partition: args.partition.clone(),
        from: args.from.clone(),
        until: args.until,
        codec: if args.deflate {
            CaptureCodec::Deflate
        } else {
            CaptureCodec::Null
        },
    };
    let (bytes, records) = match export(&target.plane, &request).await {
        Ok(exported) => exported,
        Err(error) => return fail(&error),
    };
    let staged = args.file.with_extension("partial");
    let written =
        std::fs::write(&staged, &bytes).and_then(|()| std::fs::rename(&staged, &args.file));
    if let Err(error) = written {
        return fail(&ConnectError::new(
            Failure::Usage,
            format!("cannot write {}: {error}", args.file.display()),
        ));
    }
    let range = match (records.first(), records.last()) {
        (Some(first), Some(last)) => format!(
            "sequence numbers {} to {}",
            first.sequence_number, last.sequence_number
        ),
        _ => "no events".to_string(),
    };
    println!(
        "export: {} events of {}/{} ({range}) written to {} ({} bytes)",
        records.len(),
        args.hub,
        args.partition,
        args.file.display(),
        bytes.len()
    );
    exit::OK
}
