//! `ehops capture ls` and `ehops capture read`: on the demo's own capture files (decoded as
//! the tail decodes them), and on damaged files, which give up only their damaged blocks.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use ehops::codec::capture::{
    CaptureCodec, CaptureRecord, CaptureValue, format_enqueued_time, write_capture_file,
};

fn record(seq: i64) -> CaptureRecord {
    CaptureRecord {
        sequence_number: seq,
        offset: (seq * 300).to_string(),
        enqueued_time_utc: format_enqueued_time(1_765_000_000_000 + seq * 1000),
        system_properties: vec![(
            "x-opt-enqueued-time".into(),
            CaptureValue::Long(1_765_000_000_000 + seq * 1000),
        )],
        properties: vec![("n".into(), CaptureValue::Long(seq))],
        body: Some(vec![b'x'; 250]),
    }
}

fn write(root: &Path, name: &str, bytes: &[u8]) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
    std::fs::write(path, bytes).expect("written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_files_give_up_only_their_damaged_blocks() {
    let emulator = common::start(common::CONFORMANCE).await;
    let root = emulator.data.path().join("copy");
    let records: Vec<CaptureRecord> = (0..2000).map(record).collect();
    let whole = write_capture_file(&records, CaptureCodec::Null).expect("writes");
    write(
        &root,
        "conformance/orders/0/2025/12/06/05/00/00.avro",
        &whole,
    );
    // A half-uploaded blob.
    write(
        &root,
        "conformance/orders/1/2025/12/06/05/00/00.avro",
        &whole[..whole.len() / 2],
    );
    // A wrong sync marker after the first block: the header's marker is the file's last 16 bytes.
    let marker = &whole[whole.len() - 16..];
    let first_block_end = whole
        .windows(16)
        .enumerate()
        .filter(|(_, w)| *w == marker)
        .nth(1)
        .map(|(at, _)| at)
        .expect("block marker");
    let mut bad_sync = whole.clone();
    bad_sync[first_block_end] ^= 0xff;
    write(
        &root,
        "conformance/orders/2/2025/12/06/05/00/00.avro",
        &bad_sync,
    );
    write(
        &root,
        "conformance/orders/3/2025/12/06/05/00/00.avro",
        b"not avro at all",
    );
    let dir = root.to_string_lossy().to_string();

    let ls = emulator
        .ehops(&["capture", "ls", "orders", "--capture-dir", &dir, "--json"])
        .await;
    assert_eq!(ls.code, 0, "{}", ls.stderr);
    let files = ls.json_lines();
    assert_eq!(files.len(), 4);
    assert_eq!(files[0]["events"], 2000);
    assert_eq!(files[0]["first_sequence"], 0);
    assert_eq!(files[0]["last_sequence"], 1999);
    assert!(files[0]["problems"].as_array().is_some_and(Vec::is_empty));
    let cut = files[1]["events"].as_u64().expect("count");
    assert!(
        cut > 0 && cut < 2000,
        "the truncated file keeps its whole blocks: {cut}"
    );
    assert!(
        files[1]["problems"][0]
            .as_str()
            .is_some_and(|p| p.contains("truncated"))
    );
    assert!(
        files[2]["problems"][0]
            .as_str()
            .is_some_and(|p| p.contains("block 0") && p.contains("sync marker"))
    );
    assert_eq!(files[3]["events"], 0);
    assert!(
        ls.stderr
            .contains("conformance/orders/2/2025/12/06/05/00/00.avro: block 0 at byte"),
        "{}",
        ls.stderr
    );

    let read = emulator
        .ehops(&[
            "capture",
            "read",
            "orders",
            "--capture-dir",
            &dir,
            "--json",
            "--no-decode",
        ])
        .await;
    assert_eq!(read.code, 0, "{}", read.stderr);
    let events = read.json_lines();
    let from_bad_sync = files[2]["events"].as_u64().expect("count");
    assert_eq!(events.len() as u64, 2000 + cut + from_bad_sync);
    assert!(
        read.stderr
            .contains("conformance/orders/1/2025/12/06/05/00/00.avro: block"),
        "{}",
        read.stderr
    );
    assert!(
        read.stderr
            .contains("conformance/orders/3/2025/12/06/05/00/00.avro: not an Avro container file"),
        "{}",
        read.stderr
    );
    // The time range applies to enqueued times.
    let ranged = emulator
        .ehops(&[
            "capture",
            "read",
            "orders",
            "--capture-dir",
            &dir,
            "--json",
            "--no-decode",
            "--from",
            "2025-12-06T05:46:40Z",
            "--until",
            "2025-12-06T05:46:49Z",
        ])
        .await;
    let ranged = ranged.json_lines();
    assert!(!ranged.is_empty());
    assert!(ranged.iter().all(|e| {
        e["enqueued_time"]
            .as_str()
            .is_some_and(|t| t.starts_with("2025-12-06T05:46:4"))
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_capture_lists_and_reads_decoded() {
    let data = tempfile::tempdir().expect("temp dir");
    let (running, connection_string) = common::start_demo(data.path()).await;
    let root = running.capture.join("capture");
    let hub_dir = root.join("ehops-demo/sale");
    // The demo's windows are Azure's shortest, 60 s.
    let deadline = Instant::now() + Duration::from_secs(100);
    loop {
        let listed = common::ehops(
            vec![
                "capture".into(),
                "ls".into(),
                "sale".into(),
                "--json".into(),
                "--capture-dir".into(),
                root.to_string_lossy().into(),
                "--connection-string".into(),
                connection_string.clone(),
                "--catalog".into(),
                format!("http://{}", running.http),
            ],
            &data.path().join("console"),
        )
        .await;
        if listed.code == 0 && hub_dir.exists() {
            let files = listed.json_lines();
            assert!(
                files.iter().all(|f| f["events"].as_u64() > Some(0)),
                "{}",
                listed.stdout
            );
            assert!(
                files
                    .iter()
                    .all(|f| f["first_sequence"].as_i64() <= f["last_sequence"].as_i64())
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the demo wrote no capture file for sale: {}",
            listed.stderr
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let read = common::ehops(
        vec![
            "capture".into(),
            "read".into(),
            "sale".into(),
            "--json".into(),
            "--count".into(),
            "200".into(),
            "--capture-dir".into(),
            root.to_string_lossy().into(),
            "--connection-string".into(),
            connection_string.clone(),
            "--catalog".into(),
            format!("http://{}", running.http),
        ],
        &data.path().join("console"),
    )
    .await;
    assert_eq!(read.code, 0, "{}", read.stderr);
    let events = read.json_lines();
    assert!(!events.is_empty());
    let decoded_avro = events.iter().filter(|e| {
        e["cloudevents"]["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("com.example"))
            && e["decoded"]["schema"].is_string()
            && e["decoded"]["data"].is_object()
    });
    assert!(
        decoded_avro.count() > 0,
        "Avro CloudEvents decode from Capture: {}",
        read.stdout.lines().next().unwrap_or_default()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captured_events_replay_with_dry_run_provenance_and_audit() {
    let emulator = common::start(common::CONFORMANCE).await;
    let root = emulator.data.path().join("copy");
    let mut records: Vec<CaptureRecord> = (0..5).map(record).collect();
    for r in &mut records {
        r.properties
            .push(("ratio".into(), CaptureValue::Double(0.25)));
        r.properties.push((
            "cloudEvents_id".into(),
            CaptureValue::String(format!("evt-{}", r.sequence_number)),
        ));
        r.system_properties.push((
            "content-type".into(),
            CaptureValue::String("text/plain".into()),
        ));
    }
    let bytes = write_capture_file(&records, CaptureCodec::Deflate).expect("writes");
    write(
        &root,
        "conformance/orders/2/2025/12/06/05/00/00.avro",
        &bytes,
    );
    let dir = root.to_string_lossy().to_string();

    let dry = emulator
        .ehops(&[
            "capture",
            "replay",
            "orders",
            "--to-hub",
            "single",
            "--capture-dir",
            &dir,
        ])
        .await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("capture-replay: 5 events"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("orders/2 seq 3 -> single"),
        "{}",
        dry.stdout
    );

    let done = emulator
        .ehops(&[
            "capture",
            "replay",
            "orders",
            "--to-hub",
            "single",
            "--capture-dir",
            &dir,
            "--execute",
        ])
        .await;
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(done.stdout.contains("5 of 5 sent"), "{}", done.stdout);

    let tail = emulator
        .ehops(&[
            "tail",
            "single",
            "--from",
            "earliest",
            "--count",
            "5",
            "--timeout",
            "20",
            "--json",
            "--no-decode",
            "--consumer-group",
            "$Default",
        ])
        .await;
    let copies = tail.json_lines();
    assert_eq!(copies.len(), 5, "{}", tail.stderr);
    for (copy, original) in copies.iter().zip(&records) {
        let props = &copy["properties"];
        assert_eq!(props["ehops_source_hub"], "orders");
        assert_eq!(props["ehops_source_partition"], "2");
        assert_eq!(
            props["ehops_source_sequence"],
            original.sequence_number.to_string()
        );
        assert_eq!(props["ehops_source_offset"], original.offset);
        assert_eq!(props["n"], original.sequence_number.to_string());
        assert_eq!(props["ratio"], "0.25");
        assert_eq!(
            copy["cloudevents"]["id"],
            format!("evt-{}", original.sequence_number)
        );
        assert_eq!(copy["content_type"], "text/plain");
        assert_eq!(copy["size"], 250);
    }
    let audit = std::fs::read_to_string(emulator.data.path().join("console/audit.jsonl"))
        .expect("audit trail");
    assert!(
        audit
            .lines()
            .any(|l| l.contains("\"action\":\"capture-replay\"")
                && l.contains("\"outcome\":\"done\"")),
        "{audit}"
    );
}
