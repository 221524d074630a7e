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
use super::kafka_feed::KafkaGroups;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::model::{GroupBoard, GroupFailure, HubBoard, LagBoard, LagStatus};
use crate::ops::kafka_groups::KafkaGroupSnapshot;
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
    let sources = Sources {
        sampler,
        judge: NextEventJudge::new(&services.plane),
        plane: Arc::clone(&services.plane),
        kafka: services.kafka.clone().map(KafkaGroups::new),
        last_kafka: Vec::new(),
    };
    let task = tokio::spawn(run(sources, hubs_rx, every, boards, request));
    LagFeed {
        hubs: hubs_tx,
        task,
    }
}

/// The groups of the hubs but the console's own (it reads with it; no application does).
/// Hubs left without AMQP groups stay: Kafka groups may read them.
fn application_groups(mut hubs: Vec<HubGroups>, services: &Services) -> Vec<HubGroups> {
    let own = services.plane.consumer_group();
    for hub in &mut hubs {
        hub.consumer_groups.retain(|g| !g.eq_ignore_ascii_case(own));
    }
    hubs
}

/// What a round reads from, owned by the feed's task.
struct Sources {
    sampler: LagSampler,
    /// Reads what each stuck partition's next event is, so the overview can say why.
    judge: NextEventJudge,
    plane: Arc<DataPlane>,
    kafka: Option<KafkaGroups>,
    /// The Kafka groups of the last round that read them, shown again (with the failure)
    /// when a round cannot: a slow round does not make them vanish from the console.
    last_kafka: Vec<GroupBoard>,
}

impl Sources {
    /// The AMQP groups of `hubs`, then their Kafka groups when there is an endpoint.
    async fn round(&mut self, hubs: &[HubGroups]) -> (Vec<GroupSample>, KafkaRound) {
        let amqp: Vec<HubGroups> = (hubs.iter())
            .filter(|h| !h.consumer_groups.is_empty())
            .cloned()
            .collect();
        let samples = self.sampler.round(&amqp).await;
        let kafka = match &mut self.kafka {
            Some(kafka) => Some(kafka.round(&self.plane, hubs).await),
            None => None,
        };
        (samples, kafka)
    }
}

/// The Kafka groups a round read, or why it could not; `None` without an endpoint.
type KafkaRound = Option<Result<Vec<KafkaGroupSnapshot>, ConnectError>>;

async fn run(
    mut sources: Sources,
    mut hubs: watch::Receiver<Vec<HubGroups>>,
    every: Duration,
    boards: mpsc::Sender<Reply>,
    request: RequestId,
) {
    loop {
        let wanted = hubs.borrow_and_update().clone();
        if !wanted.is_empty() {
            let (samples, kafka) = sources.round(&wanted).await;
            let mut board = board_of(&mut sources.sampler, samples);
            sources.add_kafka_groups(&mut board, kafka);
            sources.judge_stuck(&mut board).await;
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

impl Sources {
    /// Reads what each stuck AMQP partition's next event is (a Kafka group's offsets are not
    /// checkpoints the judge reads from).
    async fn judge_stuck(&mut self, board: &mut LagBoard) {
        for hub in board.hubs.values_mut() {
            for group in &mut hub.groups {
                if group.kafka.is_none() && group.status() == LagStatus::Stuck {
                    group.next_events = self.judge.stuck_partitions(&self.plane, &group.lag).await;
                }
            }
        }
    }

    /// The round's Kafka groups on the board, each with its history (kept apart from AMQP
    /// groups of the same name), after the AMQP groups of their hub; the last ones read, with
    /// the failure, when the round could not read them.
    fn add_kafka_groups(&mut self, board: &mut LagBoard, kafka: KafkaRound) {
        match kafka {
            None => return,
            Some(Err(error)) => board.kafka_failure = Some(error.message),
            Some(Ok(found)) => {
                self.last_kafka.clear();
                for KafkaGroupSnapshot { group, hubs } in found {
                    let history_name = group.history_name();
                    for (snapshot, policy) in hubs {
                        let lag = self.sampler.derive_as(&snapshot, policy, &history_name);
                        let history = self.sampler.history(&snapshot.hub, &history_name);
                        let kafka_board = GroupBoard::new(lag, history).with_kafka(group.clone());
                        self.last_kafka.push(kafka_board);
                    }
                }
            }
        }
        for kafka_board in &self.last_kafka {
            board.sampled_at.get_or_insert(kafka_board.lag.sampled_at);
            let hub = board.hubs.entry(kafka_board.lag.hub.clone()).or_default();
            hub.groups.push(kafka_board.clone());
        }
    }
}
