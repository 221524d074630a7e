use super::*;

fn record(seq: i64) -> CaptureRecord {
    CaptureRecord {
        sequence_number: seq,
        offset: (seq * 100).to_string(),
        enqueued_time_utc: format_enqueued_time(1_700_000_000_000 + seq),
        system_properties: vec![(
            "x-opt-enqueued-time".into(),
            CaptureValue::Long(1_700_000_000_000 + seq),
        )],
        properties: vec![
            (
                "ce_type".into(),
                CaptureValue::String("sale.confirmed".into()),
            ),
            ("n".into(), CaptureValue::Long(seq)),
        ],
        body: Some(format!("event {seq}").into_bytes()),
    }
}

#[test]
fn both_codecs_round_trip_every_field() {
    let records: Vec<CaptureRecord> = (0..50).map(record).collect();
    for codec in [CaptureCodec::Null, CaptureCodec::Deflate] {
        let bytes = write_capture_file(&records, codec).expect("writes");
        let file = read_capture_file(&bytes).expect("reads");
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        assert_eq!(file.records, records);
        assert_eq!(records[3].enqueued_ms(), Some(1_700_000_000_003));
    }
}

#[test]
fn the_time_is_written_as_dotnet_does_and_read_back() {
    assert_eq!(
        format_enqueued_time(1_512_702_197_000),
        "12/8/2017 3:03:17 AM"
    );
    assert_eq!(
        format_enqueued_time(1_512_745_200_000),
        "12/8/2017 3:00:00 PM"
    );
    assert_eq!(
        format_enqueued_time(1_512_691_200_000),
        "12/8/2017 12:00:00 AM"
    );
    let t = parse_enqueued_time("12/8/2017 3:03:17 AM").expect("parses");
    assert_eq!(t.unix_timestamp(), 1_512_702_197);
    assert!(parse_enqueued_time("13/40/2017 3:03:17 AM").is_none());
}

/// A file of many blocks: apache-avro starts a new block every 16,000 bytes or so.
fn many_blocks(codec: CaptureCodec) -> (Vec<CaptureRecord>, Vec<u8>) {
    let records: Vec<CaptureRecord> = (0..3000)
        .map(|s| {
            let mut r = record(s);
            r.body = Some(vec![(s % 251) as u8; 200]);
            r
        })
        .collect();
    let bytes = write_capture_file(&records, codec).expect("writes");
    (records, bytes)
}

#[test]
fn a_truncated_file_keeps_its_whole_blocks_and_names_the_cut() {
    let (records, bytes) = many_blocks(CaptureCodec::Null);
    let cut = &bytes[..bytes.len() * 2 / 3];
    let file = read_capture_file(cut).expect("header intact");
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
    assert!(file.problems[0].reason.contains("truncated"));
    assert!(!file.records.is_empty());
    assert_eq!(file.records[..], records[..file.records.len()]);
}

#[test]
fn a_wrong_sync_marker_loses_one_block_and_the_rest_is_read() {
    let (records, mut bytes) = many_blocks(CaptureCodec::Null);
    let whole = read_capture_file(&bytes).expect("reads");
    assert!(whole.blocks > 3);
    // The header's marker is the 16 bytes before the first block; corrupt the first block's.
    let marker: Vec<u8> = bytes[..]
        .windows(16)
        .map(<[u8]>::to_vec)
        .find(|w| bytes.windows(16).filter(|x| x == w).count() == whole.blocks + 1)
        .expect("a marker repeated once per block");
    let second = bytes
        .windows(16)
        .enumerate()
        .filter(|(_, w)| *w == &marker[..])
        .nth(1)
        .map(|(i, _)| i)
        .expect("block 0 marker");
    bytes[second] ^= 0xff;
    let file = read_capture_file(&bytes).expect("reads");
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
    assert_eq!(file.problems[0].block, 0);
    assert!(file.problems[0].reason.contains("sync marker"));
    let lost = records.len() - file.records.len();
    assert!(lost > 0 && lost < records.len() / 2, "lost {lost}");
    assert_eq!(file.records.last(), records.last());
}

#[test]
fn a_bad_deflate_block_is_reported_and_skipped() {
    let (records, mut bytes) = many_blocks(CaptureCodec::Deflate);
    let whole = read_capture_file(&bytes).expect("reads");
    assert!(whole.blocks >= 2, "blocks {}", whole.blocks);
    // Garble the middle of the first block's compressed data (after the header's marker).
    let header_end = bytes
        .windows(16)
        .position(|w| w == &bytes[bytes.len() - 16..])
        .expect("marker")
        + 16;
    for b in &mut bytes[header_end + 8..header_end + 40] {
        *b = 0xff;
    }
    let file = read_capture_file(&bytes).expect("reads");
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
    assert_eq!(file.problems[0].block, 0);
    assert!(file.records.len() < records.len());
    assert_eq!(file.records.last(), records.last());
}
