//! The search pane's requests and replies: `:search EXPR` looks through everything the hubs
//! of the namespace retain, `T` on an event (or `:trace SUBJECT`) follows one aggregate across
//! them; matches stream in as they are found, `Enter` opens one in the detail.

use super::{App, Notice};
use crate::model::TailEvent;
use crate::protocol::{Reply, Request, SearchAsk};
use crate::tui::state::SearchState;
use crate::tui::views::View;

impl App {
    /// Starts a search of every hub of the namespace the backend reads, replacing any
    /// running one, and shows the search pane.
    pub(crate) fn start_search(&mut self, ask: SearchAsk) -> Vec<Request> {
        let mut requests: Vec<Request> = self.stop_search().into_iter().collect();
        let hubs: Vec<String> = self.hubs_here().into_iter().map(|h| h.name).collect();
        let asked = match &ask {
            SearchAsk::Where(expression) => format!("where {expression}"),
            SearchAsk::Trace(subject) => format!("trace {subject}"),
        };
        let request = self.issue();
        self.latest.search = Some(request);
        self.search = SearchState::asking(request, asked);
        if self.view() != View::SEARCH {
            self.push(View::SEARCH);
        }
        requests.push(Request::StartSearch { request, hubs, ask });
        requests
    }

    /// Stops the running search (what it found stays on screen, its summary still comes).
    pub(crate) fn stop_search(&mut self) -> Option<Request> {
        if !self.search.running() {
            return None;
        }
        let request = self.search.request?;
        Some(Request::StopSearch { request })
    }

    /// `T`: every event of the selected event's aggregate (its CloudEvents subject, else its
    /// partition key) across the namespace's hubs.
    pub(crate) fn trace_selected_event(&mut self) -> Vec<Request> {
        let Some(event) = self.view().pane().selected_event(self) else {
            self.notice = Some(Notice::Error("no event selected to trace".to_owned()));
            return Vec::new();
        };
        match aggregate_of(&event) {
            Some(subject) => self.start_search(SearchAsk::Trace(subject)),
            None => {
                self.notice = Some(Notice::Error(
                    "this event has no subject or partition key to trace".to_owned(),
                ));
                Vec::new()
            }
        }
    }

    /// The selected match and its hub.
    pub(crate) fn selected_hit(&self) -> Option<(String, TailEvent)> {
        (self.search.visible())
            .get(self.search.list.selected)
            .map(|hit| (hit.hub.clone(), hit.event.unpack()))
    }

    /// `Enter` on a match: the event in full.
    pub(crate) fn open_search_hit(&mut self) -> Vec<Request> {
        match self.selected_hit() {
            Some((hub, event)) => self.open_detail(event, Some(hub)),
            None => Vec::new(),
        }
    }

    /// Applies a reply of the search the pane shows; others are stale.
    pub(super) fn search_reply(&mut self, reply: Reply) -> Vec<Request> {
        let current = self.latest.search;
        let on_screen = self.view() == View::SEARCH;
        match reply {
            Reply::SearchFound { request, found } if current == Some(request) => {
                self.search.receive(found);
                self.action_shows = on_screen;
            }
            Reply::SearchProgress { request, progress } if current == Some(request) => {
                self.search.progress = Some(progress);
                self.action_shows = on_screen;
            }
            Reply::SearchFinished {
                request,
                summary,
                complete,
            } if current == Some(request) => {
                self.search.finished = Some((summary, complete));
            }
            _ => self.action_shows = false,
        }
        Vec::new()
    }
}

/// The aggregate an event is about: its subject, else the partition key it was sent with.
fn aggregate_of(event: &TailEvent) -> Option<String> {
    let subject = event
        .cloud_event
        .subject
        .as_deref()
        .filter(|s| !s.is_empty());
    let key = || event.partition_key().filter(|k| !k.is_empty());
    subject.or_else(key).map(str::to_owned)
}
