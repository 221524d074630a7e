//! Fixed sample data for tests: the demo organisation at one instant, no real clock.

use std::time::Duration;

use time::OffsetDateTime;

use super::app::{App, AppConfig};
use super::keymap::Keymap;
use super::theme::ThemeCatalog;
use crate::model::{
    Checkpoint, CloudEventAttributes, Hub, Identity, LagSnapshot, Ownership, PartitionInfo,
    PartitionLagSample, TailEvent,
};

/// 2024-05-01T12:00:00Z, the "now" of every snapshot.
pub fn now() -> OffsetDateTime {
    at(0)
}

pub fn at(seconds_from_now: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_714_564_800 + seconds_from_now)
        .expect("sample timestamps are in range")
}

fn hub(name: &str, team: &str, partitions: u32, rate: f64, groups: &[&str]) -> Hub {
    Hub {
        namespace: "contoso-events".into(),
        name: name.into(),
        partition_count: partitions,
        team: Some(team.into()),
        retention: Duration::from_secs(7 * 86_400),
        ingress_per_sec: Some(rate),
        dead_letter_for: None,
        consumer_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    }
}

pub fn hubs() -> Vec<Hub> {
    vec![
        hub("sale", "conversions", 4, 12.5, &["crm-sync", "lake-ingest"]),
        hub(
            "lead",
            "conversions",
            4,
            3.0,
            &["lead-scoring", "lake-ingest"],
        ),
        hub("account", "customer", 2, 0.4, &["lake-ingest"]),
        hub(
            "contact",
            "customer",
            4,
            22.0,
            &["lead-scoring", "lake-ingest"],
        ),
        hub("product", "product", 2, 0.1, &["lake-ingest"]),
        hub("audit", "platform", 1, 1.2, &[]),
        hub("dead-letter-sale", "platform", 1, 0.0, &["lake-ingest"]),
    ]
}

pub fn partitions(grown: i64) -> Vec<PartitionInfo> {
    (0..4)
        .map(|i| PartitionInfo {
            id: i.to_string(),
            begin_sequence: 100 * i,
            last_sequence: 10_000 + 1_000 * i + grown * (i + 1),
            last_offset: format!("{}", 8_589_934_592 + 4_096 * i),
            last_enqueued: Some(at(-3 - 40 * i)),
            is_empty: false,
        })
        .collect()
}

pub fn lag_snapshot(seconds: i64, behind_growth: i64) -> LagSnapshot {
    let sample = |p: i64, last: i64, checkpoint: i64, age: i64| PartitionLagSample {
        partition: p.to_string(),
        begin_sequence: if p == 3 { 9_000 } else { 0 },
        last_enqueued_sequence: last,
        last_enqueued_time: Some(at(seconds - 1)),
        next_unprocessed_time: Some(at(seconds - (last - checkpoint))),
        checkpoint: Some(Checkpoint {
            sequence: checkpoint,
            offset: format!("{}", checkpoint * 512),
            updated_at: at(seconds - age),
        }),
        ownership: Some(Ownership {
            owner_id: format!("crm-sync-{}", p % 2),
            renewed_at: at(seconds - 4),
        }),
    };
    LagSnapshot {
        hub: "sale".into(),
        consumer_group: "crm-sync".into(),
        sampled_at: at(seconds),
        partitions: vec![
            sample(0, 10_000, 9_998, 2),
            sample(1, 11_000 + behind_growth, 10_412, 1_800),
            sample(2, 12_000, 12_000, 5),
            sample(3, 13_000, 8_000, 900_000),
        ],
    }
}

pub fn event(sequence: i64) -> TailEvent {
    TailEvent {
        enqueued_time: at(-60 + sequence % 60),
        partition: (sequence % 4).to_string(),
        sequence,
        offset: (sequence * 512).to_string(),
        cloud_event: CloudEventAttributes {
            id: Some(format!("0c6f-{sequence:05}")),
            source: Some("/teams/conversions/sales".into()),
            event_type: Some("com.example.conversions.sale.confirmed".into()),
            subject: Some(format!("sale-{}", 4_000 + sequence % 9)),
        },
        content_type: Some("application/json".into()),
        // As received: the attributes above come from these properties.
        properties: vec![
            ("cloudEvents_specversion".into(), "1.0".into()),
            ("cloudEvents_id".into(), format!("0c6f-{sequence:05}")),
            ("cloudEvents_source".into(), "/teams/conversions/sales".into()),
            (
                "cloudEvents_type".into(),
                "com.example.conversions.sale.confirmed".into(),
            ),
            ("cloudEvents_subject".into(), format!("sale-{}", 4_000 + sequence % 9)),
            ("cloudEvents_time".into(), "2024-05-01T11:59:00Z".into()),
        ],
        annotations: vec![
            ("x-opt-partition-key".into(), format!("sale-{}", 4_000 + sequence % 9)),
            ("x-opt-sequence-number".into(), sequence.to_string()),
        ],
        body: format!(r#"{{"saleId":"sale-{}","amount":{}.5,"currency":"EUR","confirmed":true,"lines":[{{"sku":"P-1","qty":2}}]}}"#, 4_000 + sequence % 9, sequence * 3).into_bytes(),
    }
}

pub fn config() -> AppConfig {
    let (themes, _) = ThemeCatalog::new(&[], false);
    AppConfig {
        identity: Identity {
            name: "oncall@customer".into(),
            team: Some("customer".into()),
        },
        namespace: "contoso-events".into(),
        keymap: Keymap::builtin(),
        themes,
        theme: "dark".into(),
        tail_capacity: 1_000,
        warnings: Vec::new(),
    }
}

/// An app with hubs loaded, as after start-up.
pub fn app_with_hubs() -> App {
    use super::action::Action;
    use crate::protocol::{ReadRequest, Reply, Request};
    let mut app = App::new(config());
    let commands = app.start();
    let Some(Request::Read(ReadRequest::ListHubs { request, .. })) = commands.first() else {
        panic!("start lists hubs, got {commands:?}");
    };
    app.update(Action::Reply(Reply::HubsLoaded {
        request: *request,
        namespace: "contoso-events".into(),
        hubs: hubs(),
    }));
    // The console opens on the overview; these samples are about the hub list.
    let commands = app.update(Action::ShowHubs);
    let Some(Request::Read(ReadRequest::ListHubs { request, .. })) = commands.last() else {
        panic!("the hub list is asked for, got {commands:?}");
    };
    app.update(Action::Reply(Reply::HubsLoaded {
        request: *request,
        namespace: "contoso-events".into(),
        hubs: hubs(),
    }));
    app
}

/// What `app` draws in a `width` x `height` terminal, at [`now`].
pub fn screen(app: &App, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).expect("test backend");
    terminal
        .draw(|frame| {
            super::views::render(frame, app, now());
        })
        .expect("draw");
    terminal.backend().to_string()
}
