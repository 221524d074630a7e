//! Evidence that a team's own event processor resumes exactly where ehops's incident actions
//! put it, with every part real: an emulator of the test's own, Azurite, Microsoft's Python
//! `EventHubConsumerClient` with its `BlobCheckpointStore` (tests/sdk/python/
//! processor_resume.py) standing in for the team's processor, and the `ehops` binary.
//!
//! The processor checkpoints every event it processes and resumes AFTER its checkpoint, as
//! the SDKs do; so a position one event off, either way, shows as the wrong first event.

mod common;

use std::path::{Path, PathBuf};

use common::azurite::{ACCOUNT_KEY, Azurite};
use common::{Run, TestEmulator};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const CONFIG: &str = r#"
[[namespace]]
name = "incidents"
tags = { team = "payments" }

[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "incident-root-key-0000000000000000000000000="
rights = ["Listen", "Send", "Manage"]

[[namespace.hub]]
name = "payments"
partitions = 2
retention = "24h"
# ehops reads with a consumer group of its own, as a team would create it in Azure.
consumer_groups = ["settlement", "ehops"]
tags = { team = "payments" }

[[namespace.hub]]
name = "payments-deadletter"
partitions = 1
retention = "24h"
consumer_groups = ["ehops"]
tags = { team = "payments", deadletter_for = "payments" }
"#;
const ROOT_KEY: &str = "incident-root-key-0000000000000000000000000=";
const ROOT: &str = "RootManageSharedAccessKey";
const HUB: &str = "payments";
const DEAD_LETTER_HUB: &str = "payments-deadletter";
const GROUP: &str = "settlement";
const CONTAINER: &str = "checkpoints";

/// The test's emulator and Azurite, and the connection strings the script and ehops take.
struct Rig {
    emu: TestEmulator,
    _azurite: Azurite,
    emulator_cs: String,
    storage_cs: String,
}

impl Rig {
    async fn start() -> Self {
        let emu = common::start(CONFIG).await;
        let azurite = tokio::task::spawn_blocking(Azurite::start)
            .await
            .expect("azurite starts");
        let storage_cs = azurite.connection_string(ACCOUNT_KEY);
        let emulator_cs = emu.connection_string(ROOT);
        Self {
            emu,
            _azurite: azurite,
            emulator_cs,
            storage_cs,
        }
    }

    /// The ehops data directory: its audit trail is `audit.jsonl` there.
    fn data(&self) -> PathBuf {
        self.emu.data.path().join("console")
    }

    /// Runs processor_resume.py COMMAND with the emulator's connection string first.
    async fn python(&self, command: &str, args: &[&str]) -> Value {
        let mut all = vec![command.to_owned(), self.emulator_cs.clone()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = all.iter().map(String::as_str).collect();
            common::python::run_script("processor_resume.py", &args)
        })
        .await
        .expect("python joins")
    }

    /// Sends `count` events to `partition`; the one at `poison` (if any) is marked poison.
    async fn send(&self, partition: &str, count: usize, poison: Option<usize>) {
        let poison = poison.map_or("-1".to_owned(), |p| p.to_string());
        let sent = self
            .python("send", &[HUB, partition, &count.to_string(), &poison])
            .await;
        assert_eq!(sent["sent"], json!(count), "{sent}");
    }

    /// Runs the team's processor on `partition` until it processed `last` or met poison.
    async fn process(&self, partition: &str, last: i64) -> Value {
        let args = [
            HUB,
            GROUP,
            &self.storage_cs,
            CONTAINER,
            partition,
            &last.to_string(),
        ];
        self.python("process", &args).await
    }

    /// Sends `0..=last` to `partition` with a poison event at `poison`, and runs the processor
    /// into it: it processes and checkpoints everything before it, then is stuck on it.
    async fn stuck_on(&self, partition: &str, last: i64, poison: i64) -> Value {
        let count = usize::try_from(last + 1).expect("a count");
        let poison_index = usize::try_from(poison).expect("an index");
        self.send(partition, count, Some(poison_index)).await;
        let stuck = self.process(partition, last).await;
        assert_eq!(stuck["finished"], json!(true), "{stuck}");
        assert_eq!(stuck["poison"]["sequence"], json!(poison), "{stuck}");
        assert_eq!(stuck["poison_attempts"], json!(2), "stuck on it: {stuck}");
        let before: Vec<i64> = (0..poison).collect();
        assert_eq!(sequences(&stuck), before, "{stuck}");
        assert_eq!(stuck["end_checkpoint"]["sequence"], json!(poison - 1));
        stuck
    }

    /// The partition's checkpoint as the processor's BlobCheckpointStore reads it.
    async fn checkpoint(&self, partition: &str) -> Value {
        let args = [HUB, GROUP, &self.storage_cs, CONTAINER, partition];
        self.python("checkpoint", &args).await
    }

    /// `ehops ARGS` with the emulator, its catalog and the blob checkpoint store.
    async fn ehops(&self, args: &[&str]) -> Run {
        let catalog = self.emu.catalog();
        let connection = [
            "--connection-string",
            &self.emulator_cs,
            "--catalog",
            &catalog,
            "--checkpoint-store",
            &self.storage_cs,
            "--checkpoint-container",
            CONTAINER,
        ];
        let args = args.iter().chain(&connection).map(|a| (*a).to_owned());
        common::ehops(args.collect(), &self.data()).await
    }

    /// `ehops reset HUB --consumer-group GROUP --partition P --to TO --json`, executed when
    /// `execute`; returns its last JSON line (the plan, or what the execution did).
    async fn reset(&self, partition: &str, to: &str, execute: bool) -> Value {
        let mut args = vec![
            "reset",
            HUB,
            "--consumer-group",
            GROUP,
            "--partition",
            partition,
            "--to",
            to,
            "--json",
        ];
        if execute {
            args.extend(["--execute", "--confirm", GROUP]);
        }
        last_json_line(&self.ehops(&args).await)
    }
}

/// The last of a successful run's JSON lines: an execution prints its plan, then its result.
fn last_json_line(run: &Run) -> Value {
    assert_eq!(run.code, 0, "{run:?}");
    let lines = run.json_lines();
    assert!(!lines.is_empty(), "{run:?}");
    lines.into_iter().last().unwrap_or_default()
}

/// The sequence numbers a processor run received, in order.
fn sequences(run: &Value) -> Vec<i64> {
    run["received"]
        .as_array()
        .unwrap_or_else(|| panic!("no received list in {run}"))
        .iter()
        .map(|e| e["sequence"].as_i64().expect("a sequence number"))
        .collect()
}

/// The processor received `from..=to` in order (nothing before, nothing skipped) and stopped
/// with its checkpoint at `to`.
fn assert_resumed(run: &Value, from: i64, to: i64, what: &str) {
    assert_eq!(run["finished"], json!(true), "{what}: {run}");
    let expected: Vec<i64> = (from..=to).collect();
    assert_eq!(sequences(run), expected, "{what}: {run}");
    assert_eq!(
        run["end_checkpoint"]["sequence"],
        json!(to),
        "{what}: {run}"
    );
}

/// The audit trail's records, after checking it holds no secret.
fn audit_records(data: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(data.join("audit.jsonl")).expect("audit.jsonl");
    for secret in [ACCOUNT_KEY, ROOT_KEY, "SharedAccessSignature", "sig="] {
        assert!(
            !text.contains(secret),
            "a secret in the audit trail: {text}"
        );
    }
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// The records are done actions, in order, on these partitions, by the root rule, each with
/// what it found and what it left.
fn assert_done_records(records: &[Value], expected: &[(&str, &str)]) {
    let found: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default();
            (text("action"), text("partition"))
        })
        .collect();
    assert_eq!(found, expected, "{records:#?}");
    for r in records {
        assert_eq!(r["outcome"], json!("done"), "{r}");
        assert_eq!(r["who"], json!(ROOT), "{r}");
        assert_eq!(r["hub"], json!(HUB), "{r}");
        assert_eq!(r["consumer_group"], json!(GROUP), "{r}");
        for side in ["before", "after"] {
            assert!(!r[side].is_null(), "{side} missing: {r}");
        }
        assert_ne!(r["before"], r["after"], "{r}");
    }
}

/// RFC 3339 for a Unix time in milliseconds.
fn rfc3339_ms(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .expect("a time")
        .format(&Rfc3339)
        .expect("formats")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_processor_resumes_exactly_where_reset_puts_it() {
    let rig = Rig::start().await;
    let partition = "1";
    let last = 11;
    rig.send(partition, 12, None).await;
    let first = rig.process(partition, last).await;
    assert_resumed(&first, 0, last, "first run");
    let old_checkpoint = first["end_checkpoint"].clone();

    // The dry run shows the move and changes nothing the processor reads.
    let planned = rig.reset(partition, "seq:5", false).await;
    assert_eq!(planned["dry_run"], json!(true), "{planned}");
    assert_eq!(
        planned["partitions"][0]["current_next"],
        json!(12),
        "{planned}"
    );
    assert_eq!(planned["partitions"][0]["new_next"], json!(5), "{planned}");
    assert_eq!(planned["partitions"][0]["replayed"], json!(7), "{planned}");
    assert_eq!(rig.checkpoint(partition).await, old_checkpoint);
    assert!(
        !rig.data().join("audit.jsonl").exists(),
        "a dry run is not audited"
    );

    let executed = rig.reset(partition, "seq:5", true).await;
    assert_eq!(executed["executed"], json!(true), "{executed}");
    let after_seq = rig.process(partition, last).await;
    assert_resumed(&after_seq, 5, last, "after reset --to seq:5");
    assert_eq!(after_seq["start_checkpoint"]["sequence"], json!(4));
    assert_eq!(after_seq["received"][0]["body"], json!("payments-1-5"));

    rig.reset(partition, "earliest", true).await;
    let after_earliest = rig.process(partition, last).await;
    assert_resumed(&after_earliest, 0, last, "after reset --to earliest");

    // offset:X names the event at X: it is the next one processed.
    let offset_of_3 = first["received"][3]["offset"].as_str().expect("an offset");
    rig.reset(partition, &format!("offset:{offset_of_3}"), true)
        .await;
    let after_offset = rig.process(partition, last).await;
    assert_resumed(
        &after_offset,
        3,
        last,
        "after reset --to offset:X of event 3",
    );

    // Events went out 30 ms apart: halfway between 7 and 8 the first at or after is 8.
    let enqueued = |seq: usize| {
        first["received"][seq]["enqueued_ms"]
            .as_i64()
            .unwrap_or_else(|| panic!("enqueued time of {seq} in {first}"))
    };
    assert!(enqueued(8) - enqueued(7) >= 2, "{first}");
    let between = rfc3339_ms((enqueued(7) + enqueued(8)) / 2);
    rig.reset(partition, &format!("time:{between}"), true).await;
    let after_time = rig.process(partition, last).await;
    assert_resumed(
        &after_time,
        8,
        last,
        &format!("after reset --to time:{between}"),
    );

    let records = audit_records(&rig.data());
    assert_done_records(&records, &[("reset", partition); 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_processor_resumes_after_the_event_ehops_dead_letters() {
    let rig = Rig::start().await;
    let (partition, last, poison) = ("0", 9, 6);
    let stuck = rig.stuck_on(partition, last, poison).await;

    let reason = "settlement rejects a negative amount";
    let args = [
        "deadletter",
        HUB,
        "--partition",
        partition,
        "--consumer-group",
        GROUP,
        "--reason",
        reason,
        "--dead-letter-hub",
        DEAD_LETTER_HUB,
        "--json",
    ];
    let planned = last_json_line(&rig.ehops(&args).await);
    assert_eq!(planned["sequence"], json!(poison), "{planned}");
    assert_eq!(planned["new_next"], json!(poison + 1), "{planned}");
    assert_eq!(rig.checkpoint(partition).await, stuck["end_checkpoint"]);

    let executed = last_json_line(&rig.ehops(&[&args[..], &["--execute"]].concat()).await);
    assert_eq!(executed["executed"], json!(true), "{executed}");
    assert_eq!(executed["result"]["copied"], json!(true), "{executed}");
    let resumed = rig.process(partition, last).await;
    assert_eq!(resumed["poison"], Value::Null, "{resumed}");
    assert_resumed(&resumed, poison + 1, last, "after dead-letter");
    assert_eq!(resumed["start_checkpoint"]["sequence"], json!(poison));

    // Run again for the same event (as after a crash): the copy is found, not made twice.
    let sequence = poison.to_string();
    let again = [&args[..], &["--sequence", &sequence, "--execute"]].concat();
    let repeated = last_json_line(&rig.ehops(&again).await);
    assert_eq!(repeated["result"]["copied"], json!(false), "{repeated}");
    assert_eq!(rig.checkpoint(partition).await, resumed["end_checkpoint"]);

    // Checkpoint-on-error on the other partition moves past its poison without a copy.
    let (other, other_last, other_poison) = ("1", 4, 2);
    rig.stuck_on(other, other_last, other_poison).await;
    let skip = [
        "deadletter",
        HUB,
        "--partition",
        other,
        "--consumer-group",
        GROUP,
        "--reason",
        "known bad batch, no copy wanted",
        "--checkpoint-only",
        "--execute",
        "--json",
    ];
    last_json_line(&rig.ehops(&skip).await);
    let moved_on = rig.process(other, other_last).await;
    assert_eq!(moved_on["poison"], Value::Null, "{moved_on}");
    assert_resumed(
        &moved_on,
        other_poison + 1,
        other_last,
        "after checkpoint-on-error",
    );

    let copies = rig.python("drain", &[DEAD_LETTER_HUB]).await;
    let copies = copies.as_array().expect("a list of events");
    assert_eq!(copies.len(), 1, "exactly one copy: {copies:#?}");
    let copy = &copies[0];
    assert_eq!(copy["body"], stuck["poison"]["body"], "{copy}");
    let properties = &copy["properties"];
    for (key, original) in stuck["poison"]["properties"].as_object().expect("a map") {
        assert_eq!(&properties[key], original, "property {key} of {copy}");
    }
    assert_eq!(properties["ehops_source_hub"], json!(HUB), "{copy}");
    assert_eq!(properties["ehops_source_partition"], json!(partition));
    assert_eq!(properties["ehops_source_sequence"], json!(poison));
    assert_eq!(properties["ehops_reason"], json!(reason));

    let records = audit_records(&rig.data());
    let expected = [
        ("dead-letter", partition),
        ("dead-letter", partition),
        ("checkpoint-on-error", other),
    ];
    assert_done_records(&records, &expected);
    assert_eq!(
        records[1]["after"]["copied"],
        json!(false),
        "{:#}",
        records[1]
    );
}
