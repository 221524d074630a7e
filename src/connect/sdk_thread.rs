//! One thread on which every send through Microsoft's Rust SDK runs.
//!
//! The SDK's AMQP layer (fe2o3-amqp 0.14, under azure_core_amqp 1.1; 0.16 under the 1.2
//! beta is the same) hands a transfer to the session task first and records the delivery
//! as unsettled only afterwards. The session task reads the service's disposition; if it
//! does so in between, it finds no unsettled delivery, drops the disposition, and the send
//! waits for an outcome that never comes. On a runtime with several worker threads this
//! happens when the sending thread is descheduled for that moment: seen under CPU load as
//! `ehops replay --execute` hanging after its second event had been accepted (a packet
//! capture showed the service's `disposition accepted, settled` arrive and nothing sent
//! after it). fe2o3-amqp 0.18 records the delivery before handing the transfer over.
//!
//! On a runtime of one thread nothing else runs between the two steps, so the race cannot
//! happen: a producer is opened, used and closed here, its connection and session tasks
//! with it. Sends are few and small beside reads (replays, dead-letter copies, audit
//! events), so one thread is not their bottleneck.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle};

static SENDING: OnceLock<Handle> = OnceLock::new();

/// The sending runtime, started on first use; it lives as long as the process.
fn sending() -> &'static Handle {
    SENDING.get_or_init(|| {
        let runtime = Builder::new_current_thread()
            .enable_all()
            .thread_name("ehops-sdk-send")
            .build()
            .expect("a tokio runtime can be built");
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name("ehops-sdk-send".into())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .expect("the sending thread starts");
        handle
    })
}

/// Runs `work` on the sending thread and waits for its result here.
pub async fn run<T, F>(work: F) -> T
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    match sending().spawn(work).await {
        Ok(value) => value,
        // The runtime never shuts down, so a task ends early only by panicking.
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("the sending thread dropped a task: {error}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_runs_on_the_one_sending_thread() {
        let names: Vec<Option<String>> = futures_util::future::join_all((0..4).map(|_| {
            run(async {
                tokio::task::yield_now().await;
                std::thread::current().name().map(str::to_owned)
            })
        }))
        .await;
        assert!(
            names.iter().all(|n| n.as_deref() == Some("ehops-sdk-send")),
            "{names:?}"
        );
    }
}
