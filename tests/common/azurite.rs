//! Azurite (Microsoft's Azure Storage emulator) on a free port with its own storage folder,
//! from the npm packages `scripts/test-env.sh` installs under `target/test-env/`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Azurite's development account, as its documentation publishes it.
pub const ACCOUNT: &str = "devstoreaccount1";
pub const ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

pub fn test_env() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("test-env")
}

/// Runs `scripts/test-env.sh` (idempotent, locked) once per test process.
pub fn ensure_test_env() {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/test-env.sh");
        let output = Command::new("bash")
            .arg(script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run scripts/test-env.sh: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    });
    if let Err(message) = ready {
        panic!("scripts/test-env.sh failed:\n{message}");
    }
}

pub struct Azurite {
    child: Child,
    pub port: u16,
    /// Held so the blobs live as long as Azurite.
    _dir: tempfile::TempDir,
}

impl Azurite {
    pub fn start() -> Self {
        ensure_test_env();
        let exe = test_env().join("node/node_modules/.bin/azurite-blob");
        let dir = tempfile::tempdir().expect("temp dir for azurite");
        let port = free_port();
        let child = Command::new(&exe)
            .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
            .arg("--location")
            .arg(dir.path())
            .args(["--disableTelemetry", "--skipApiVersionCheck", "--silent"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        let azurite = Self {
            child,
            port,
            _dir: dir,
        };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_err() {
            assert!(
                Instant::now() < deadline,
                "azurite did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        azurite
    }

    /// A storage connection string as the Python SDK and ehops take it.
    pub fn connection_string(&self, key: &str) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={key};BlobEndpoint=http://127.0.0.1:{}/{ACCOUNT};",
            self.port
        )
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
