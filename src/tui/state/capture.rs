//! The capture pane's state: the hub, the time range, the files the backend listed (with the
//! failures it reported), and one page of one file's events, packed as the tail packs them.
//! Only a page is ever held, however big the file.

use std::time::Duration;

use super::{ListState, PackedEvent};
use crate::model::CaptureFileInfo;
use crate::protocol::{CaptureListing, CapturePage};

/// Events of a file held at once; `[` and `]` page through the rest.
pub const PAGE: usize = 200;

/// The time ranges `w` cycles through: files holding events of the last …
pub const RANGES: [(&str, Option<Duration>); 5] = [
    ("1h", Some(Duration::from_secs(3600))),
    ("6h", Some(Duration::from_secs(6 * 3600))),
    ("24h", Some(Duration::from_secs(24 * 3600))),
    ("7d", Some(Duration::from_secs(7 * 24 * 3600))),
    ("all", None),
];
const DEFAULT_RANGE: usize = 2;

/// The page on screen, and the file it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsPage {
    pub file: String,
    pub partition: String,
    pub start: usize,
    pub total: usize,
    pub events: Vec<PackedEvent>,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureState {
    pub hub: String,
    /// Index into [`RANGES`].
    pub range: usize,
    /// `None` until the first listing arrives.
    pub listing: Option<CaptureListing>,
    pub files_list: ListState,
    /// The page shown, or being read (`loading`).
    pub page: Option<EventsPage>,
    pub loading: Option<String>,
    pub events_list: ListState,
    /// Whether keys move in the events rather than the files.
    pub events_focused: bool,
}

impl Default for CaptureState {
    fn default() -> Self {
        Self::for_hub("")
    }
}

impl CaptureState {
    pub fn for_hub(hub: &str) -> Self {
        Self {
            hub: hub.to_owned(),
            range: DEFAULT_RANGE,
            listing: None,
            files_list: ListState::default(),
            page: None,
            loading: None,
            events_list: ListState::default(),
            events_focused: false,
        }
    }

    pub fn range_label(&self) -> &'static str {
        RANGES[self.range % RANGES.len()].0
    }

    pub fn within(&self) -> Option<Duration> {
        RANGES[self.range % RANGES.len()].1
    }

    pub fn next_range(&mut self) {
        self.range = (self.range + 1) % RANGES.len();
    }

    /// The files passing the filter, newest window first (the one an on-call engineer wants).
    pub fn visible_files(&self) -> Vec<&CaptureFileInfo> {
        let Some(listing) = &self.listing else {
            return Vec::new();
        };
        listing
            .files
            .iter()
            .rev()
            .filter(|f| {
                self.files_list
                    .matches([f.name.as_str(), f.partition.as_str()])
            })
            .collect()
    }

    pub fn selected_file(&self) -> Option<&CaptureFileInfo> {
        self.visible_files().get(self.files_list.selected).copied()
    }

    /// The page's events passing the filter of the events list.
    pub fn visible_events(&self) -> Vec<&PackedEvent> {
        let Some(page) = &self.page else {
            return Vec::new();
        };
        page.events
            .iter()
            .filter(|e| {
                let s = e.summary();
                self.events_list.matches([
                    s.event_type.unwrap_or_default(),
                    s.subject.unwrap_or_default(),
                    s.source.unwrap_or_default(),
                ])
            })
            .collect()
    }

    pub fn load_listing(&mut self, listing: CaptureListing) {
        self.listing = Some(listing);
    }

    pub fn load_page(&mut self, page: CapturePage, partition: String) {
        self.loading = None;
        self.events_list.selected = 0;
        self.page = Some(EventsPage {
            events: page.events.iter().map(PackedEvent::pack).collect(),
            file: page.file,
            partition,
            start: page.start,
            total: page.total,
            problems: page.problems,
        });
    }

    /// Where the next (or previous) page starts, if there is one.
    pub fn turn(&self, forward: bool) -> Option<(String, String, usize)> {
        let page = self.page.as_ref()?;
        let start = if forward {
            let next = page.start + PAGE;
            (next < page.total).then_some(next)?
        } else {
            (page.start > 0).then(|| page.start.saturating_sub(PAGE))?
        };
        Some((page.file.clone(), page.partition.clone(), start))
    }
}
