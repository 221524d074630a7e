use std::time::Duration;

use bytes::Bytes;

use super::*;

fn event(body: &str) -> NewEvent {
    NewEvent {
        partition_key: None,
        message: Bytes::copy_from_slice(body.as_bytes()),
    }
}

/// Every stored body, read from offset 0.
fn bodies_from_start(log: &PartitionLog) -> Vec<Vec<u8>> {
    log.read(0, 10, 1 << 20)
        .expect("read")
        .into_iter()
        .map(|e| e.message.to_vec())
        .collect()
}

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test]
async fn appends_read_back_in_order_with_positions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = PartitionLog::open(dir.path(), DAY).expect("open");
    assert!(log.stats().is_empty);
    let first = log
        .append(vec![event("a"), event("b")])
        .await
        .expect("append");
    let second = log.append(vec![event("c")]).await.expect("append");
    assert_eq!(
        first.iter().map(|a| a.sequence_number).collect::<Vec<_>>(),
        vec![0, 1]
    );
    assert_eq!(second[0].sequence_number, 2);
    assert!(first[1].offset > first[0].offset && second[0].offset > first[1].offset);

    let stats = log.stats();
    assert_eq!(
        (stats.begin_sequence_number, stats.last_sequence_number),
        (0, 2)
    );
    assert_eq!(stats.last_offset, second[0].offset as i64);
    assert!(!stats.is_empty);

    let all = log.read(0, 100, 1 << 20).expect("read");
    let bodies: Vec<&[u8]> = all.iter().map(|e| &e.message[..]).collect();
    assert_eq!(bodies, vec![&b"a"[..], b"b", b"c"]);
    assert!(
        log.read(stats.end_offset, 10, 1 << 20)
            .expect("read at head")
            .is_empty()
    );
}

#[tokio::test]
async fn start_positions_locate_the_right_event() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = PartitionLog::open(dir.path(), DAY).expect("open");
    let appended = log
        .append((0..10).map(|i| event(&format!("event {i}"))).collect())
        .await
        .expect("append");
    let at = |start: Start| log.locate(&start).expect("locate");
    assert_eq!(at(Start::Earliest), 0);
    assert_eq!(at(Start::Latest), log.stats().end_offset);
    assert_eq!(
        at(Start::Sequence {
            sequence_number: 4,
            inclusive: true
        }),
        appended[4].offset
    );
    assert_eq!(
        at(Start::Sequence {
            sequence_number: 4,
            inclusive: false
        }),
        appended[5].offset
    );
    assert_eq!(
        at(Start::Offset {
            offset: appended[7].offset,
            inclusive: true
        }),
        appended[7].offset
    );
    assert_eq!(
        at(Start::Offset {
            offset: appended[7].offset,
            inclusive: false
        }),
        appended[8].offset
    );
    assert_eq!(
        at(Start::Sequence {
            sequence_number: 99,
            inclusive: true
        }),
        log.stats().end_offset
    );
    let ms = appended[0].enqueued_ms;
    assert_eq!(
        at(Start::Enqueued {
            unix_ms: ms - 1,
            inclusive: false
        }),
        0
    );
    assert_eq!(
        at(Start::Enqueued {
            unix_ms: ms,
            inclusive: false
        }),
        log.stats().end_offset
    );
}

#[tokio::test]
async fn reopening_keeps_events_and_cuts_a_torn_tail() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let log = PartitionLog::open(dir.path(), DAY).expect("open");
        log.append(vec![event("kept-1"), event("kept-2")])
            .await
            .expect("append");
    }
    // A crash mid-write leaves a partial record after the acknowledged ones.
    let segment = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "log"))
        .expect("a segment");
    let mut bytes = std::fs::read(&segment).expect("read segment");
    let intact = bytes.len();
    bytes.extend_from_slice(&[40, 0, 0, 0, 1, 2, 3]);
    std::fs::write(&segment, &bytes).expect("tear");

    let log = PartitionLog::open(dir.path(), DAY).expect("reopen");
    assert_eq!(
        std::fs::metadata(&segment).expect("stat").len(),
        intact as u64
    );
    let next = log
        .append(vec![event("after")])
        .await
        .expect("append after reopen");
    assert_eq!(next[0].sequence_number, 2);
    let bodies = bodies_from_start(&log);
    assert_eq!(
        bodies,
        vec![b"kept-1".to_vec(), b"kept-2".to_vec(), b"after".to_vec()]
    );
}

#[tokio::test]
async fn a_reader_waiting_at_the_head_is_woken() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = PartitionLog::open(dir.path(), DAY).expect("open");
    let mut head = log.subscribe();
    let writer = std::sync::Arc::clone(&log);
    tokio::spawn(async move { writer.append(vec![event("x")]).await });
    tokio::time::timeout(Duration::from_secs(5), head.changed())
        .await
        .expect("woken")
        .expect("sender alive");
    assert_eq!(*head.borrow(), 0);
}

#[tokio::test]
async fn retention_drops_old_events_and_numbering_continues() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = PartitionLog::open(dir.path(), Duration::from_secs(1)).expect("open");
    log.append(vec![event("old-1"), event("old-2")])
        .await
        .expect("append");
    let mut waited = Duration::ZERO;
    while !log.stats().is_empty {
        assert!(
            waited < Duration::from_secs(10),
            "retention never removed the old events"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    let stats = log.stats();
    assert_eq!(
        stats.begin_sequence_number, 2,
        "the oldest kept sequence number moves on"
    );
    assert_eq!(stats.last_sequence_number, 1);
    let next = log.append(vec![event("new")]).await.expect("append");
    assert_eq!(next[0].sequence_number, 2);
    let bodies = bodies_from_start(&log);
    assert_eq!(
        bodies,
        vec![b"new".to_vec()],
        "reading from a removed offset starts at the oldest kept event"
    );
}
