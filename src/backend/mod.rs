//! The console's backend: receives [`Request`]s from the console, runs them with `connect`
//! and `ops`, and answers with [`Reply`]s carrying the request's id. It shares no state with
//! the console and imports nothing of it: both speak [`crate::protocol`].
//!
//! - one short job per request (`jobs`), so a slow catalog never delays a tail;
//! - the pane on screen (partitions or lag) is refreshed periodically (`refresh`), never
//!   twice at once, backing off while it fails;
//! - one live tail at a time (`tail_feed`), cancelled by `StopTail` or a new `StartTail`.

mod capture_reads;
mod context;
mod identity_switch;
mod incidents;
mod jobs;
mod kafka_feed;
mod lag_feed;
mod namespace_planes;
mod refresh;
mod search_feed;
mod tail_feed;
mod tail_link;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, MissedTickBehavior, interval};

use crate::connect::Connection;
use crate::connect::checkpoints::CheckpointStore;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::{ConnectError, Failure};
use crate::ops::audited::Trail;
use crate::protocol::{BackendEnd, ConnectionState, ReadRequest, Reply, Request, RequestId};
pub use capture_reads::{CaptureAccess, CaptureSetting};
pub use context::{ContextConnection, ContextSwitch, ContextTarget};
use namespace_planes::NamespacePlanes;
use refresh::Watch;
use tail_feed::RunningTail;
use tail_link::TailLink;

/// How long the backend, told to stop, waits for incident actions under way to finish (and
/// be audited) before it lets them go.
const INCIDENT_GRACE: Duration = Duration::from_secs(10);

/// Signs in as another team: the connection for a team name. Only the embedded demo, whose
/// launcher holds every team's rule, offers it.
pub type SignIn = Arc<dyn Fn(&str) -> Result<Connection, ConnectError> + Send + Sync>;

/// What the backend works with.
#[derive(Clone)]
pub struct Services {
    pub plane: Arc<DataPlane>,
    pub checkpoints: Arc<dyn CheckpointStore>,
    pub sign_in: Option<SignIn>,
    /// Connects to a named context (`:ctx NAME`); absent where the console has no config.
    pub switch_context: Option<ContextSwitch>,
    /// Where incident actions are audited, and as whom; the actor follows team and
    /// context switches.
    pub trail: Trail,
    /// The data directory whose `lag-history/` keeps sampled lag between runs; none keeps
    /// it in memory only.
    pub lag_history: Option<std::path::PathBuf>,
    /// The namespace's Kafka endpoint, whose consumer groups the lag rounds read too.
    pub kafka: Option<crate::connect::kafka::KafkaEndpoint>,
    /// Where the capture pane reads the hubs' Capture files, or why it cannot.
    pub capture: CaptureSetting,
}

#[derive(Debug, Clone, Copy)]
pub struct BackendOptions {
    /// How often the pane on screen is refreshed while things go well.
    pub refresh_every: Duration,
    /// Events a tail may hold between the receivers and the batcher.
    pub tail_buffer: usize,
    /// How long a tail batch collects events before it is sent.
    pub batch_window: Duration,
    /// How often every consumer group of the listed hubs is sampled for the overview.
    pub lag_every: Duration,
}

impl Default for BackendOptions {
    fn default() -> Self {
        Self {
            refresh_every: Duration::from_secs(5),
            tail_buffer: 4096,
            batch_window: Duration::from_millis(100),
            lag_every: Duration::from_secs(10),
        }
    }
}

/// A context the launcher connected to (or could not), for the loop to install.
struct ContextReached {
    request: RequestId,
    name: String,
    result: Result<ContextConnection, ConnectError>,
}

/// How a job ended, reported to the loop for refresh scheduling and the status bar.
struct Done {
    request: RequestId,
    failure: Option<(Failure, String)>,
}

/// Starts the backend on the current runtime; it stops when the app drops its command sender.
pub fn spawn(services: Services, end: BackendEnd, options: BackendOptions) -> JoinHandle<()> {
    tokio::spawn(run(services, end, options))
}

async fn run(services: Services, end: BackendEnd, options: BackendOptions) {
    let BackendEnd {
        mut requests,
        replies,
        tail,
        lag,
    } = end;
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    // At most one context switch is in flight per keystroke; the channel stays tiny.
    let (context_tx, mut context_rx) = mpsc::unbounded_channel();
    let mut backend = Backend {
        namespaces: Arc::new(NamespacePlanes::new(Arc::clone(&services.plane))),
        home_kafka: services.kafka.clone(),
        services,
        options,
        replies,
        tail_sender: tail,
        lag_sender: lag,
        lag_feed: None,
        done: done_tx,
        contexts: context_tx,
        watch: None,
        tail: None,
        search: None,
        tail_link: TailLink::default(),
        connection: ConnectionState::Connecting,
        incidents: JoinSet::new(),
    };
    let mut tick = interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            request = requests.recv() => match request {
                Some(request) => backend.handle(request),
                None => break,
            },
            Some(done) = done_rx.recv() => backend.finished(done),
            Some(reached) = context_rx.recv() => backend.context_reached(reached),
            Some(_) = backend.incidents.join_next(), if !backend.incidents.is_empty() => {}
            _ = tick.tick() => backend.refresh_if_due(Instant::now()),
        }
    }
    if let Some(tail) = backend.tail.take() {
        tail.stop();
    }
    if let Some(feed) = backend.lag_feed.take() {
        feed.stop();
    }
    let incidents = &mut backend.incidents;
    let drained = tokio::time::timeout(INCIDENT_GRACE, async {
        while incidents.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("incident actions still running at exit were stopped");
    }
}

struct Backend {
    /// Works with the plane of the namespace whose hubs the console reads now.
    services: Services,
    /// The plane of every namespace the console listed; the lag feed samples through them.
    namespaces: Arc<NamespacePlanes>,
    /// The home namespace's Kafka endpoint, in use while the console reads that namespace.
    home_kafka: Option<crate::connect::kafka::KafkaEndpoint>,
    options: BackendOptions,
    replies: mpsc::UnboundedSender<Reply>,
    tail_sender: mpsc::Sender<Reply>,
    lag_sender: mpsc::Sender<Reply>,
    /// The lag sampling of the listed hubs, once the console asked for it.
    lag_feed: Option<lag_feed::LagFeed>,
    done: mpsc::UnboundedSender<Done>,
    contexts: mpsc::UnboundedSender<ContextReached>,
    watch: Option<Watch>,
    tail: Option<RunningTail>,
    /// The search pane's search, while one runs.
    search: Option<search_feed::RunningSearch>,
    /// What the tail's receivers say about their links.
    tail_link: TailLink,
    connection: ConnectionState,
    /// Incident actions under way.
    incidents: JoinSet<()>,
}

impl Backend {
    /// Routes every request; no catch-all, so a request added to the protocol does not
    /// compile until it is routed here.
    fn handle(&mut self, request: Request) {
        tracing::debug!(?request, "backend request");
        match request {
            Request::Read(read) => self.read(read),
            Request::Incident(incident) => incidents::spawn(
                &self.services,
                incident,
                self.replies.clone(),
                &mut self.incidents,
            ),
            Request::StartTail {
                request,
                hub,
                partition,
                from,
            } => {
                if let Some(old) = self.tail.take() {
                    old.stop();
                }
                self.tail_link.clear();
                self.tail = Some(tail_feed::start(
                    &self.services,
                    self.tail_link.clone(),
                    request,
                    crate::connect::tail::TailRequest {
                        hub,
                        partition,
                        from,
                        buffer: self.options.tail_buffer,
                        // The console shows the newest events; it never slows the receivers.
                        wait_for_reader: false,
                    },
                    self.options.batch_window,
                    self.replies.clone(),
                    self.tail_sender.clone(),
                ));
            }
            Request::SwitchTeam { request, team } => self.switch_team(request, &team),
            Request::SwitchContext { request, name } => self.switch_context(request, name),
            Request::StopTail { request } => {
                if self.tail.as_ref().is_some_and(|t| t.request == request)
                    && let Some(tail) = self.tail.take()
                {
                    tail.stop();
                }
            }
            Request::WatchLag { request, hubs } => match &mut self.lag_feed {
                Some(feed) => feed.watch(hubs, &self.services),
                None => {
                    self.lag_feed = Some(lag_feed::start(
                        &self.services,
                        Arc::clone(&self.namespaces),
                        request,
                        hubs,
                        self.options.lag_every,
                        self.lag_sender.clone(),
                    ));
                }
            },
            Request::UseNamespace { request, namespace } => self.use_namespace(request, &namespace),
            Request::StartSearch { request, hubs, ask } => {
                self.search = Some(search_feed::start(
                    &self.services,
                    request,
                    hubs,
                    ask,
                    self.replies.clone(),
                    self.tail_sender.clone(),
                ));
            }
            Request::StopSearch { request } => {
                if self.search.as_ref().is_some_and(|s| s.request == request) {
                    self.search = None;
                }
            }
            Request::StopRefresh { request } => {
                if self.watch.as_ref().is_some_and(|w| w.request() == request) {
                    self.watch = None;
                }
            }
        }
    }

    /// A read runs as a job of its own; the pane on screen (partitions, lag) is also watched.
    fn read(&mut self, read: ReadRequest) {
        match &read {
            ReadRequest::Permissions { .. }
            | ReadRequest::FetchSchema { .. }
            | ReadRequest::AuditTrail { .. }
            | ReadRequest::CaptureFiles { .. }
            | ReadRequest::CaptureEvents { .. } => {}
            ReadRequest::ListNamespaces { .. }
            | ReadRequest::ListHubs { .. }
            | ReadRequest::ListSchemas { .. } => {
                // The user is back at the top: nothing below it is on screen any more.
                self.watch = None;
            }
            ReadRequest::PartitionInfo { .. } | ReadRequest::Lag { .. } => {
                let mut watch = Watch::new(read.clone(), self.options.refresh_every);
                watch.started();
                self.watch = Some(watch);
            }
        }
        self.start_job(read);
    }

    /// Reads `namespace`'s hubs from now on; the refreshed pane belonged to the other one.
    fn use_namespace(&mut self, request: RequestId, namespace: &str) {
        let Some(plane) = self.namespaces.get(namespace) else {
            // Back home, where the console also goes: both know where the other is.
            let home = Arc::clone(self.namespaces.home());
            self.services.plane = home;
            self.services.kafka = self.home_kafka.clone();
            self.watch = None;
            let _ = self.replies.send(Reply::RequestFailed {
                request,
                message: format!(
                    "namespace {namespace} is not one the catalog listed with an endpoint; \
                     press n to list the namespaces again"
                ),
            });
            return;
        };
        if Arc::ptr_eq(&plane, &self.services.plane) {
            return;
        }
        let home = Arc::ptr_eq(&plane, self.namespaces.home());
        self.services.plane = plane;
        // Kafka's endpoint is the home namespace's; others are reached over AMQP only.
        self.services.kafka = if home { self.home_kafka.clone() } else { None };
        self.watch = None;
    }

    fn start_job(&self, read: ReadRequest) {
        let services = self.services.clone();
        let namespaces = Arc::clone(&self.namespaces);
        let replies = self.replies.clone();
        let done = self.done.clone();
        tokio::spawn(async move {
            let request = read.id();
            let failure = match jobs::run(&services, &namespaces, read).await {
                Ok(action) => {
                    let _ = replies.send(action);
                    None
                }
                Err(error) => {
                    let _ = replies.send(Reply::RequestFailed {
                        request,
                        message: error.message.clone(),
                    });
                    Some((error.failure, error.message))
                }
            };
            let _ = done.send(Done { request, failure });
        });
    }

    fn refresh_if_due(&mut self, now: Instant) {
        let Some(watch) = &mut self.watch else {
            return;
        };
        if watch.is_due(now) {
            watch.started();
            let read = watch.read().clone();
            self.start_job(read);
        }
    }

    fn finished(&mut self, done: Done) {
        if let Some(watch) = &mut self.watch
            && watch.request() == done.request
        {
            watch.finished(done.failure.is_none(), Instant::now());
        }
        let state = match &done.failure {
            // A refresh that worked says nothing of a tail receiver that is reconnecting.
            None => match self.tail_link.down() {
                Some(reconnecting) => ConnectionState::Reconnecting(reconnecting),
                None => ConnectionState::Connected,
            },
            Some((Failure::Unreachable | Failure::Auth, message)) => {
                ConnectionState::Disconnected(message.clone())
            }
            // A missing hub says nothing about the link.
            Some(_) => return,
        };
        if state != self.connection {
            self.connection = state.clone();
            let _ = self.replies.send(Reply::ConnectionChanged(state));
        }
    }
}
