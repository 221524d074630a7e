//! Headless commands under hostile input (part of the hostile-input suite, `tests/hostile_*.rs`):
//! positions before 1970, a lint that samples nothing, a consumer group named to climb out of
//! the checkpoint directory; and, so that they stay so, a few inputs the adversarial pass found
//! refused cleanly already (bad tokens, a 10 MB schema, a malformed config).

mod common;

use std::path::Path;

use azure_core::http::Method;
use azure_messaging_eventhubs::SendEventOptions;
use common::http::{call, token, try_call};
use common::sdk_producer::SdkProducer;
use common::{CONSOLE, TestEmulator};

const ROOT: &str = "RootManageSharedAccessKey";
/// The one-partition hub of the console fixture.
const HUB: &str = "single";

async fn send_plain_events(emu: &TestEmulator, count: usize) {
    let producer = SdkProducer::root(emu, HUB).await;
    for i in 0..count {
        let options = SendEventOptions {
            partition_id: Some("0".into()),
        };
        producer
            .send_event(format!("event {i}"), Some(options))
            .await
            .expect("send");
    }
    producer.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_before_1970_starts_at_the_oldest_event_for_tail_lint_and_reset() {
    let emu = common::start(CONSOLE).await;
    send_plain_events(&emu, 3).await;

    let tail = emu
        .ehops(&[
            "tail",
            HUB,
            "--from",
            "time:1969-12-31T23:59:59Z",
            "--count",
            "3",
            "--timeout",
            "30",
            "--json",
            "--no-decode",
        ])
        .await;
    assert_eq!(tail.code, 0, "{tail:?}");
    assert_eq!(
        tail.json_lines().len(),
        3,
        "every event, not none: {tail:?}"
    );

    let lint = emu
        .ehops(&[
            "lint",
            HUB,
            "--from",
            "time:0001-01-01T00:00:00Z",
            "--count",
            "3",
            "--timeout",
            "30",
            "--json",
        ])
        .await;
    let report = lint.json_lines();
    assert_eq!(report[0]["sampled"], 3, "{lint:?}");
    assert_eq!(lint.code, 7, "plain events break the mandate: {lint:?}");

    let reset = emu
        .ehops(&[
            "reset",
            HUB,
            "--consumer-group",
            "ehops",
            "--to",
            "time:0001-01-01T00:00:00Z",
            "--json",
        ])
        .await;
    assert_eq!(reset.code, 0, "a dry run, not a panic: {reset:?}");
    let plan = reset.json_lines();
    assert_eq!(plan[0]["partitions"][0]["new_next"], 0, "{reset:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lint_that_samples_nothing_is_not_a_pass() {
    let emu = common::start(CONSOLE).await;
    let lint = emu
        .ehops(&["lint", HUB, "--idle", "1", "--timeout", "10"])
        .await;
    assert_eq!(lint.code, 4, "{lint:?}");
    assert!(!lint.stdout.contains("no violations"), "{lint:?}");
    assert!(lint.stderr.contains("no events sampled"), "{lint:?}");
}

/// Every file under `dir`, for the assertion that nothing was written.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .flat_map(|e| {
            let path = e.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_writes_no_checkpoint_for_a_group_that_is_not_one() {
    let emu = common::start(CONSOLE).await;
    send_plain_events(&emu, 1).await;
    let sandbox = tempfile::tempdir().expect("temp dir");
    // Five levels up from {checkpoints}/{namespace}/{hub} is the sandbox itself.
    let checkpoints = sandbox.path().join("one/two/checkpoints");
    let checkpoint_dir = checkpoints.display().to_string();
    let climbing = "../../../../../elsewhere/x";
    for (group, code, says) in [
        (climbing, 2, "consumer group"),
        ("ghost", 4, "no consumer group ghost"),
    ] {
        let reset = emu
            .ehops(&[
                "reset",
                HUB,
                "--consumer-group",
                group,
                "--to",
                "earliest",
                "--execute",
                "--confirm",
                group,
                "--checkpoint-dir",
                &checkpoint_dir,
            ])
            .await;
        assert_eq!(reset.code, code, "{group}: {reset:?}");
        assert!(reset.stderr.contains(says), "{group}: {reset:?}");
    }
    assert_eq!(
        files_under(sandbox.path()),
        Vec::<std::path::PathBuf>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_and_oversized_schemas_stay_refused() {
    let emu = common::start(include_str!("fixtures/registry.toml")).await;
    let wrong_key = token("sb://127.0.0.1/", ROOT, "bm90LXRoZS1rZXk=");
    let expired = ehops::connect::sas_credential::sign_token(
        "sb://127.0.0.1/",
        ROOT,
        "registry-root-key-000000000000000000000000=",
        1,
    );
    let registry = "/$schemaGroups?api-version=2023-07-01";
    let catalog = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ehops-local/providers/Microsoft.EventHub/namespaces?api-version=2024-01-01";
    for path in [registry, catalog] {
        for auth in [
            None,
            Some(wrong_key.as_str()),
            Some(expired.as_str()),
            Some("Bearer x"),
        ] {
            let headers: Vec<(&'static str, &str)> =
                auth.map(|a| ("authorization", a)).into_iter().collect();
            let answer = call(emu.running.http, Method::Get, path, &headers, None).await;
            assert_eq!(answer.status, 401, "{path} with {auth:?}: {}", answer.body);
        }
    }

    let ten_megabytes = "x".repeat(10 * 1024 * 1024);
    let root = token(
        "sb://127.0.0.1/",
        ROOT,
        "registry-root-key-000000000000000000000000=",
    );
    let answer = try_call(
        emu.running.http,
        Method::Put,
        "/$schemaGroups/orders-free/schemas/big?api-version=2023-07-01",
        &[
            ("authorization", root.as_str()),
            ("content-type", "application/json; serialization=Avro"),
        ],
        Some(ten_megabytes),
    )
    .await;
    // The emulator answers 413 as soon as the declared length is over the limit and closes the
    // connection; a client still writing the body may see the close instead of the answer.
    match answer {
        Ok(answer) => assert_eq!(answer.status, 413, "{}", answer.body),
        Err(error) => {
            let text = format!("{error:?}");
            assert!(
                text.contains("BrokenPipe") || text.contains("ConnectionReset"),
                "neither a 413 nor a refused body: {text}"
            );
        }
    }
    // Nothing was kept: the schema is unknown afterwards.
    let after = call(
        emu.running.http,
        Method::Get,
        "/$schemaGroups/orders-free/schemas/big/versions?api-version=2023-07-01",
        &[("authorization", root.as_str())],
        None,
    )
    .await;
    assert_eq!(after.status, 404, "{}", after.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_configs_stay_refused_naming_file_and_line() {
    let cases = [
        (
            "partitions.toml",
            "[[namespace]]\nname = \"a\"\n[[namespace.hub]]\nname = \"h\"\npartitions = 64\n",
            "partitions.toml:5: partition count 64",
        ),
        (
            "syntax.toml",
            "[[namespace]]\nname = \"a\n",
            "syntax.toml:2:",
        ),
        (
            "Config.json",
            "{\"UserConfig\":{\"NamespaceConfig\":[{\"Type\":\"EventHub\",\"Name\":\"ns\",\n\"Entities\":[\n{\"Name\":\"eh1\",\"PartitionCount\":\"x\"}]}]}}",
            "Config.json:3: hub \"eh1\": PartitionCount must be a whole number",
        ),
    ];
    for (file, text, says) in cases {
        let run = common::emulator_with_config(file, text).await;
        assert_eq!(run.code, 2, "{file}: {run:?}");
        assert!(run.stderr.contains(says), "{file}: {run:?}");
    }
}
