//! Memory for 1,000,000 buffered 300-byte tail events (issue #3's goal: under twice the
//! payload, i.e. < 600 MB). A counting global allocator measures the bytes the tail pane's
//! state holds once full; the figure with glibc's chunk overhead is printed beside it.
//! Not a timing, so not criterion. Run: `cargo bench --bench tail_memory`.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ehops::model::TailEvent;
use ehops::tui::state::TailState;

const EVENTS: i64 = 1_000_000;
const EVENT_BYTES: usize = 300;
const BATCH: i64 = 10_000;

/// Bytes requested and not yet freed, and the same rounded up to glibc malloc's chunks.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static LIVE_CHUNKS: AtomicUsize = AtomicUsize::new(0);

/// glibc malloc: an 8-byte header, 16-byte alignment, 32 bytes at least.
fn chunk(size: usize) -> usize {
    ((size + 8 + 15) & !15).max(32)
}

struct Counting;

// SAFETY: defers to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        LIVE_CHUNKS.fetch_add(chunk(layout.size()), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        LIVE_CHUNKS.fetch_sub(chunk(layout.size()), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> (usize, usize) {
    (
        LIVE.load(Ordering::Relaxed),
        LIVE_CHUNKS.load(Ordering::Relaxed),
    )
}

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn main() {
    let (before, before_chunks) = live();
    let mut tail = TailState::new("bench", "from earliest", EVENTS as usize);
    let mut payload = 0;
    for first in (0..EVENTS).step_by(BATCH as usize) {
        let events: Vec<_> = (first..first + BATCH)
            .map(|n| common::event(n, EVENT_BYTES))
            .collect();
        payload += events.iter().map(TailEvent::payload_len).sum::<usize>();
        tail.receive(&events, 0);
    }
    let (after, after_chunks) = live();
    assert_eq!(
        tail.buffer.buffered(),
        EVENTS as usize,
        "every event is kept"
    );
    let held = after - before;
    let held_chunks = after_chunks - before_chunks;
    println!(
        "tail_memory: {EVENTS} events of {EVENT_BYTES} B payload ({}) held in {} \
         ({:.2}x payload; {} = {:.2}x with glibc chunk overhead), {} B/event; goal < 2x; {}",
        mb(payload),
        mb(held),
        held as f64 / payload as f64,
        mb(held_chunks),
        held_chunks as f64 / payload as f64,
        held / EVENTS as usize,
        common::load()
    );
}
