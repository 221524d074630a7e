//! Checkpoint-store faults (issue 15), every part real: an emulator of the test's own,
//! Azurite behind the emulator's checkpoint-store proxy, and the `ehops` binary. While the
//! proxy answers 503 with `Retry-After`, `ehops reset --execute` must either complete with
//! exactly the planned checkpoints or fail having written nothing; the blobs are read
//! straight from Azurite, past the proxy, to tell which. The proxy passes Azurite's answers
//! on as they are, and answers faults as Azure Storage does.

mod common;

use std::collections::BTreeMap;

use azure_core::http::Method;
use common::azurite::{ACCOUNT, ACCOUNT_KEY, Azurite};
use common::{CONSOLE, Run, TestEmulator};
use ehops::connect::checkpoints::ContainerAccess;
use ehops::emulator::checkpoint_proxy::{self, CheckpointProxy};
use ehops::emulator::faults::spec;
use futures_util::TryStreamExt;

const CONTAINER: &str = "checkpoints";
const HUB: &str = "orders";
const GROUP: &str = "billing";
const PARTITIONS: [&str; 4] = ["0", "1", "2", "3"];

/// Every checkpoint-store request answered `status` with `Retry-After`, for `window`
/// (faults-file lines; empty: always, nothing a retry can outlast).
fn failing(status: u16, retry_after: u64, window: &str) -> String {
    format!(
        "[[fault]]\nkind = \"http\"\nsurface = \"checkpoint-store\"\nstatus = {status}\nretry_after = {retry_after}\n{window}"
    )
}

/// The first four seconds after the faults are set: a window, not a rate, so that the
/// outcome cannot depend on chance. It recurs only after the test is over.
const FOR_A_WHILE: &str = "every = \"10m\"\nfor = \"4s\"\n";

struct Setup {
    emu: TestEmulator,
    azurite: Azurite,
    proxy: CheckpointProxy,
}

impl Setup {
    /// An emulator with ten events in each partition of `orders`, Azurite with an empty
    /// container, and the proxy in front of Azurite answering to the emulator's faults.
    async fn start() -> Self {
        let emu = common::start(CONSOLE).await;
        let azurite = tokio::task::spawn_blocking(Azurite::start)
            .await
            .expect("azurite starts");
        for partition in PARTITIONS {
            let bodies: Vec<String> = (0..10).map(|i| format!("{partition}/{i}")).collect();
            common::send_batch_to(&emu, HUB, partition, &bodies).await;
        }
        let direct = azurite.connection_string(ACCOUNT_KEY);
        container(&direct)
            .create(None)
            .await
            .expect("container created");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let upstream =
            checkpoint_proxy::parse_upstream(&format!("http://127.0.0.1:{}", azurite.port))
                .expect("Azurite's origin");
        let proxy = checkpoint_proxy::start(listener, upstream, emu.running.faults.clone())
            .expect("proxy starts");
        Self {
            emu,
            azurite,
            proxy,
        }
    }

    /// A storage connection string whose blob endpoint is the proxy.
    fn through_proxy(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};BlobEndpoint=http://{}/{ACCOUNT};",
            self.proxy.addr
        )
    }

    fn set_faults(&self, text: &str) {
        let faults = spec::parse(text, std::path::Path::new("test")).expect("faults parse");
        self.emu.running.faults.replace(faults, text.to_owned());
    }

    /// `ehops ARGS` with the checkpoint store behind the proxy.
    async fn ehops(&self, args: &[&str]) -> Run {
        let store = self.through_proxy();
        let mut all = args.to_vec();
        all.extend([
            "--checkpoint-store",
            &store,
            "--checkpoint-container",
            CONTAINER,
        ]);
        self.emu.ehops(&all).await
    }

    /// `{partition: sequencenumber}` of every checkpoint blob, read from Azurite directly.
    async fn checkpoints_in_azurite(&self) -> BTreeMap<String, String> {
        let client = container(&self.azurite.connection_string(ACCOUNT_KEY));
        let options = azure_storage_blob::models::BlobContainerClientListBlobsOptions {
            include: Some(vec![
                azure_storage_blob::models::ListBlobsIncludeItem::Metadata,
            ]),
            ..Default::default()
        };
        let mut pages = client.list_blobs(Some(options)).expect("list");
        let mut found = BTreeMap::new();
        while let Some(blob) = pages.try_next().await.expect("a page of blobs") {
            let name = blob.name.unwrap_or_default();
            let Some((_, partition)) = name.split_once("/checkpoint/") else {
                continue;
            };
            let metadata = blob.metadata.and_then(|m| m.values).unwrap_or_default();
            let sequence = metadata
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("sequencenumber"))
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            found.insert(partition.to_owned(), sequence);
        }
        found
    }
}

fn container(connection_string: &str) -> azure_storage_blob::BlobContainerClient {
    ContainerAccess::parse(connection_string, Some(CONTAINER), || {
        panic!("a connection string needs no sign-in")
    })
    .expect("storage connection string")
    .client()
    .expect("container client")
}

fn reset_to_seq_5() -> [&'static str; 9] {
    [
        "reset",
        HUB,
        "--consumer-group",
        GROUP,
        "--to",
        "seq:5",
        "--execute",
        "--confirm",
        GROUP,
    ]
}

/// `{partition: checkpoint_sequence}` of `ehops lag --json`, partitions without one left out.
fn lag_checkpoints(run: &Run) -> BTreeMap<String, i64> {
    assert_eq!(run.code, 0, "{run:?}");
    run.json_lines()
        .iter()
        .filter_map(|line| {
            let partition = line["partition"].as_str()?;
            Some((partition.to_owned(), line["checkpoint_sequence"].as_i64()?))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_outlasts_a_busy_checkpoint_store_and_lag_reads_it_after() {
    let setup = Setup::start().await;
    setup.set_faults(&failing(503, 1, FOR_A_WHILE));
    let reset = setup.ehops(&reset_to_seq_5()).await;
    let struck = setup.emu.running.faults.struck();
    assert!(struck > 0, "the faults never struck: {reset:?}");
    assert_eq!(reset.code, 0, "{reset:?}");

    // Next event 5: every partition checkpointed at sequence 4, and nothing else written.
    let expected: BTreeMap<String, String> = PARTITIONS
        .iter()
        .map(|p| ((*p).to_owned(), "4".to_owned()))
        .collect();
    assert_eq!(setup.checkpoints_in_azurite().await, expected);

    let lag = setup
        .ehops(&["lag", HUB, "--consumer-group", GROUP, "--json"])
        .await;
    let seen: BTreeMap<String, i64> = PARTITIONS.iter().map(|p| ((*p).to_owned(), 4)).collect();
    assert_eq!(lag_checkpoints(&lag), seen, "{lag:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_against_a_store_that_stays_busy_fails_having_written_nothing() {
    let setup = Setup::start().await;
    setup.set_faults(&failing(503, 1, ""));
    let reset = setup.ehops(&reset_to_seq_5()).await;
    assert_ne!(reset.code, 0, "{reset:?}");
    assert!(
        reset.stderr.contains("503"),
        "names what the store answered: {}",
        reset.stderr
    );
    assert_eq!(setup.checkpoints_in_azurite().await, BTreeMap::new());

    // Lifted, the same reset completes.
    setup.set_faults("");
    let again = setup.ehops(&reset_to_seq_5()).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(setup.checkpoints_in_azurite().await.len(), PARTITIONS.len());
}

/// What the proxy passes on is Azurite's own answer; what a fault answers looks like Azure
/// Storage's: the status, `Retry-After`, `x-ms-error-code` and the XML `<Error>` body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_passes_answers_through_and_faults_answer_as_azure_storage_does() {
    let setup = Setup::start().await;
    let list = format!("/{ACCOUNT}/{CONTAINER}?restype=container&comp=list");
    let azurite = std::net::SocketAddr::from(([127, 0, 0, 1], setup.azurite.port));
    // Unsigned, so Azurite refuses it: an error answer, whose code shows it came from Azurite.
    let direct = common::http::call(azurite, Method::Get, &list, &[], None).await;
    let passed = common::http::call(setup.proxy.addr, Method::Get, &list, &[], None).await;
    assert_eq!(passed.status, direct.status, "{}", passed.body);
    assert_ne!(direct.header("x-ms-error-code"), "", "{}", direct.body);
    assert_eq!(
        passed.header("x-ms-error-code"),
        direct.header("x-ms-error-code")
    );

    for (status, code) in [
        (429, "ServerBusy"),
        (503, "ServerBusy"),
        (500, "InternalError"),
    ] {
        setup.set_faults(&failing(status, 2, ""));
        let faulted = common::http::call(setup.proxy.addr, Method::Get, &list, &[], None).await;
        assert_eq!(faulted.status, status);
        assert_eq!(faulted.header("retry-after"), "2");
        assert_eq!(faulted.header("x-ms-error-code"), code);
        assert!(
            faulted
                .body
                .contains(&format!("<Error><Code>{code}</Code><Message>")),
            "{}",
            faulted.body
        );
    }
    assert!(setup.emu.running.faults.struck() > 0);
}
