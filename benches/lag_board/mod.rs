//! The overview's workload: every hub with 5 consumer groups of 32 partitions, each group
//! with a full sparkline of history (36 samples 10 s apart), one behind and one stuck group
//! per hub, as one sampling round delivers it.

use std::sync::Arc;
use std::time::Duration;

use ehops::model::{
    Checkpoint, ConsumerGroupLag, GroupBoard, GroupHistory, HubBoard, LagBoard, LagPolicy,
    LagSnapshot, Ownership, PARTITION_TREND_POINTS, PartitionLagSample,
};
use ehops::protocol::{Reply, Request};
use ehops::tui::action::Action;
use ehops::tui::app::App;
use time::OffsetDateTime;

const GROUPS: [&str; 5] = [
    "lake-ingest",
    "crm-sync",
    "ehops",
    "billing",
    "search-index",
];

fn snapshot(
    hub: &str,
    group: usize,
    partitions: u32,
    at: OffsetDateTime,
    step: i64,
) -> LagSnapshot {
    let partitions = (0..i64::from(partitions))
        .map(|p| {
            let last = 1_000_000 + 10_000 * p + step * 50;
            // Group 1 stands still (stuck), group 3 falls behind, the others keep up.
            let processed = match group {
                1 => 1_000_000 + 10_000 * p,
                3 => last - 400 - step * 10,
                _ => last - 2,
            };
            PartitionLagSample {
                partition: p.to_string(),
                begin_sequence: 0,
                last_enqueued_sequence: last,
                last_enqueued_time: Some(at - Duration::from_secs(1)),
                next_unprocessed_time: Some(
                    at - Duration::from_secs(((last - processed) / 5) as u64),
                ),
                checkpoint: Some(Checkpoint {
                    sequence: processed,
                    offset: (processed * 512).to_string(),
                    updated_at: if group == 1 {
                        at - Duration::from_secs(600)
                    } else {
                        at
                    },
                }),
                ownership: Some(Ownership {
                    owner_id: format!("{}-{p}", GROUPS[group]),
                    renewed_at: at,
                }),
            }
        })
        .collect();
    LagSnapshot {
        hub: hub.to_owned(),
        consumer_group: GROUPS[group].to_owned(),
        sampled_at: at,
        partitions,
    }
}

fn group_board(hub: &str, group: usize, partitions: u32, now: OffsetDateTime) -> GroupBoard {
    let policy = LagPolicy {
        retention: Duration::from_secs(7 * 86_400),
        stuck_after: Duration::from_secs(300),
    };
    let mut history = GroupHistory::default();
    let mut lag: Option<ConsumerGroupLag> = None;
    let samples = PARTITION_TREND_POINTS as i64;
    for step in 0..samples {
        let at = now - Duration::from_secs(((samples - 1 - step) * 10) as u64);
        let next = ConsumerGroupLag::compute_with_history(
            &snapshot(hub, group, partitions, at, step),
            Some(&history),
            policy,
        );
        history.record(&next);
        lag = Some(next);
    }
    GroupBoard::new(lag.expect("samples taken"), &history)
}

/// The overview app with every listed hub given 5 sampled groups (the hubs' own group list
/// becomes those 5).
pub fn overview_with_history(mut app: App, now: OffsetDateTime) -> App {
    for hub in &mut app.hubs {
        hub.consumer_groups = GROUPS.iter().map(|g| (*g).to_owned()).collect();
    }
    let mut board = LagBoard {
        sampled_at: Some(now),
        ..LagBoard::default()
    };
    for hub in &app.hubs {
        let groups = (0..GROUPS.len())
            .map(|g| group_board(&hub.name, g, hub.partition_count, now))
            .collect();
        let ingress_trend = (0..36).map(|i| 40 + (i * 7) % 23).collect();
        let entry = HubBoard {
            groups,
            failures: Vec::new(),
            ingress_trend,
        };
        board
            .hubs
            .insert((hub.namespace.clone(), hub.name.clone()), entry);
    }
    // The round answers the feed the hub listing started.
    let request = app
        .update(Action::Refresh)
        .into_iter()
        .find_map(|r| match r {
            Request::Read(ehops::protocol::ReadRequest::ListHubs { request, .. }) => Some(request),
            _ => None,
        })
        .expect("refresh lists hubs");
    let hubs = app.hubs.clone();
    let commands = app.update(Action::Reply(Reply::HubsLoaded {
        request,
        namespace: crate::common::NAMESPACE.into(),
        hubs,
    }));
    let request = commands
        .iter()
        .find_map(|r| match r {
            Request::WatchLag { request, .. } => Some(*request),
            _ => None,
        })
        .expect("listed hubs are sampled");
    app.update(Action::Reply(Reply::LagSampled {
        request,
        board: Arc::new(board),
    }));
    app
}
