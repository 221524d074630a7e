//! Permissions end to end: the headless console refuses what the identity's effective
//! permissions lack, with the permission named and exit code 5, and the emulator refuses the
//! same thing on the wire when a client forces it.

mod common;

use azure_messaging_eventhubs::models::EventData;
use common::TestEmulator;
use common::sdk_producer::SdkProducer;
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;
use std::sync::Arc;

const DEMO: &str = include_str!("../src/emulator/demo/organisation.toml");

/// `ehops ARGS` as the rule `rule` (scoped to `hub` when it is a hub rule).
async fn run_as(emu: &TestEmulator, rule_cs: String, args: &[&str]) -> common::Run {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    all.extend([
        "--connection-string".to_owned(),
        rule_cs,
        "--catalog".to_owned(),
        emu.catalog(),
    ]);
    common::ehops(all, &emu.data.path().join("console")).await
}

/// The connection string of team rule `rule` as defined on `hub`.
fn team_cs(emu: &TestEmulator, rule: &str, hub: &str) -> String {
    emu.running.namespaces[0]
        .rules
        .iter()
        .find(|r| r.name == rule && r.scope.ends_with(&format!("/{hub}")))
        .unwrap_or_else(|| panic!("no rule {rule} on {hub}"))
        .connection_string
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_only_identity_cannot_tail_and_is_told_why() {
    let emu = common::start(common::CONFORMANCE).await;
    let refused = run_as(
        &emu,
        emu.connection_string("orders-send"),
        &["tail", "orders", "--timeout", "1"],
    )
    .await;
    assert_eq!(refused.code, 6, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "tail is not permitted: missing Microsoft.EventHub/namespaces/messages/receive/action (data action) on the event hub"
        ),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("orders-send"), "{}", refused.stderr);

    // The listen rule passes the gate and tails (nothing was sent: no events, exit 0).
    let allowed = run_as(
        &emu,
        emu.connection_string("orders-listen"),
        &[
            "tail",
            "orders",
            "--timeout",
            "1",
            "--consumer-group",
            "$Default",
        ],
    )
    .await;
    assert_eq!(allowed.code, 0, "{allowed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_team_forcing_a_send_to_conversions_sale_is_refused_on_the_wire() {
    let emu = common::start(DEMO).await;
    let customer = team_cs(&emu, "team-customer", "sale");

    // The console's view: customer may tail sale, so the gate lets a tail through.
    let tail = run_as(&emu, customer.clone(), &["tail", "sale", "--timeout", "1"]).await;
    assert_eq!(tail.code, 0, "{tail:?}");

    // Forcing a send with the official SDK: the emulator refuses the link for want of Send.
    let parsed = ConnectionString::parse(&customer).expect("valid connection string");
    let credential = Arc::new(SasCredential::from_connection_string(&parsed));
    let opened =
        SdkProducer::open(emu.endpoint(), emu.namespace(), "sale".into(), credential).await;
    let error = match opened {
        Err(error) => error.to_string(),
        Ok(producer) => {
            let sent = producer
                .send_event(EventData::builder().with_body("forced").build(), None)
                .await;
            producer.close().await;
            match sent {
                Ok(()) => panic!("the customer team sent to conversions' sale hub"),
                Err(error) => format!("{error:?}"),
            }
        }
    };
    assert!(
        error.contains("'Send' claim(s) are required") && error.contains("sale"),
        "{error}"
    );
}

/// The hubs `ehops hubs` lists on the embedded demo signed in as `team`, or the failed run.
async fn demo_hubs(team: &str) -> Result<Vec<String>, common::Run> {
    let data = tempfile::tempdir().expect("temp dir");
    let args = ["hubs", "--json", "--team", team]
        .map(str::to_owned)
        .to_vec();
    let out = common::ehops(args, data.path()).await;
    if out.code != 0 {
        return Err(out);
    }
    let mut hubs: Vec<String> = out
        .json_lines()
        .iter()
        .filter_map(|l| l["hub"].as_str().map(str::to_owned))
        .collect();
    hubs.sort();
    Ok(hubs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_signs_in_as_a_team_and_shows_that_teams_hubs() {
    let customer = demo_hubs("customer").await.expect("customer signs in");
    assert_eq!(
        customer,
        [
            "account",
            "audit",
            "contact",
            "deadletter-customer",
            "product",
            "sale"
        ]
    );
    let conversions = demo_hubs("conversions")
        .await
        .expect("conversions signs in");
    assert_eq!(
        conversions,
        ["audit", "contact", "deadletter-conversions", "lead", "sale"]
    );
    let platform = demo_hubs("platform").await.expect("platform signs in");
    assert_eq!(platform.len(), 9, "{platform:?}");

    let unknown = demo_hubs("marketing").await.expect_err("no such team");
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("teams: platform, product, customer, conversions"),
        "{}",
        unknown.stderr
    );
}

/// `ehops hubs --json --context NAME` with the user's config directory at `config_home` and
/// `env` set, off the async runtime's threads.
async fn with_context(
    config_home: &std::path::Path,
    name: &str,
    env: Option<(String, String)>,
) -> common::Run {
    let (home, name) = (config_home.to_owned(), name.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ehops"));
        command
            .args(["hubs", "--json", "--context", &name, "--data"])
            .arg(home.join("data"))
            .env("XDG_CONFIG_HOME", &home)
            .env_remove("EHOPS_CONNECTION_STRING")
            .env_remove("EHOPS_TEAM");
        if let Some((key, value)) = env {
            command.env(key, value);
        }
        let output = command.output().expect("ehops runs");
        common::Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("ehops run joins")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_context_picks_the_namespace_and_identity() {
    let emu = common::start(common::CONFORMANCE).await;
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("ehops");
    std::fs::create_dir_all(&config).expect("config dir");
    // The secret stays in the environment; the file only names the variable.
    let variable = format!("EHOPS_TEST_CS_{}", std::process::id());
    std::fs::write(
        config.join("config.toml"),
        format!(
            "[context.orders-listener]\nconnection_string_env = \"{variable}\"\ncatalog = \"{}\"\nread_only = true\n",
            emu.catalog()
        ),
    )
    .expect("config written");
    let cs = emu.connection_string("orders-listen");
    let run = with_context(home.path(), "orders-listener", Some((variable.clone(), cs))).await;
    assert_eq!(run.code, 0, "{run:?}");
    let hubs: Vec<String> = run
        .json_lines()
        .iter()
        .filter_map(|l| l["hub"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(hubs, ["orders"], "the listen rule sees its one hub");

    let unknown = with_context(home.path(), "prod", None).await;
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown.stderr.contains("contexts: orders-listener"),
        "{}",
        unknown.stderr
    );
    // Without the variable the error names it (never a value).
    let unset = with_context(home.path(), "orders-listener", None).await;
    assert_eq!(unset.code, 2, "{unset:?}");
    assert!(unset.stderr.contains(&variable), "{}", unset.stderr);
}

/// What the console reads about schemas agrees with what the emulator's registry enforces
/// (docs/schema-registry.md: any rule reads; a namespace rule with Send or Manage, or a rule a
/// group names as contributor, registers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_permissions_match_what_the_registry_enforces() {
    use ehops::connect::Connection;
    use ehops::model::permissions::ConsoleAction;
    use ehops::ops::permissions::for_hub;

    let emu = common::start(common::CONFORMANCE).await;
    let as_rule = |rule: &str| {
        Connection::from_connection_string(&emu.connection_string(rule), Some(&emu.catalog()))
            .expect("connection")
            .with_namespace(&emu.namespace())
    };
    let listener = for_hub(&as_rule("orders-listen"), "orders").await;
    assert!(listener.verdict(ConsoleAction::ViewSchemas).is_allowed());
    let refused = listener.verdict(ConsoleAction::RegisterSchema);
    assert!(
        refused
            .reason(ConsoleAction::RegisterSchema)
            .is_some_and(|r| r.contains("Microsoft.EventHub/namespaces/schemas/write")),
        "{refused:?}"
    );
    let sender = for_hub(&as_rule("orders-send"), "orders").await;
    assert!(sender.verdict(ConsoleAction::RegisterSchema).is_allowed());
    assert!(!sender.verdict(ConsoleAction::Tail).is_allowed());
}

/// The service refuses a hub that does not exist as it refuses one the identity may not read,
/// so a refusal for a name the identity cannot even see says so, with the names it can: a
/// mistyped hub is not a permissions problem to chase at 3 a.m.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_hub_the_identity_cannot_see_is_named_as_unseen() {
    let data = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend(["--team", "customer"].map(str::to_owned));
        common::ehops(all, data.path())
    };
    let typo = run(&["tail", "contatc", "--count", "1"]).await;
    assert_eq!(typo.code, 6, "{typo:?}");
    assert!(
        typo.stderr
            .contains("no hub named contatc is visible to you")
            && typo.stderr.contains("you see: account, audit, contact,"),
        "{}",
        typo.stderr
    );
    let search = run(&["search", "contatc", "--where", "true"]).await;
    assert_eq!(search.code, 6, "{search:?}");
    assert!(
        search
            .stderr
            .contains("no hub named contatc is visible to you"),
        "{}",
        search.stderr
    );
    // Seen but not readable: the refusal alone.
    let audit = run(&["tail", "audit", "--count", "1"]).await;
    assert_eq!(audit.code, 6, "{audit:?}");
    assert!(!audit.stderr.contains("visible"), "{}", audit.stderr);
}
