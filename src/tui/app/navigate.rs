//! Moving around: selection, drill-down, back, and the requests each pane needs.

use super::{App, Notice, View};
use crate::model::{ConsumerGroupLag, StartPosition};
use crate::protocol::{ReadRequest, Request};
use crate::tui::action::Action;
use crate::tui::state::{ConsumerGroupsState, DetailState, PartitionsState, TailState};
pub(super) use crate::tui::views::Move;

impl App {
    pub(super) fn navigate(&mut self, action: Action) -> Vec<Request> {
        let page = self.page();
        match action {
            Action::SelectUp => self.move_selection(Move::Up(1)),
            Action::SelectDown => self.move_selection(Move::Down(1)),
            Action::PageUp => self.move_selection(Move::Up(page)),
            Action::PageDown => self.move_selection(Move::Down(page)),
            Action::SelectFirst => self.move_selection(Move::First),
            Action::SelectLast => self.move_selection(Move::Last),
            Action::FocusNext | Action::FocusPrev => {
                self.view().pane().cycle_focus(self);
                Vec::new()
            }
            Action::Open => self.open(),
            Action::Back => self.back(),
            Action::Refresh => self.refresh(),
            Action::ClearFilter => {
                self.set_filter("");
                Vec::new()
            }
            Action::ShowNamespaces => self.show_namespaces(),
            Action::ShowOverview => {
                let commands = self.stop_tail().into_iter();
                self.stack = vec![View::OVERVIEW];
                commands.chain(self.request_hubs()).collect()
            }
            Action::Zoom => {
                self.zoomed = !self.zoomed;
                Vec::new()
            }
            Action::ShowHubs => {
                let commands = self.stop_tail().into_iter();
                self.stack = vec![View::HUBS];
                commands.chain(self.request_hubs()).collect()
            }
            Action::ShowPartitions => self.show_partitions(),
            Action::ShowConsumerGroups => self.show_consumer_groups(),
            Action::ShowTail => self.show_tail(),
            Action::ShowSchemas => self.show_schemas(),
            Action::ShowAudit => {
                self.push(View::AUDIT);
                vec![self.request_audit()]
            }
            Action::MarkVersion => {
                if self.view() == View::SCHEMAS {
                    self.schemas.toggle_mark();
                }
                Vec::new()
            }
            Action::PauseTail => {
                if let Some(tail) = &mut self.tail {
                    let frozen = !tail.buffer.is_frozen();
                    tail.buffer.set_frozen(frozen);
                    tail.fix_selection();
                }
                Vec::new()
            }
            Action::ToggleHex => {
                self.detail.hex = !self.detail.hex;
                Vec::new()
            }
            Action::ShowDeadLetters => self.show_dead_letters(),
            Action::MarkRow => {
                self.mark_dead_letter();
                Vec::new()
            }
            Action::Redrive => self.redrive_marked(),
            Action::DeadLetterEvent => self.dead_letter_tail_event(),
            Action::ShowCapture => self.show_capture(),
            Action::Trace => self.trace_selected_event(),
            Action::CaptureRange => self.next_capture_range(),
            Action::NextPage => self.turn_capture_page(true),
            Action::PreviousPage => self.turn_capture_page(false),
            Action::ReplayCapture => self.replay_capture_file(),
            _ => Vec::new(),
        }
    }

    pub(super) fn move_selection(&mut self, movement: Move) -> Vec<Request> {
        if self.help_open {
            self.help_scroll = movement.apply(self.help_scroll, usize::MAX / 2);
            return Vec::new();
        }
        self.view().pane().select(self, &movement)
    }

    /// Number of rows in the focused list, after its filter.
    pub(super) fn focused_len(&self) -> usize {
        self.view().pane().len(self)
    }

    pub(super) fn clamp_selections(&mut self) {
        for pane in crate::tui::views::PANES {
            let len = pane.len(self);
            if let Some(list) = pane.list(self) {
                list.clamp(len);
            }
        }
        // The groups pane has a second list, behind the one in focus.
        self.groups.list.clamp(self.groups.len());
        let lag_rows = self.groups_lag().map_or(0, |l| l.partitions.len());
        self.groups.lag_list.clamp(lag_rows);
    }

    pub(super) fn push(&mut self, view: View) {
        if let Some(at) = self.stack.iter().position(|v| *v == view) {
            self.stack.truncate(at + 1);
        } else {
            self.stack.push(view);
        }
    }

    fn open(&mut self) -> Vec<Request> {
        self.view().pane().open(self)
    }

    pub(crate) fn show_namespaces(&mut self) -> Vec<Request> {
        self.stack = vec![View::NAMESPACES];
        let commands = self.stop_tail().into_iter();
        commands.chain([self.request_namespaces()]).collect()
    }

    /// `Enter` on a tail row: the event in full, and its schema if not fetched yet.
    pub(crate) fn open_tail_event(&mut self) -> Vec<Request> {
        let Some(tail) = self.tail.as_ref() else {
            return Vec::new();
        };
        let hub = tail.hub.clone();
        match tail.buffer.visible(tail.selected).map(|e| e.unpack()) {
            Some(event) => self.open_detail(event, Some(hub)),
            None => Vec::new(),
        }
    }

    /// An event in full (the tail's, a capture file's), and its schema if not fetched yet.
    pub(super) fn open_detail(
        &mut self,
        event: crate::model::TailEvent,
        hub: Option<String>,
    ) -> Vec<Request> {
        let wanted = self
            .decoding
            .wanted(event.content_type.as_deref(), &event.body);
        self.detail = DetailState {
            event: Some(event),
            hub,
            hex: self.detail.hex,
            scroll: 0,
        };
        self.push(View::DETAIL);
        wanted
            .map(|id| {
                let request = self.issue();
                Request::Read(ReadRequest::FetchSchema { request, id })
            })
            .into_iter()
            .collect()
    }

    fn back(&mut self) -> Vec<Request> {
        if self.input.take().is_some() || std::mem::take(&mut self.help_open) {
            return Vec::new();
        }
        if self.stack.len() < 2 {
            return Vec::new();
        }
        match self.stack.pop() {
            Some(left) => left.pane().leave(self),
            None => Vec::new(),
        }
    }

    pub(crate) fn stop_partitions_refresh(&mut self) -> Option<Request> {
        let request = self.latest.partitions.take()?;
        Some(Request::StopRefresh { request })
    }

    pub(crate) fn stop_lag_refresh(&mut self) -> Option<Request> {
        let request = self.latest.lag.take()?;
        Some(Request::StopRefresh { request })
    }

    fn refresh(&mut self) -> Vec<Request> {
        self.view().pane().refresh(self)
    }

    /// The hub the hub-level panes are about: the one already open, else the selected one.
    pub(super) fn current_hub(&self) -> Option<String> {
        self.view()
            .pane()
            .hub(self)
            .or_else(|| self.selected_hub().map(|h| h.name.clone()))
    }

    pub(crate) fn show_partitions(&mut self) -> Vec<Request> {
        let Some(hub) = self.current_hub() else {
            return Vec::new();
        };
        if self.partitions.hub != hub {
            self.partitions = PartitionsState::for_hub(&hub);
        }
        self.stack.truncate(1);
        self.push(View::PARTITIONS);
        self.request_partitions().into_iter().collect()
    }

    pub(crate) fn request_partitions(&mut self) -> Option<Request> {
        let request = self.issue();
        self.latest.partitions = Some(request);
        Some(Request::Read(ReadRequest::PartitionInfo {
            request,
            hub: self.partitions.hub.clone(),
        }))
    }

    fn show_consumer_groups(&mut self) -> Vec<Request> {
        let Some(hub) = self.current_hub() else {
            return Vec::new();
        };
        if self.groups.hub != hub {
            let groups = self
                .hubs
                .iter()
                .find(|h| h.name == hub)
                .map(|h| h.consumer_groups.clone())
                .unwrap_or_default();
            self.groups = ConsumerGroupsState {
                hub,
                groups,
                ..ConsumerGroupsState::default()
            };
        }
        self.groups.kafka_groups = (self.board.hub(&self.namespace, &self.groups.hub))
            .map_or_else(Vec::new, |b| b.kafka_group_ids());
        self.stack.truncate(1);
        self.push(View::CONSUMER_GROUPS);
        self.request_lag().into_iter().collect()
    }

    /// The lag the consumer-groups pane shows: the selected AMQP group's, read for the pane,
    /// or the selected Kafka group's from the latest lag round.
    pub(crate) fn groups_lag(&self) -> Option<&ConsumerGroupLag> {
        match self.groups.selected_kafka_group() {
            Some(id) => (self.board.hub(&self.namespace, &self.groups.hub))
                .and_then(|hub| hub.kafka_group(id))
                .map(|g| &g.lag),
            None => self.groups.lag.as_ref(),
        }
    }

    pub(crate) fn request_lag(&mut self) -> Option<Request> {
        let group = self.groups.selected_group()?.to_owned();
        let request = self.issue();
        self.latest.lag = Some(request);
        Some(Request::Read(ReadRequest::Lag {
            request,
            hub: self.groups.hub.clone(),
            consumer_group: group,
        }))
    }

    /// From a lag row: tail that partition from the first unprocessed event (the likely
    /// poison event). Elsewhere: tail the hub from now.
    fn show_tail(&mut self) -> Vec<Request> {
        if self.view() == View::CONSUMER_GROUPS && self.groups.lag_focused {
            let row = self
                .groups
                .lag
                .as_ref()
                .and_then(|lag| lag.partitions.get(self.groups.lag_list.selected));
            if let Some(row) = row {
                let from = row
                    .checkpoint_sequence
                    .map_or(StartPosition::Earliest, |seq| {
                        StartPosition::Sequence(seq + 1)
                    });
                let (hub, partition) = (self.groups.hub.clone(), row.partition.clone());
                return self.start_tail(hub, Some(partition), from);
            }
        }
        self.tail_selected_hub(None)
    }

    pub(super) fn tail_selected_hub(&mut self, from: Option<StartPosition>) -> Vec<Request> {
        let Some(hub) = self.current_hub() else {
            self.notice = Some(Notice::Error("no hub selected to tail".to_owned()));
            return Vec::new();
        };
        self.start_tail(hub, None, from.unwrap_or(StartPosition::Latest))
    }

    fn start_tail(
        &mut self,
        hub: String,
        partition: Option<String>,
        from: StartPosition,
    ) -> Vec<Request> {
        let mut commands: Vec<Request> = self.stop_tail().into_iter().collect();
        let request = self.issue();
        self.latest.tail = Some(request);
        let label = match &partition {
            Some(p) => format!("partition {p} from {from}"),
            None => format!("from {from}"),
        };
        self.tail = Some(TailState::new(&hub, &label, self.tail_capacity));
        // Keep the pane the tail came from (hubs, lag), so `back` returns to it.
        self.stack
            .retain(|v| ![View::TAIL, View::DETAIL].contains(v));
        self.push(View::TAIL);
        commands.push(Request::StartTail {
            request,
            hub,
            partition,
            from,
        });
        commands
    }

    /// The schema pane; from an event's detail, with its schema version selected (once the
    /// versions are in, if they are not yet).
    fn show_schemas(&mut self) -> Vec<Request> {
        let from_detail = self.view() == View::DETAIL;
        let wanted = self
            .detail
            .event
            .as_ref()
            .filter(|_| from_detail)
            .and_then(|e| e.content_type.as_deref())
            .and_then(crate::model::schema_id_of_content_type)
            .map(str::to_owned);
        if from_detail && wanted.is_none() {
            self.notice = Some(Notice::Info(
                "this event names no schema (content type avro/binary+<id>)".to_owned(),
            ));
        }
        if let Some(id) = wanted
            && !self.schemas.select_id(&id)
        {
            self.schemas.pending_id = Some(id);
        }
        self.push(View::SCHEMAS);
        vec![self.request_schemas()]
    }

    pub(crate) fn request_audit(&mut self) -> Request {
        let request = self.issue();
        self.latest.audit = Some(request);
        Request::Read(ReadRequest::AuditTrail { request })
    }

    pub(crate) fn request_schemas(&mut self) -> Request {
        let request = self.issue();
        self.latest.schemas = Some(request);
        Request::Read(ReadRequest::ListSchemas { request })
    }

    /// Stops the running tail, if any; its late events become stale.
    pub(crate) fn stop_tail(&mut self) -> Option<Request> {
        let request = self.latest.tail.take()?;
        Some(Request::StopTail { request })
    }
}
