//! What a person sees when the command line names something wrong: a hub that does not
//! exist, a key that is not the namespace's, an address nobody answers on. Each is one
//! sentence (what failed, why, what to do) with the exit code scripts tell apart: 4 for not
//! found, 3 for credentials and connections.

mod common;

use common::{CONSOLE, Run, TestEmulator};

const ROOT: &str = "RootManageSharedAccessKey";

/// `ehops ARGS --connection-string CS --catalog URL`.
async fn run_with(
    emu: &TestEmulator,
    connection_string: &str,
    catalog: &str,
    args: &[&str],
) -> Run {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    all.extend([
        "--connection-string".to_owned(),
        connection_string.to_owned(),
        "--catalog".to_owned(),
        catalog.to_owned(),
    ]);
    common::ehops(all, &emu.data.path().join("console")).await
}

/// The run exited with `code` and printed one error line holding each of `says` and none
/// of `never`, nor any SDK wrapper chain.
fn assert_error(run: &Run, args: &[&str], code: i32, says: &[&str], never: &[&str]) {
    assert_eq!(run.code, code, "{args:?}: {run:?}");
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{args:?}: one error line: {}", run.stderr);
    for words in says {
        assert!(
            run.stderr.contains(words),
            "{args:?}: no {words:?} in {}",
            run.stderr
        );
    }
    let noise = [
        "AMQP Error",
        "Azure Core Error",
        "Error ensuring connection",
        "Described Error",
    ];
    for words in never.iter().chain(&noise) {
        assert!(
            !run.stderr.contains(words),
            "{args:?}: {words:?} in {}",
            run.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_that_does_not_exist_is_not_found_for_tail_lag_and_partitions() {
    let emu = common::start(CONSOLE).await;
    let root = emu.connection_string(ROOT);
    let catalog = emu.catalog();
    for args in [
        &["tail", "no-such-hub", "--count", "1", "--timeout", "20"][..],
        &[
            "tail",
            "no-such-hub",
            "--partition",
            "0",
            "--count",
            "1",
            "--timeout",
            "20",
        ],
        &["lag", "no-such-hub"],
        &["lag", "no-such-hub", "--consumer-group", "billing"],
        &["partitions", "no-such-hub"],
        &["lint", "no-such-hub", "--timeout", "20"],
    ] {
        let run = run_with(&emu, &root, &catalog, args).await;
        assert_error(
            &run,
            args,
            4,
            &["not found", "no-such-hub"],
            &["not permitted"],
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_said_to_be_refused() {
    let emu = common::start(CONSOLE).await;
    let wrong = emu
        .connection_string(ROOT)
        .replace("console-root-key", "wrong-root-key");
    let catalog = emu.catalog();
    for args in [
        &["partitions", "orders"][..],
        &["tail", "orders", "--count", "1", "--timeout", "20"],
        &["lag", "orders", "--consumer-group", "billing"],
    ] {
        let run = run_with(&emu, &wrong, &catalog, args).await;
        // What to do is named too; the key itself never is.
        let says = ["refused the key", "SharedAccessKey"];
        assert_error(&run, args, 3, &says, &["wrong-root-key", "not permitted"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_nobody_answers_on_is_a_connection_failure() {
    let emu = common::start(CONSOLE).await;
    // A port that was free a moment ago: nothing listens there.
    let port = common::azurite::free_port();
    let nowhere = format!(
        "Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName={ROOT};SharedAccessKey=k;UseDevelopmentEmulator=true"
    );
    let catalog = format!("http://127.0.0.1:{port}");
    for args in [
        &["partitions", "orders"][..],
        &["tail", "orders", "--count", "1", "--timeout", "20"],
    ] {
        let run = run_with(&emu, &nowhere, &catalog, args).await;
        assert_error(&run, args, 3, &["cannot reach", "running"], &[]);
    }
}

/// A key the service will not read with, and no catalog to ask first: the refusal comes on
/// the wire. It is tried once on a fresh connection (a token that ran out is refused in the
/// same words, and a fresh connection puts a fresh one), then ends the tail naming the right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_without_listen_is_refused_on_the_wire_after_one_fresh_connection() {
    // AMQP on 127.0.0.2: the guessed catalog, 127.0.0.2:5300, does not answer.
    let emu = common::start_on(common::CONFORMANCE, "127.0.0.2").await;
    let args = [
        "tail",
        "orders",
        "--count",
        "1",
        "--timeout",
        "20",
        "--consumer-group",
        "$Default",
        "--connection-string",
        &emu.connection_string("orders-send"),
    ]
    .map(str::to_owned)
    .to_vec();
    let run = common::ehops(args, &emu.data.path().join("console")).await;

    let says = [
        "do not grant",
        "'Listen' claim(s) are required",
        "Listen to read",
    ];
    assert_error(&run, &["tail"], 3, &says, &[]);
    assert!(
        run.stderr.contains("reconnecting, attempt 1"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("attempt 2"), "{}", run.stderr);
}
