//! Conformance of the embedded emulator with Microsoft's official Event Hubs SDKs.
//!
//! Each test runs one SDK suite from `tests/sdk/` (Python sync, Python aio, JS) against the
//! `ehops` binary built for this test run. The suites start their own emulators (one per test,
//! on OS-chosen ports, with temporary data dirs) from `tests/fixtures/conformance.toml`.
//! `scripts/test-env.sh` installs the SDKs under `target/test-env/` first; it is idempotent and
//! takes a file lock, so nextest's parallel test processes can all call it.

mod common;

use std::path::Path;

use common::suite::{pytest, run_suite};

#[test]
fn python_sync_sdk() {
    pytest("sync");
}

#[test]
fn python_aio_sdk() {
    pytest("aio");
}

/// Microsoft's ARM client (azure-mgmt-eventhub) lists the catalog's namespaces, hubs and groups.
#[test]
fn python_mgmt_sdk() {
    pytest("mgmt");
}

#[test]
fn js_sdk() {
    run_suite(
        "node-test",
        Path::new("node"),
        &[
            "--test",
            "--test-force-exit",
            "--test-reporter=spec",
            "tests/sdk/js/",
        ],
    );
}
