//! Event Hubs Capture in the emulator: each partition of a hub with an enabled capture
//! description writes its events, window by window, as Avro files in Azure's format and
//! layout (docs/capture.md). Capture reads the partition log like any consumer, so ingest
//! never waits for it; its progress survives crashes without losing or repeating an event.

mod blob;
mod capture_thread;
mod destination;
mod directory;
mod health;
mod names;
mod notify;
mod partition;
mod progress;
mod record;
mod window_file;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::task::JoinHandle;

pub use names::archive_name;
pub use record::capture_record;

use self::blob::BlobDestination;
use self::capture_thread::CaptureThread;
use self::destination::Destination;
use self::directory::Directory;
use self::health::Health;
use self::notify::Notifier;
use self::partition::PartitionCapture;
use self::progress::ProgressFile;
use super::config::{BlobAccess, CaptureDestination, EmulatorConfig};
use super::store::Store;

/// Where a hub's files go when the config names no directory: `{data}/capture/{container}`.
pub fn default_directory(data_dir: &Path, container: &str) -> PathBuf {
    capture_root(data_dir).join(container)
}

/// The parent of every default capture directory.
pub fn capture_root(data_dir: &Path) -> PathBuf {
    data_dir.join("capture")
}

/// Starts one capture task per partition of every hub with capture enabled. A destination
/// that cannot be opened is logged and skipped: the hub still takes events.
pub fn start(config: &EmulatorConfig, store: &Arc<Store>, data_dir: &Path) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    let captures = (config.namespaces.iter())
        .flat_map(|n| &n.hubs)
        .any(|h| h.capture.as_ref().is_some_and(|c| c.enabled));
    if !captures {
        return tasks;
    }
    // Windows are staged here; what a crash left is cleared before any window starts.
    let staging = data_dir.join("capture-staging");
    let cleared = match std::fs::remove_dir_all(&staging) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => std::fs::create_dir_all(&staging),
    };
    if let Err(error) = cleared {
        tracing::error!(dir = %staging.display(), %error, "the capture staging directory cannot be prepared; nothing is captured");
        return tasks;
    }
    let thread = match CaptureThread::start() {
        Ok(thread) => thread,
        Err(error) => {
            tracing::error!(%error, "the capture thread cannot start; nothing is captured");
            return tasks;
        }
    };
    for namespace in &config.namespaces {
        for hub in &namespace.hubs {
            let Some(capture) = hub.capture.as_ref().filter(|c| c.enabled) else {
                continue;
            };
            let destination = match &capture.destination {
                CaptureDestination::Directory(dir) => {
                    let root = dir
                        .clone()
                        .unwrap_or_else(|| default_directory(data_dir, &capture.container));
                    Directory::open(root.clone(), staging.clone())
                        .map(Destination::Directory)
                        .map_err(|e| format!("directory {}: {e}", root.display()))
                }
                CaptureDestination::Blob {
                    env,
                    access: BlobAccess::SasUrl,
                } => BlobDestination::from_env(env).map(Destination::Blob),
                CaptureDestination::Blob {
                    env,
                    access: BlobAccess::ConnectionString,
                } => BlobDestination::from_connection_string_env(env, &capture.container)
                    .map(Destination::Blob),
            };
            // A destination that cannot be opened fails the whole hub, not one partition.
            let whole_hub = ProgressFile::new(data_dir, &namespace.name, &hub.name, "all");
            let whole_hub = Health::beside(whole_hub.path());
            let destination = match destination {
                Ok(destination) => {
                    whole_hub.working();
                    Arc::new(destination)
                }
                Err(error) => {
                    tracing::warn!(hub = %hub.name, %error, "capture destination cannot be opened; the hub is not captured");
                    whole_hub.failing(crate::model::CaptureFailure {
                        hub: hub.name.clone(),
                        partition: "all".to_owned(),
                        destination: match &capture.destination {
                            CaptureDestination::Directory(_) => "a directory".to_owned(),
                            CaptureDestination::Blob { env, .. } => {
                                format!("the blob container named by ${env}")
                            }
                        },
                        doing: "open the destination (the hub is not captured)".to_owned(),
                        cause: error,
                        since_ms: 0,
                    });
                    continue;
                }
            };
            let notifier = capture.notify_hub.as_ref().and_then(|target| {
                let target_hub = namespace.hub(target)?;
                Some(Arc::new(Notifier {
                    store: Arc::clone(store),
                    namespace: namespace.name.clone(),
                    hub: hub.name.clone(),
                    target: target_hub.name.clone(),
                    target_partitions: target_hub.partitions,
                }))
            });
            let config = Arc::new(capture.clone());
            for id in 0..hub.partitions {
                let partition = id.to_string();
                let Some(log) = store.partition(&namespace.name, &hub.name, &partition) else {
                    continue;
                };
                let progress = ProgressFile::new(data_dir, &namespace.name, &hub.name, &partition);
                let task = PartitionCapture {
                    namespace: namespace.name.clone(),
                    hub: hub.name.clone(),
                    health: Health::beside(progress.path()),
                    progress,
                    partition,
                    config: Arc::clone(&config),
                    log: Arc::clone(log),
                    destination: Arc::clone(&destination),
                    notifier: notifier.clone(),
                    thread: thread.clone(),
                };
                tasks.push(tokio::spawn(task.run()));
            }
        }
    }
    tasks
}
