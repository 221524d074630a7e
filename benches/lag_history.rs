//! Lag history at a platform team's scale (issue #11): 200 hubs x 32 partitions x 5 consumer
//! groups sampled every 10 s for 24 hours. Prints the heap the histories hold once full (a
//! counting allocator), the time to derive and record one round, the bytes the history
//! writes to disk per hour, and the time to load one group's day back at start.
//! Not a criterion timing of one function, so a plain bench binary:
//! `cargo bench --bench lag_history`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ehops::model::{
    Checkpoint, ConsumerGroupLag, GroupHistory, LagPolicy, LagSnapshot, Ownership,
    PartitionLagSample,
};
use ehops::ops::lag_history::{HistoryStore, StoredSample};
use time::OffsetDateTime;

const HUBS: usize = 200;
const PARTITIONS: usize = 32;
const GROUPS_PER_HUB: usize = 5;
const INTERVAL_SECS: i64 = 10;
const DAY_SECS: i64 = 86_400;

static LIVE: AtomicUsize = AtomicUsize::new(0);

struct Counting;

// SAFETY: defers to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn at(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_764_979_200 + secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// One group's sample at `t`: every partition receiving 5 events a second, the group
/// processing them with a lag that wanders, one partition stuck.
fn snapshot(group: usize, t: i64) -> LagSnapshot {
    let partitions = (0..PARTITIONS)
        .map(|p| {
            let last = t / INTERVAL_SECS * 50 + p as i64;
            let behind = if p == group % PARTITIONS {
                t / INTERVAL_SECS * 50
            } else {
                (t / INTERVAL_SECS + p as i64) % 40
            };
            PartitionLagSample {
                partition: p.to_string(),
                begin_sequence: 0,
                last_enqueued_sequence: last,
                last_enqueued_time: Some(at(t)),
                next_unprocessed_time: Some(at(t - behind / 5)),
                checkpoint: Some(Checkpoint {
                    sequence: last - behind,
                    offset: "0".into(),
                    updated_at: at(t - 5),
                }),
                ownership: Some(Ownership {
                    owner_id: format!("worker-{group}"),
                    renewed_at: at(t - 3),
                }),
            }
        })
        .collect();
    LagSnapshot {
        hub: format!("hub-{:03}", group / GROUPS_PER_HUB),
        consumer_group: format!("group-{}", group % GROUPS_PER_HUB),
        sampled_at: at(t),
        partitions,
    }
}

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn main() {
    let groups = HUBS * GROUPS_PER_HUB;
    let policy = LagPolicy {
        retention: Duration::from_secs(7 * 86_400),
        stuck_after: Duration::from_secs(300),
    };
    let before = LIVE.load(Ordering::Relaxed);
    let mut histories: Vec<GroupHistory> = (0..groups).map(|_| GroupHistory::default()).collect();
    let rounds = DAY_SECS / INTERVAL_SECS;
    // Filling a day derives each group once and then moves its numbers on in place: building
    // 8.6 million snapshots would measure the bench, not the history.
    let mut lags: Vec<ConsumerGroupLag> = (0..groups)
        .map(|group| ConsumerGroupLag::compute(&snapshot(group, 0), None, policy))
        .collect();
    let started = Instant::now();
    for round in 0..rounds {
        let t = round * INTERVAL_SECS;
        for ((group, history), lag) in histories.iter_mut().enumerate().zip(&mut lags) {
            lag.sampled_at = at(t);
            for (p, partition) in lag.partitions.iter_mut().enumerate() {
                partition.last_enqueued_sequence = t / INTERVAL_SECS * 50 + p as i64;
                partition.events_behind = ((t / INTERVAL_SECS + (group + p) as i64) % 40) as u64;
                partition.time_behind = Some(Duration::from_secs(partition.events_behind / 5));
            }
            history.record(lag);
        }
    }
    let filled = started.elapsed();
    let held = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let lags_bytes: usize = lags.len() * std::mem::size_of::<ConsumerGroupLag>();
    drop(lags);
    let held_histories = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let accounted: usize = histories.iter().map(GroupHistory::heap_bytes).sum();
    println!(
        "history of {groups} groups x {PARTITIONS} partitions, 24 h at {INTERVAL_SECS} s ({rounds} rounds): \
         heap {} (rings at capacity: {}; with the last samples {}); filled in {:.1} s",
        mb(held_histories),
        mb(accounted),
        mb(held + lags_bytes),
        filled.as_secs_f64()
    );

    // One live round: derive every group from a fresh snapshot with its history, record it.
    let snapshots: Vec<LagSnapshot> = (0..groups).map(|g| snapshot(g, DAY_SECS)).collect();
    let round_started = Instant::now();
    for (history, snapshot) in histories.iter_mut().zip(&snapshots) {
        let lag = ConsumerGroupLag::compute_with_history(snapshot, Some(history), policy);
        history.record(&lag);
    }
    let last_round = round_started.elapsed();
    println!(
        "one round (derive + record {} partitions): {:.1} ms",
        groups * PARTITIONS,
        last_round.as_secs_f64() * 1e3
    );

    // Disk: one line per group per minute (and per change of status).
    let sample = StoredSample::of(&ConsumerGroupLag::compute_with_history(
        &snapshot(1, 600),
        Some(&histories[1]),
        policy,
    ));
    let line = serde_json::to_vec(&sample)
        .map(|l| l.len() + 1)
        .unwrap_or(0);
    println!(
        "disk: {line} bytes a line, {} per hour for {groups} groups (one line a minute each)",
        mb(line * 60 * groups)
    );

    // Loading one group's day at start (the console loads each group when first sampled).
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("no temp dir: {error}");
            return;
        }
    };
    let store = HistoryStore::new(dir.path());
    let mut history = GroupHistory::default();
    for minute in 0..(DAY_SECS / 60) {
        let t = minute * 60;
        let lag = ConsumerGroupLag::compute_with_history(&snapshot(1, t), Some(&history), policy);
        history.record(&lag);
        if let Err(error) = store.append("bench", &lag) {
            eprintln!("write failed: {error}");
            return;
        }
    }
    let load_started = Instant::now();
    let loaded = store.load("bench", "hub-000", "group-1", at(0));
    let load = load_started.elapsed();
    match loaded {
        Ok(loaded) => println!(
            "load one group's day ({} lines): {:.1} ms; all {groups} groups: ~{:.1} s if loaded at once",
            loaded.samples.len(),
            load.as_secs_f64() * 1e3,
            load.as_secs_f64() * groups as f64
        ),
        Err(error) => eprintln!("load failed: {error}"),
    }
}
