use std::path::Path;
use std::time::Duration;

use super::*;

fn parse(capture: &str) -> Result<EmulatorConfig, ConfigError> {
    let text = format!(
        "[[namespace]]\nname = \"ns\"\n[[namespace.hub]]\nname = \"orders\"\n[[namespace.hub]]\nname = \"files\"\n[namespace.hub.capture]\n{capture}\n"
    );
    EmulatorConfig::parse(&text, Path::new("capture.toml"))
}

fn error(capture: &str) -> String {
    parse(capture).expect_err("refused").to_string()
}

#[test]
fn every_key_is_read_and_defaults_are_azures() {
    let config = parse("").expect("valid");
    let capture = config.namespaces[0].hubs[1]
        .capture
        .clone()
        .expect("capture");
    assert!(capture.enabled);
    assert_eq!(capture.encoding, CaptureEncoding::Avro);
    assert_eq!(capture.interval, Duration::from_secs(300));
    assert_eq!(capture.window, capture.interval);
    assert_eq!(capture.size_limit_bytes, 314_572_800);
    assert_eq!(
        capture.archive_name_format,
        capture::DEFAULT_ARCHIVE_NAME_FORMAT
    );
    assert_eq!(capture.container, "capture");
    assert_eq!(capture.destination, CaptureDestination::Directory(None));

    let config = parse(
        "enabled = false\nencoding = \"AvroDeflate\"\ninterval_seconds = 60\nwindow = \"2s\"\nsize_limit_bytes = 10485760\nskip_empty_archives = true\ncontainer = \"lake-raw\"\narchive_name_format = \"{EventHub}/{Namespace}/{PartitionId}/{Year}{Month}{Day}/{Hour}{Minute}{Second}\"\ndirectory = \"/srv/capture\"\nnotify_hub = \"orders\"",
    )
    .expect("valid");
    let capture = config.namespaces[0].hubs[1]
        .capture
        .clone()
        .expect("capture");
    assert!(!capture.enabled && capture.skip_empty_archives);
    assert_eq!(capture.encoding, CaptureEncoding::AvroDeflate);
    assert_eq!(capture.window, Duration::from_secs(2));
    assert_eq!(capture.notify_hub.as_deref(), Some("orders"));
}

#[test]
fn a_bad_key_names_the_file_the_line_and_the_field() {
    assert_eq!(
        error("encoding = \"Parquet\""),
        "capture.toml:8: capture encoding \"Parquet\" is not one of Avro, AvroDeflate"
    );
    assert!(
        error("\ninterval_seconds = 30").starts_with("capture.toml:9: capture interval_seconds 30")
    );
    assert!(error("size_limit_bytes = 5").contains("size_limit_bytes 5 is out of range"));
    assert!(error("window = \"20m\"").contains("capture window"));
    assert!(error("container = \"Bad_Name\"").contains("capture container"));
    let missing = error(
        "archive_name_format = \"{Namespace}/{EventHub}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}\"",
    );
    assert!(missing.contains("lacks {PartitionId}"), "{missing}");
    let unknown = error(
        "archive_name_format = \"{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}/{Week}\"",
    );
    assert!(unknown.contains("token {Week}"), "{unknown}");
    assert!(error("notify_hub = \"nowhere\"").contains("notify_hub \"nowhere\""));
    assert!(error("intervall = 60").starts_with("capture.toml:8: unknown field `intervall`"));
}
