//! The search pane's state: what was asked, the matches kept (packed, at most [`KEEP`]; those
//! beyond are counted, so a search with a million matches stays small), the progress, and
//! how the search ended.

use super::{ListState, PackedEvent};
use crate::model::TailEvent;
use crate::ops::search::Progress;
use crate::protocol::RequestId;

/// Matches kept for the pane; more are counted, not kept.
pub const KEEP: usize = 10_000;

/// One match: the hub it was found in, and the event.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub hub: String,
    pub event: PackedEvent,
}

#[derive(Debug, Clone, Default)]
pub struct SearchState {
    /// The search the pane shows; its replies are the ones applied.
    pub request: Option<RequestId>,
    /// What was asked, as the title says it (`where …`, `trace …`).
    pub asked: String,
    pub hits: Vec<SearchHit>,
    /// Matches found beyond [`KEEP`].
    pub beyond: u64,
    pub progress: Option<Progress>,
    /// The summary once it ended, and whether everything planned was read.
    pub finished: Option<(String, bool)>,
    pub list: ListState,
}

impl SearchState {
    pub fn asking(request: RequestId, asked: String) -> Self {
        Self {
            request: Some(request),
            asked,
            ..Self::default()
        }
    }

    pub fn running(&self) -> bool {
        self.request.is_some() && self.finished.is_none()
    }

    /// Keeps the matches in enqueued order (a trace reads as the aggregate's story), the
    /// first [`KEEP`] found; those beyond are counted.
    pub fn receive(&mut self, found: Vec<(String, TailEvent)>) {
        for (hub, event) in found {
            if self.hits.len() < KEEP {
                self.hits.push(SearchHit {
                    hub,
                    event: PackedEvent::pack(&event),
                });
            } else {
                self.beyond += 1;
            }
        }
        // Partitions are read side by side; each batch is nearly in order already.
        self.hits.sort_by_key(|hit| hit.event.enqueued_time());
    }

    /// The matches passing the pane's filter (hub, type, subject, source), in found order.
    pub fn visible(&self) -> Vec<&SearchHit> {
        (self.hits.iter())
            .filter(|hit| {
                let s = hit.event.summary();
                self.list.matches([
                    hit.hub.as_str(),
                    s.event_type.unwrap_or_default(),
                    s.subject.unwrap_or_default(),
                    s.source.unwrap_or_default(),
                ])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CloudEventAttributes;

    fn event(sequence: i64) -> TailEvent {
        TailEvent {
            enqueued_time: time::OffsetDateTime::UNIX_EPOCH,
            partition: "0".into(),
            sequence,
            offset: sequence.to_string(),
            cloud_event: CloudEventAttributes {
                subject: Some(format!("cont-{sequence}")),
                ..CloudEventAttributes::default()
            },
            content_type: None,
            properties: Vec::new(),
            annotations: Vec::new(),
            body: Vec::new(),
        }
    }

    #[test]
    fn matches_past_the_kept_ones_are_counted_not_kept() {
        let mut state = SearchState::asking(RequestId(1), "where x".into());
        let found = (0..(KEEP as i64 + 5))
            .map(|i| ("contact".to_owned(), event(i)))
            .collect();
        state.receive(found);
        assert_eq!(state.hits.len(), KEEP);
        assert_eq!(state.beyond, 5);
        assert!(state.running());
        state.list.filter = "cont-7".into();
        let shown: Vec<i64> = state
            .visible()
            .iter()
            .map(|h| h.event.unpack().sequence)
            .collect();
        assert!(shown.contains(&7) && shown.iter().all(|s| s.to_string().starts_with('7')));
    }
}
