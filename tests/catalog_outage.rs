//! A headless command started while the catalog fails: a short outage is waited out, a long
//! one is said and the command goes on without the catalog. Neither may turn into a refusal:
//! a command that could not learn the namespace's name once read permissions at the address
//! instead, found none there, and exited 6 saying a right was missing (seen in the soak, when
//! a tail started inside a window of catalog faults).

mod common;

use common::CONFORMANCE;
use ehops::emulator::faults::spec;

const HUB: &str = "orders";

fn set_faults(emu: &common::TestEmulator, faults: &str) {
    let parsed = spec::parse(faults, std::path::Path::new("f.toml")).expect("faults parse");
    emu.running.faults.replace(parsed, faults.to_owned());
}

/// `ehops tail orders --from earliest` for `count` events, undecoded.
fn tail_args(count: usize) -> Vec<String> {
    let count = count.to_string();
    [
        "tail",
        HUB,
        "--from",
        "earliest",
        "--count",
        &count,
        "--timeout",
        "60",
        "--json",
        "--no-decode",
        "--consumer-group",
        "$Default",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// [`tail_args`] as the root rule, with the emulator's catalog.
async fn tail(emu: &common::TestEmulator, count: usize) -> common::Run {
    let args = tail_args(count);
    emu.ehops(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_started_during_a_four_second_catalog_outage_waits_it_out() {
    let emu = common::start(CONFORMANCE).await;
    let bodies: Vec<String> = (0..3).map(|i| format!("before the outage {i}")).collect();
    common::send_batch_to(&emu, HUB, "0", &bodies).await;
    // Every catalog request fails for the first four seconds, without a Retry-After.
    set_faults(
        &emu,
        "[[fault]]\nkind = \"http\"\nsurface = \"catalog\"\nstatus = 503\nevery = \"60m\"\nfor = \"4s\"\n",
    );

    let run = tail(&emu, bodies.len()).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    let printed: Vec<String> = run
        .json_lines()
        .iter()
        .map(|line| line["body"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(printed, bodies);
    assert!(emu.running.faults.struck() > 0, "the outage never struck");
}

/// A catalog that stays down is let go, said on stderr: the tail reads, and the service
/// decides what the identity may do, as for a connection string given no catalog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_goes_on_without_a_catalog_that_stays_down_and_says_so() {
    let emu = common::start(CONFORMANCE).await;
    let bodies = vec!["while the catalog is down".to_owned()];
    common::send_batch_to(&emu, HUB, "0", &bodies).await;
    set_faults(
        &emu,
        "[[fault]]\nkind = \"http\"\nsurface = \"catalog\"\nstatus = 500\n",
    );

    let run = tail(&emu, bodies.len()).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json_lines()[0]["body"], bodies[0].as_str());
    assert!(
        run.stderr
            .contains("warning: cannot learn the namespace's name from the catalog")
            && run.stderr.contains("answered 500")
            && run.stderr.contains("the service decides"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not permitted"), "{}", run.stderr);
}

/// An emulator connection string given no `--catalog` guesses one where `ehops emulator` puts
/// it; an emulator without one there (Microsoft's has none) is not an outage: the tail neither
/// waits through the retries nor warns (it did both, 6 to 12 s, once catalog reads were retried).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emulator_string_with_no_catalog_where_one_is_guessed_reads_at_once_and_quietly() {
    // AMQP on 127.0.0.2: the catalog is guessed at 127.0.0.2:5300, where nothing serves.
    let emu = common::start_on(CONFORMANCE, "127.0.0.2").await;
    let connection_string = emu.connection_string("RootManageSharedAccessKey");
    assert!(
        connection_string.contains("127.0.0.2")
            && connection_string.contains("UseDevelopmentEmulator=true"),
        "{connection_string}"
    );
    let bodies = vec!["no catalog anywhere".to_owned()];
    common::send_batch_to(&emu, HUB, "0", &bodies).await;

    let mut args = tail_args(bodies.len());
    args.extend(["--connection-string".to_owned(), connection_string]);
    let run = common::ehops(args, &emu.data.path().join("console")).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json_lines()[0]["body"], bodies[0].as_str());
    assert!(!run.stderr.contains("catalog"), "{}", run.stderr);
}
