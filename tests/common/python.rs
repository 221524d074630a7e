//! Runs the official-SDK scripts under `tests/sdk/python/` with the venv `scripts/test-env.sh`
//! installs, and parses the one JSON document each prints.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::azurite::{ensure_test_env, test_env};

/// The scripts bound their own waits; this only keeps a wedged interpreter from hanging CI.
const PYTHON_TIMEOUT: Duration = Duration::from_secs(150);

/// Runs `tests/sdk/python/SCRIPT ARGS` and parses the JSON it prints; panics with its
/// output when it fails.
pub fn run_script(script: &str, args: &[&str]) -> Value {
    ensure_test_env();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sdk/python")
        .join(script);
    let mut child = Command::new(test_env().join("venv/bin/python"))
        .arg(path)
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    let deadline = Instant::now() + PYTHON_TIMEOUT;
    while child.try_wait().expect("python status").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("python output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "python {script} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("not JSON: {stdout}: {e}"))
}
