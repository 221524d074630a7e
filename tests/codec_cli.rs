//! `ehops decode` as a script runs it: the real binary, fed lines of `ehops tail --json` from
//! the demo organisation (binary-mode Avro, structured JSON and the poison event), and raw
//! bytes in the other framings.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use common::Run;
use serde_json::Value;

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

/// `ehops decode ARGS` with `stdin` on its standard input.
fn decode(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ehops"))
        .arg("decode")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ehops runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("stdin takes the event");
    let output = child.wait_with_output().expect("ehops finishes");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn only_line(run: &Run) -> Value {
    let mut lines = run.json_lines();
    assert_eq!(lines.len(), 1, "{run:?}");
    lines.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decodes_what_the_demo_publishes_and_shows_the_poison_event_raw() {
    let data = tempfile::tempdir().expect("temp dir");
    let (running, connection_string) = common::start_demo(data.path()).await;
    let args = [
        "tail",
        "sale",
        "--partition",
        "1",
        "--from",
        "earliest",
        "--count",
        "400",
        "--timeout",
        "10",
        "--json",
        "--connection-string",
        &connection_string,
        "--catalog",
        &format!("http://{}", running.http),
    ];
    let tail = common::ehops(
        args.iter().map(|a| (*a).to_owned()).collect(),
        &data.path().join("console"),
    )
    .await;
    assert_eq!(tail.code, 0, "{tail:?}");
    let lines: Vec<&str> = tail.stdout.lines().collect();
    assert!(lines.len() > 10, "{tail:?}");

    let dir = schemas_dir();
    let dir = dir.to_str().expect("UTF-8 path");
    let (mut avro, mut structured, mut poison) = (0, 0, 0);
    for line in lines {
        let run = tokio::task::block_in_place(|| decode(&["--schema-dir", dir], line.as_bytes()));
        let out = only_line(&run);
        let tail_line: Value = serde_json::from_str(line).expect("tail line is JSON");
        match out["framing"].as_str() {
            Some("azure_content_type") if run.code == 0 => {
                avro += 1;
                // SaleConfirmed or SalesFileReceived, both published to `sale`.
                let schema = out["schema"].as_str().unwrap_or_default();
                assert!(schema.starts_with("com.example.conversions.Sale"), "{out}");
                assert!(
                    out["data"].as_object().is_some_and(|d| d.len() >= 6),
                    "{out}"
                );
                assert_eq!(
                    out["cloudevent"]["attributes"]["id"],
                    tail_line["cloudevents"]["id"]
                );
                assert_eq!(out["violations"], serde_json::json!([]), "{out}");
            }
            Some("azure_content_type") => {
                poison += 1;
                assert_eq!(run.code, 5, "{run:?}");
                assert_eq!(out["error"]["kind"], "avro", "{out}");
                // The record is cut at a random byte: the data ends, or a length overruns it.
                assert!(
                    out["error"]["reason"]
                        .as_str()
                        .is_some_and(|r| r.contains("does not match schema")),
                    "{out}"
                );
                assert_eq!(out["raw_base64"], tail_line["body_base64"]);
                assert_eq!(out["violations"][0]["rule"], "content_type", "{out}");
            }
            _ => {
                structured += 1;
                assert_eq!(run.code, 0, "{run:?}");
                assert_eq!(out["cloudevent"]["mode"], "structured", "{out}");
                assert!(
                    out["data"].as_object().is_some_and(|d| d.len() >= 6),
                    "{out}"
                );
                assert_eq!(out["violations"][0]["rule"], "schema_registered", "{out}");
            }
        }
    }
    assert_eq!(
        poison, 1,
        "the demo seeds one poison event into sale partition 1"
    );
    assert!(
        avro > 0 && structured > 0,
        "avro {avro}, structured {structured}"
    );
}

fn string(out: &mut Vec<u8>, s: &str) {
    out.push((s.len() * 2) as u8);
    out.extend_from_slice(s.as_bytes());
}

/// A ContactPurchased v1 datum, behind Confluent's magic byte and schema id 7.
fn confluent_contact_purchased() -> Vec<u8> {
    let mut out = vec![0, 0, 0, 0, 7];
    for s in ["c-1", "o-1", "p-1"] {
        string(&mut out, s);
    }
    out.extend_from_slice(&12.5f64.to_le_bytes());
    string(&mut out, "EUR");
    out.push(4);
    out
}

#[test]
fn decodes_raw_bytes_reads_a_newer_version_and_fails_clearly() {
    let dir = schemas_dir();
    let v1 = format!("7={}", dir.join("contact_purchased.avsc").display());
    let v2 = dir.join("contact_purchased.v2.avsc").display().to_string();
    let body = confluent_contact_purchased();

    let run = decode(
        &[
            "--raw",
            "--schema",
            &v1,
            "--reader-schema",
            &v2,
            "--property",
            "cloudEvents_id=x",
        ],
        &body,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let out = only_line(&run);
    assert_eq!(
        (out["framing"].as_str(), out["schema_id"].as_str()),
        (Some("confluent"), Some("7"))
    );
    assert_eq!(out["data"]["amount"], 12.5);
    assert_eq!(
        out["data"]["paymentMethod"], "card",
        "v2's default fills the new field"
    );
    let rules: Vec<&str> = out["violations"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v["rule"].as_str())
        .collect();
    assert!(
        rules.contains(&"cloudevent") && rules.contains(&"content_type"),
        "{out}"
    );

    let unknown = decode(&["--raw"], &body);
    assert_eq!(unknown.code, 5, "{unknown:?}");
    let out = only_line(&unknown);
    assert_eq!(out["error"]["reason"], "schema 7 is not registered");
    assert_eq!(
        out["raw_base64"],
        base64::engine::general_purpose::STANDARD.encode(&body)
    );
    assert!(
        unknown.stderr.contains("schema 7 is not registered"),
        "{unknown:?}"
    );

    let text = decode(&["--content-type", "text/plain"], b"hello");
    assert_eq!(
        (text.code, only_line(&text)["data"].as_str()),
        (0, Some("hello"))
    );

    let not_a_line = decode(&[], b"hello");
    assert_eq!(not_a_line.code, 2, "{not_a_line:?}");
    assert!(
        not_a_line.stderr.contains("--content-type or --raw"),
        "{not_a_line:?}"
    );
    let missing = decode(&["--schema-dir", "/nonexistent-dir", "--raw"], b"");
    assert_eq!(missing.code, 2, "{missing:?}");
}
