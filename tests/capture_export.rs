//! `ehops export` writes a range of a partition as a Capture file and `ehops import` replays
//! one: sequence number, offset, enqueued time and typed properties survive the round trip.

mod common;

use ehops::codec::capture::{CaptureValue, read_capture_file};

async fn send_typed(emulator: &common::TestEmulator, hub: &str, count: i64) {
    use azure_core_amqp::AmqpSimpleValue;
    use azure_messaging_eventhubs::EventDataBatchOptions;
    use azure_messaging_eventhubs::models::EventData;
    let producer = common::producer(emulator, hub).await;
    producer
        .call(move |client| async move {
            let batch = client
                .create_batch(Some(EventDataBatchOptions {
                    partition_id: Some("0".into()),
                    ..Default::default()
                }))
                .await
                .expect("batch");
            for n in 0..count {
                let event = EventData::builder()
                    .with_body(format!("body {n}").into_bytes())
                    .with_content_type("text/plain".to_string())
                    .add_property("n".to_string(), AmqpSimpleValue::Long(n))
                    .add_property("ratio".to_string(), AmqpSimpleValue::Double(n as f64 / 4.0))
                    .add_property(
                        "cloudEvents_id".to_string(),
                        AmqpSimpleValue::String(format!("evt-{n}")),
                    )
                    .build();
                assert!(batch.try_add_event_data(event, None).expect("add"));
            }
            client.send_batch(batch, None).await.expect("acknowledged");
        })
        .await;
    producer.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_import_round_trip_sequence_offset_time_and_properties() {
    let emulator = common::start(common::CONFORMANCE).await;
    send_typed(&emulator, "single", 6).await;
    let file = emulator.data.path().join("single-0.avro");
    let path = file.to_string_lossy().to_string();
    let export = emulator
        .ehops(&[
            "export",
            "single",
            &path,
            "--partition",
            "0",
            "--deflate",
            "--consumer-group",
            "$Default",
        ])
        .await;
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert!(
        export.stdout.contains("6 events of single/0"),
        "{}",
        export.stdout
    );

    let read = read_capture_file(&std::fs::read(&file).expect("written")).expect("a Capture file");
    assert_eq!(read.codec, "deflate");
    assert_eq!(read.records.len(), 6);
    for (n, record) in read.records.iter().enumerate() {
        assert_eq!(record.sequence_number, n as i64);
        let property = |name: &str| {
            record
                .properties
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(property("n"), Some(CaptureValue::Long(n as i64)));
        assert_eq!(
            property("ratio"),
            Some(CaptureValue::Double(n as f64 / 4.0))
        );
        assert_eq!(record.body.as_deref(), Some(format!("body {n}").as_bytes()));
        assert_eq!(
            record.system_property("content-type"),
            Some(&CaptureValue::String("text/plain".into()))
        );
    }

    let dry = emulator
        .ehops(&["import", &path, "payments", "--source-hub", "single"])
        .await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains("import: 6 events"), "{}", dry.stdout);
    let done = emulator
        .ehops(&[
            "import",
            &path,
            "payments",
            "--source-hub",
            "single",
            "--execute",
        ])
        .await;
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(done.stdout.contains("6 of 6 sent"), "{}", done.stdout);

    let mut copies = Vec::new();
    for partition in ["0", "1"] {
        let tail = emulator
            .ehops(&[
                "tail",
                "payments",
                "--partition",
                partition,
                "--from",
                "earliest",
                "--timeout",
                "5",
                "--json",
                "--no-decode",
                "--consumer-group",
                "$Default",
            ])
            .await;
        copies.extend(tail.json_lines());
    }
    assert_eq!(copies.len(), 6);
    copies.sort_by_key(|c| {
        c["properties"]["n"]
            .as_str()
            .and_then(|n| n.parse::<i64>().ok())
    });
    for (copy, record) in copies.iter().zip(&read.records) {
        let props = &copy["properties"];
        assert_eq!(props["ehops_source_hub"], "single");
        assert_eq!(
            props["ehops_source_sequence"],
            record.sequence_number.to_string()
        );
        assert_eq!(props["ehops_source_offset"], record.offset);
        let enqueued = time::OffsetDateTime::parse(
            props["ehops_source_enqueued_time"].as_str().expect("time"),
            &time::format_description::well_known::Rfc3339,
        )
        .expect("RFC 3339");
        assert_eq!(
            Some((enqueued.unix_timestamp_nanos() / 1_000_000) as i64),
            record.enqueued_ms()
        );
        assert_eq!(
            props["ratio"],
            (record.sequence_number as f64 / 4.0).to_string()
        );
        assert_eq!(
            copy["cloudevents"]["id"],
            format!("evt-{}", record.sequence_number)
        );
        assert_eq!(copy["content_type"], "text/plain");
    }
    let audit =
        std::fs::read_to_string(emulator.data.path().join("console/audit.jsonl")).expect("audit");
    assert!(
        audit.lines().any(|l| l.contains("\"action\":\"import\"")),
        "{audit}"
    );
}
