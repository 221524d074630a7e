//! Any bytes as a partition log segment file: the scan at start (index, damaged stretches,
//! torn or damaged tail) never panics, and reading the segment from its start after that scan
//! returns only intact records, in order, outside every damaged stretch.
#![no_main]

use std::io::Write;
use std::sync::Arc;

use ehops_fuzz::store::scan::{Tail, scan};
use ehops_fuzz::store::segment::Segment;
use libfuzzer_sys::fuzz_target;

const BASE_SEQ: i64 = 1_000;
const BASE_OFFSET: u64 = 4_096;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("ehops-fuzz-scan-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let path = dir.join(Segment::file_name(BASE_SEQ, BASE_OFFSET));
    let written = std::fs::File::create(&path).and_then(|mut f| f.write_all(data));
    if written.is_err() {
        return;
    }
    let Ok(mut segment) = Segment::open(&dir, BASE_SEQ, BASE_OFFSET) else {
        return;
    };
    let Ok(scanned) = scan(&segment.file, BASE_OFFSET, BASE_SEQ, segment.len) else {
        return;
    };
    let mut damaged = scanned.damaged.clone();
    match scanned.tail {
        Tail::Damaged(range) => damaged.push(range),
        Tail::Torn { at } => segment.len = at - BASE_OFFSET,
        Tail::Clean => {}
    }
    for pair in damaged.windows(2) {
        assert!(
            pair[0].end <= pair[1].start,
            "damaged stretches in order, apart"
        );
    }
    segment.damaged = Arc::from(damaged.clone());
    let mut from = BASE_OFFSET;
    while from < segment.end_offset() {
        let Ok(events) = segment.read(from, 64, 4096) else {
            return; // bytes the scan never saw as records: a read error, not a panic
        };
        let Some(last) = events.last() else { break };
        for event in &events {
            let end = event.offset + event.encoded_len() as u64;
            assert!(
                damaged
                    .iter()
                    .all(|d| end <= d.start || event.offset >= d.end),
                "a record read from inside a damaged stretch"
            );
        }
        from = last.offset + last.encoded_len() as u64;
    }
});
