//! The catalog client against the emulator's ARM-shaped catalog: paging through `nextLink`,
//! tags, and ARM errors sorted into the console's failures.

mod common;

use std::sync::Arc;

use common::CONSOLE;
use ehops::connect::Failure;
use ehops::connect::catalog::{Catalog, SasAuth};
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;

fn catalog_for(emu: &common::TestEmulator, connection_string: &str) -> Catalog {
    let cs = ConnectionString::parse(connection_string).expect("valid connection string");
    let credential = Arc::new(SasCredential::from_connection_string(&cs));
    let url = emu.catalog().parse().expect("catalog URL");
    Catalog::emulator(url, Arc::new(SasAuth::new(credential)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_next_links_and_reads_tags() {
    let emu = common::start(CONSOLE).await;
    let catalog =
        catalog_for(&emu, &emu.connection_string("RootManageSharedAccessKey")).with_page_size(1);
    let namespaces = catalog.namespaces().await.expect("namespaces");
    assert_eq!(namespaces.len(), 1);
    assert_eq!(
        namespaces[0].host(),
        Some(emu.running.namespaces[0].amqp.to_string()),
        "the namespace names the address clients reach it at"
    );
    let hubs = catalog.hubs_with_groups("console").await.expect("hubs");
    let names: Vec<&str> = hubs.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["orders", "single"], "two pages of one");
    assert_eq!(hubs[0].team.as_deref(), Some("customer"));
    assert_eq!(
        hubs[0].consumer_groups,
        ["$Default", "billing", "audit", "ehops"]
    );

    let missing = catalog
        .consumer_groups("console", "no-such-hub")
        .await
        .expect_err("no such hub");
    assert_eq!(missing.failure, Failure::NotFound, "{missing}");
    let wrong = emu
        .connection_string("RootManageSharedAccessKey")
        .replace("console-root-key", "wrong-root-key");
    let refused = catalog_for(&emu, &wrong)
        .namespaces()
        .await
        .expect_err("wrong key");
    assert_eq!(refused.failure, Failure::Auth, "{refused}");
}
