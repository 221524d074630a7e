//! One partition's capture: windows of `window` (or until `sizeLimitInBytes`), each written as
//! one file, made visible whole, with its progress recorded around it (`progress.rs`). A
//! destination that fails is retried until it works; the partition keeps accepting events
//! meanwhile, since capture only reads the log. This task reads the log and keeps time; the
//! encoding, writing and syncing run on the capture thread (`capture_thread.rs`).

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::time::Instant;

use super::capture_thread::CaptureThread;
use super::destination::Destination;
use super::health::Health;
use super::names::archive_name;
use super::notify::{FileCreated, Notifier};
use super::progress::{Pending, Progress, ProgressFile};
use super::window_file::{Finished, WindowFile};
use crate::codec::capture::CaptureCodec;
use crate::emulator::config::{CaptureConfig, CaptureEncoding};
use crate::emulator::store::{PartitionLog, Start};

/// How long to wait before trying a failed destination again.
const RETRY: Duration = Duration::from_secs(2);
const READ_EVENTS: usize = 1024;
const READ_BYTES: usize = 4 << 20;

pub struct PartitionCapture {
    pub namespace: String,
    pub hub: String,
    pub partition: String,
    pub config: Arc<CaptureConfig>,
    pub log: Arc<PartitionLog>,
    pub destination: Arc<Destination>,
    pub progress: ProgressFile,
    pub notifier: Option<Arc<Notifier>>,
    pub health: Health,
    pub thread: CaptureThread,
}

impl PartitionCapture {
    pub async fn run(self) {
        let mut next = loop {
            match self.resume().await {
                Ok(next) => {
                    self.health.working();
                    break next;
                }
                Err(error) => self.retrying("resume", &error).await,
            }
        };
        let mut last_start: Option<OffsetDateTime> = None;
        loop {
            // Two windows never share a name: a window closed early by the size limit must
            // not let the next one start in the same second.
            let mut start = OffsetDateTime::now_utc()
                .replace_millisecond(0)
                .unwrap_or(OffsetDateTime::now_utc());
            if let Some(last) = last_start
                && start <= last
            {
                start = last + Duration::from_secs(1);
            }
            last_start = Some(start);
            let window = match self.collect(next).await {
                Ok(window) => window,
                Err(error) => {
                    tracing::warn!(hub = %self.hub, partition = %self.partition, %error, "capture cannot read the partition; retrying");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            if window.count == 0 && self.config.skip_empty_archives {
                continue;
            }
            let mut name = self.name_for(start);
            // A restart within the second of a window written before the crash must not
            // overwrite that file: the window moves to the next free second.
            while self.destination.exists(&name).await.unwrap_or(false) {
                start += Duration::from_secs(1);
                name = self.name_for(start);
            }
            last_start = Some(start);
            let path = loop {
                match self.commit(&name, &window).await {
                    Ok(path) => {
                        self.health.working();
                        break path;
                    }
                    Err(error) => self.retrying("write a capture file", &error).await,
                }
            };
            if let Some(((first, last), (first_ms, last_ms))) = window.range {
                next = Some(last + 1);
                if let Some(notifier) = &self.notifier {
                    let created = FileCreated {
                        file_url: &path,
                        partition: &self.partition,
                        size: usize::try_from(window.size).unwrap_or(usize::MAX),
                        event_count: window.count,
                        first_sequence: first,
                        last_sequence: last,
                        first_enqueued_ms: first_ms,
                        last_enqueued_ms: last_ms,
                    };
                    if let Err(error) = notifier.file_created(&created).await {
                        tracing::warn!(hub = %self.hub, %error, "CaptureFileCreated not sent");
                    }
                }
            }
        }
    }

    fn name_for(&self, start: OffsetDateTime) -> String {
        archive_name(
            &self.config.archive_name_format,
            &self.namespace,
            &self.hub,
            &self.partition,
            start,
        )
    }

    /// Says which destination failed and why (in the log and to the console), and waits
    /// before the next try.
    async fn retrying(&self, what: &str, error: &str) {
        self.health.failing(crate::model::CaptureFailure {
            hub: self.hub.clone(),
            partition: self.partition.clone(),
            destination: self.destination.describe(),
            doing: what.to_string(),
            cause: error.to_string(),
            since_ms: 0,
        });
        tracing::warn!(
            hub = %self.hub,
            partition = %self.partition,
            destination = %self.destination.describe(),
            %error,
            "capture cannot {what}; retrying in {}s",
            RETRY.as_secs()
        );
        tokio::time::sleep(RETRY).await;
    }

    /// Where to go on after a restart: a pending file that became visible counts as written.
    async fn resume(&self) -> Result<Option<i64>, String> {
        let file = self.progress.clone();
        let progress = (self.thread.run(move || file.load()).await?).map_err(|e| e.to_string())?;
        let Some(pending) = progress.pending else {
            return Ok(progress.next);
        };
        let next = if self.destination.exists(&pending.name).await? {
            pending.last + 1
        } else {
            pending.first
        };
        self.save_progress(Progress {
            next: Some(next),
            pending: None,
        })
        .await?;
        Ok(Some(next))
    }

    /// Reads events from `next` until the window ends or the file reaches the size limit;
    /// the capture thread encodes each batch into the window's file as it is read.
    async fn collect(&self, next: Option<i64>) -> Result<Arc<Finished>, String> {
        let deadline = Instant::now() + self.config.window;
        let codec = match self.config.encoding {
            CaptureEncoding::Avro => CaptureCodec::Null,
            CaptureEncoding::AvroDeflate => CaptureCodec::Deflate,
        };
        let destination = Arc::clone(&self.destination);
        let (namespace, hub, partition) = (
            self.namespace.clone(),
            self.hub.clone(),
            self.partition.clone(),
        );
        let mut file = self
            .thread
            .run(move || {
                let sink = destination.sink(&namespace, &hub, &partition);
                WindowFile::begin(codec, sink.map_err(|e| e.to_string())?)
            })
            .await??;
        let from = match next {
            Some(sequence_number) => Start::Sequence {
                sequence_number,
                inclusive: true,
            },
            None => Start::Earliest,
        };
        let mut offset = self.log.locate(&from).map_err(|e| e.to_string())?;
        let mut head = self.log.subscribe();
        let limit = self.config.size_limit_bytes;
        while file.written() < limit {
            head.borrow_and_update();
            let events = self
                .log
                .read(offset, READ_EVENTS, READ_BYTES)
                .map_err(|e| e.to_string())?;
            let Some(last) = events.last() else {
                tokio::select! {
                    changed = head.changed() => if changed.is_err() { break },
                    _ = tokio::time::sleep_until(deadline) => break,
                }
                continue;
            };
            offset = last.offset + last.encoded_len() as u64;
            let appended;
            (file, appended) = self
                .thread
                .run(move || {
                    let appended = file.append(&events);
                    (file, appended)
                })
                .await?;
            appended?;
            if Instant::now() >= deadline {
                break;
            }
        }
        let finished = self.thread.run(move || file.finish()).await??;
        Ok(Arc::new(finished))
    }

    /// Records the intent, then makes the file visible. Returns its path.
    async fn commit(&self, name: &str, window: &Arc<Finished>) -> Result<String, String> {
        if let Some(((first, last), _)) = window.range {
            self.save_progress(Progress {
                next: Some(first),
                pending: Some(Pending {
                    name: name.to_string(),
                    first,
                    last,
                }),
            })
            .await?;
        }
        // The record is not rewritten after: a pending file that is visible counts as
        // written at the next start, so one synced record per window is enough.
        self.destination
            .publish(&self.thread, name, Arc::clone(window))
            .await
    }

    /// Saves the progress record on the capture thread (it is synced: no runtime worker
    /// waits for the disk).
    async fn save_progress(&self, progress: Progress) -> Result<(), String> {
        let file = self.progress.clone();
        (self.thread.run(move || file.save(&progress)).await?).map_err(|e| e.to_string())
    }
}
