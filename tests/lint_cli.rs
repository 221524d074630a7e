//! `ehops lint` as CI runs it: the real binary against the demo organisation, whose `sale` hub
//! holds Avro CloudEvents with registered schemas, structured JSON CloudEvents without one,
//! and one poison event whose Avro body is cut in half.

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lint_finds_the_demos_poison_and_unregistered_structured_events() {
    let data = tempfile::tempdir().expect("temp dir");
    let (running, connection_string) = common::start_demo(data.path()).await;
    let args = [
        "lint",
        "sale",
        "--count",
        "1000000",
        "--idle",
        "3",
        "--timeout",
        "10",
        "--json",
        "--connection-string",
        &connection_string,
        "--catalog",
        &format!("http://{}", running.http),
    ];
    let run = common::ehops(
        args.iter().map(|a| (*a).to_owned()).collect(),
        &data.path().join("console"),
    )
    .await;
    assert_eq!(run.code, 7, "violations exit 7: {run:?}");
    let lines = run.json_lines();
    let report = &lines[0];
    let sampled = report["sampled"].as_u64().expect("sampled");
    assert!(sampled > 10, "{report}");
    assert_eq!(
        report["cloudevents"], sampled,
        "every demo event is a CloudEvent"
    );
    assert_eq!(
        report["decodable"].as_u64(),
        Some(sampled - 1),
        "all but the poison decode: {report}"
    );
    let registered = report["schema_registered"].as_u64().expect("registered");
    assert!(registered > 0 && registered < sampled, "{report}");
    let by_source = report["violations"].as_object().expect("violations");
    let count = |rule: &str| -> u64 {
        by_source
            .values()
            .filter_map(|rules| rules[rule].as_u64())
            .sum()
    };
    assert_eq!(count("content_type"), 1, "the poison event: {report}");
    assert_eq!(
        count("schema_registered"),
        sampled - registered,
        "structured events name no registered schema: {report}"
    );
    assert!(
        by_source.keys().all(|s| s != "(no source)"),
        "demo events all carry a source: {report}"
    );
}
