//! The emulator as a process of its own (the real binary), on ports fixed at first start, so
//! a test can kill it with SIGKILL and start it again where clients expect it: the same
//! ports, the same data directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::azurite::free_port;

pub struct EmulatorProcess {
    child: Child,
    config: PathBuf,
    data: PathBuf,
    amqp: u16,
    http: u16,
    /// Arguments given at every start, such as `--faults FILE`.
    extra: Vec<String>,
    /// The root rule's connection string, as the ready line gave it.
    pub connection_string: String,
    pub endpoint: String,
}

impl EmulatorProcess {
    /// Starts `ehops emulator` on `config` with its data in `data`, on two free ports.
    pub fn start(config: &Path, data: &Path) -> Self {
        Self::start_with(config, data, &[])
    }

    /// [`Self::start`] with more arguments (`--faults FILE`), given again at each restart.
    pub fn start_with(config: &Path, data: &Path, extra: &[&str]) -> Self {
        let (amqp, http) = (free_port(), free_port());
        let extra: Vec<String> = extra.iter().map(|a| (*a).to_owned()).collect();
        let (child, ready) = spawn(config, data, amqp, http, &extra);
        let namespace = &ready["namespaces"][0];
        let text = |v: &serde_json::Value| v.as_str().expect("a string").to_owned();
        Self {
            child,
            config: config.to_path_buf(),
            data: data.to_path_buf(),
            amqp,
            http,
            extra,
            connection_string: text(&namespace["rules"][0]["connection_string"]),
            endpoint: text(&namespace["custom_endpoint"]),
        }
    }

    /// The catalog's base address, for `ehops --catalog`.
    pub fn catalog(&self) -> String {
        format!("http://127.0.0.1:{}", self.http)
    }

    /// SIGKILL: no shutdown, no flush beyond what was acknowledged.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts again on the same ports and data after [`Self::kill`]. A port left in
    /// TIME_WAIT by the killed process can refuse the bind for a moment: retried briefly.
    pub fn restart(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match try_spawn(&self.config, &self.data, self.amqp, self.http, &self.extra) {
                Some((child, _)) => {
                    self.child = child;
                    return;
                }
                None if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                None => panic!("the emulator did not start again on its ports"),
            }
        }
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn(
    config: &Path,
    data: &Path,
    amqp: u16,
    http: u16,
    extra: &[String],
) -> (Child, serde_json::Value) {
    try_spawn(config, data, amqp, http, extra).expect("the emulator starts")
}

/// The child and its ready line, or `None` when it exited before saying ready.
fn try_spawn(
    config: &Path,
    data: &Path,
    amqp: u16,
    http: u16,
    extra: &[String],
) -> Option<(Child, serde_json::Value)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ehops"))
        .arg("emulator")
        .arg("--amqp")
        .arg(format!("127.0.0.1:{amqp}"))
        .arg("--http")
        .arg(format!("127.0.0.1:{http}"))
        // Kafka is not under test here; a port of its own keeps parallel tests apart.
        .args(["--kafka", "127.0.0.1:0"])
        .arg("--json")
        .arg("--config")
        .arg(config)
        .arg("--data")
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator binary runs");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut line = String::new();
    let read = BufReader::new(stdout).read_line(&mut line).unwrap_or(0);
    if read == 0 {
        let _ = child.wait();
        return None;
    }
    Some((child, serde_json::from_str(&line).expect("ready JSON")))
}
