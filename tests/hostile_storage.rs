//! Damaged partition logs (issue #16, findings 1 and 2): a damaged record costs that record
//! only, is reported at start with its file, position and sequence numbers, the intact records
//! after it stay readable, and no sequence number is handed out twice. Part of the
//! hostile-input suite (every `tests/hostile_*.rs`).

mod common;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use azure_messaging_eventhubs::{
    ConsumerClient, OpenReceiverOptions, StartLocation, StartPosition,
};
use bytes::Bytes;
use ehops::emulator::store::{NewEvent, PartitionLog, Start, StoredEvent};
use futures_util::StreamExt;

const DAY: Duration = Duration::from_secs(86_400);

/// The segment files of a partition directory, oldest first.
fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("partition dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    files.sort();
    files
}

/// File positions of the records in a segment (each starts with its little-endian u32 length
/// of everything after an 8-byte header).
fn record_positions(file: &Path) -> Vec<u64> {
    let bytes = std::fs::read(file).expect("segment");
    let mut positions = Vec::new();
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        positions.push(at as u64);
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        at += 8 + len;
    }
    positions
}

/// The partition offset of a segment's first record, from its name (`{seq}-{offset}.log`).
fn base_offset(segment: &Path) -> u64 {
    segment
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.split('-').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("segment name")
}

fn flip_byte(file: &Path, position: u64, mask: u8) {
    let mut bytes = std::fs::read(file).expect("segment");
    bytes[position as usize] ^= mask;
    std::fs::write(file, bytes).expect("damaged segment written");
}

/// Runs `work` on a runtime of its own: dropping it stops the log's writer, as a process
/// exit would.
fn on_runtime<T>(work: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(work)
}

fn event(body: String) -> NewEvent {
    NewEvent {
        partition_key: None,
        message: Bytes::from(body.into_bytes()),
    }
}

/// Every event readable from the start of the log.
fn read_all(log: &PartitionLog) -> Vec<StoredEvent> {
    let mut events = Vec::new();
    let mut from = 0;
    loop {
        let batch = log.read(from, 500, 1 << 20).expect("read");
        let Some(last) = batch.last() else {
            return events;
        };
        from = last.offset + last.encoded_len() as u64;
        events.extend(batch);
    }
}

const ROOT: &str = "RootManageSharedAccessKey";

/// Sends `bodies` to partition 0 of `single` in one batch; returns the partition's last
/// sequence number once they are acknowledged.
async fn send(emulator: &common::TestEmulator, bodies: &[String]) -> i64 {
    common::send_batch_to(emulator, "single", "0", bodies).await
}

/// Reads partition 0 of `single` from the start until `count` events came (or 30 s passed):
/// their sequence numbers and bodies.
async fn receive(emulator: &common::TestEmulator, count: usize) -> Vec<(i64, String)> {
    let consumer = ConsumerClient::builder()
        .with_custom_endpoint(emulator.endpoint())
        .open(
            &emulator.namespace(),
            "single".into(),
            emulator.credential(ROOT),
        )
        .await
        .expect("consumer");
    let earliest = StartPosition {
        location: StartLocation::Earliest,
        inclusive: false,
    };
    let receiver = consumer
        .open_receiver_on_partition(
            "0".into(),
            Some(OpenReceiverOptions {
                start_position: Some(earliest),
                ..Default::default()
            }),
        )
        .await
        .expect("receiver");
    let mut read = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let stream = receiver.stream_events();
    futures_util::pin_mut!(stream);
    while read.len() < count && Instant::now() < deadline {
        let next = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
        let Ok(Some(Ok(event))) = next else { continue };
        let sequence = event.sequence_number().expect("sequence number");
        let body = event.event_data().body().unwrap_or_default().to_vec();
        read.push((sequence, String::from_utf8(body).expect("text body")));
    }
    read
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_in_the_newest_segment_costs_that_event_only() {
    let emulator = common::start(common::CONFORMANCE).await;
    let bodies: Vec<String> = (0..100).map(|i| format!("event {i:04}")).collect();
    assert_eq!(send(&emulator, &bodies).await, 99);

    let common::TestEmulator { running, data } = emulator;
    drop(running);
    let partition = data.path().join("conformance").join("single").join("0");
    let newest = segments(&partition).pop().expect("a segment");
    let positions = record_positions(&newest);
    assert_eq!(positions.len(), 100);
    // A byte inside event 50's message.
    flip_byte(&newest, positions[50] + 40, 0x20);

    let emulator = common::start_in(common::CONFORMANCE, data).await;
    let damage = &emulator.running.damage;
    assert_eq!(damage.len(), 1, "one damaged record reported: {damage:?}");
    assert_eq!(damage[0].sequence_numbers(), 50..=50, "{}", damage[0]);
    assert_eq!(damage[0].position, positions[50]);
    assert_eq!(damage[0].file, newest);
    assert!(damage[0].followed_by_intact);

    let expected: Vec<(i64, String)> = (0..100)
        .filter(|i| *i != 50)
        .map(|i| (i, bodies[i as usize].clone()))
        .collect();
    assert_eq!(
        receive(&emulator, 99).await,
        expected,
        "every intact event reads back, event 50 is skipped"
    );
    assert_eq!(
        send(&emulator, &["after the damage".into()]).await,
        100,
        "a new event gets a fresh sequence number"
    );
}

/// A partition log of 100 events in one segment file, written and closed.
fn log_of_a_hundred_events() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    on_runtime(async {
        let log = PartitionLog::open(dir.path(), DAY).expect("open");
        log.append((0..100).map(|i| event(format!("event {i}"))).collect())
            .await
            .expect("append");
    });
    let segment = segments(dir.path()).pop().expect("a segment");
    (dir, segment)
}

#[test]
fn a_damaged_first_length_field_costs_the_first_event_only() {
    let (dir, segment) = log_of_a_hundred_events();
    flip_byte(&segment, 1, 0xff); // the first record's length, second byte
    on_runtime(async {
        let log = PartitionLog::open(dir.path(), DAY).expect("reopen");
        let sequences: Vec<i64> = read_all(&log).iter().map(|e| e.sequence_number).collect();
        assert_eq!(sequences, (1..100).collect::<Vec<_>>());
        let damage = log.damage();
        assert_eq!(damage.len(), 1, "{damage:?}");
        assert_eq!(
            (damage[0].position, damage[0].sequence_numbers()),
            (0, 0..=0)
        );
        let next = log
            .append(vec![event("next".into())])
            .await
            .expect("append");
        assert_eq!(next[0].sequence_number, 100);
    });
}

#[test]
fn damage_in_an_older_segment_hides_nothing_after_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let appended = on_runtime(async {
        let log = PartitionLog::open_with_segment_size(dir.path(), DAY, 4096).expect("open");
        let mut appended = Vec::new();
        for i in 0..100 {
            let at = log
                .append(vec![event(format!("event {i:03} {}", ".".repeat(100)))])
                .await
                .expect("append");
            appended.extend(at);
        }
        appended
    });
    let files = segments(dir.path());
    assert!(files.len() >= 3, "small segments make several files");
    let oldest = &files[0];
    let positions = record_positions(oldest);
    flip_byte(oldest, positions[2] + 30, 0x01); // event 2's message
    on_runtime(async {
        let log = PartitionLog::open_with_segment_size(dir.path(), DAY, 4096).expect("reopen");
        let damage = log.damage();
        assert_eq!(damage.len(), 1, "{damage:?}");
        assert_eq!(damage[0].sequence_numbers(), 2..=2);
        let sequences: Vec<i64> = read_all(&log).iter().map(|e| e.sequence_number).collect();
        let expected: Vec<i64> = (0..100).filter(|s| *s != 2).collect();
        assert_eq!(
            sequences, expected,
            "reading from earliest passes the damage"
        );

        // A reader starting past the damage gets the events there.
        let from = log
            .locate(&Start::Sequence {
                sequence_number: 2,
                inclusive: true,
            })
            .expect("locate");
        assert_eq!(from, appended[3].offset);
        let first = log.read(from, 1, 1 << 20).expect("read");
        assert_eq!(first[0].sequence_number, 3);

        // Damage that appears while running is refused without naming the server's files.
        let newest_sealed = &files[files.len() - 2];
        let positions = record_positions(newest_sealed);
        flip_byte(newest_sealed, positions[0] + 30, 0x01);
        let error = log
            .read(base_offset(newest_sealed), 10, 1 << 20)
            .expect_err("damaged record");
        let text = error.to_string();
        assert!(text.contains("damaged record"), "{text}");
        assert!(
            !text.contains(&dir.path().display().to_string()) && !text.contains(".log"),
            "a client-facing error names no server path: {text}"
        );
    });
}

#[test]
fn damage_to_the_last_record_is_reported_and_its_number_never_reused() {
    let (dir, segment) = log_of_a_hundred_events();
    let last = *record_positions(&segment).last().expect("records");
    flip_byte(&segment, last + 30, 0x04); // event 99's message, the end of the file
    on_runtime(async {
        let log = PartitionLog::open(dir.path(), DAY).expect("reopen");
        let damage = log.damage();
        assert_eq!(damage.len(), 1, "{damage:?}");
        assert!(damage[0].sequence_numbers().contains(&99), "{}", damage[0]);
        assert!(!damage[0].followed_by_intact);
        let sequences: Vec<i64> = read_all(&log).iter().map(|e| e.sequence_number).collect();
        assert_eq!(sequences, (0..99).collect::<Vec<_>>());
        let next = log
            .append(vec![event("next".into())])
            .await
            .expect("append");
        assert!(
            next[0].sequence_number > damage[0].last_sequence,
            "{} is after every number the damaged bytes may have held",
            next[0].sequence_number
        );
        assert_eq!(read_all(&log).len(), 100);
    });
    assert!(segment.exists(), "the damaged file is kept, not cut");
    assert_eq!(
        segments(dir.path()).len(),
        2,
        "writing went on in a new file"
    );
}

/// A small, seeded generator: the damage is the same on every run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_damage_to_every_segment_of_ten_thousand_events() {
    const EVENTS: i64 = 10_000;
    const SEED: u64 = 16;
    let dir = tempfile::tempdir().expect("temp dir");
    let body = |seq: i64| format!("{seq:08}|{}", "x".repeat((seq % 97) as usize));
    let appended = on_runtime(async {
        let log = PartitionLog::open_with_segment_size(dir.path(), DAY, 32 * 1024).expect("open");
        let mut appended = Vec::new();
        for start in (0..EVENTS).step_by(100) {
            let events = (start..start + 100).map(|s| event(body(s))).collect();
            appended.extend(log.append(events).await.expect("append"));
        }
        appended
    });
    // Where each record lies in the partition: [offset, next offset).
    let end = |i: usize| {
        appended
            .get(i + 1)
            .map_or(u64::MAX, |next: &ehops::emulator::store::Appended| {
                next.offset
            })
    };

    let mut random = SplitMix(SEED);
    let mut hit = std::collections::BTreeSet::new();
    let files = segments(dir.path());
    let mut flips = 0;
    for file in &files {
        let base = base_offset(file);
        let len = std::fs::metadata(file).expect("stat").len();
        for _ in 0..1 + random.below(3) {
            let position = random.below(len);
            flip_byte(file, position, 1 + random.below(255) as u8);
            flips += 1;
            let offset = base + position;
            let record = appended.partition_point(|a| a.offset <= offset) - 1;
            assert!(offset < end(record));
            hit.insert(appended[record].sequence_number);
        }
    }

    on_runtime(async {
        let log = PartitionLog::open_with_segment_size(dir.path(), DAY, 32 * 1024).expect("reopen");
        let read = read_all(&log);
        for event in &read {
            assert_eq!(
                event.message,
                body(event.sequence_number).into_bytes(),
                "event {} reads back intact",
                event.sequence_number
            );
        }
        let readable: Vec<i64> = read.iter().map(|e| e.sequence_number).collect();
        let expected: Vec<i64> = (0..EVENTS).filter(|s| !hit.contains(s)).collect();
        assert_eq!(
            readable, expected,
            "exactly the events with a flipped byte are lost"
        );

        let damage = log.damage();
        for lost in &hit {
            assert!(
                damage.iter().any(|d| d.sequence_numbers().contains(lost)),
                "lost event {lost} is reported"
            );
        }
        for report in damage {
            assert!(
                hit.iter()
                    .any(|lost| report.sequence_numbers().contains(lost)),
                "report {report} names a lost event"
            );
        }

        let handed_out = damage
            .iter()
            .map(|d| d.last_sequence)
            .chain(std::iter::once(EVENTS - 1))
            .max()
            .expect("some");
        let new = log
            .append((0..10).map(|i| event(format!("new {i}"))).collect())
            .await
            .expect("append after damage");
        let fresh: Vec<i64> = new.iter().map(|a| a.sequence_number).collect();
        assert!(
            fresh[0] > handed_out && fresh.windows(2).all(|w| w[1] == w[0] + 1),
            "new events get fresh sequence numbers: {fresh:?} after {handed_out}"
        );
        eprintln!(
            "{} segments, {flips} flipped bytes (seed {SEED}): {} of {EVENTS} events readable, \
             {} lost, {} damage reports, new events numbered from {}",
            files.len(),
            readable.len(),
            hit.len(),
            damage.len(),
            fresh[0]
        );
    });
}
