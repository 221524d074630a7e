//! The console's side of the Schema Registry against an emulator: the typed client (lists,
//! reads, the cache by id, NotFound told apart, refusals), `ehops schemas` and
//! `ehops schema diff`, and the demo organisation's registered schemas.

mod common;

use std::sync::Arc;

use azure_core::http::Url;
use ehops::connect::catalog::SasAuth;
use ehops::connect::registry::{RegistryError, SchemaRegistry};

const CONFIG: &str = include_str!("fixtures/registry.toml");
const V1: &str = include_str!("../schemas/contact_purchased.avsc");
const V2: &str = include_str!("../schemas/contact_purchased.v2.avsc");
const NAME: &str = "com.example.customer.ContactPurchased";

fn client(emu: &common::TestEmulator) -> SchemaRegistry {
    let endpoint = Url::parse(&emu.catalog()).expect("url");
    let auth = Arc::new(SasAuth::new(emu.credential("RootManageSharedAccessKey")));
    SchemaRegistry::new(endpoint, auth)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_client_lists_reads_and_tells_not_found_apart() {
    let emu = common::start(CONFIG).await;
    let registry = client(&emu);
    let first = registry
        .register_avro("orders-backward", NAME, V1)
        .await
        .expect("registers");
    registry
        .register_avro("orders-backward", NAME, V2)
        .await
        .expect("v2 registers");
    assert_eq!(
        registry.groups().await.expect("groups"),
        ["orders-backward", "orders-forward", "orders-free"]
    );
    assert_eq!(
        registry
            .schema_names("orders-backward")
            .await
            .expect("names"),
        [NAME]
    );
    assert_eq!(
        registry
            .versions("orders-backward", NAME)
            .await
            .expect("versions"),
        [1, 2]
    );
    // A fresh client, so the answer comes from the service, not from the registration.
    let reader = client(&emu);
    let by_id = reader.schema_by_id(&first.id).await.expect("by id");
    assert_eq!(
        (by_id.version, by_id.format.as_str(), by_id.content.as_str()),
        (1, "Avro", V1)
    );
    let v2 = registry
        .schema_by_version("orders-backward", NAME, 2)
        .await
        .expect("v2");
    assert_eq!(v2.content, V2);
    let missing = registry
        .schema_by_id("ffffffffffffffffffffffffffffffff")
        .await;
    assert!(
        matches!(missing, Err(RegistryError::NotFound(_))),
        "{missing:?}"
    );
    let refused = registry
        .register_avro(
            "orders-backward",
            NAME,
            &V1.replacen(
                "\"fields\": [",
                "\"fields\": [{\"name\": \"x\", \"type\": \"int\"},",
                1,
            ),
        )
        .await;
    assert!(
        matches!(&refused, Err(RegistryError::Refused(m)) if m.contains("'x'")),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_schemas_and_diff_against_an_emulator() {
    let emu = common::start(CONFIG).await;
    let registry = client(&emu);
    for text in [V1, V2] {
        registry
            .register_avro("orders-backward", NAME, text)
            .await
            .expect("registers");
    }
    let target = |extra: &[&str]| {
        let mut args: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        args.extend([
            "--connection-string".to_owned(),
            emu.connection_string("RootManageSharedAccessKey"),
            "--catalog".to_owned(),
            emu.catalog(),
        ]);
        args
    };
    let logs = tempfile::tempdir().expect("temp dir");
    let listed = common::ehops(target(&["schemas", "--json"]), logs.path()).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let lines = listed.json_lines();
    assert_eq!(lines.len(), 1, "{}", listed.stdout);
    assert_eq!(lines[0]["schema"], NAME);
    assert_eq!(lines[0]["versions"], serde_json::json!([1, 2]));

    let no_group = common::ehops(target(&["schemas", "nope"]), logs.path()).await;
    assert_eq!(no_group.code, 4, "{}", no_group.stderr);
    let versions = common::ehops(target(&["schemas", "orders-backward", NAME]), logs.path()).await;
    assert!(
        versions.stdout.contains("\"discountCode\""),
        "{}",
        versions.stdout
    );

    let diff = common::ehops(
        target(&[
            "schema",
            "diff",
            "orders-backward",
            NAME,
            "1",
            "2",
            "--json",
        ]),
        logs.path(),
    )
    .await;
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let report = &diff.json_lines()[0];
    assert_eq!(report["changes"][0]["change"], "added");
    assert_eq!(report["changes"][0]["field"], "paymentMethod");
    assert_eq!(report["backward"]["compatible"], true);
    assert_eq!(report["full"], true);

    let text = common::ehops(
        target(&["schema", "diff", "orders-backward", NAME, "2", "1"]),
        logs.path(),
    )
    .await;
    assert!(
        text.stdout.contains("- paymentMethod: string"),
        "{}",
        text.stdout
    );
    let missing = common::ehops(
        target(&["schema", "diff", "orders-backward", NAME, "1", "9"]),
        logs.path(),
    )
    .await;
    assert_eq!(missing.code, 4, "not found: {}", missing.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_registers_its_schemas_under_the_ids_its_traffic_names() {
    let data = tempfile::tempdir().expect("temp dir");
    let listed = common::ehops(vec!["schemas".into(), "--json".into()], data.path()).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let lines = listed.json_lines();
    let purchased = lines
        .iter()
        .find(|l| l["schema"] == NAME)
        .unwrap_or_else(|| panic!("no {NAME}: {}", listed.stdout));
    assert_eq!(purchased["group"], "customer", "one group per team");
    assert_eq!(purchased["versions"], serde_json::json!([1, 2]));
    let traffic_id = ehops::emulator::demo::schemas::CONTACT_PURCHASED_V2.id();
    assert_eq!(
        purchased["latest_id"],
        serde_json::Value::String(traffic_id)
    );
    let groups: std::collections::BTreeSet<&str> =
        lines.iter().filter_map(|l| l["group"].as_str()).collect();
    assert_eq!(
        groups.into_iter().collect::<Vec<_>>(),
        ["conversions", "customer", "product"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_read_by_id_are_served_from_the_cache_afterwards() {
    let emu = common::start(CONFIG).await;
    let id = client(&emu)
        .register_avro("orders-free", NAME, V1)
        .await
        .expect("registers")
        .id;
    let reader = client(&emu);
    let fetched = reader.schema_by_id(&id).await.expect("fetched");
    let http = emu.running.http;
    drop(emu);
    // Dropping the emulator aborts its tasks, which ends them a moment later, not at once:
    // until its port refuses, a request may still be answered (seen in CI as a 404).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tokio::net::TcpStream::connect(http).await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the emulator's port stays open"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let cached = reader.schema_by_id(&id).await.expect("no service needed");
    assert_eq!(cached, fetched);
    let uncached = reader
        .schema_by_id("ffffffffffffffffffffffffffffffff")
        .await
        .expect_err("the emulator is gone");
    assert_eq!(
        uncached.failure(),
        ehops::connect::Failure::Unreachable,
        "{uncached}"
    );
}
