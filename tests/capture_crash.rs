//! kill -9 of the emulator while it captures under load: after restarts, the capture files
//! hold every acknowledged event exactly once, in order, and no listing ever showed a
//! partial file. The emulator runs as its own process (the real binary) so it can be killed;
//! a watcher lists the capture directory the whole time and reads every file it sees.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::crash_load::{Load, send_until};
use ehops::codec::capture::read_capture_file;

const BATCH: usize = 100;
const CRASHES: usize = 3;

const CONFIG: &str = r#"
[[namespace]]
name = "crashns"
[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "crash-test-key"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "load"
partitions = 1
[namespace.hub.capture]
interval_seconds = 60
window = "1s"
skip_empty_archives = true
"#;

struct Emulator {
    child: Child,
    endpoint: String,
    connection_string: String,
}

fn start(config: &Path, data: &Path) -> Emulator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ehops"))
        .args([
            "emulator",
            "--amqp",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
            "--kafka",
            "127.0.0.1:0",
            "--json",
            "--config",
        ])
        .arg(config)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("emulator starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("ready line");
    let ready: serde_json::Value = serde_json::from_str(&line).expect("ready JSON");
    let namespace = &ready["namespaces"][0];
    Emulator {
        child,
        endpoint: namespace["custom_endpoint"]
            .as_str()
            .expect("endpoint")
            .to_string(),
        connection_string: namespace["rules"][0]["connection_string"]
            .as_str()
            .expect("cs")
            .to_string(),
    }
}

fn body(id: u64) -> Vec<u8> {
    let mut body = format!("{id:016}|").into_bytes();
    body.resize(128, b'.');
    body
}

fn id_of(body: &[u8]) -> u64 {
    std::str::from_utf8(&body[..16])
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("an id")
}

/// Lists the directory until stopped; every file it sees must read whole, and never change.
/// Returns each file's event ids.
fn watch(
    root: PathBuf,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<HashMap<PathBuf, Vec<u64>>> {
    std::thread::spawn(move || {
        let mut seen: HashMap<PathBuf, Vec<u64>> = HashMap::new();
        loop {
            let stopping = stop.load(Ordering::SeqCst);
            for file in common::capture_files::visible_files(&root) {
                assert_eq!(
                    file.extension().and_then(|e| e.to_str()),
                    Some("avro"),
                    "only whole .avro files are listed: {}",
                    file.display()
                );
                let Ok(bytes) = std::fs::read(&file) else {
                    continue;
                };
                let read = read_capture_file(&bytes).expect("a listed file has its header");
                assert!(
                    read.problems.is_empty(),
                    "{} was listed partial: {:?}",
                    file.display(),
                    read.problems
                );
                let ids: Vec<u64> = read
                    .records
                    .iter()
                    .map(|r| id_of(r.body.as_deref().unwrap_or_default()))
                    .collect();
                if let Some(before) = seen.get(&file) {
                    assert_eq!(
                        before,
                        &ids,
                        "{} changed after it was listed",
                        file.display()
                    );
                }
                seen.insert(file, ids);
            }
            if stopping {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_capturing_loses_and_repeats_nothing() {
    let config_dir = tempfile::tempdir().expect("temp dir");
    let config = config_dir.path().join("crash.toml");
    std::fs::write(&config, CONFIG).expect("config written");
    let data = tempfile::tempdir().expect("temp dir");
    let root = data.path().join("capture/capture");
    std::fs::create_dir_all(&root).expect("capture dir");
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch(root.clone(), Arc::clone(&stop));

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut next_id = 0u64;
    for round in 0..CRASHES {
        let mut emulator = start(&config, data.path());
        // Long enough for windows to close, and killed mid-window at different points.
        let kill_after = Duration::from_millis(2300 + 400 * round as u64);
        let sender_deadline = Instant::now() + kill_after + Duration::from_secs(2);
        let killer = tokio::time::sleep(kill_after);
        tokio::pin!(killer);
        let load = Load {
            endpoint: &emulator.endpoint,
            connection_string: &emulator.connection_string,
            namespace: "crashns",
            hub: "load",
            batch: BATCH,
            body,
        };
        let sending = send_until(&load, &mut next_id, sender_deadline);
        tokio::pin!(sending);
        let ids = tokio::select! {
            ids = &mut sending => ids,
            _ = &mut killer => {
                emulator.child.kill().expect("kill -9");
                sending.await
            }
        };
        acknowledged.lock().expect("lock").extend(ids);
        let _ = emulator.child.kill();
        let _ = emulator.child.wait();
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        acknowledged.len() >= 10 * BATCH,
        "the test must acknowledge events before crashing"
    );

    // A last run, with no load, lets capture catch up.
    let mut emulator = start(&config, data.path());
    let deadline = Instant::now() + Duration::from_secs(60);
    let newest = *acknowledged.last().expect("some");
    loop {
        let captured: Vec<u64> = common::capture_files::visible_files(&root)
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .filter_map(|b| read_capture_file(&b).ok())
            .flat_map(|f| f.records)
            .map(|r| id_of(r.body.as_deref().unwrap_or_default()))
            .collect();
        if captured.contains(&newest) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "capture did not catch up in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::SeqCst);
    let seen = watcher.join().expect("the watcher's checks hold");
    let _ = emulator.child.kill();
    let _ = emulator.child.wait();

    // Files in window order hold the ids in order, each once.
    let mut files: Vec<(&PathBuf, &Vec<u64>)> = seen.iter().collect();
    files.sort();
    let captured: Vec<u64> = files
        .iter()
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    assert!(
        captured.windows(2).all(|w| w[0] < w[1]),
        "captured events are in order, each once"
    );
    let missing: Vec<&u64> = acknowledged
        .iter()
        .filter(|id| captured.binary_search(id).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged events not captured, first {:?}",
        missing.len(),
        missing.first()
    );
    eprintln!(
        "{} events acknowledged over {CRASHES} kill -9s; {} captured in {} files",
        acknowledged.len(),
        captured.len(),
        files.len()
    );
}
