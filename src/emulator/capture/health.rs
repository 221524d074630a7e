//! Whether a partition's capture is failing, kept where the console can see it: one record
//! per failing partition beside its progress (`{partition}.failing.json`), written when a
//! destination fails and removed once a write works again. The log says the same; this is
//! for an on-call engineer looking at the console rather than the emulator's output.

use std::path::PathBuf;

use time::OffsetDateTime;

use crate::model::CaptureFailure;

pub struct Health {
    path: PathBuf,
    /// When the current run of failures began, to keep `since` across retries.
    since_ms: std::sync::Mutex<Option<i64>>,
}

impl Health {
    /// Beside the progress record `progress` (`{partition}.json`).
    pub fn beside(progress: &std::path::Path) -> Self {
        Self {
            path: progress.with_extension("failing.json"),
            since_ms: std::sync::Mutex::new(None),
        }
    }

    /// Records the failure; a record that cannot be written is only logged (the warning
    /// naming the destination is logged anyway).
    pub fn failing(&self, mut failure: CaptureFailure) {
        let now = (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
        failure.since_ms = *self
            .since_ms
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(now);
        let written = serde_json::to_vec(&failure)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                if let Some(dir) = self.path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(&self.path, bytes)
            });
        if let Err(error) = written {
            tracing::debug!(path = %self.path.display(), %error, "capture health not recorded");
        }
    }

    /// A write worked: the partition is healthy again.
    pub fn working(&self) {
        let was_failing = self
            .since_ms
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .is_some();
        // A record left by an earlier run counts too: the first write after a start clears it.
        if was_failing || self.path.exists() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
