//! The capture pane as app state: hub -> time range -> files -> a page of one file's events
//! -> an event's detail; and the replay of a file, through the replay dialog's dry run,
//! confirmation, permission check and audit. Every read is a backend request.

use super::{App, Notice, View};
use crate::protocol::{IncidentRequest, ReadRequest, Reply, Request};
use crate::tui::state::CAPTURE_PAGE as PAGE;
use crate::tui::state::{CaptureState, IncidentDialog, IncidentKind, Stage};

impl App {
    pub(super) fn show_capture(&mut self) -> Vec<Request> {
        let Some(hub) = self.current_hub() else {
            self.notice = Some(Notice::Error(
                "select a hub first: the capture pane shows one hub's files".to_owned(),
            ));
            return Vec::new();
        };
        if self.capture.hub != hub {
            self.capture = CaptureState::for_hub(&hub);
        }
        let mut commands: Vec<Request> = self.stop_tail().into_iter().collect();
        self.stack.truncate(1);
        self.push(View::CAPTURE);
        commands.push(self.request_capture_files());
        commands
    }

    pub(crate) fn request_capture_files(&mut self) -> Request {
        let request = self.issue();
        self.latest.capture_files = Some(request);
        Request::Read(ReadRequest::CaptureFiles {
            request,
            hub: self.capture.hub.clone(),
            within: self.capture.within(),
        })
    }

    pub(super) fn next_capture_range(&mut self) -> Vec<Request> {
        if self.view() != View::CAPTURE {
            return Vec::new();
        }
        self.capture.next_range();
        self.capture.files_list.selected = 0;
        vec![self.request_capture_files()]
    }

    /// `Enter`: on a file, its first page of events; on an event, its detail.
    pub(crate) fn open_capture(&mut self) -> Vec<Request> {
        if self.capture.events_focused {
            return self.open_capture_event();
        }
        let Some(file) = self.capture.selected_file() else {
            return Vec::new();
        };
        let (name, partition) = (file.name.clone(), file.partition.clone());
        self.capture.events_focused = true;
        vec![self.request_capture_page(name, partition, 0)]
    }

    pub(super) fn turn_capture_page(&mut self, forward: bool) -> Vec<Request> {
        if self.view() != View::CAPTURE {
            return Vec::new();
        }
        match self.capture.turn(forward) {
            Some((file, partition, start)) => {
                vec![self.request_capture_page(file, partition, start)]
            }
            None => Vec::new(),
        }
    }

    fn request_capture_page(&mut self, file: String, partition: String, start: usize) -> Request {
        let request = self.issue();
        self.latest.capture_page = Some((request, partition.clone()));
        self.capture.loading = Some(file.clone());
        Request::Read(ReadRequest::CaptureEvents {
            request,
            file,
            partition,
            start,
            count: PAGE,
        })
    }

    fn open_capture_event(&mut self) -> Vec<Request> {
        let selected = self.capture.events_list.selected;
        match self
            .capture
            .visible_events()
            .get(selected)
            .map(|e| e.unpack())
        {
            // Past retention, perhaps: replayed from the file (`R`), not dead-lettered.
            Some(event) => self.open_detail(event, None),
            None => Vec::new(),
        }
    }

    /// `R` on a file: the replay dialog, straight to its dry run of the file's events back
    /// into the hub; `y` then checks the rights, sends and audits as any replay.
    pub(super) fn replay_capture_file(&mut self) -> Vec<Request> {
        if self.view() != View::CAPTURE {
            return Vec::new();
        }
        let Some(file) = self.capture.selected_file() else {
            self.notice = Some(Notice::Info("no capture file selected".to_owned()));
            return Vec::new();
        };
        let (name, partition) = (file.name.clone(), file.partition.clone());
        let hub = self.capture.hub.clone();
        let request = self.issue();
        self.incident = Some(IncidentDialog {
            kind: IncidentKind::Replay,
            hub: hub.clone(),
            consumer_group: None,
            stage: Stage::ReplayPlanning { rate: None },
            request: Some(request),
        });
        vec![Request::Incident(IncidentRequest::PlanCaptureReplay {
            request,
            hub,
            file: name,
            partition,
        })]
    }

    /// A listing or a page: applied when it answers the latest request for the hub shown.
    pub(super) fn capture_reply(&mut self, reply: Reply) -> Vec<Request> {
        let mut commands = Vec::new();
        match reply {
            Reply::CaptureFilesLoaded {
                request,
                hub,
                listing,
            } if self.latest.capture_files == Some(request) && hub == self.capture.hub => {
                self.capture.load_listing(listing);
                let len = self.capture.visible_files().len();
                self.capture.files_list.clamp(len);
            }
            Reply::CaptureEventsLoaded { request, page }
                if self
                    .latest
                    .capture_page
                    .as_ref()
                    .is_some_and(|(r, _)| *r == request) =>
            {
                let partition = self
                    .latest
                    .capture_page
                    .take()
                    .map(|(_, p)| p)
                    .unwrap_or_default();
                // Schemas are fetched as the page names them, so its rows decode and mark.
                for event in &page.events {
                    if let Some(id) = self
                        .decoding
                        .wanted(event.content_type.as_deref(), &event.body)
                    {
                        let request = self.issue();
                        commands.push(Request::Read(ReadRequest::FetchSchema { request, id }));
                    }
                }
                self.capture.load_page(page, partition);
            }
            _ => self.action_shows = false,
        }
        commands
    }
}
