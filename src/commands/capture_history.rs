//! `--capture` on `ehops search` and `ehops trace`: read what retention removed from the
//! hubs' Capture files, so the hub and its Capture read as one history.

use clap::Args;

use super::capture::{CaptureSourceArgs, source};
use super::target::Target;
use crate::connect::error::ConnectError;
use crate::ops::search::CaptureHistory;

#[derive(Debug, Clone, Args)]
pub struct CaptureHistoryArgs {
    /// Also read each partition's Capture files before the hub's oldest retained event:
    /// one history, each event once (the embedded emulator's files unless --capture-dir or
    /// --capture-store names others).
    #[arg(long)]
    pub capture: bool,
    #[command(flatten)]
    pub source: CaptureSourceArgs,
}

impl CaptureHistoryArgs {
    /// Where the history is read from, when `--capture` asks for it.
    pub fn history(&self, target: &Target) -> Result<Option<CaptureHistory>, ConnectError> {
        if !self.capture {
            return Ok(None);
        }
        let namespace = (self.source.capture_namespace.clone())
            .unwrap_or_else(|| target.plane.connection().namespace.clone());
        Ok(Some(CaptureHistory {
            source: source(&self.source, target)?,
            namespace,
        }))
    }
}
