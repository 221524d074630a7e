//! `ehops import FILE HUB`: a replay from one Capture file (exported by `ehops export`, or
//! downloaded from a capture container), with the replay's dry run, send-right check,
//! provenance and audit (as `import`).

use std::path::PathBuf;

use clap::Args;

use super::fail;
use super::incident::{Execution, Incident};
use super::replay::carry_out;
use super::target::TargetArgs;
use crate::codec::capture::read_capture_file;
use crate::connect::error::{ConnectError, Failure};
use crate::model::CaptureName;
use crate::model::permissions::ConsoleAction;
use crate::ops::capture::TimeRange;
use crate::ops::capture_replay::{CaptureReplayRequest, plan_file};

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// A Capture file (Avro object container of Azure's EventData records).
    pub file: PathBuf,
    /// The hub to send the events to.
    pub hub: String,
    /// The hub the events came from, for the provenance. Default: from a Capture file name,
    /// else HUB.
    #[arg(long, value_name = "HUB")]
    pub source_hub: Option<String>,
    /// The partition they came from. Default: from a Capture file name, else 0.
    #[arg(long, value_name = "P")]
    pub source_partition: Option<String>,
    /// Only events whose CloudEvents type, subject, source or id contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// At most this many events per second.
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,
    #[command(flatten)]
    pub execution: Execution,
}

pub async fn run(target_args: &TargetArgs, args: &ImportArgs) -> u8 {
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(error) => {
            return fail(&ConnectError::new(
                Failure::NotFound,
                format!("cannot read {}: {error}", args.file.display()),
            ));
        }
    };
    let file = match read_capture_file(&bytes) {
        Ok(file) => file,
        Err(reason) => {
            return fail(&ConnectError::usage(format!(
                "{} is not a Capture file: {reason}",
                args.file.display()
            )));
        }
    };
    for problem in &file.problems {
        eprintln!("warning: {}: {problem}", args.file.display());
    }
    let incident = match Incident::open(target_args).await {
        Ok(incident) => incident,
        Err(code) => return code,
    };
    if let Err(code) = incident
        .allow(ConsoleAction::Produce, "import", &args.hub, None, None)
        .await
    {
        return code;
    }
    let named = CaptureName::parse(&args.file.to_string_lossy());
    let connection = incident.target.plane.connection();
    let request = CaptureReplayRequest {
        namespace: connection.namespace.clone(),
        hub: args
            .source_hub
            .clone()
            .or_else(|| named.as_ref().map(|n| n.hub.clone()))
            .unwrap_or_else(|| args.hub.clone()),
        partition: None,
        range: TimeRange::default(),
        filter: args.filter.clone(),
        target_hub: args.hub.clone(),
        by: connection.principal.clone(),
    };
    let partition = args
        .source_partition
        .clone()
        .or_else(|| named.map(|n| n.partition))
        .unwrap_or_else(|| "0".to_string());
    let plan = match plan_file(&file.records, &partition, &request) {
        Ok(plan) => plan,
        Err(error) => return fail(&error),
    };
    carry_out(
        &incident,
        "import",
        &request.hub,
        &plan,
        args.rate,
        &args.execution,
    )
    .await
}
