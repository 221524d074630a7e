//! Checkpoints in blob storage, with every part real: an emulator of the test's own, Azurite,
//! an application consumer built on Microsoft's Python SDK and its BlobCheckpointStore, and
//! the `ehops` binary. Lag must show exactly what the application checkpointed, and a
//! checkpoint ehops sets must be what the application's store then reads.

mod common;

use common::azurite::{ACCOUNT_KEY, Azurite, free_port};
use common::{CONSOLE, Run, TestEmulator};
use ehops::connect::Connection;
use ehops::connect::checkpoints::{
    BlobCheckpoints, CheckpointPosition, CheckpointStore, ContainerAccess,
};
use serde_json::{Value, json};

const ROOT: &str = "RootManageSharedAccessKey";
const CONTAINER: &str = "checkpoints";
const HUB: &str = "orders";
const GROUP: &str = "billing";

/// Runs `tests/sdk/python/blob_checkpoints.py ARGS` and parses the JSON it prints.
fn python(args: &[&str]) -> Value {
    common::python::run_script("blob_checkpoints.py", args)
}

/// `ehops lag HUB --consumer-group GROUP --json` against the emulator, checkpoints in `store`.
async fn lag(emu: &TestEmulator, store: &str) -> Run {
    let args = [
        "lag",
        HUB,
        "--consumer-group",
        GROUP,
        "--json",
        "--connection-string",
        &emu.connection_string(ROOT),
        "--catalog",
        &emu.catalog(),
        "--checkpoint-store",
        store,
        "--checkpoint-container",
        CONTAINER,
    ];
    let args = args.iter().map(|a| (*a).to_owned()).collect();
    common::ehops(args, &emu.data.path().join("console")).await
}

/// An emulator and an Azurite of the test's own.
async fn emulator_and_azurite() -> (TestEmulator, Azurite) {
    let emu = common::start(CONSOLE).await;
    let azurite = tokio::task::spawn_blocking(Azurite::start)
        .await
        .expect("azurite starts");
    (emu, azurite)
}

/// `{partition: checkpoint_sequence}` of the partitions `ehops lag --json` shows a checkpoint for.
fn checkpoint_sequences(run: &Run) -> Value {
    assert_eq!(run.code, 0, "{run:?}");
    let mut found = serde_json::Map::new();
    for line in run.json_lines() {
        if let (Some(pid), Some(seq)) =
            (line["partition"].as_str(), line.get("checkpoint_sequence"))
            && !seq.is_null()
        {
            found.insert(pid.to_owned(), seq.clone());
        }
    }
    Value::Object(found)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_reads_and_ehops_writes_what_the_python_sdk_checkpoints() {
    let (emu, azurite) = emulator_and_azurite().await;
    let storage = azurite.connection_string(ACCOUNT_KEY);
    let emulator_cs = emu.connection_string(ROOT);

    let consumed = {
        let (cs, storage) = (emulator_cs.clone(), storage.clone());
        tokio::task::spawn_blocking(move || {
            let counts = json!({"0": 5, "1": 5, "2": 3}).to_string();
            let at = json!({"0": 2, "1": 4}).to_string();
            python(&[
                "consume", &cs, HUB, GROUP, &storage, CONTAINER, &counts, &at,
            ])
        })
        .await
        .expect("python joins")
    };
    assert_eq!(
        consumed["checkpointed"],
        json!({"0": 2, "1": 4}),
        "{consumed}"
    );

    let before = lag(&emu, &storage).await;
    assert_eq!(
        checkpoint_sequences(&before),
        json!({"0": 2, "1": 4}),
        "ehops lag must show exactly the Python consumer's checkpoints; blobs: {}",
        consumed["blobs"]
    );

    // Move partition 1 back to its second event and give partition 2 its first checkpoint,
    // through the same store and scope `ehops lag` uses.
    let (connection, unreadable) =
        Connection::from_connection_string(&emulator_cs, Some(&emu.catalog()))
            .expect("connection string")
            .resolve_namespace()
            .await;
    assert!(
        unreadable.is_none(),
        "the catalog names the namespace: {unreadable:?}"
    );
    let scope = ehops::connect::checkpoints::CheckpointScope {
        namespaces: connection.checkpoint_namespaces(),
        hub: HUB.to_owned(),
        consumer_group: GROUP.to_owned(),
    };
    let access = ContainerAccess::parse(&storage, Some(CONTAINER), || {
        panic!("a connection string needs no sign-in")
    })
    .expect("storage connection string");
    let store = BlobCheckpoints::new(access);
    for (pid, sequence) in [("1", 1), ("2", 2)] {
        let offset = consumed["offsets"][pid][sequence.to_string()]
            .as_str()
            .unwrap_or_else(|| panic!("offset of {pid}/{sequence} in {consumed}"))
            .to_owned();
        let position = CheckpointPosition { sequence, offset };
        store
            .set_checkpoint(&scope, pid, &position)
            .await
            .expect("checkpoint set");
    }

    // The Python SDK files an emulator's checkpoints under its address.
    let fqns = emu.endpoint().trim_start_matches("amqp://").to_owned();
    let listed = tokio::task::spawn_blocking(move || {
        python(&["list", &storage, CONTAINER, &fqns, HUB, GROUP])
    })
    .await
    .expect("python joins");
    let mut read_back: Vec<(String, i64, String)> = listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            let text = |k: &str| c[k].as_str().map(str::to_owned).unwrap_or_default();
            let seq = c["sequence_number"].as_i64().expect("sequence number");
            (text("partition_id"), seq, text("offset"))
        })
        .collect();
    read_back.sort();
    let offset = |pid: &str, seq: i64| consumed["offsets"][pid][seq.to_string()].clone();
    let expected: Vec<(String, i64, String)> = [("0", 2), ("1", 1), ("2", 2)]
        .iter()
        .map(|(pid, seq)| {
            let off = offset(pid, *seq).as_str().unwrap_or_default().to_owned();
            ((*pid).to_owned(), *seq, off)
        })
        .collect();
    assert_eq!(read_back, expected, "Python's list_checkpoints: {listed}");

    let after = lag(&emu, &azurite.connection_string(ACCOUNT_KEY)).await;
    assert_eq!(
        checkpoint_sequences(&after),
        json!({"0": 2, "1": 1, "2": 2})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_or_unreachable_storage_is_a_clear_error() {
    let emu = common::start(CONSOLE).await;
    let azurite = tokio::task::spawn_blocking(Azurite::start)
        .await
        .expect("azurite starts");
    let wrong_key = "d3Jvbmcta2V5LWZvci10ZXN0cw==";
    let refused = lag(&emu, &azurite.connection_string(wrong_key)).await;
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(
        refused.stderr.contains("refused the credentials"),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains(wrong_key), "the key never shows");

    let nowhere = format!(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:{}/devstoreaccount1;",
        free_port()
    );
    let unreachable = lag(&emu, &nowhere).await;
    assert_eq!(unreachable.code, 3, "{unreachable:?}");
    assert!(
        unreachable
            .stderr
            .contains("cannot reach checkpoint storage"),
        "{}",
        unreachable.stderr
    );
    let signatures = unreachable.stderr.matches("sig=").count();
    let redacted = unreachable.stderr.matches("sig=REDACTED").count();
    assert_eq!(signatures, redacted, "{}", unreachable.stderr);
    assert!(!unreachable.stderr.contains(ACCOUNT_KEY));
}

/// The measured case of issue 15: Microsoft's JS consumer checkpointed sequence 19 of 30 on
/// partition 1 into Azurite, and `ehops lag` must find it, although JS names an emulator by
/// its host without the port (`127.0.0.1/orders/billing/checkpoint/1`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_reads_what_the_js_sdk_checkpoints() {
    let (emu, azurite) = emulator_and_azurite().await;
    let storage = azurite.connection_string(ACCOUNT_KEY);
    let emulator_cs = emu.connection_string(ROOT);
    let consumed = {
        let storage = storage.clone();
        tokio::task::spawn_blocking(move || {
            let script = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/sdk/js/blob_checkpoint.js"
            );
            let args = [
                script,
                &emulator_cs,
                HUB,
                GROUP,
                &storage,
                CONTAINER,
                "1",
                "30",
                "19",
            ];
            let output = std::process::Command::new("node")
                .args(args)
                .output()
                .expect("node runs");
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            assert!(
                output.status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            );
            serde_json::from_str::<Value>(&stdout).expect("one JSON line")
        })
        .await
        .expect("node joins")
    };
    assert_eq!(consumed["checkpointed"], json!(19), "{consumed}");
    let blobs = consumed["blobs"].to_string();
    assert!(
        blobs.contains("127.0.0.1/orders/billing/checkpoint/1"),
        "JS's layout: {blobs}"
    );
    let run = lag(&emu, &storage).await;
    assert_eq!(
        checkpoint_sequences(&run),
        json!({"1": 19}),
        "ehops lag must show the JS consumer's checkpoint; blobs: {blobs}"
    );
}
