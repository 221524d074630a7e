//! What the emulator says about a hub's capture destinations: the `*.failing.json` records it
//! keeps beside its capture progress while a destination fails (`emulator::capture`).

use std::path::Path;

use crate::model::CaptureFailure;

/// The failures recorded for `hub` under the emulator's data directory `data`, oldest first.
/// Records that do not parse are left out: they say nothing reliable.
pub fn failures(data: &Path, namespace: &str, hub: &str) -> Vec<CaptureFailure> {
    let dir = data
        .join("capture-progress")
        .join(namespace.to_ascii_lowercase())
        .join(hub.to_ascii_lowercase());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut failures: Vec<CaptureFailure> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".failing.json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|bytes| serde_json::from_slice(&bytes).ok())
        .collect();
    failures.sort_by(|a, b| (a.since_ms, &a.partition).cmp(&(b.since_ms, &b.partition)));
    failures
}
