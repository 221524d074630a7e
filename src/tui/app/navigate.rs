//! Moving around: selection, drill-down, back, and the requests each pane needs.

use super::{App, Notice, View};
use crate::model::StartPosition;
use crate::protocol::{ReadRequest, Request};
use crate::tui::action::Action;
use crate::tui::state::{ConsumerGroupsState, DetailState, ListState, PartitionsState, TailState};

/// Which way a selection moves.
pub(super) enum Move {
    Up(usize),
    Down(usize),
    First,
    Last,
    /// To this row (a click).
    To(usize),
}

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
                if self.view() == View::ConsumerGroups {
                    self.groups.lag_focused = !self.groups.lag_focused;
                }
                Vec::new()
            }
            Action::Open => self.open(),
            Action::Back => self.back(),
            Action::Refresh => self.refresh(),
            Action::ClearFilter => {
                self.set_filter("");
                Vec::new()
            }
            Action::ShowNamespaces => {
                self.stack = vec![View::Namespaces];
                let commands = self.stop_tail().into_iter();
                let request = self.issue();
                self.latest.namespaces = Some(request);
                commands
                    .chain([Request::Read(ReadRequest::ListNamespaces { request })])
                    .collect()
            }
            Action::ShowHubs => {
                let commands = self.stop_tail().into_iter();
                self.stack = vec![View::Hubs];
                commands.chain([self.request_hubs()]).collect()
            }
            Action::ShowPartitions => self.show_partitions(),
            Action::ShowConsumerGroups => self.show_consumer_groups(),
            Action::ShowTail => self.show_tail(),
            Action::ShowSchemas => self.show_schemas(),
            Action::MarkVersion => {
                if self.view() == View::Schemas {
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
            _ => Vec::new(),
        }
    }

    pub(super) fn move_selection(&mut self, movement: Move) -> Vec<Request> {
        if self.help_open {
            self.help_scroll = apply(self.help_scroll, &movement, usize::MAX / 2);
            return Vec::new();
        }
        let len = self.focused_len();
        let before_group = self.groups.list.selected;
        let view = self.view();
        if let Some(list) = self.focused_list() {
            move_list(list, &movement, len);
        } else if view == View::Tail {
            if let Some(tail) = &mut self.tail {
                tail.selected = apply(tail.selected, &movement, len);
                // Selecting the newest event resumes following, like `tail -f`.
                tail.follow = tail.selected + 1 >= len;
            }
        } else if view == View::Detail {
            self.detail.scroll = apply(self.detail.scroll, &movement, 10_000);
        }
        if self.view() == View::ConsumerGroups && self.groups.list.selected != before_group {
            return self.request_lag().into_iter().collect();
        }
        Vec::new()
    }

    /// The selection and filter of the focused list; `None` where the pane keeps its own (the
    /// tail, in its buffer) or has no list (an event's detail).
    pub(super) fn focused_list(&mut self) -> Option<&mut ListState> {
        match self.view() {
            View::Namespaces => Some(&mut self.namespaces_list),
            View::Hubs => Some(&mut self.hubs_list),
            View::Partitions => Some(&mut self.partitions.list),
            View::ConsumerGroups if self.groups.lag_focused => Some(&mut self.groups.lag_list),
            View::ConsumerGroups => Some(&mut self.groups.list),
            View::Schemas => Some(&mut self.schemas.list),
            View::DeadLetters => Some(&mut self.dead_letters.list),
            View::Tail | View::Detail => None,
        }
    }

    /// Number of rows in the focused list, after its filter.
    pub(super) fn focused_len(&self) -> usize {
        match self.view() {
            View::Namespaces => self.namespaces.len(),
            View::Hubs => self.visible_hubs().len(),
            View::Partitions => self.partitions.partitions.len(),
            View::ConsumerGroups if self.groups.lag_focused => {
                self.groups.lag.as_ref().map_or(0, |l| l.partitions.len())
            }
            View::ConsumerGroups => self.groups.groups.len(),
            View::Tail => self.tail.as_ref().map_or(0, |t| t.buffer.visible_len()),
            View::Detail => 0,
            View::Schemas => self.schemas.visible().len(),
            View::DeadLetters => self.dead_letters.visible().len(),
        }
    }

    pub(super) fn clamp_selections(&mut self) {
        let hubs = self.visible_hubs().len();
        self.hubs_list.clamp(hubs);
        self.namespaces_list.clamp(self.namespaces.len());
        self.partitions.list.clamp(self.partitions.partitions.len());
        self.groups.list.clamp(self.groups.groups.len());
        let lag_rows = self.groups.lag.as_ref().map_or(0, |l| l.partitions.len());
        self.groups.lag_list.clamp(lag_rows);
        self.schemas.list.clamp(self.schemas.visible().len());
        self.dead_letters
            .list
            .clamp(self.dead_letters.visible().len());
    }

    pub(super) fn push(&mut self, view: View) {
        if let Some(at) = self.stack.iter().position(|v| *v == view) {
            self.stack.truncate(at + 1);
        } else {
            self.stack.push(view);
        }
    }

    fn open(&mut self) -> Vec<Request> {
        match self.view() {
            View::Namespaces => {
                let Some(ns) = self.namespaces.get(self.namespaces_list.selected) else {
                    return Vec::new();
                };
                self.namespace = ns.name.clone();
                self.hubs.clear();
                self.hubs_list = ListState::default();
                self.stack = vec![View::Hubs];
                vec![self.request_hubs()]
            }
            View::Hubs => self.show_partitions(),
            View::ConsumerGroups => {
                self.groups.lag_focused = true;
                Vec::new()
            }
            View::Tail => {
                let event = self
                    .tail
                    .as_ref()
                    .and_then(|t| t.buffer.visible(t.selected));
                let Some(event) = event.map(|e| e.unpack()) else {
                    return Vec::new();
                };
                let wanted = self
                    .decoding
                    .wanted(event.content_type.as_deref(), &event.body);
                self.detail = DetailState {
                    event: Some(event),
                    hex: self.detail.hex,
                    scroll: 0,
                };
                self.push(View::Detail);
                wanted
                    .map(|id| {
                        let request = self.issue();
                        Request::Read(ReadRequest::FetchSchema { request, id })
                    })
                    .into_iter()
                    .collect()
            }
            View::DeadLetters => {
                self.open_dead_letter_detail();
                Vec::new()
            }
            View::Partitions | View::Detail | View::Schemas => Vec::new(),
        }
    }

    fn back(&mut self) -> Vec<Request> {
        if self.input.take().is_some() || std::mem::take(&mut self.help_open) {
            return Vec::new();
        }
        if self.stack.len() < 2 {
            return Vec::new();
        }
        let left = self.stack.pop();
        match left {
            Some(View::Tail) => self.stop_tail().into_iter().collect(),
            Some(View::Partitions) => self
                .latest
                .partitions
                .take()
                .map(|request| Request::StopRefresh { request })
                .into_iter()
                .collect(),
            Some(View::ConsumerGroups) => self
                .latest
                .lag
                .take()
                .map(|request| Request::StopRefresh { request })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    fn refresh(&mut self) -> Vec<Request> {
        match self.view() {
            View::Namespaces => self.navigate(Action::ShowNamespaces),
            View::Hubs => vec![self.request_hubs()],
            View::Partitions => self.request_partitions().into_iter().collect(),
            View::ConsumerGroups => self.request_lag().into_iter().collect(),
            View::Schemas => vec![self.request_schemas()],
            View::DeadLetters => self.request_dead_letters().into_iter().collect(),
            View::Tail | View::Detail => Vec::new(),
        }
    }

    /// The hub the hub-level panes are about: the one already open, else the selected one.
    pub(super) fn current_hub(&self) -> Option<String> {
        let open = match self.view() {
            View::Partitions => Some(&self.partitions.hub),
            View::ConsumerGroups => Some(&self.groups.hub),
            View::Tail | View::Detail => self.tail.as_ref().map(|t| &t.hub),
            _ => None,
        };
        open.cloned()
            .or_else(|| self.selected_hub().map(|h| h.name.clone()))
    }

    fn show_partitions(&mut self) -> Vec<Request> {
        let Some(hub) = self.current_hub() else {
            return Vec::new();
        };
        if self.partitions.hub != hub {
            self.partitions = PartitionsState::for_hub(&hub);
        }
        self.stack.truncate(1);
        self.push(View::Partitions);
        self.request_partitions().into_iter().collect()
    }

    fn request_partitions(&mut self) -> Option<Request> {
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
        self.stack.truncate(1);
        self.push(View::ConsumerGroups);
        self.request_lag().into_iter().collect()
    }

    pub(super) fn request_lag(&mut self) -> Option<Request> {
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
        if self.view() == View::ConsumerGroups && self.groups.lag_focused {
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
            .retain(|v| !matches!(v, View::Tail | View::Detail));
        self.push(View::Tail);
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
        let wanted = match self.view() {
            View::Detail => self
                .detail
                .event
                .as_ref()
                .and_then(|e| e.content_type.as_deref())
                .and_then(crate::model::schema_id_of_content_type)
                .map(str::to_owned),
            _ => None,
        };
        if self.view() == View::Detail && wanted.is_none() {
            self.notice = Some(Notice::Info(
                "this event names no schema (content type avro/binary+<id>)".to_owned(),
            ));
        }
        if let Some(id) = wanted
            && !self.schemas.select_id(&id)
        {
            self.schemas.pending_id = Some(id);
        }
        self.push(View::Schemas);
        vec![self.request_schemas()]
    }

    fn request_schemas(&mut self) -> Request {
        let request = self.issue();
        self.latest.schemas = Some(request);
        Request::Read(ReadRequest::ListSchemas { request })
    }

    /// Stops the running tail, if any; its late events become stale.
    pub(super) fn stop_tail(&mut self) -> Option<Request> {
        let request = self.latest.tail.take()?;
        Some(Request::StopTail { request })
    }
}

fn move_list(list: &mut ListState, movement: &Move, len: usize) {
    list.selected = apply(list.selected, movement, len);
}

fn apply(current: usize, movement: &Move, len: usize) -> usize {
    let last = len.saturating_sub(1);
    match movement {
        Move::Up(n) => current.saturating_sub(*n),
        Move::Down(n) => (current + n).min(last),
        Move::First => 0,
        Move::Last => last,
        Move::To(row) => (*row).min(last),
    }
}
