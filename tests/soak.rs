//! Issue 15's soak: the console (in tmux, tailing `sale`) and two headless tails run against
//! the demo, with its live traffic, for ten minutes (`EHOPS_SOAK_MINUTES` to change it) under
//! a fault schedule that mixes every fault kind. Then the faults stop, and the run must show:
//!
//! - no panic and no hang: every process alive throughout, the console answering keys, the
//!   tails stopping on Ctrl-C with exit 0;
//! - the terminal restored: the tmux pane back at its shell prompt, off the alternate screen;
//! - flat memory: each ehops process's resident set, sampled from /proc every 5 s, has a
//!   largest last-quarter sample within 25% (plus 16 MiB of allocator slack) of its largest
//!   first-quarter sample;
//! - every event seen exactly once by the tails: per partition consecutive sequence numbers,
//!   and every event a final `ehops search --from earliest` finds in the store was tailed,
//!   at the same offset;
//! - lag that agrees with the checkpoints once faults stop: `ehops lag` reports for each
//!   group and partition the checkpoint the files hold, and events behind as last sequence
//!   minus checkpoint (none when the checkpoint is past it).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::proc_memory::{MemoryTrace, child_named, rss_kib};
use common::soak_checks::{Events, assert_every_event_once, checkpoint_files, events_of};
use common::tmux::Terminal;
use ehops::emulator::faults::spec;

/// Every fault kind, each in windows of its own, so that something fails most of the time
/// and everything recovers in between.
const SCHEDULE: &str = r#"
[[fault]]
kind = "detach"
condition = "amqp:link:detach-forced"
link = "receiver"
every = "20s"
for = "2s"

[[fault]]
kind = "detach"
condition = "com.microsoft:server-busy"
link = "sender"
rate = 0.2
every = "30s"
for = "3s"

[[fault]]
kind = "refuse-sends"
rate = 0.2
every = "25s"
for = "5s"

[[fault]]
kind = "drop-connection"
every = "45s"
for = "1s"

[[fault]]
kind = "close-connection"
every = "60s"
for = "1s"

[[fault]]
kind = "delay"
delay = "300ms"
rate = 0.3
every = "15s"
for = "5s"

[[fault]]
kind = "stall"
hub = "contact"
every = "40s"
for = "3s"

[[fault]]
kind = "expire-tokens"
after = "20s"
every = "60s"
for = "10s"

[[fault]]
kind = "http"
surface = "registry"
status = 429
retry_after = 1
every = "20s"
for = "3s"

[[fault]]
kind = "http"
surface = "catalog"
status = 503
retry_after = 1
every = "35s"
for = "2s"

[[fault]]
kind = "http"
status = 500
rate = 0.2
every = "50s"
for = "5s"

[[fault]]
kind = "http"
status = 0
rate = 0.1
every = "55s"
for = "1s"
"#;

const TAILED: [&str; 2] = ["sale", "contact"];
const SAMPLE_EVERY: Duration = Duration::from_secs(5);

fn soak_length() -> Duration {
    let minutes = std::env::var("EHOPS_SOAK_MINUTES")
        .ok()
        .and_then(|m| m.parse::<f64>().ok())
        .unwrap_or(10.0);
    Duration::from_secs_f64(minutes * 60.0)
}

/// What every ehops command of the soak is given to reach the demo.
struct Target {
    connection_string: String,
    catalog: String,
    checkpoints: PathBuf,
}

impl Target {
    fn args(&self) -> Vec<String> {
        vec![
            "--connection-string".into(),
            self.connection_string.clone(),
            "--catalog".into(),
            self.catalog.clone(),
            "--checkpoint-dir".into(),
            self.checkpoints.display().to_string(),
        ]
    }

    fn command(&self, args: &[&str], data: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ehops"));
        command.args(args).args(self.args()).arg("--data").arg(data);
        command
    }
}

/// A headless `ehops tail HUB --from earliest --json`, its output in files.
struct Tail {
    hub: &'static str,
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
    memory: MemoryTrace,
}

impl Tail {
    fn start(target: &Target, hub: &'static str, dir: &Path) -> Self {
        let stdout = dir.join(format!("{hub}.jsonl"));
        let stderr = dir.join(format!("{hub}.err"));
        let file = |p: &Path| std::fs::File::create(p).expect("output file");
        let child = target
            .command(
                &["tail", hub, "--from", "earliest", "--json"],
                &dir.join(hub),
            )
            .stdout(file(&stdout))
            .stderr(file(&stderr))
            .spawn()
            .expect("ehops tail runs");
        Tail {
            hub,
            child,
            stdout,
            stderr,
            memory: MemoryTrace::default(),
        }
    }

    /// Per partition, the sequence numbers and offsets printed so far, in order.
    fn printed(&self) -> Events {
        events_of(&std::fs::read_to_string(&self.stdout).unwrap_or_default())
    }
}

fn interrupt(child: &Child) {
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_and_tails_survive_every_fault_for_the_soak_and_account_for_every_event() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let length = soak_length();
    let home = tempfile::tempdir().expect("temp dir");
    let (running, connection_string) = common::start_demo(home.path()).await;
    let target = Target {
        connection_string,
        catalog: format!("http://{}", running.http),
        checkpoints: running.checkpoints.clone(),
    };

    // The console, started from a shell so that the terminal it leaves behind can be seen.
    let terminal = Terminal::start_shell(
        format!("ehops-soak-{}", std::process::id()),
        &home.path().join("config"),
    );
    terminal.wait_for(&[Terminal::PROMPT.trim_end()]).await;
    let console_data = home.path().join("console");
    let mut line = format!("'{}'", env!("CARGO_BIN_EXE_ehops"));
    for arg in target.args() {
        line.push_str(&format!(" '{arg}'"));
    }
    line.push_str(&format!(" --data '{}'", console_data.display()));
    terminal.type_line(&line);
    terminal
        .wait_for_within(&["sale", "· connected"], Duration::from_secs(120))
        .await;
    terminal.keys(&["/", "sale", "Enter", "t"]);
    terminal
        .wait_for_within(&["sale", "partition"], Duration::from_secs(60))
        .await;
    let shell = terminal
        .pane("#{pane_pid}")
        .parse()
        .expect("the pane's shell pid");
    let console = child_named(shell, "ehops").expect("the console runs under the shell");
    let mut console_memory = MemoryTrace::default();

    let tails_dir = home.path().join("tails");
    std::fs::create_dir_all(&tails_dir).expect("tails dir");
    let mut tails: Vec<Tail> = TAILED
        .iter()
        .map(|hub| Tail::start(&target, hub, &tails_dir))
        .collect();

    let faults = spec::parse(SCHEDULE, Path::new("soak.toml")).expect("the schedule parses");
    running.faults.replace(faults, SCHEDULE.to_owned());
    println!("soak of {length:?} under every fault kind");
    let started = Instant::now();
    let mut struck = 0;
    while started.elapsed() < length {
        tokio::time::sleep(SAMPLE_EVERY).await;
        struck = struck.max(running.faults.struck());
        console_memory
            .kib
            .push(rss_kib(console).expect("the console is alive"));
        for tail in &mut tails {
            let kib = rss_kib(tail.child.id());
            let alive = tail
                .child
                .try_wait()
                .expect("tail can be waited on")
                .is_none();
            assert!(
                alive && kib.is_some(),
                "the tail of {} ended early: {}",
                tail.hub,
                std::fs::read_to_string(&tail.stderr).unwrap_or_default()
            );
            tail.memory.kib.extend(kib);
        }
        let screen = terminal.screen();
        assert!(!screen.contains("panicked"), "{screen}");
    }
    running.faults.replace(Vec::new(), String::new());
    assert!(struck > 0, "the faults never struck");
    println!("faults struck {struck} times; faults stopped");

    // Recovery without a key press: the console says connected again.
    terminal
        .wait_for_within(&["· connected"], Duration::from_secs(120))
        .await;

    // What the store holds now, read from the earliest; the tails must catch up with it.
    let stored: BTreeMap<&str, Events> = {
        let mut stored = BTreeMap::new();
        for hub in TAILED {
            let run = target
                .command(
                    &[
                        "search",
                        hub,
                        "--from",
                        "earliest",
                        "--where",
                        "true",
                        "--json",
                        "--limit",
                        "100000000",
                    ],
                    &home.path().join("search"),
                )
                .stderr(Stdio::inherit())
                .output()
                .expect("ehops search runs");
            assert!(run.status.success(), "the final read of {hub} failed");
            stored.insert(hub, events_of(&String::from_utf8_lossy(&run.stdout)));
        }
        stored
    };
    let deadline = Instant::now() + Duration::from_secs(180);
    for tail in &tails {
        let wanted = &stored[tail.hub];
        loop {
            let printed = tail.printed();
            let caught_up = wanted.iter().all(|(partition, events)| {
                let newest = events.last().map_or(-1, |e| e.0);
                printed
                    .get(partition)
                    .and_then(|p| p.last())
                    .is_some_and(|last| last.0 >= newest)
            });
            if caught_up {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the tail of {} did not catch up",
                tail.hub
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    for tail in &mut tails {
        interrupt(&tail.child);
    }
    let mut reconnects = 0;
    for tail in &mut tails {
        let status = wait_exit(&mut tail.child, Duration::from_secs(30));
        let stderr = std::fs::read_to_string(&tail.stderr).unwrap_or_default();
        assert_eq!(status, Some(0), "tail of {}: {stderr}", tail.hub);
        assert!(!stderr.contains("panicked"), "{stderr}");
        reconnects += stderr.matches("reconnecting").count();
        assert_every_event_once(tail.hub, &tail.printed(), &stored[tail.hub]);
    }
    println!("the tails reconnected {reconnects} times");
    assert!(reconnects > 0, "the faults never reached the tails");

    assert_lag_agrees_with_checkpoints(&target, &home.path().join("lag"));

    // The console answers keys after all of it, and leaves the terminal as it found it.
    terminal.keys(&["Escape"]);
    terminal.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while rss_kib(console).is_some() {
        assert!(
            Instant::now() < deadline,
            "the console did not quit:\n{}",
            terminal.screen()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let screen = terminal.wait_for(&[Terminal::PROMPT.trim_end()]).await;
    assert_eq!(
        terminal.pane("#{alternate_on}"),
        "0",
        "still on the alternate screen:\n{screen}"
    );

    for (name, trace) in std::iter::once(("console", &console_memory))
        .chain(tails.iter().map(|t| (t.hub, &t.memory)))
    {
        let (first, last) = trace.first_and_last_quarter_max();
        println!("memory of {name}: first-quarter max {first} KiB, last-quarter max {last} KiB");
        assert!(
            last <= first + first / 4 + 16 * 1024,
            "the memory of {name} grew: {:?}",
            trace.kib
        );
    }
}

fn wait_exit(child: &mut Child, within: Duration) -> Option<i32> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("a tail did not stop on Ctrl-C within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `ehops lag` per group and partition against the checkpoint files read just before and
/// after it (the demo's consumers go on checkpointing).
fn assert_lag_agrees_with_checkpoints(target: &Target, data: &Path) {
    let read_files = || checkpoint_files(&target.checkpoints);
    let before = read_files();
    let run = target
        .command(&["lag", "--all", "--json"], data)
        .output()
        .expect("ehops lag runs");
    let after = read_files();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut compared = 0;
    for line in String::from_utf8_lossy(&run.stdout).lines() {
        let lag: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let key = (
            lag["hub"].as_str().unwrap_or_default().to_owned(),
            lag["consumer_group"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            lag["partition"].as_str().unwrap_or_default().to_owned(),
        );
        let (Some(low), Some(high)) = (before.get(&key), after.get(&key)) else {
            assert!(
                lag["checkpoint_sequence"].is_null(),
                "a checkpoint no file holds: {lag}"
            );
            continue;
        };
        let shown = lag["checkpoint_sequence"].as_i64().expect("a checkpoint");
        assert!(
            (*low..=*high).contains(&shown),
            "{lag} against files {low}..={high}"
        );
        let last = lag["last_sequence"].as_i64().expect("last sequence");
        // The partitions are read before the checkpoints, which the demo's consumers move on
        // meanwhile: a checkpoint past the last sequence read is caught up, not behind.
        assert_eq!(
            lag["events_behind"].as_i64(),
            Some((last - shown).max(0)),
            "{lag}"
        );
        compared += 1;
    }
    assert!(compared > 0, "no checkpoint compared");
    println!("lag agrees with {compared} checkpoints");
}
