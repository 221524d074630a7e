//! `ehops watch --once` as a cron job or CI gate uses it, against the demo organisation: it
//! exits 8 while `crm-sync` sits on its poison event longer than the threshold, and 0 once
//! the customer team has dead-lettered that event and the deployment has drained.

mod common;

use std::time::{Duration, Instant};

use common::Run;
use ehops::emulator::RunningEmulator;
use serde_json::Value;

struct Demo {
    running: RunningEmulator,
    connection_string: String,
    console_data: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl Demo {
    async fn start() -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let (running, _) = common::start_demo(data.path()).await;
        let connection_string =
            ehops::commands::team::connection_string(&running.namespaces[0], "customer")
                .expect("team rule");
        Self {
            running,
            connection_string,
            console_data: tempfile::tempdir().expect("temp dir"),
            _data: data,
        }
    }

    async fn run(&self, args: &[&str]) -> Run {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend([
            "--connection-string".to_owned(),
            self.connection_string.clone(),
            "--catalog".to_owned(),
            format!("http://{}", self.running.http),
            "--checkpoint-dir".to_owned(),
            self.running.checkpoints.display().to_string(),
        ]);
        common::ehops(all, self.console_data.path()).await
    }

    async fn watch_once(&self) -> Run {
        self.run(&[
            "watch",
            "sale",
            "--consumer-group",
            "crm-sync",
            "--max-time-behind",
            "30s",
            "--once",
            "--json",
        ])
        .await
    }
}

/// Runs `watch --once` every few seconds until it exits `code`; returns that run.
async fn until_exit(demo: &Demo, code: i32, within: Duration) -> Run {
    let deadline = Instant::now() + within;
    loop {
        let run = demo.watch_once().await;
        if run.code == code {
            return run;
        }
        assert!(
            run.code == 0 || run.code == 8,
            "watch fails only by a threshold: {run:?}"
        );
        assert!(
            Instant::now() < deadline,
            "watch never exited {code}; last run: {run:?}"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_once_gates_on_the_stuck_consumer_until_its_poison_is_dead_lettered() {
    let demo = Demo::start().await;

    let stuck = until_exit(&demo, 8, Duration::from_secs(180)).await;
    let lines = stuck.json_lines();
    assert_eq!(lines.len(), 1, "one group watched: {lines:#?}");
    let line: &Value = &lines[0];
    assert_eq!(line["hub"], "sale");
    assert_eq!(line["consumer_group"], "crm-sync");
    assert_eq!(line["partition"], "1", "{line}");
    assert_eq!(
        line["breaches"],
        serde_json::json!(["max_time_behind"]),
        "{line}"
    );
    assert!(
        // Whole seconds: 30.4 s is over a 30 s threshold and prints as 30.
        line["time_behind_secs"].as_u64().is_some_and(|s| s >= 30),
        "{line}"
    );
    assert!(
        ["stuck", "losing"].contains(&line["status"].as_str().unwrap_or_default()),
        "{line}"
    );
    assert!(
        line["forecast_text"]
            .as_str()
            .is_some_and(|t| t.contains("retention")),
        "a stuck partition forecasts its loss to retention: {line}"
    );

    // `ehops lag` says what holds the stuck partition: its next event, which does not decode.
    let lag = demo
        .run(&["lag", "sale", "--consumer-group", "crm-sync", "--json"])
        .await;
    assert_eq!(lag.code, 0, "{lag:?}");
    let lines = lag.json_lines();
    let part1 = lines
        .iter()
        .find(|l| l["partition"] == "1")
        .unwrap_or_else(|| panic!("no partition 1 in {lines:#?}"));
    assert_eq!(part1["status"], "stuck", "{part1}");
    let next = &part1["next_event"];
    assert_eq!(next["poison"], true, "{part1}");
    assert_eq!(
        next["sequence"].as_i64(),
        part1["checkpoint_sequence"].as_i64().map(|s| s + 1),
        "{part1}"
    );
    assert!(
        next["says"]
            .as_str()
            .is_some_and(|s| s.contains("does not decode (Avro data does not match")),
        "{part1}"
    );
    assert!(
        lines
            .iter()
            .filter(|l| l["partition"] != "1")
            .all(|l| l.get("next_event").is_none()),
        "only the stuck partition is judged: {lines:#?}"
    );

    let dead_letter = demo
        .run(&[
            "deadletter",
            "sale",
            "--partition",
            "1",
            "--consumer-group",
            "crm-sync",
            "--reason",
            "poison: Avro body cut short",
            "--execute",
        ])
        .await;
    assert_eq!(dead_letter.code, 0, "{dead_letter:?}");

    let drained = until_exit(&demo, 0, Duration::from_secs(120)).await;
    let line = &drained.json_lines()[0];
    assert!(
        line["breaches"].as_array().is_some_and(Vec::is_empty),
        "{line}"
    );

    // Every run recorded its sample: the history shows the incident and its end.
    let history = demo
        .run(&[
            "lag",
            "sale",
            "--consumer-group",
            "crm-sync",
            "--history",
            "--since",
            "1h",
            "--json",
        ])
        .await;
    assert_eq!(history.code, 0, "{history:?}");
    // One sample a minute and every change of status is kept: the stuck stretch shows by its
    // status, and the last sample is the drained group.
    let samples = history.json_lines();
    let statuses: Vec<&str> = samples
        .iter()
        .filter_map(|s| s["status"].as_str())
        .collect();
    assert!(
        statuses.iter().any(|s| *s == "stuck" || *s == "losing"),
        "{samples:#?}"
    );
    let last = samples.last().expect("samples recorded");
    assert!(
        last["time_behind_secs"].as_u64().is_some_and(|s| s <= 30),
        "{samples:#?}"
    );
    assert!(
        !["stuck", "losing", "lost"].contains(&last["status"].as_str().unwrap_or_default()),
        "{samples:#?}"
    );
}
