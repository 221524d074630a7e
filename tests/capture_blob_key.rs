//! Capture to a blob container named by a storage connection string with an account key
//! (Azurite's well-known development account): the emulator signs each round of uploads as
//! a short account SAS (`azure_storage_blob` takes no Shared Key), every event sent is in the
//! container's files, and `ehops capture ls` reads them with the same connection string.

mod common;

use std::time::{Duration, Instant};

use azure_messaging_eventhubs::models::EventData;
use ehops::connect::checkpoints::ContainerAccess;

const ROOT: &str = "RootManageSharedAccessKey";
const ENV: &str = "EHOPS_TEST_CAPTURE_CONNECTION_STRING";

const CONFIG: &str = r#"
[[namespace]]
name = "keyed"

[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "keyed-root-key-0000000000000000000000000000="
rights = ["Listen", "Send", "Manage"]

[[namespace.hub]]
name = "orders"
partitions = 1
[namespace.hub.capture]
skip_empty_archives = true
window = "1s"
container = "capture"
blob_connection_string_env = "EHOPS_TEST_CAPTURE_CONNECTION_STRING"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_uploads_with_an_account_key_connection_string() {
    let azurite = common::azurite::Azurite::start();
    let storage = azurite.connection_string(common::azurite::ACCOUNT_KEY);
    let access = ContainerAccess::parse(&storage, Some("capture"), || {
        unreachable!("a connection string needs no sign-in")
    })
    .expect("connection string parses");
    access
        .client()
        .expect("client")
        .create(None)
        .await
        .expect("container created");
    // Each test runs in its own process (nextest): the variable is this emulator's only.
    unsafe { std::env::set_var(ENV, &storage) };
    let emu = common::start(CONFIG).await;
    let events = (0..3)
        .map(|n| {
            EventData::builder()
                .with_body(format!("{{\"n\":{n}}}"))
                .build()
        })
        .collect();
    common::send_events_to_partition_0(
        emu.endpoint(),
        "keyed",
        "orders",
        emu.credential(ROOT),
        events,
    )
    .await;

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let listed = emu
            .ehops(&[
                "capture",
                "ls",
                "orders",
                "--json",
                "--capture-store",
                &storage,
                "--capture-container",
                "capture",
            ])
            .await;
        let counted: u64 = if listed.code == 0 {
            listed
                .json_lines()
                .iter()
                .filter_map(|f| f["events"].as_u64())
                .sum()
        } else {
            0
        };
        if counted == 3 {
            assert!(
                !listed.stdout.contains("AccountKey") && !listed.stderr.contains("AccountKey"),
                "the key is never printed"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the 3 events never all reached the container: {}{}",
            listed.stdout,
            listed.stderr
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
