//! Faults on demand (issue 15): a faults file that is wrong is refused naming file, line and
//! field; `/faults` needs Manage; an HTTP fault answers as Azure does when throttled; and a
//! receiver detached again and again by a fault costs `ehops tail` nothing: every event
//! once, in order.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use azure_core::http::Method;
use common::CONFORMANCE;

const ROOT: &str = "RootManageSharedAccessKey";
const ROOT_KEY: &str = "conformance-root-key-0000000000000000000000=";

fn root_token() -> String {
    common::http::token("sb://127.0.0.1/", ROOT, ROOT_KEY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_faults_file_is_refused_naming_file_line_and_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("conformance.toml");
    std::fs::write(&config, CONFORMANCE).expect("config");
    let faults = dir.path().join("faults.toml");
    let text = "[[fault]]\nkind = \"detach\"\nhub = \"orders\"\ncondition = \"amqp:oops\"\n";
    std::fs::write(&faults, text).expect("faults");
    let args = [
        "emulator",
        "--config",
        "",
        "--faults",
        "",
        "--amqp",
        "127.0.0.1:0",
    ];
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    args[2] = config.display().to_string();
    args[4] = faults.display().to_string();
    args.extend(["--http", "127.0.0.1:0", "--kafka", "127.0.0.1:0"].map(String::from));
    let run = common::ehops_within(args, &dir.path().join("data"), Duration::from_secs(30)).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("faults.toml:4: field `condition`"),
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_replaced_with_manage_and_http_faults_say_when_to_come_back() {
    let emu = common::start(CONFORMANCE).await;
    let http = emu.running.http;
    let faults =
        "[[fault]]\nkind = \"http\"\nsurface = \"registry\"\nstatus = 429\nretry_after = 1\n";
    let refused = common::http::call(http, Method::Put, "/faults", &[], Some(faults.into())).await;
    assert_eq!(refused.status, 401);

    let token = root_token();
    let auth = [("authorization", token.as_str())];
    let put = common::http::call(http, Method::Put, "/faults", &auth, Some(faults.into())).await;
    assert_eq!(put.status, 204, "{}", put.body);
    let shown = common::http::call(http, Method::Get, "/faults", &auth, None).await;
    assert_eq!(shown.body, faults);

    let groups = "/$schemaGroups?api-version=2023-07-01";
    let busy = common::http::call(http, Method::Get, groups, &auth, None).await;
    assert_eq!(busy.status, 429);
    assert_eq!(busy.header("retry-after"), "1");
    // The catalog is not in the fault's scope.
    let catalog = "/subscriptions?api-version=2022-12-01";
    let answered = common::http::call(http, Method::Get, catalog, &auth, None).await;
    assert_ne!(answered.status, 429, "{}", answered.body);

    let wrong = "[[fault]]\nkind = \"http\"\nstatus = 418\n";
    let bad = common::http::call(http, Method::Put, "/faults", &auth, Some(wrong.into())).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("request body:3: field `status`"),
        "{}",
        bad.body
    );

    let cleared =
        common::http::call(http, Method::Put, "/faults", &auth, Some(String::new())).await;
    assert_eq!(cleared.status, 204);
    let served = common::http::call(http, Method::Get, groups, &auth, None).await;
    assert_eq!(served.status, 200, "{}", served.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_whose_receivers_are_detached_by_faults_shows_every_event_once() {
    tail_through(
        r#"
[[fault]]
kind = "detach"
condition = "com.microsoft:server-busy"
hub = "orders"
link = "receiver"
every = "3s"
for = "1s"
"#,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_whose_connections_are_dropped_and_closed_shows_every_event_once() {
    tail_through(
        r#"
[[fault]]
kind = "drop-connection"
every = "4s"
for = "1s"

[[fault]]
kind = "close-connection"
namespace = "conformance"
every = "5s"
for = "1s"

[[fault]]
kind = "delay"
delay = "200ms"
hub = "orders"
rate = 0.5
"#,
    )
    .await;
}

/// Tokens put on `$cbs` run out after three seconds (Azure's are good for an hour, and the
/// SDKs put a fresh one well before then): every receiver is detached as Azure detaches a link
/// whose token expired, and the tail goes on, on a fresh connection with a fresh token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_whose_tokens_expire_early_shows_every_event_once() {
    let stderr = tail_through(
        r#"
[[fault]]
kind = "expire-tokens"
after = "3s"
hub = "orders"
link = "receiver"
"#,
    )
    .await;
    assert!(
        stderr.contains("Unauthorized access. 'Listen' claim(s) are required"),
        "detached as Azure detaches a link whose token expired: {stderr}"
    );
}

/// `ehops tail` of events sent over eight seconds, under `faults`: every event once, in
/// order, exit 0, and at least one reconnect (the faults struck). Returns the tail's stderr.
async fn tail_through(faults: &str) -> String {
    let emu = common::start(CONFORMANCE).await;
    let parsed = ehops::emulator::faults::spec::parse(faults, std::path::Path::new("f.toml"))
        .expect("faults parse");
    emu.running.faults.replace(parsed, faults.to_owned());

    const ROUNDS: usize = 16;
    const PER_ROUND: usize = 25;
    let sending = async {
        for round in 0..ROUNDS {
            for partition in ["0", "1"] {
                let bodies: Vec<String> = (0..PER_ROUND)
                    .map(|i| format!("{partition}/{round}/{i}"))
                    .collect();
                send_retrying(&emu, partition, &bodies).await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    let total = (ROUNDS * PER_ROUND * 2).to_string();
    let args = [
        "tail",
        "orders",
        "--from",
        "earliest",
        "--count",
        &total,
        "--timeout",
        "120",
        "--json",
        "--no-decode",
        "--consumer-group",
        "$Default",
    ];
    let (run, ()) = tokio::join!(emu.ehops(&args), sending);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("reconnecting"),
        "the faults must have struck: {}",
        run.stderr
    );
    let mut next: BTreeMap<String, i64> = BTreeMap::new();
    for event in run.json_lines() {
        let partition = event["partition"].as_str().expect("partition").to_owned();
        let sequence = event["sequence"].as_i64().expect("sequence");
        let expected = next.entry(partition.clone()).or_insert(0);
        assert_eq!(
            sequence, *expected,
            "partition {partition}: a gap or a duplicate"
        );
        *expected += 1;
    }
    assert_eq!(
        next.values().sum::<i64>(),
        (ROUNDS * PER_ROUND * 2) as i64,
        "{next:?}"
    );
    run.stderr
}

/// Sends one batch, again on a fresh producer while a connection fault has it refused: the
/// test's own sender must get every event in, whatever the faults do to it.
async fn send_retrying(emu: &common::TestEmulator, partition: &str, bodies: &[String]) {
    for _ in 0..20 {
        // On the sending thread: the SDK can otherwise miss an outcome under load.
        let sent = ehops::connect::sdk_thread::run({
            let endpoint = emu.endpoint();
            let credential = emu.credential(ROOT);
            let bodies = bodies.to_vec();
            let partition = partition.to_owned();
            async move { send_once(endpoint, credential, &partition, bodies).await }
        });
        if sent.await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("the test could not send partition {partition}'s batch in 20 tries");
}

async fn send_once(
    endpoint: String,
    credential: std::sync::Arc<ehops::connect::sas_credential::SasCredential>,
    partition: &str,
    bodies: Vec<String>,
) -> Result<(), String> {
    use azure_messaging_eventhubs::{EventDataBatchOptions, ProducerClient};
    let producer = ProducerClient::builder()
        .with_custom_endpoint(endpoint)
        .open("conformance", "orders", credential)
        .await
        .map_err(|e| e.to_string())?;
    let options = EventDataBatchOptions {
        partition_id: Some(partition.into()),
        ..Default::default()
    };
    let batch = producer
        .create_batch(Some(options))
        .await
        .map_err(|e| e.to_string())?;
    for body in bodies {
        batch
            .try_add_event_data(body.into_bytes(), None)
            .map_err(|e| e.to_string())?;
    }
    let sent = tokio::time::timeout(Duration::from_secs(5), producer.send_batch(batch, None)).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), producer.close()).await;
    match sent {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("send timed out".into()),
    }
}

/// A replay that meets a namespace refusing sends as busy waits and tries again: once the
/// refusals stop, every event is copied exactly once and the command succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_refused_as_server_busy_completes_once_the_refusals_stop() {
    use azure_messaging_eventhubs::models::EventData;
    // A hub with the console's own consumer group, which replay reads with.
    let emu = common::start(common::resume_load::CONFIG).await;
    let originals: Vec<EventData> = (0..5)
        .map(|i| {
            EventData::builder()
                .with_body(format!("original {i}"))
                .build()
        })
        .collect();
    let credential = emu.credential(ROOT);
    common::send_events_to_partition_0(emu.endpoint(), "resume", "stream", credential, originals)
        .await;
    // Every send to `stream` refused until the replay has met a refusal; then none.
    let faults = "[[fault]]\nkind = \"refuse-sends\"\nhub = \"stream\"\n";
    let parsed = ehops::emulator::faults::spec::parse(faults, std::path::Path::new("f.toml"))
        .expect("faults parse");
    emu.running.faults.replace(parsed, faults.to_owned());
    let replay: Vec<&str> =
        "replay stream --partition 0 --from seq:0 --to-sequence 4 --execute --json"
            .split(' ')
            .collect();
    let lift_after_a_refusal = async {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        while emu.running.faults.struck() == 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the replay met no refusal"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let none = ehops::emulator::faults::spec::parse("", std::path::Path::new("f.toml"))
            .expect("no faults parse");
        emu.running.faults.replace(none, String::new());
    };
    let (run, ()) = tokio::join!(emu.ehops(&replay), lift_after_a_refusal);
    assert_eq!(run.code, 0, "{run:?}");
    let result = run
        .json_lines()
        .into_iter()
        .find(|line| !line["result"].is_null())
        .expect("a result line");
    assert_eq!(result["result"]["sent"], 5, "{result}");

    let all: Vec<&str> =
        "tail stream --partition 0 --from earliest --count 10 --timeout 60 --json --no-decode"
            .split(' ')
            .collect();
    let read = emu.ehops(&all).await;
    assert_eq!(read.code, 0, "{read:?}");
    let events = read.json_lines();
    assert_eq!(
        events.len(),
        10,
        "five originals and five copies, each once"
    );
    let copies: Vec<_> = events[5..].iter().map(|e| e["body"].clone()).collect();
    let originals: Vec<_> = events[..5].iter().map(|e| e["body"].clone()).collect();
    assert_eq!(copies, originals, "the copies in order, none twice");
}
