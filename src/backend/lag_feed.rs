//! Samples the lag of every consumer group of the hubs the console lists, in every namespace it
//! lists, on an interval, and offers each round to the console as one [`LagBoard`]. The
//! samplers (one per namespace, each through that namespace's plane) are owned by this task
//! alone (nothing shared with the console): they keep the histories in memory and on disk, so
//! a console opened again shows the sparklines of earlier runs.
//!
//! The board goes on a bounded channel with `try_send`: a console that has not taken the
//! last round yet misses this one, and loses nothing, since every board carries the whole
//! history it shows.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::sleep;

use super::Services;
use super::kafka_feed::KafkaGroups;
use super::namespace_planes::NamespacePlanes;
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
    planes: Arc<NamespacePlanes>,
    request: RequestId,
    hubs: Vec<HubGroups>,
    every: Duration,
    boards: mpsc::Sender<Reply>,
) -> LagFeed {
    let (hubs_tx, hubs_rx) = watch::channel(application_groups(hubs, services));
    let sources = Sources {
        planes,
        checkpoints: Arc::clone(&services.checkpoints),
        history_dir: services.lag_history.clone(),
        namespaces: BTreeMap::new(),
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

/// Namespaces sampled at once. Each namespace is a service of its own, sampled at most
/// [`crate::ops::lag_sampler::DEFAULT_CONCURRENCY`] hubs at a time, so a round has at most
/// this many times that in flight, however many namespaces are listed.
const NAMESPACES_AT_ONCE: usize = 4;

/// One namespace's sampling: its histories and what its stuck partitions' next events are.
struct NamespaceSampler {
    sampler: LagSampler,
    judge: NextEventJudge,
    plane: Arc<DataPlane>,
}

/// What a round reads from, owned by the feed's task.
struct Sources {
    planes: Arc<NamespacePlanes>,
    checkpoints: Arc<dyn crate::connect::checkpoints::CheckpointStore>,
    history_dir: Option<std::path::PathBuf>,
    /// Made the first time a namespace's hubs are sampled.
    namespaces: BTreeMap<String, NamespaceSampler>,
    /// The home namespace's Kafka endpoint (other namespaces are read over AMQP only).
    kafka: Option<KafkaGroups>,
    /// The Kafka groups of the last round that read them, shown again (with the failure)
    /// when a round cannot: a slow round does not make them vanish from the console.
    last_kafka: Vec<GroupBoard>,
}

impl Sources {
    /// The sampler of `namespace`, made on first use; `None` while no listing taught where
    /// the namespace is.
    fn sampler_of(&mut self, namespace: &str) -> Option<&mut NamespaceSampler> {
        if !self.namespaces.contains_key(namespace) {
            let plane = self.planes.get(namespace)?;
            let store = self.history_dir.as_deref().map(HistoryStore::new);
            let sampler = LagSampler::new(Arc::clone(&plane), Arc::clone(&self.checkpoints), store);
            let judge = NextEventJudge::new(&plane);
            let made = NamespaceSampler {
                sampler,
                judge,
                plane,
            };
            self.namespaces.insert(namespace.to_owned(), made);
        }
        self.namespaces.get_mut(namespace)
    }

    /// One round over every namespace's hubs: the AMQP groups (a few namespaces at once),
    /// the home namespace's Kafka groups, then what each stuck partition's next event is.
    async fn board(&mut self, hubs: &[HubGroups]) -> LagBoard {
        let mut by_namespace: BTreeMap<String, Vec<HubGroups>> = BTreeMap::new();
        for hub in hubs.iter().filter(|h| !h.consumer_groups.is_empty()) {
            by_namespace
                .entry(hub.namespace.clone())
                .or_default()
                .push(hub.clone());
        }
        let mut board = LagBoard::default();
        let mut unknown = Vec::new();
        for namespace in by_namespace.keys() {
            if self.sampler_of(namespace).is_none() {
                unknown.push(namespace.clone());
            }
        }
        for namespace in &unknown {
            for hub in by_namespace.remove(namespace).unwrap_or_default() {
                let entry = board.hubs.entry((namespace.clone(), hub.hub)).or_default();
                entry
                    .failures
                    .extend(hub.consumer_groups.into_iter().map(|g| GroupFailure {
                        consumer_group: g,
                        message: format!("namespace {namespace} has no endpoint the catalog gives"),
                    }));
            }
        }
        let mut rounds = Vec::new();
        for (name, ns) in &mut self.namespaces {
            if let Some(hubs) = by_namespace.remove(name) {
                rounds.push(sample_namespace(name, ns, hubs));
            }
        }
        let done: Vec<_> = futures_util::stream::iter(rounds)
            .buffer_unordered(NAMESPACES_AT_ONCE)
            .collect()
            .await;
        for (namespace, ns, samples) in done {
            add_samples(&mut board, namespace, &mut ns.sampler, samples);
        }
        let home = self.planes.home().connection().namespace.clone();
        if self.kafka.is_some() {
            let home_hubs: Vec<HubGroups> = (hubs.iter())
                .filter(|h| h.namespace == home)
                .cloned()
                .collect();
            let plane = Arc::clone(self.planes.home());
            let kafka = match &mut self.kafka {
                Some(kafka) => Some(kafka.round(&plane, &home_hubs).await),
                None => None,
            };
            self.add_kafka_groups(&mut board, &home, kafka);
        }
        self.judge_stuck(&mut board).await;
        board
    }
}

/// One namespace's round (a named function, not a closure: the futures borrow the samplers
/// for the round, which a spawned task's closures cannot promise for every lifetime).
async fn sample_namespace<'a>(
    name: &'a str,
    ns: &'a mut NamespaceSampler,
    hubs: Vec<HubGroups>,
) -> (&'a str, &'a mut NamespaceSampler, Vec<GroupSample>) {
    let samples = ns.sampler.round(&hubs).await;
    (name, ns, samples)
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
            let board = sources.board(&wanted).await;
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

/// One namespace's samples on the board, each group with its sparklines from its history.
fn add_samples(
    board: &mut LagBoard,
    namespace: &str,
    sampler: &mut LagSampler,
    samples: Vec<GroupSample>,
) {
    let key = |hub: &str| (namespace.to_owned(), hub.to_owned());
    let mut sampled = std::collections::BTreeSet::new();
    for sample in samples {
        match sample {
            // Listings leave out `$Default` that nobody reads with.
            GroupSample::Lag(lag) if lag.is_unused_default() => {}
            GroupSample::Lag(lag) => {
                board.sampled_at = Some(lag.sampled_at);
                let hub_key = key(&lag.hub);
                let history = sampler.history(&lag.hub, &lag.consumer_group);
                let hub = board.hubs.entry(hub_key.clone()).or_default();
                hub.groups.push(GroupBoard::new(lag, history));
                sampled.insert(hub_key);
            }
            GroupSample::Failed {
                hub,
                consumer_group,
                error,
            } => {
                let entry: &mut HubBoard = board.hubs.entry(key(&hub)).or_default();
                entry.failures.push(GroupFailure {
                    consumer_group,
                    message: error.message,
                });
            }
        }
    }
    for hub_key in sampled {
        let Some(hub) = board.hubs.get_mut(&hub_key) else {
            continue;
        };
        // Any group's samples see the same arrivals: the first group's are the hub's, earlier
        // runs' included (the history on disk keeps them).
        hub.ingress_trend = hub.groups.first().map_or_else(Vec::new, |g| {
            sampler
                .history(&g.lag.hub, &g.lag.consumer_group)
                .ingress_trend()
        });
    }
}

impl Sources {
    /// Reads what each stuck AMQP partition's next event is, through its namespace's plane (a
    /// Kafka group's offsets are not checkpoints the judge reads from).
    async fn judge_stuck(&mut self, board: &mut LagBoard) {
        for ((namespace, _), hub) in &mut board.hubs {
            let Some(ns) = self.namespaces.get_mut(namespace) else {
                continue;
            };
            for group in &mut hub.groups {
                if group.kafka.is_none() && group.status() == LagStatus::Stuck {
                    group.next_events = ns.judge.stuck_partitions(&ns.plane, &group.lag).await;
                }
            }
        }
    }

    /// The round's Kafka groups on the board, each with its history (kept apart from AMQP
    /// groups of the same name), after the AMQP groups of their hub; the last ones read, with
    /// the failure, when the round could not read them.
    fn add_kafka_groups(&mut self, board: &mut LagBoard, home: &str, kafka: KafkaRound) {
        match kafka {
            None => return,
            Some(Err(error)) => board.kafka_failure = Some(error.message),
            Some(Ok(found)) => {
                let Some(ns) = self.sampler_of(home) else {
                    return;
                };
                let mut read = Vec::new();
                for KafkaGroupSnapshot { group, hubs } in found {
                    let history_name = group.history_name();
                    for (snapshot, policy) in hubs {
                        let lag = ns.sampler.derive_as(&snapshot, policy, &history_name);
                        let history = ns.sampler.history(&snapshot.hub, &history_name);
                        read.push(GroupBoard::new(lag, history).with_kafka(group.clone()));
                    }
                }
                self.last_kafka = read;
            }
        }
        for kafka_board in &self.last_kafka {
            board.sampled_at.get_or_insert(kafka_board.lag.sampled_at);
            let key = (home.to_owned(), kafka_board.lag.hub.clone());
            board
                .hubs
                .entry(key)
                .or_default()
                .groups
                .push(kafka_board.clone());
        }
    }
}
