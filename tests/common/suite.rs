//! Runs a conformance suite under `tests/sdk/` (pytest or `node --test`) against the `ehops`
//! binary built for this test run, in its own process group, killed whole if it overruns.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A whole suite must finish within this; each test inside is bounded far tighter.
const SUITE_TIMEOUT: Duration = Duration::from_secs(20 * 60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn test_env() -> PathBuf {
    root().join("target").join("test-env")
}

/// Runs `scripts/test-env.sh` once per process; panics with its output if it fails.
fn ensure_test_env() {
    static SETUP: OnceLock<Result<(), String>> = OnceLock::new();
    let result = SETUP.get_or_init(|| {
        let mut command = Command::new("bash");
        command.arg(root().join("scripts").join("test-env.sh"));
        let (status, output) = run_logged(command, "test-env");
        if status.success() {
            Ok(())
        } else {
            Err(format!("scripts/test-env.sh failed ({status}):\n{output}"))
        }
    });
    if let Err(message) = result {
        panic!("{message}");
    }
}

/// Runs `command` in its own process group with stdout and stderr in one log file, killing the
/// whole group (and so any emulator or Azurite it started) if it outlives `SUITE_TIMEOUT`.
fn run_logged(mut command: Command, name: &str) -> (ExitStatus, String) {
    use std::os::unix::process::CommandExt;

    let log_dir = tempfile::tempdir().expect("temp dir for the suite log");
    let log_path = log_dir.path().join(format!("{name}.log"));
    let log = File::create(&log_path).expect("create suite log");
    let mut child = command
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone log handle"))
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for suite") {
            break status;
        }
        if started.elapsed() > SUITE_TIMEOUT {
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            child.wait().expect("wait for killed suite");
            let output = std::fs::read_to_string(&log_path).unwrap_or_default();
            panic!("{name} did not finish within {SUITE_TIMEOUT:?}; killed.\n{output}");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = std::fs::read_to_string(&log_path).unwrap_or_default();
    (status, output)
}

pub fn run_suite(name: &str, program: &Path, args: &[&str]) {
    ensure_test_env();
    let mut command = Command::new(program);
    command
        .args(args)
        .env("EHOPS_BIN", env!("CARGO_BIN_EXE_ehops"))
        // Keep tests/ free of __pycache__ and node from asking questions.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NO_COLOR", "1");
    let (status, output) = run_logged(command, name);
    // The harness shows captured stdout when the test fails (or always with --nocapture).
    println!("{output}");
    assert!(
        status.success(),
        "{name} failed ({status}); its output is above"
    );
}

pub fn pytest(dir: &str) {
    let python = test_env().join("venv").join("bin").join("python");
    let suite = format!("tests/sdk/python/{dir}");
    let config = "tests/sdk/python/pytest.ini";
    run_suite(
        &format!("pytest-{dir}"),
        &python,
        &[
            "-m",
            "pytest",
            "-c",
            config,
            "--rootdir",
            "tests/sdk/python",
            &suite,
            "-v",
        ],
    );
}
