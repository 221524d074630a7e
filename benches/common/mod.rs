//! Workloads shared by the console benchmarks: a large organisation (hubs of many partitions)
//! and tail events of a fixed payload size, shaped like the demo's CloudEvents.

#![allow(dead_code)] // each bench binary uses its own part

use std::time::Duration;

use ehops::model::{CloudEventAttributes, Hub, Identity, PartitionInfo, TailEvent};
use ehops::tui::app::{App, AppConfig};
use ehops::tui::keymap::Keymap;
use ehops::tui::theme::ThemeCatalog;
use time::OffsetDateTime;

pub const NAMESPACE: &str = "contoso-events";

/// An event whose payload (every text field, property and annotation, plus the body) is
/// exactly `payload` bytes, or its metadata alone when that is larger.
pub fn event(sequence: i64, payload: usize) -> TailEvent {
    let key = format!("order-{}", sequence % 9_973);
    let mut event = TailEvent {
        enqueued_time: OffsetDateTime::UNIX_EPOCH + Duration::from_secs(1_714_564_800),
        partition: (sequence % 32).to_string(),
        sequence,
        offset: (sequence * 512).to_string(),
        cloud_event: CloudEventAttributes {
            id: Some(format!("evt-{sequence:09}")),
            source: Some("/teams/conversions/checkout".into()),
            event_type: Some("com.example.conversions.sale.confirmed".into()),
            subject: Some(key.clone()),
        },
        content_type: Some("application/json".into()),
        properties: vec![("cloudEvents_specversion".into(), "1.0".into())],
        annotations: vec![("x-opt-partition-key".into(), key)],
        body: Vec::new(),
    };
    let body = payload.saturating_sub(event.payload_len());
    event.body = vec![b'x'; body];
    event
}

pub fn hubs(count: usize, partitions: u32) -> Vec<Hub> {
    let teams = ["conversions", "customer", "product", "platform", "finance"];
    (0..count)
        .map(|i| Hub {
            namespace: NAMESPACE.into(),
            name: format!("hub-{i:03}"),
            partition_count: partitions,
            team: Some(teams[i % teams.len()].to_owned()),
            retention: Duration::from_secs(7 * 86_400),
            ingress_per_sec: Some(i as f64 * 1.5),
            dead_letter_for: None,
            consumer_groups: vec!["lake-ingest".into(), "crm-sync".into(), "ehops".into()],
        })
        .collect()
}

pub fn partitions(count: u32, now: OffsetDateTime) -> Vec<PartitionInfo> {
    (0..i64::from(count))
        .map(|i| PartitionInfo {
            id: i.to_string(),
            begin_sequence: 1_000 * i,
            last_sequence: 1_000_000 + 10_000 * i,
            last_offset: (8_589_934_592 + 4_096 * i).to_string(),
            last_enqueued: Some(now - Duration::from_secs(3 + i as u64)),
            is_empty: false,
        })
        .collect()
}

/// The console's app as `ehops` builds it (built-in keymap and themes).
pub fn app(tail_capacity: usize) -> App {
    let (keymap, _) = Keymap::load("default", None);
    let (themes, _) = ThemeCatalog::new(&[], false);
    App::new(AppConfig {
        identity: Identity {
            name: "oncall@customer".into(),
            team: Some("customer".into()),
        },
        namespace: NAMESPACE.into(),
        keymap,
        themes,
        theme: "dark".into(),
        tail_capacity,
        warnings: Vec::new(),
    })
}

/// `load 0.93 1.10 1.20`: other work on the machine, printed beside each figure.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| {
            let fields: Vec<&str> = l.split_whitespace().take(3).collect();
            (fields.len() == 3).then(|| format!("load {}", fields.join(" ")))
        })
        .unwrap_or_else(|| "load unknown".to_owned())
}
