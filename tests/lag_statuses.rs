//! Every lag status on real emulator data: events sent through the Event Hubs SDK, checkpoints
//! and ownerships written in the blob layout with the ages each case needs, and the real
//! `ehops lag` reading them, twice where a status needs history (rates come from the samples
//! the first run recorded under the data directory).

mod common;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use azure_messaging_eventhubs::models::EventData;
use common::{Run, TestEmulator};
use serde_json::Value;

const ROOT: &str = "RootManageSharedAccessKey";

const CONFIG: &str = r#"
[[namespace]]
name = "statuses"

[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "statuses-root-key-0000000000000000000000000="
rights = ["Listen", "Send", "Manage"]

[[namespace.hub]]
name = "long"
partitions = 1
retention = "24h"
consumer_groups = ["ok-group", "nocp", "inactive", "stuck", "behind", "draining", "ehops"]

[[namespace.hub]]
name = "short"
partitions = 1
retention = "1h"
consumer_groups = ["losing", "lost", "ehops"]
"#;

/// Time behind up to this much is a consumer keeping up (the model's `BEHIND_AFTER`).
const BEHIND_AFTER: Duration = Duration::from_secs(30);

async fn send(emu: &TestEmulator, hub: &str, count: usize) {
    let events = (0..count)
        .map(|i| {
            EventData::builder()
                .with_body(format!("{{\"n\":{i}}}"))
                .build()
        })
        .collect();
    let credential = emu.credential(ROOT);
    common::send_events_to_partition_0(emu.endpoint(), &emu.namespace(), hub, credential, events)
        .await;
}

/// Writes a blob of the directory checkpoint store, last modified `age` ago.
fn blob(root: &Path, name: &str, metadata: &str, age: Duration) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().expect("blob has a folder")).expect("mkdir");
    std::fs::write(&path, metadata).expect("write blob");
    let file = std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("open blob");
    file.set_modified(SystemTime::now() - age)
        .expect("set last modified");
}

/// A checkpoint at `sequence` written `age` ago, and an ownership renewed `owned` ago.
fn checkpoint(root: &Path, hub: &str, group: &str, sequence: i64, age: Duration, owned: Duration) {
    blob(
        root,
        &format!("statuses/{hub}/{group}/checkpoint/0"),
        &format!(r#"{{"sequencenumber":"{sequence}","offset":"0"}}"#),
        age,
    );
    blob(
        root,
        &format!("statuses/{hub}/{group}/ownership/0"),
        &format!(r#"{{"ownerid":"{group}-1"}}"#),
        owned,
    );
}

async fn lag_all(emu: &TestEmulator, store: &Path, data: &Path) -> Vec<Value> {
    let args = vec![
        "lag".to_owned(),
        "--all".to_owned(),
        "--json".to_owned(),
        "--connection-string".to_owned(),
        emu.connection_string(ROOT),
        "--catalog".to_owned(),
        emu.catalog(),
        "--checkpoint-dir".to_owned(),
        store.display().to_string(),
    ];
    let run: Run = tokio::time::timeout(Duration::from_secs(120), common::ehops(args, data))
        .await
        .expect("ehops lag answers within two minutes");
    assert_eq!(run.code, 0, "{run:?}");
    run.json_lines()
}

fn status_of<'a>(lines: &'a [Value], hub: &str, group: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["hub"] == hub && l["consumer_group"] == group)
        .unwrap_or_else(|| panic!("no line for {hub}/{group} in {lines:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_status_is_told_from_real_checkpoints_and_events() {
    let emu = common::start(CONFIG).await;
    // Bounded: a Rust SDK send that never completes fails the test in a minute, not five.
    let sends = async {
        send(&emu, "long", 10).await;
        send(&emu, "short", 10).await;
    };
    tokio::time::timeout(Duration::from_secs(60), sends)
        .await
        .expect("20 events sent within a minute");
    let sent = Instant::now();
    let store = tempfile::tempdir().expect("checkpoint dir");
    let data = tempfile::tempdir().expect("ehops data dir");
    let root = store.path();
    let fresh = Duration::from_secs(1);
    checkpoint(root, "long", "ok-group", 9, fresh, fresh);
    checkpoint(root, "long", "inactive", 2, fresh, Duration::from_secs(600));
    checkpoint(root, "long", "stuck", 2, Duration::from_secs(600), fresh);
    checkpoint(root, "long", "behind", 2, fresh, fresh);
    checkpoint(root, "long", "draining", 2, fresh, fresh);
    checkpoint(root, "short", "losing", 2, fresh, fresh);
    checkpoint(root, "short", "lost", 2, Duration::from_secs(7_200), fresh);

    // The scenario needs events that have waited longer than a consumer keeping up would let
    // them: this is the clock of the case, not a wait for something to happen.
    tokio::time::sleep((BEHIND_AFTER + Duration::from_secs(2)).saturating_sub(sent.elapsed()))
        .await;

    // Consumers at work: their checkpoints were written moments before the sample.
    for (hub, group) in [
        ("long", "behind"),
        ("long", "draining"),
        ("short", "losing"),
    ] {
        checkpoint(root, hub, group, 2, fresh, fresh);
    }
    let first = lag_all(&emu, root, data.path()).await;
    let expect = |lines: &[Value], hub: &str, group: &str, status: &str| {
        let line = status_of(lines, hub, group);
        assert_eq!(line["status"], status, "{hub}/{group}: {line}");
        line.clone()
    };
    expect(&first, "long", "ok-group", "ok");
    let nocp = expect(&first, "long", "nocp", "no_checkpoints");
    assert_eq!(nocp["events_behind"], 10);
    expect(&first, "long", "inactive", "inactive");
    let stuck = expect(&first, "long", "stuck", "stuck");
    // Time behind is always known when behind: the first unprocessed event (3) was read.
    let waited = stuck["time_behind_secs"].as_u64().expect("time behind");
    assert!(waited >= BEHIND_AFTER.as_secs(), "{stuck}");
    expect(&first, "long", "behind", "behind");
    expect(&first, "short", "lost", "lost");

    // The second sample has the first as history: the draining group's checkpoint moved
    // with no new events, the losing group's did not on a hub that keeps only an hour.
    checkpoint(root, "long", "draining", 6, fresh, fresh);
    checkpoint(root, "long", "behind", 2, fresh, fresh);
    checkpoint(root, "short", "losing", 2, fresh, fresh);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let second = lag_all(&emu, root, data.path()).await;
    let draining = expect(&second, "long", "draining", "draining");
    assert_eq!(draining["forecast"], "drains", "{draining}");
    assert!(
        draining["drain_per_sec"].as_f64().unwrap_or(0.0) > 0.0,
        "{draining}"
    );
    let losing = expect(&second, "short", "losing", "losing");
    assert_eq!(losing["forecast"], "loses", "{losing}");
    let left = losing["forecast_secs"]
        .as_u64()
        .expect("seconds to the loss");
    assert!(left < 3_600 - BEHIND_AFTER.as_secs(), "{losing}");
    expect(&second, "long", "behind", "behind");
    // A checkpoint ten minutes old with events waiting stays stuck on a quiet hub.
    expect(&second, "long", "stuck", "stuck");
}
