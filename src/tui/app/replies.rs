//! Backend results: each reply routed to what asked for it, and applied only when it answers
//! the latest request of its kind.

use super::{App, Notice, View};
use crate::model::{ConsumerGroupLag, LagPolicy};
use crate::ops::lag_sampler::HubGroups;
use crate::protocol::{ReadRequest, Reply, Request, RequestId};

/// With no history yet, a checkpoint this old while events wait is called stuck.
const STUCK_AFTER: std::time::Duration = std::time::Duration::from_secs(300);

impl App {
    /// Every reply, to what asked for it. The match has no catch-all: a reply added to the
    /// protocol does not compile until it is routed here.
    pub(super) fn receive(&mut self, reply: Reply) -> Vec<Request> {
        let for_dialog = self
            .incident
            .as_ref()
            .is_some_and(|dialog| dialog.request.is_some() && dialog.request == reply.request());
        match reply {
            Reply::PermissionsLoaded {
                request,
                permissions,
                ..
            } => self.permissions_loaded(request, &permissions),
            Reply::ContextSwitched { request, switched } => {
                self.context_switched(request, &switched)
            }
            Reply::TeamSwitched {
                request,
                team,
                principal,
            } => self.team_switched(request, &team, &principal),
            Reply::ConnectionChanged(state) => {
                self.connection = state;
                Vec::new()
            }
            Reply::ResetPlanned { .. }
            | Reply::ResetExecuted { .. }
            | Reply::DeadLetterPlanned { .. }
            | Reply::DeadLetterExecuted { .. }
            | Reply::RedrivePlanned { .. }
            | Reply::SendProgress { .. }
            | Reply::RedriveExecuted { .. }
            | Reply::ReplayPlanned { .. }
            | Reply::ReplayExecuted { .. } => {
                if for_dialog {
                    return self.incident_reply(reply);
                }
                // The dialog that asked was closed; the audit record is written either way.
                self.action_shows = false;
                Vec::new()
            }
            Reply::RefusalAudited { .. } => {
                self.action_shows = false;
                Vec::new()
            }
            Reply::RequestFailed { .. } if for_dialog => self.incident_reply(reply),
            Reply::CaptureFilesLoaded { .. } | Reply::CaptureEventsLoaded { .. } => {
                self.capture_reply(reply)
            }
            Reply::SearchFound { .. }
            | Reply::SearchProgress { .. }
            | Reply::SearchFinished { .. } => self.search_reply(reply),
            Reply::NamespacesLoaded { .. }
            | Reply::HubsLoaded { .. }
            | Reply::PartitionsLoaded { .. }
            | Reply::LagLoaded { .. }
            | Reply::LagSampled { .. }
            | Reply::TailReceived { .. }
            | Reply::TailEnded { .. }
            | Reply::SchemasLoaded { .. }
            | Reply::AuditLoaded { .. }
            | Reply::DeadLettersLoaded { .. }
            | Reply::SchemaFetched { .. }
            | Reply::RequestFailed { .. } => self.apply_reply(reply),
        }
    }

    /// Samples every consumer group of the listed hubs from now on (the backend's interval).
    pub(super) fn watch_lag(&mut self) -> Request {
        // One sampling feed per console: its boards answer the first request.
        let request = match self.latest.lag_board {
            Some(request) => request,
            None => self.issue(),
        };
        self.latest.lag_board = Some(request);
        let hubs = self
            .hubs
            .iter()
            .map(|h| HubGroups {
                namespace: h.namespace.clone(),
                hub: h.name.clone(),
                retention: h.retention,
                consumer_groups: h.consumer_groups.clone(),
            })
            .collect();
        Request::WatchLag { request, hubs }
    }

    pub(super) fn apply_reply(&mut self, reply: Reply) -> Vec<Request> {
        let latest = self.latest.clone();
        let is_latest = |slot: Option<RequestId>, request: RequestId| slot == Some(request);
        let mut commands = Vec::new();
        // Only replies that load a list can leave a selection past its end; a tail batch
        // fixes its own, and clamping the others would rebuild their filtered lists for
        // every batch.
        let mut lists_changed = true;
        match reply {
            Reply::NamespacesLoaded {
                request,
                namespaces,
            } if is_latest(latest.namespaces, request) => {
                commands.extend(self.namespaces_loaded(namespaces));
            }
            Reply::HubsLoaded {
                request,
                namespace,
                hubs,
            } if self.is_latest_hub_list(&namespace, request) => {
                commands.push(self.hubs_loaded(&namespace, hubs));
            }
            Reply::PartitionsLoaded {
                request,
                hub,
                partitions,
                sampled_at,
            } if is_latest(latest.partitions, request) && hub == self.partitions.hub => {
                self.partitions.update(partitions, sampled_at);
            }
            Reply::LagLoaded { request, snapshot } if is_latest(latest.lag, request) => {
                let retention = self
                    .hubs
                    .iter()
                    .find(|h| h.namespace == self.namespace && h.name == snapshot.hub)
                    .map_or(std::time::Duration::MAX, |h| h.retention);
                let policy = LagPolicy {
                    retention,
                    stuck_after: STUCK_AFTER,
                };
                let lag = ConsumerGroupLag::compute(&snapshot, self.groups.lag.as_ref(), policy);
                self.groups.lag = Some(lag);
            }
            Reply::LagSampled { request, board } if is_latest(latest.lag_board, request) => {
                let selected: Vec<_> = crate::tui::views::PANES
                    .iter()
                    .map(|pane| pane.selected_names(self))
                    .collect();
                self.board = board;
                for (pane, names) in crate::tui::views::PANES.iter().zip(selected) {
                    if let Some(names) = names {
                        pane.reselect(self, &names);
                    }
                }
                // Kafka groups come and go with the rounds; the list follows, the AMQP groups'
                // places stay.
                if let Some(hub) = self.board.hub(&self.namespace, &self.groups.hub) {
                    self.groups.kafka_groups = hub.kafka_group_ids();
                    self.groups.list.clamp(self.groups.len());
                }
                // Off the panes that show it, a round changes nothing on screen.
                self.action_shows = self.view().pane().shows_board() || self.shows_hub_rail();
            }
            Reply::TailReceived {
                request,
                events,
                lost,
            } if is_latest(latest.tail, request) => {
                if let Some(tail) = &mut self.tail {
                    tail.receive(&events, lost);
                }
                // Schemas are fetched as events first name them, so rows decode on screen.
                for event in &events {
                    if let Some(id) = self
                        .decoding
                        .wanted(event.content_type.as_deref(), &event.body)
                    {
                        let request = self.issue();
                        commands.push(Request::Read(ReadRequest::FetchSchema { request, id }));
                    }
                }
                // A frozen tail off screen changes nothing visible.
                self.action_shows = matches!(self.view(), View::TAIL);
                lists_changed = false;
            }
            Reply::TailEnded { request, reason } if is_latest(latest.tail, request) => {
                self.latest.tail = None;
                if let Some(tail) = &mut self.tail {
                    tail.ended = Some(reason.unwrap_or_else(|| "ended".to_owned()));
                }
            }
            Reply::SchemaFetched { id, outcome, .. } => {
                self.decoding.fetched(&id, outcome);
                self.incident_schema_arrived();
                self.action_shows =
                    matches!(self.view(), View::TAIL | View::DETAIL | View::CAPTURE);
                lists_changed = false;
            }
            Reply::SchemasLoaded { request, schemas } if is_latest(latest.schemas, request) => {
                self.schemas.load(schemas);
            }
            Reply::AuditLoaded { request, trail } if is_latest(latest.audit, request) => {
                if trail.unreadable > 0 {
                    self.notice = Some(Notice::Error(format!(
                        "{} lines of the audit trail could not be read and are left out",
                        trail.unreadable
                    )));
                }
                self.audit = trail;
            }
            Reply::DeadLettersLoaded { request, hub, rows }
                if is_latest(latest.dead_letters, request) && hub == self.dead_letters.hub =>
            {
                self.dead_letters.load(rows);
            }
            Reply::RequestFailed { request, message } => {
                let slots = [
                    latest.schemas,
                    latest.namespaces,
                    latest.use_namespace,
                    latest.search,
                    latest.partitions,
                    latest.lag,
                    latest.tail,
                    latest.team,
                    latest.context,
                    latest.dead_letters,
                    latest.audit,
                    latest.capture_files,
                    latest.capture_page.as_ref().map(|(r, _)| *r),
                ];
                if latest
                    .capture_page
                    .as_ref()
                    .is_some_and(|(r, _)| *r == request)
                {
                    self.capture.loading = None;
                }
                if latest.use_namespace == Some(request) {
                    // The backend went back to the home namespace.
                    self.namespace = self.home_namespace.clone();
                }
                let hub_list = latest.hub_lists.values().any(|r| *r == request);
                if slots.contains(&Some(request)) || hub_list {
                    self.notice = Some(Notice::Error(message));
                } else {
                    self.action_shows = false;
                }
            }
            _ => {
                // A stale reply: the user has moved on.
                self.action_shows = false;
            }
        }
        if lists_changed {
            self.clamp_selections();
        }
        commands
    }
}
