//! The thread Capture reads, encodes and writes on: one OS thread per emulator at the lowest
//! CPU priority (nice 19). Building Avro records, writing window files and syncing them and
//! the progress records is all blocking work; on the runtime's workers it delayed the
//! acknowledgements ingest sends (docs/capture.md, "Acknowledgements with Capture on"). Here
//! it takes only the CPU ingest leaves over, and no runtime worker ever waits on a disk flush
//! of Capture's. Jobs queue on a bounded channel, so a starved thread slows Capture, never
//! ingest.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tokio::sync::{mpsc, oneshot};

type Job = Box<dyn FnOnce() + Send>;

/// Jobs waiting for the thread; each partition has at most one in flight.
const QUEUE: usize = 64;
/// The lowest priority a thread can take (nice 19).
const LOWEST: i32 = 19;

/// A handle to the thread; it ends when the last handle is dropped.
#[derive(Clone)]
pub struct CaptureThread {
    jobs: mpsc::Sender<Job>,
}

impl CaptureThread {
    pub fn start() -> std::io::Result<Self> {
        let (jobs, mut queue) = mpsc::channel::<Job>(QUEUE);
        std::thread::Builder::new()
            .name("ehops-capture".to_owned())
            .spawn(move || {
                lower_priority();
                while let Some(job) = queue.blocking_recv() {
                    // A job that panics fails its window (its caller retries); the thread
                    // goes on serving the other partitions.
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            })?;
        Ok(Self { jobs })
    }

    /// Runs `work` on the thread and waits for its result.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| "the capture thread has stopped".to_owned())?;
        result
            .await
            .map_err(|_| "a capture job failed on the capture thread".to_owned())
    }
}

/// Nice 19 for the calling thread (Linux applies a thread id's nice to that thread alone).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let thread = rustix::thread::gettid();
        if let Err(error) = rustix::process::setpriority_process(Some(thread), LOWEST) {
            tracing::warn!(%error, "the capture thread keeps the normal priority");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_and_survives_one_that_panics() {
        let thread = CaptureThread::start().expect("starts");
        assert_eq!(thread.run(|| 2 + 2).await, Ok(4));
        let failed = thread.run(|| -> u8 { panic!("a broken job") }).await;
        assert!(failed.is_err(), "{failed:?}");
        assert_eq!(thread.run(|| "still here").await, Ok("still here"));
    }
}
