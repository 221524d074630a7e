//! Samples the lag of every consumer group of the hubs the console lists, on an interval, and
//! offers each round to the console as one [`LagBoard`]. The sampler is owned by this task
//! alone (no lock, nothing shared with the console): it keeps the histories in memory and on
//! disk, so a console opened again shows the sparklines of earlier runs.
//!
//! The board goes on a bounded channel with `try_send`: a console that has not taken the
//! last round yet misses this one, and loses nothing, since every board carries the whole
//! history it shows.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::sleep;

use super::Services;
use crate::connect::data_plane::DataPlane;
use crate::model::{GroupBoard, GroupFailure, HubBoard, LagBoard, LagStatus};
use crate::ops::lag_history::HistoryStore;
use crate::ops::lag_sampler::{GroupSample, HubGroups, LagSampler};
use crate::ops::next_event::NextEventJudge;
use crate::protocol::{Reply, RequestId};

/// The running feed; its boards answer the request that started it.
pub struct LagFeed {
    hubs: watch::Sender<Vec<HubGroups>>,
    task: JoinHandle<()>,
}

impl LagFeed {
    /// Samples these hubs from the next round on (at once: the hub list changed).
    pub fn watch(&mut self, hubs: Vec<HubGroups>, services: &Services) {
        // The receiver lives as long as the task; a send error means it ended already.
        let _ = self.hubs.send(application_groups(hubs, services));
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

pub fn start(
    services: &Services,
    request: RequestId,
    hubs: Vec<HubGroups>,
    every: Duration,
    boards: mpsc::Sender<Reply>,
) -> LagFeed {
    let store = services.lag_history.as_deref().map(HistoryStore::new);
    let sampler = LagSampler::new(
        Arc::clone(&services.plane),
        Arc::clone(&services.checkpoints),
        store,
    );
    let (hubs_tx, hubs_rx) = watch::channel(application_groups(hubs, services));
    let judge = NextEventJudge::new(&services.plane);
    let plane = Arc::clone(&services.plane);
    let task = tokio::spawn(run(
        Round {
            sampler,
            judge,
            plane,
        },
        hubs_rx,
        every,
        boards,
        request,
    ));
    LagFeed {
        hubs: hubs_tx,
        task,
    }
}

/// The groups of the hubs but the console's own (it reads with it; no application does).
fn application_groups(mut hubs: Vec<HubGroups>, services: &Services) -> Vec<HubGroups> {
    let own = services.plane.consumer_group();
    for hub in &mut hubs {
        hub.consumer_groups.retain(|g| !g.eq_ignore_ascii_case(own));
    }
    hubs.retain(|h| !h.consumer_groups.is_empty());
    hubs
}

/// What a round uses: the sampler, and the judge of stuck partitions' next events.
struct Round {
    sampler: LagSampler,
    judge: NextEventJudge,
    plane: Arc<DataPlane>,
}

async fn run(
    mut round: Round,
    mut hubs: watch::Receiver<Vec<HubGroups>>,
    every: Duration,
    boards: mpsc::Sender<Reply>,
    request: RequestId,
) {
    loop {
        let wanted = hubs.borrow_and_update().clone();
        if !wanted.is_empty() {
            let samples = round.sampler.round(&wanted).await;
            let mut board = board_of(&mut round.sampler, samples);
            judge_stuck(&mut round, &mut board).await;
            let reply = Reply::LagSampled {
                request,
                board: Arc::new(board),
            };
            if boards.try_send(reply).is_err() && boards.is_closed() {
                return;
            }
        }
        tokio::select! {
            () = sleep(every) => {}
            changed = hubs.changed() => if changed.is_err() { return },
        }
    }
}

/// Reads what each stuck partition's next event is, so the overview can say why it is stuck.
async fn judge_stuck(round: &mut Round, board: &mut LagBoard) {
    for hub in board.hubs.values_mut() {
        for group in &mut hub.groups {
            if group.status() == LagStatus::Stuck {
                group.next_events = round.judge.stuck_partitions(&round.plane, &group.lag).await;
            }
        }
    }
}

/// The round's samples, with each group's sparklines from its history.
fn board_of(sampler: &mut LagSampler, samples: Vec<GroupSample>) -> LagBoard {
    let mut board = LagBoard::default();
    for sample in samples {
        match sample {
            // Listings leave out `$Default` that nobody reads with.
            GroupSample::Lag(lag) if lag.is_unused_default() => {}
            GroupSample::Lag(lag) => {
                board.sampled_at = Some(lag.sampled_at);
                let history = sampler.history(&lag.hub, &lag.consumer_group);
                let hub = board.hubs.entry(lag.hub.clone()).or_default();
                hub.groups.push(GroupBoard::new(lag, history));
            }
            GroupSample::Failed {
                hub,
                consumer_group,
                error,
            } => {
                let entry: &mut HubBoard = board.hubs.entry(hub).or_default();
                entry.failures.push(GroupFailure {
                    consumer_group,
                    message: error.message,
                });
            }
        }
    }
    for hub in board.hubs.values_mut() {
        // Any group's samples see the same arrivals: the first group's are the hub's, earlier
        // runs' included (the history on disk keeps them).
        hub.ingress_trend = hub.groups.first().map_or_else(Vec::new, |g| {
            sampler
                .history(&g.lag.hub, &g.lag.consumer_group)
                .ingress_trend()
        });
    }
    board
}
