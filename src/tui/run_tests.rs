//! The console loop with the clock paused: how many frames it draws, not how fast. An idle
//! console must draw nothing (near-zero CPU); a burst of tail batches must become one frame.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::*;
use crate::protocol::{BackendEnd, ReadRequest, Reply, Request, backend_channels};
use crate::tui::sample;

const IDLE: Duration = Duration::from_secs(600);

/// A console loop on the sample config, with its backend's end and a frame counter.
struct Headless {
    input: mpsc::UnboundedSender<Event>,
    backend: BackendEnd,
    frames: Arc<AtomicUsize>,
    running: JoinHandle<io::Result<()>>,
}

impl Headless {
    fn start() -> Self {
        let (link, backend) = backend_channels(64);
        let (input, input_rx) = mpsc::unbounded_channel();
        let frames = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&frames);
        let draw = move |_: &App| {
            counter.fetch_add(1, Ordering::Relaxed);
            Ok(None)
        };
        let app = App::new(sample::config());
        let running = tokio::spawn(drive(app, link, input_rx, (120, 40), draw));
        Self {
            input,
            backend,
            frames,
            running,
        }
    }

    async fn next_command(&mut self) -> Request {
        self.backend
            .requests
            .recv()
            .await
            .expect("the loop sends requests")
    }

    fn frames(&self) -> usize {
        self.frames.load(Ordering::Relaxed)
    }

    fn press(&self, c: char) {
        self.press_key(KeyCode::Char(c));
    }

    fn press_key(&self, code: KeyCode) {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        self.input
            .send(Event::Key(key))
            .expect("the loop is running");
    }

    async fn stop(self) {
        drop(self.input);
        self.running
            .await
            .expect("the loop does not panic")
            .expect("drawing does not fail");
    }
}

/// Starts the loop and answers its hub listing, as the backend would.
async fn console_with_hubs() -> Headless {
    let mut console = Headless::start();
    let Request::Read(ReadRequest::ListHubs { request, namespace }) = console.next_command().await
    else {
        panic!("the console starts by listing hubs");
    };
    let Request::Read(ReadRequest::ListNamespaces { .. }) = console.next_command().await else {
        panic!("then the namespaces, whose hubs join the home one's");
    };
    let hubs = sample::hubs();
    let reply = Reply::HubsLoaded {
        request,
        namespace,
        hubs,
    };
    console.backend.replies.send(reply).expect("loop running");
    let Request::WatchLag { hubs, .. } = console.next_command().await else {
        panic!("the listed hubs' lag is sampled");
    };
    assert_eq!(hubs.len(), sample::hubs().len());
    tokio::time::sleep(Duration::from_secs(1)).await;
    console
}

#[tokio::test(start_paused = true)]
async fn an_idle_console_draws_nothing_for_ten_minutes() {
    let mut console = console_with_hubs().await;
    // Start-up size and the hub list arrived within one coalescing window.
    assert_eq!(console.frames(), 1);
    tokio::time::sleep(IDLE).await;
    assert_eq!(console.frames(), 1, "redraws while idle on the hubs view");
    assert!(
        console.backend.requests.try_recv().is_err(),
        "no requests while idle"
    );
    console.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_tail_batches_is_one_frame_then_quiet() {
    let mut console = console_with_hubs().await;
    console.press('t');
    let Request::StartTail { request, .. } = console.next_command().await else {
        panic!("t starts a tail");
    };
    for batch in 0..50 {
        let events = (0..100).map(|n| sample::event(batch * 100 + n)).collect();
        let action = Reply::TailReceived {
            request,
            events,
            lost: 0,
        };
        console
            .backend
            .tail
            .send(action)
            .await
            .expect("loop running");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(console.frames(), 2, "the key and 50 batches: one frame");
    tokio::time::sleep(IDLE).await;
    assert_eq!(console.frames(), 2, "redraws while the tail is idle");
    console.stop().await;
}

/// Issue #10: a key press went undrawn when a tail batch for a pane off screen landed in the
/// same 16 ms window (the batch's handler overwrote the redraw the key had asked for).
#[tokio::test(start_paused = true)]
async fn a_key_press_is_drawn_when_a_tail_batch_lands_before_the_frame() {
    let mut console = console_with_hubs().await;
    console.press('t');
    let Request::StartTail { request, .. } = console.next_command().await else {
        panic!("t starts a tail");
    };
    let batch = |first: i64| Reply::TailReceived {
        request,
        events: (first..first + 10).map(sample::event).collect(),
        lost: 0,
    };
    console
        .backend
        .tail
        .send(batch(0))
        .await
        .expect("loop running");
    // The paused clock moves on only once the loop has taken the batch: a row to open.
    tokio::time::sleep(Duration::from_secs(1)).await;
    // The newest event in full: the tail keeps running behind the detail pane.
    console.press_key(KeyCode::Enter);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = console.frames();
    // `h` (hex) changes the detail pane; 1 ms later, inside the window, a batch arrives.
    console.press('h');
    tokio::time::sleep(Duration::from_millis(1)).await;
    console
        .backend
        .tail
        .send(batch(10))
        .await
        .expect("loop running");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(console.frames(), before + 1, "the key press was not drawn");
    console.stop().await;
}
