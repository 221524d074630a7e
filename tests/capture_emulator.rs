//! Event Hubs Capture in the emulator, read the way Microsoft documents reading Capture:
//! events sent with the official Python SDK come back from the capture files, read with
//! fastavro and Apache `avro`, field for field, under Azure's documented path format.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

const COUNT: usize = 300;

const CONFIG: &str = r#"
[[namespace]]
name = "capturens"
[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "capture-test-key"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "telemetry"
partitions = 2
[namespace.hub.capture]
encoding = "AvroDeflate"
interval_seconds = 60
window = "2s"
skip_empty_archives = true
notify_hub = "capture-files"
[[namespace.hub]]
name = "capture-files"
partitions = 1
"#;

/// `capturens/telemetry/P/YYYY/MM/DD/hh/mm/ss.avro`: the partition, if the name has that shape.
fn documented_path(relative: &str) -> Option<String> {
    let parts: Vec<&str> = relative.split('/').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let shaped = parts.len() == 9
        && parts[0] == "capturens"
        && parts[1] == "telemetry"
        && digits(parts[3], 4)
        && parts[4..8].iter().all(|p| digits(p, 2))
        && parts[8].strip_suffix(".avro").is_some_and(|s| digits(s, 2));
    shaped.then(|| parts[2].to_string())
}

fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("the script wrote its file")).expect("JSON")
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Runs `capture_read.py ARGS` off the runtime's threads.
async fn python(args: Vec<String>) {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        common::python::run_script("capture_read.py", &args)
    })
    .await
    .expect("python ran");
}

/// Sends COUNT events with the Python SDK; what the SDK received back for each.
async fn send_with_python(conn: String, out: &Path) -> Vec<serde_json::Value> {
    let sent_file = out.join("sent.json");
    let path = sent_file.to_string_lossy().to_string();
    python(vec![
        "send".into(),
        conn,
        "telemetry".into(),
        COUNT.to_string(),
        path,
    ])
    .await;
    let sent = json_file(&sent_file)["events"]
        .as_array()
        .expect("events")
        .clone();
    assert_eq!(sent.len(), COUNT, "the SDK received every event it sent");
    sent
}

/// Every event the SDK sent is in exactly one file under Azure's path format, field for field,
/// and each partition's files hold its events once, in order.
fn check_field_for_field(sent: &[serde_json::Value], read: &serde_json::Value) {
    for file in read["files"].as_array().expect("files") {
        let file = file.as_str().expect("name");
        assert!(
            documented_path(file).is_some(),
            "{file} is not in Azure's path format"
        );
    }
    let records = read["records"].as_array().expect("records");
    assert_eq!(records.len(), COUNT, "each event captured once");
    for event in sent {
        let partition = event["partition"].as_str().expect("partition");
        let sequence = event["sequence_number"].as_i64().expect("sequence");
        let record = records
            .iter()
            .find(|r| {
                r["SequenceNumber"] == sequence
                    && documented_path(r["file"].as_str().unwrap_or_default()).as_deref()
                        == Some(partition)
            })
            .unwrap_or_else(|| panic!("event {partition}/{sequence} is in no capture file"));
        assert_eq!(record["Offset"], event["offset"]);
        let enqueued_s = event["enqueued_ms"].as_i64().expect("time") / 1000;
        let written = ehops::codec::capture::parse_enqueued_time(
            record["EnqueuedTimeUtc"].as_str().expect("time text"),
        )
        .expect("EnqueuedTimeUtc in .NET's format");
        assert_eq!(written.unix_timestamp(), enqueued_s);
        assert_eq!(record["Body"]["hex"], event["body"]);
        let properties = &record["Properties"];
        assert_eq!(properties["n"], event["properties"]["n"]);
        // The SDK hands string properties back as bytes; Capture keeps them as strings.
        assert_eq!(
            event["properties"]["kind"]["hex"],
            hex_of(properties["kind"].as_str().expect("a string property"))
        );
        assert_eq!(properties["ratio"], event["properties"]["ratio"]);
        assert_eq!(properties["raw"], event["properties"]["raw"]);
        let system = &record["SystemProperties"];
        assert_eq!(system["content-type"], event["content_type"]);
        assert_eq!(system["message-id"], event["message_id"]);
        assert_eq!(system["correlation-id"], event["correlation_id"]);
        assert_eq!(system["x-opt-partition-key"], event["partition_key"]);
        assert_eq!(system["x-opt-enqueued-time"], event["enqueued_ms"]);
    }
    let mut by_partition: std::collections::BTreeMap<String, Vec<(String, i64)>> =
        Default::default();
    for record in records {
        let file = record["file"].as_str().expect("file").to_string();
        let partition = documented_path(&file).expect("documented");
        let seq = record["SequenceNumber"].as_i64().expect("seq");
        by_partition.entry(partition).or_default().push((file, seq));
    }
    for (partition, mut seqs) in by_partition {
        seqs.sort();
        let numbers: Vec<i64> = seqs.iter().map(|(_, s)| *s).collect();
        assert!(
            numbers.windows(2).all(|w| w[0] < w[1]),
            "partition {partition}: files hold each event once, in order: {numbers:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdks_events_come_back_from_capture_field_for_field() {
    let emulator = common::start(CONFIG).await;
    let out = tempfile::tempdir().expect("temp dir");
    let sent = send_with_python(
        emulator.connection_string("RootManageSharedAccessKey"),
        out.path(),
    )
    .await;

    let root = emulator.data.path().join("capture/capture");
    let deadline = Instant::now() + Duration::from_secs(60);
    while common::capture_files::captured(&root).1 < COUNT {
        assert!(
            Instant::now() < deadline,
            "capture did not write {COUNT} events in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let read_file = out.path().join("read.json");
    python(vec![
        "read".into(),
        root.to_string_lossy().into(),
        read_file.to_string_lossy().into(),
    ])
    .await;
    let read = json_file(&read_file);
    check_field_for_field(&sent, &read);

    // One Microsoft.EventHub.CaptureFileCreated per file, as Event Grid sends it.
    let files = read["files"].as_array().expect("files").len();
    let tail = emulator
        .ehops(&[
            "tail",
            "capture-files",
            "--from",
            "earliest",
            "--count",
            &files.to_string(),
            "--timeout",
            "10",
            "--json",
            "--no-decode",
            "--consumer-group",
            "$Default",
        ])
        .await;
    let notices = tail.json_lines();
    assert_eq!(notices.len(), files, "{}", tail.stderr);
    let mut counted = 0;
    for notice in &notices {
        let event: serde_json::Value =
            serde_json::from_str(notice["body"].as_str().expect("JSON body"))
                .expect("a CloudEvent");
        assert_eq!(event["type"], "Microsoft.EventHub.CaptureFileCreated");
        assert_eq!(event["subject"], "eventhubs/telemetry");
        assert_eq!(event["data"]["fileType"], "AzureBlockBlob");
        assert!(
            event["data"]["fileUrl"]
                .as_str()
                .is_some_and(|u| u.ends_with(".avro"))
        );
        counted += event["data"]["eventCount"].as_u64().expect("count");
    }
    assert_eq!(counted, COUNT as u64);
}

/// Capture to a blob container in Azurite, read as Microsoft documents it: azure-storage-blob
/// lists and downloads the blobs, an Avro reader decodes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_to_azurite_reads_with_azure_storage_blob_and_avro() {
    let azurite = common::azurite::Azurite::start();
    let storage = azurite.connection_string(common::azurite::ACCOUNT_KEY);
    let out = tempfile::tempdir().expect("temp dir");
    let sas_file = out.path().join("sas.txt");
    python(vec![
        "container".into(),
        storage.clone(),
        "capture".into(),
        sas_file.to_string_lossy().into(),
    ])
    .await;
    let sas_url = std::fs::read_to_string(&sas_file).expect("SAS URL");
    // Each test runs in its own process (nextest): the variable is this emulator's only.
    unsafe { std::env::set_var("EHOPS_TEST_CAPTURE_SAS", sas_url.trim()) };
    let config = CONFIG.replace(
        "skip_empty_archives = true",
        "skip_empty_archives = true\nblob_sas_url_env = \"EHOPS_TEST_CAPTURE_SAS\"",
    );
    let emulator = common::start(&config).await;
    let sent = send_with_python(
        emulator.connection_string("RootManageSharedAccessKey"),
        out.path(),
    )
    .await;

    // The console lists the container through the same SAS until every event is in a file.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let listed = emulator
            .ehops(&[
                "capture",
                "ls",
                "telemetry",
                "--capture-store",
                sas_url.trim(),
                "--json",
            ])
            .await;
        let events: u64 = listed
            .json_lines()
            .iter()
            .filter_map(|f| f["events"].as_u64())
            .sum();
        if events >= COUNT as u64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "capture did not upload {COUNT} events in 60 s: {}",
            listed.stderr
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let read_file = out.path().join("blobs.json");
    python(vec![
        "blobs".into(),
        storage,
        "capture".into(),
        read_file.to_string_lossy().into(),
    ])
    .await;
    check_field_for_field(&sent, &json_file(&read_file));
}
