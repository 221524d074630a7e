//! The headless incident actions against the demo organisation, real binary and all: the
//! customer team dead-letters the poison event its `crm-sync` deployment is stuck on (with a
//! crash injected between the copy and the checkpoint), and the refusals a team meets on
//! another team's resources, from ehops and from the service itself.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::Run;
use ehops::emulator::RunningEmulator;
use serde_json::Value;

const SALE: &str = "sale";
const GROUP: &str = "crm-sync";
const POISONED: &str = "1";
const DEAD_LETTER_HUB: &str = "deadletter-customer";

/// The demo signed in as `team`, the checkpoints its consumers write, and a data directory
/// for ehops's own files (logs, the audit trail).
struct Demo {
    running: RunningEmulator,
    connection_string: String,
    console_data: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl Demo {
    async fn start(team: &str) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let (running, _) = common::start_demo(data.path()).await;
        let connection_string =
            ehops::commands::team::connection_string(&running.namespaces[0], team)
                .expect("team rule");
        Self {
            running,
            connection_string,
            console_data: tempfile::tempdir().expect("temp dir"),
            _data: data,
        }
    }

    fn connect_args(&self, catalog: &str) -> Vec<String> {
        vec![
            "--connection-string".into(),
            self.connection_string.clone(),
            "--catalog".into(),
            catalog.into(),
            "--checkpoint-dir".into(),
            self.running.checkpoints.display().to_string(),
        ]
    }

    async fn run_with_catalog(&self, args: &[&str], catalog: &str, env: &[(&str, &str)]) -> Run {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend(self.connect_args(catalog));
        common::ehops_with_env(all, self.console_data.path(), env).await
    }

    async fn run(&self, args: &[&str]) -> Run {
        let catalog = format!("http://{}", self.running.http);
        self.run_with_catalog(args, &catalog, &[]).await
    }

    /// crm-sync's checkpoint on the poisoned partition, once it has one.
    async fn checkpoint(&self) -> Option<i64> {
        let run = self
            .run(&["lag", SALE, "--consumer-group", GROUP, "--json"])
            .await;
        assert_eq!(run.code, 0, "{run:?}");
        run.json_lines()
            .into_iter()
            .find(|l| l["partition"] == POISONED)
            .and_then(|l| l["checkpoint_sequence"].as_i64())
    }

    /// Waits until crm-sync sits on the poison event: its checkpoint on partition 1 stays
    /// put across two reads several seconds apart (a consumer making progress checkpoints
    /// every three seconds) while the demo keeps publishing. Returns the poison's sequence.
    async fn wait_until_stuck(&self) -> i64 {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut last = None;
        loop {
            assert!(Instant::now() < deadline, "crm-sync never got stuck");
            let now = self.checkpoint().await;
            if now.is_some() && now == last {
                return now.map_or(0, |c| c + 1);
            }
            last = now;
            tokio::time::sleep(Duration::from_secs(8)).await;
        }
    }

    /// Copies in the dead-letter hub of the event at `sequence` of the poisoned partition.
    async fn copies_of(&self, sequence: i64) -> Vec<Value> {
        events_from(self, DEAD_LETTER_HUB, "0", 0)
            .await
            .into_iter()
            .filter(|e| {
                let property = |name: &str| e["properties"][name].clone();
                property("ehops_source_hub") == SALE
                    && property("ehops_source_partition") == POISONED
                    && property("ehops_source_sequence")
                        .as_str()
                        .and_then(|s| s.parse::<i64>().ok())
                        == Some(sequence)
            })
            .collect()
    }
}

fn audit(data: &Path) -> Vec<Value> {
    std::fs::read_to_string(data.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_copy_and_checkpoint_loses_nothing_and_copies_nothing_twice() {
    let demo = Demo::start("customer").await;
    let poison = demo.wait_until_stuck().await;
    let dead_letter = [
        "deadletter",
        SALE,
        "--partition",
        POISONED,
        "--consumer-group",
        GROUP,
        "--reason",
        "poison: Avro body cut short",
    ];

    // The dry run names the event and changes nothing.
    let mut dry = dead_letter.to_vec();
    dry.push("--json");
    let run = demo.run(&dry).await;
    assert_eq!(run.code, 0, "{run:?}");
    let plan = &run.json_lines()[0];
    assert_eq!(plan["sequence"], poison, "{plan}");
    assert_eq!(plan["dead_letter_hub"], DEAD_LETTER_HUB);
    assert_eq!(plan["new_next"], poison + 1);
    assert!(plan["existing_copy"].is_null());
    assert!(
        plan["why_poison"]
            .as_str()
            .is_some_and(|why| !why.is_empty()),
        "the dry run says why consumers reject it: {plan}"
    );
    assert!(demo.copies_of(poison).await.is_empty());

    // The copy is acknowledged, then the process dies before the checkpoint moves.
    let mut execute = dead_letter.to_vec();
    execute.push("--execute");
    let catalog = format!("http://{}", demo.running.http);
    let crashed = demo
        .run_with_catalog(&execute, &catalog, &[("EHOPS_INJECT_CRASH", "after-copy")])
        .await;
    assert_ne!(
        crashed.code, 0,
        "the injected crash ends the run: {crashed:?}"
    );
    assert_eq!(demo.copies_of(poison).await.len(), 1, "the copy landed");
    assert_eq!(
        demo.checkpoint().await,
        Some(poison - 1),
        "the group has not moved"
    );

    // Run again: the copy is found by its provenance, not made twice; the group moves on.
    let again = demo.run(&execute).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stdout.contains("not copied again"),
        "{}",
        again.stdout
    );
    let copies = demo.copies_of(poison).await;
    assert_eq!(copies.len(), 1, "exactly one copy: {copies:?}");
    let copy = &copies[0];
    assert_eq!(
        copy["properties"]["ehops_reason"],
        "poison: Avro body cut short"
    );
    assert_eq!(copy["properties"]["ehops_consumer_group"], GROUP);
    assert!(
        copy["properties"]["cloudEvents_id"].is_string(),
        "the CloudEvent's attributes travel with it: {copy}"
    );

    // crm-sync resumes after the poison event and checkpoints past it.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let checkpoint = demo.checkpoint().await.unwrap_or(-1);
        if checkpoint > poison {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "crm-sync did not resume past {poison}: checkpoint {checkpoint}"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    let records = audit(demo.console_data.path());
    let done: Vec<&Value> = records.iter().filter(|r| r["outcome"] == "done").collect();
    assert_eq!(
        done.len(),
        1,
        "the crashed run never reported done: {records:?}"
    );
    let record = done[0];
    assert_eq!(record["who"], "team-customer");
    assert_eq!(record["action"], "dead-letter");
    assert_eq!(record["before"]["event"]["sequence"], poison);
    assert_eq!(record["after"]["next"], poison + 1);
    assert_eq!(record["after"]["copied"], false);
    let text =
        std::fs::read_to_string(demo.console_data.path().join("audit.jsonl")).expect("audit file");
    assert!(
        !text.contains("SharedAccessKey="),
        "no secret in the audit trail"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_teams_hub_is_refused_by_ehops_and_by_the_service() {
    let demo = Demo::start("customer").await;

    // Moving conversions' readers needs consumer-group write on their hub.
    let reset = demo
        .run(&[
            "reset",
            SALE,
            "--consumer-group",
            GROUP,
            "--to",
            "latest",
            "--execute",
            "--confirm",
            GROUP,
        ])
        .await;
    assert_eq!(reset.code, 6, "{reset:?}");
    assert!(
        reset.stderr.contains("consumergroups/write"),
        "names the missing right: {}",
        reset.stderr
    );

    // Another team's dead-letter hub is not customer's to write to.
    let dead_letter = demo
        .run(&[
            "deadletter",
            SALE,
            "--partition",
            POISONED,
            "--consumer-group",
            GROUP,
            "--reason",
            "test",
            "--dead-letter-hub",
            "deadletter-conversions",
        ])
        .await;
    assert_eq!(dead_letter.code, 6, "{dead_letter:?}");
    assert!(
        dead_letter.stderr.contains("the dead-letter hub"),
        "{}",
        dead_letter.stderr
    );

    // Read-only refuses before anything else.
    let read_only = demo
        .run(&[
            "--read-only",
            "replay",
            SALE,
            "--partition",
            "0",
            "--from",
            "earliest",
        ])
        .await;
    assert_eq!(read_only.code, 6, "{read_only:?}");
    assert!(
        read_only.stderr.contains("read-only"),
        "{}",
        read_only.stderr
    );

    // With no catalog to ask, ehops cannot refuse first: the emulator refuses the send.
    let closed = format!("http://127.0.0.1:{}", common::azurite::free_port());
    let forced = demo
        .run_with_catalog(
            &[
                "replay",
                SALE,
                "--partition",
                "0",
                "--from",
                "earliest",
                "--to-sequence",
                "1",
                "--execute",
            ],
            &closed,
            &[],
        )
        .await;
    assert_eq!(forced.code, 3, "{forced:?}");
    assert!(
        forced.stderr.to_lowercase().contains("unauthorized"),
        "the service's refusal is shown: {}",
        forced.stderr
    );

    let records = audit(demo.console_data.path());
    let outcomes: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap_or(""),
                r["outcome"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("reset", "refused"),
            ("dead-letter", "refused"),
            ("replay", "refused"),
            ("replay", "failed"),
        ]
    );
}

/// Every event of `hub`/`partition` from sequence `from` to the partition's newest at the
/// time of asking: a count-bounded read (a time-bounded one can come up short on a loaded
/// machine), with a generous timeout only as a safety net.
async fn events_from(demo: &Demo, hub: &str, partition: &str, from: i64) -> Vec<Value> {
    let last = last_sequence(demo, hub, partition).await;
    if last < from {
        return Vec::new();
    }
    let (from_arg, count) = (format!("seq:{from}"), (last - from + 1).to_string());
    let run = demo
        .run(&[
            "tail",
            hub,
            "--partition",
            partition,
            "--from",
            &from_arg,
            "--count",
            &count,
            "--timeout",
            "60",
            "--json",
            "--no-decode",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let events = run.json_lines();
    assert_eq!(events.len().to_string(), count, "read up to {last}");
    events
}

/// The newest sequence number of `hub`/`partition` (-1 when empty).
async fn last_sequence(demo: &Demo, hub: &str, partition: &str) -> i64 {
    let run = demo.run(&["partitions", hub, "--json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    run.json_lines()
        .into_iter()
        .find(|p| p["partition"] == partition)
        .and_then(|p| {
            let empty = p["is_empty"].as_bool().unwrap_or(false);
            p["last_sequence"]
                .as_i64()
                .map(|l| if empty { -1 } else { l })
        })
        .unwrap_or(-1)
}

fn property<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    event["properties"][name].as_str()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_keeps_cloud_event_ids_and_redrive_sends_a_dead_lettered_event_home() {
    let demo = Demo::start("platform").await;
    let originals = events_from(&demo, SALE, "0", 0).await;
    assert!(
        originals.len() >= 5,
        "the demo's backlog: {}",
        originals.len()
    );
    let first_five: Vec<&Value> = originals.iter().take(5).collect();

    // Replay seq 0..=4 of partition 0 onto the same hub: a dry run first, then at 50/s.
    let replay = [
        "replay",
        SALE,
        "--partition",
        "0",
        "--from",
        "seq:0",
        "--to-sequence",
        "4",
        "--rate",
        "50",
        "--json",
    ];
    let dry = demo.run(&replay).await;
    assert_eq!(dry.code, 0, "{dry:?}");
    assert_eq!(
        dry.json_lines()[0]["events"].as_array().map(Vec::len),
        Some(5)
    );
    let mut execute = replay.to_vec();
    execute.push("--execute");
    let sent = demo.run(&execute).await;
    assert_eq!(sent.code, 0, "{sent:?}");
    assert_eq!(sent.json_lines()[1]["result"]["sent"], 5);
    let last_before = originals
        .last()
        .and_then(|e| e["sequence"].as_i64())
        .unwrap_or(0);
    let copies: Vec<Value> = events_from(&demo, SALE, "0", last_before + 1)
        .await
        .into_iter()
        .filter(|e| property(e, "ehops_action") == Some("replay"))
        .collect();
    assert_eq!(copies.len(), 5, "{copies:?}");
    for (copy, original) in copies.iter().zip(&first_five) {
        assert_eq!(
            property(copy, "cloudEvents_id"),
            property(original, "cloudEvents_id"),
            "a replayed CloudEvent keeps its id"
        );
        assert_eq!(
            property(copy, "ehops_source_sequence"),
            original["sequence"]
                .as_i64()
                .map(|s| s.to_string())
                .as_deref()
        );
        assert_eq!(copy["body_base64"], original["body_base64"]);
    }

    // Dead-letter one event from the tail (no consumer group moves), then redrive it.
    let copy_only = demo
        .run(&[
            "deadletter",
            SALE,
            "--partition",
            "2",
            "--sequence",
            "3",
            "--reason",
            "inspect later",
            "--dead-letter-hub",
            DEAD_LETTER_HUB,
            "--execute",
        ])
        .await;
    assert_eq!(copy_only.code, 0, "{copy_only:?}");
    let listed = demo
        .run(&["redrive", DEAD_LETTER_HUB, "--source-hub", SALE, "--json"])
        .await;
    assert_eq!(listed.code, 0, "{listed:?}");
    let planned = listed.json_lines()[0]["events"].clone();
    assert_eq!(planned.as_array().map(Vec::len), Some(1), "{planned}");
    assert_eq!(planned[0]["sequence"], 3);
    assert_eq!(planned[0]["target_hub"], SALE);
    let original = events_from(&demo, SALE, "2", 3).await.remove(0);
    let end = events_from(&demo, SALE, "2", 3)
        .await
        .last()
        .and_then(|e| e["sequence"].as_i64())
        .unwrap_or(3);
    let redrive = demo
        .run(&[
            "redrive",
            DEAD_LETTER_HUB,
            "--source-hub",
            SALE,
            "--execute",
        ])
        .await;
    assert_eq!(redrive.code, 0, "{redrive:?}");
    assert!(redrive.stdout.contains("1 of 1 sent"), "{}", redrive.stdout);
    let home: Vec<Value> = events_from(&demo, SALE, "2", end + 1)
        .await
        .into_iter()
        .filter(|e| property(e, "cloudEvents_id") == property(&original, "cloudEvents_id"))
        .collect();
    assert_eq!(home.len(), 1, "the event is back in its partition");
    let back = &home[0];
    assert_eq!(back["body_base64"], original["body_base64"]);
    assert_eq!(
        back["properties"], original["properties"],
        "as first published"
    );
}
