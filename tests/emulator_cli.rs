//! `ehops emulator` as a user runs it: errors a person can act on, the health endpoint, and
//! Microsoft's emulator Config.json with its well-known development key.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::sdk_producer::SdkProducer;
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::sas_credential::SasCredential;

fn emulator(args: &[&str], data: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ehops"))
        .arg("emulator")
        // Kafka's default port would collide between parallel tests; a free one unless a
        // test names its own (clap takes the last).
        .args(["--kafka", "127.0.0.1:0"])
        .args(args)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ehops starts")
}

fn finish(child: std::process::Child) -> (i32, String) {
    let output = child.wait_with_output().expect("exits");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_port_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let data = tempfile::tempdir().expect("temp dir");
    let amqp = format!("127.0.0.1:{port}");
    let (code, stderr) = finish(emulator(
        &["--amqp", &amqp, "--http", "127.0.0.1:0"],
        data.path(),
    ));
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("AMQP address 127.0.0.1:{port} is already in use")),
        "{stderr}"
    );
    assert!(stderr.contains("--amqp"), "says how to fix it: {stderr}");
}

#[test]
fn a_bad_config_line_names_file_line_and_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("broken.toml");
    std::fs::write(
        &config,
        "[[namespace]]\nname = \"ns\"\n\n[[namespace.hub]]\nname = \"orders\"\npartitions = 64\n",
    )
    .expect("write");
    let config = config.to_string_lossy().into_owned();
    let (code, stderr) = finish(emulator(
        &[
            "--config",
            &config,
            "--amqp",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
        ],
        dir.path(),
    ));
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "{config}:6: partition count 64 is out of range 1..=32"
        )),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsoft_config_json_health_and_development_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("Config.json");
    std::fs::write(
        &config,
        r#"{"UserConfig":{"NamespaceConfig":[{"Type":"EventHub","Name":"emulatorNs1",
            "Entities":[{"Name":"eh1","PartitionCount":"2","ConsumerGroups":[{"Name":"cg1"}]}]}],
            "LoggingConfig":{"Type":"File"}}}"#,
    )
    .expect("write");
    let config = config.to_string_lossy().into_owned();
    let mut child = emulator(
        &[
            "--config",
            &config,
            "--amqp",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
            "--json",
        ],
        dir.path(),
    );
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready line");
    let ready: serde_json::Value = serde_json::from_str(&line).expect("ready JSON");

    // GET /health as Microsoft's emulator answers it.
    let http = ready["http"].as_str().expect("http address").to_string();
    let mut stream = TcpStream::connect(&http).expect("connect");
    write!(
        stream,
        "GET /health HTTP/1.1\r\nHost: {http}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#""status":"healthy""#), "{response}");

    // The connection string users already have works as is.
    let cs_text = ready["namespaces"][0]["rules"][0]["connection_string"]
        .as_str()
        .expect("cs");
    assert!(
        cs_text.contains("SharedAccessKey=SAS_KEY_VALUE"),
        "{cs_text}"
    );
    let cs = ConnectionString::parse(cs_text).expect("valid");
    let producer = SdkProducer::open(
        cs.custom_endpoint().expect("emulator endpoint"),
        "emulatorNs1".into(),
        "eh1".into(),
        std::sync::Arc::new(SasCredential::from_connection_string(&cs)),
    )
    .await
    .expect("producer");
    let properties = producer
        .call(|p| async move { p.get_eventhub_properties().await })
        .await
        .expect("properties");
    assert_eq!(
        properties.partition_ids,
        vec!["0".to_string(), "1".to_string()]
    );
    let _ = child.kill();
    let _ = child.wait();
}

const TWO_NAMESPACES: &str = r#"
[[namespace]]
name = "alpha"
[[namespace.rule]]
name = "root"
key = "alpha-key"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "orders"
partitions = 2

[[namespace]]
name = "beta"
[[namespace.rule]]
name = "root"
key = "beta-key"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "orders"
partitions = 3

[[namespace]]
name = "gamma"
listen = "127.0.0.1:0"
[[namespace.rule]]
name = "root"
key = "gamma-key"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "orders"
partitions = 5
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_namespaces_by_host_name_or_own_port() {
    let emu = common::start(TWO_NAMESPACES).await;
    let namespaces = &emu.running.namespaces;
    assert_eq!(
        namespaces[0].amqp, namespaces[1].amqp,
        "alpha and beta share the main port"
    );
    assert_ne!(namespaces[2].amqp, namespaces[0].amqp, "gamma has its own");
    for (index, expected_partitions) in [(0, 2), (1, 3), (2, 5)] {
        let namespace = &namespaces[index];
        let cs = ConnectionString::parse(&namespace.rules[0].connection_string).expect("valid");
        // The Rust SDK names the namespace in every address it opens; that picks it.
        let producer = SdkProducer::open(
            namespace.custom_endpoint.clone(),
            namespace.name.clone(),
            "orders".into(),
            std::sync::Arc::new(SasCredential::from_connection_string(&cs)),
        )
        .await
        .expect("producer");
        let properties = producer
            .call(|p| async move { p.get_eventhub_properties().await })
            .await
            .expect("properties");
        assert_eq!(
            properties.partition_ids.len(),
            expected_partitions,
            "namespace {}",
            namespace.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_emulators_cannot_share_a_data_directory() {
    let first = common::start(common::CONFORMANCE).await;
    let (code, stderr) = finish(emulator(
        &["--amqp", "127.0.0.1:0", "--http", "127.0.0.1:0"],
        first.data.path(),
    ));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("another emulator is using the data directory"),
        "{stderr}"
    );
    drop(first);
}

/// A client that keeps its HTTP connection alive is not answered by a stopped emulator: the
/// connection is closed when the emulator is dropped (once it was served on by a task of its
/// own, answering a 404 after the emulator was gone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_emulator_closes_the_http_connections_kept_alive() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = common::start(common::CONFORMANCE).await;
    let mut kept = tokio::net::TcpStream::connect(emu.running.http)
        .await
        .expect("connects");
    let request = b"GET /health HTTP/1.1\r\nhost: emulator\r\nconnection: keep-alive\r\n\r\n";
    kept.write_all(request).await.expect("request sent");
    let mut answer = vec![0; 4096];
    let read = kept.read(&mut answer).await.expect("answered");
    let head = String::from_utf8_lossy(&answer[..read]).into_owned();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("healthy"), "{head}");

    drop(emu);
    // The idle connection ends by itself: nothing but the end of the stream. (A request
    // written while the emulator stops may still get its answer, as graceful shutdown
    // promises; so the stream is read to its end before asking again.)
    let closed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut rest = Vec::new();
        let _ = kept.read_to_end(&mut rest).await;
        rest
    })
    .await
    .expect("the connection is closed, not left open");
    assert!(
        closed.is_empty(),
        "sent after the emulator stopped: {}",
        String::from_utf8_lossy(&closed)
    );
    // Asked again on the same connection: no answer.
    let _ = kept.write_all(request).await;
    let mut after = vec![0; 4096];
    let read = kept.read(&mut after).await.unwrap_or(0);
    assert_eq!(
        read,
        0,
        "answered after the emulator stopped: {}",
        String::from_utf8_lossy(&after[..read])
    );
}
