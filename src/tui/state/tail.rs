//! The live tail's bounded buffer and the pane state around it.
//!
//! Events are numbered as they arrive; the buffer keeps the newest `capacity` of them and
//! counts the rest as dropped. A filter keeps a list of matching numbers, updated as events
//! arrive and leave, so the visible list never rescans the buffer. Typing on narrows that
//! list; the wider lists it came from are kept, so deleting a character goes back to one
//! (checking only the events that arrived since) instead of rescanning every event. Freezing
//! keeps the visible snapshot still: arrivals wait in a second bounded queue and join on
//! resume.

use std::collections::VecDeque;

use super::list::matches_lowered;
use super::packed::PackedEvent;
use crate::model::TailEvent;

#[derive(Debug, Clone)]
pub struct TailBuffer {
    capacity: usize,
    events: VecDeque<PackedEvent>,
    /// Arrival number of `events[0]`.
    first: u64,
    /// Arrival numbers of events that pass the filter, ascending.
    matching: VecDeque<u64>,
    filter: String,
    /// `filter` lowercased once, for matching every arrival.
    lowered_filter: String,
    /// The wider filters typed before this one, widest first, with their matches when they
    /// were left: where deleting a character returns.
    wider: Vec<Narrowed>,
    /// Arrivals while frozen, not yet visible.
    held: VecDeque<PackedEvent>,
    frozen: bool,
    dropped: u64,
}

impl TailBuffer {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            events: VecDeque::new(),
            first: 0,
            matching: VecDeque::new(),
            filter: String::new(),
            lowered_filter: String::new(),
            wider: Vec::new(),
            held: VecDeque::new(),
            frozen: false,
            dropped: 0,
        }
    }

    pub fn push(&mut self, event: &TailEvent) {
        let packed = PackedEvent::pack(event);
        if self.frozen {
            if self.held.len() == self.capacity {
                self.held.pop_front();
                self.dropped += 1;
            }
            self.held.push_back(packed);
        } else {
            self.append(packed);
        }
    }

    /// Counts events lost before they reached the console (a full channel upstream).
    pub fn note_lost(&mut self, count: u64) {
        self.dropped += count;
    }

    fn append(&mut self, packed: PackedEvent) {
        if self.events.len() == self.capacity {
            self.events.pop_front();
            self.first += 1;
            self.dropped += 1;
            while self.matching.front().is_some_and(|n| *n < self.first) {
                self.matching.pop_front();
            }
        }
        let number = self.first + self.events.len() as u64;
        if self.passes(&packed) {
            self.matching.push_back(number);
        }
        self.events.push_back(packed);
    }

    fn passes(&self, event: &PackedEvent) -> bool {
        passes(&self.lowered_filter, event)
    }

    /// Arrival number of the next event.
    fn end(&self) -> u64 {
        self.first + self.events.len() as u64
    }

    fn event(&self, number: u64) -> Option<&PackedEvent> {
        let index = usize::try_from(number.checked_sub(self.first)?).ok()?;
        self.events.get(index)
    }

    pub fn set_filter(&mut self, filter: &str) {
        let lowered = filter.to_lowercase();
        self.filter = filter.to_owned();
        if lowered == self.lowered_filter {
            return;
        }
        if !lowered.contains(self.lowered_filter.as_str()) {
            self.widen_to(&lowered);
        }
        if lowered != self.lowered_filter {
            self.narrow_to(lowered);
        }
    }

    /// Typing on can only narrow the list: only the events that passed need checking. The
    /// list left behind is kept for the way back.
    fn narrow_to(&mut self, lowered: String) {
        let wider = std::mem::take(&mut self.matching);
        self.matching = wider
            .iter()
            .copied()
            .filter(|n| self.event(*n).is_some_and(|e| passes(&lowered, e)))
            .collect();
        let left = std::mem::replace(&mut self.lowered_filter, lowered);
        self.wider.push(Narrowed {
            lowered_filter: left,
            matching: wider,
            end: self.end(),
        });
        self.bound_wider();
    }

    /// Goes back to the narrowest kept filter that `lowered` contains (all events when none
    /// is kept), bringing its list up to date: evicted events leave it, arrivals since it was
    /// left are checked. `narrow_to` takes it from there.
    fn widen_to(&mut self, lowered: &str) {
        while let Some(level) = self.wider.pop() {
            if !lowered.contains(level.lowered_filter.as_str()) {
                continue;
            }
            let Narrowed {
                lowered_filter,
                mut matching,
                end,
            } = level;
            while matching.front().is_some_and(|n| *n < self.first) {
                matching.pop_front();
            }
            let arrived = end.max(self.first)..self.end();
            matching.extend(
                arrived.filter(|n| self.event(*n).is_some_and(|e| passes(&lowered_filter, e))),
            );
            self.matching = matching;
            self.lowered_filter = lowered_filter;
            return;
        }
        self.lowered_filter = String::new();
        self.matching = (self.first..self.end()).collect();
    }

    /// The kept lists hold at most as many numbers as the buffer holds events, twice over;
    /// the widest go first (all events, or nearly: the cheapest to rebuild).
    fn bound_wider(&mut self) {
        let limit = self.capacity.saturating_mul(2);
        while self.wider.iter().map(|l| l.matching.len()).sum::<usize>() > limit {
            self.wider.remove(0);
        }
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn set_frozen(&mut self, frozen: bool) {
        self.frozen = frozen;
        if !frozen {
            let held = std::mem::take(&mut self.held);
            held.into_iter().for_each(|e| self.append(e));
        }
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen
    }

    /// Number of events in the visible (filtered) list.
    pub fn visible_len(&self) -> usize {
        self.matching.len()
    }

    /// The `index`-th event of the visible list.
    pub fn visible(&self, index: usize) -> Option<&PackedEvent> {
        let number = *self.matching.get(index)?;
        self.events.get(usize::try_from(number - self.first).ok()?)
    }

    /// Events buffered (visible or not, excluding those held while frozen).
    pub fn buffered(&self) -> usize {
        self.events.len()
    }

    pub fn held(&self) -> usize {
        self.held.len()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// A filter the user typed on from, and the events it matched when they did.
#[derive(Debug, Clone)]
struct Narrowed {
    lowered_filter: String,
    matching: VecDeque<u64>,
    /// Arrival number of the first event not checked against it.
    end: u64,
}

/// Whether `event` shows under `lowered_filter` (lowercase; empty: every event).
fn passes(lowered_filter: &str, event: &PackedEvent) -> bool {
    if lowered_filter.is_empty() {
        return true;
    }
    let s = event.summary();
    let mut digits = [0u8; 20];
    let sequence = decimal(event.sequence, &mut digits);
    matches_lowered(
        lowered_filter,
        [s.partition, sequence, s.offset].into_iter().chain(
            [s.event_type, s.subject, s.source, s.id]
                .into_iter()
                .flatten(),
        ),
    )
}

/// `n` in decimal, written into `buffer` (20 bytes hold any i64) instead of a new string.
fn decimal(n: i64, buffer: &mut [u8; 20]) -> &str {
    use std::io::Write;
    let mut rest = &mut buffer[..];
    let _ = write!(rest, "{n}");
    let len = 20 - rest.len();
    std::str::from_utf8(&buffer[..len]).unwrap_or_default()
}

/// The tail pane: which hub, the buffer, and whether the selection follows new events.
#[derive(Debug, Clone)]
pub struct TailState {
    pub hub: String,
    pub from: String,
    pub buffer: TailBuffer,
    pub selected: usize,
    /// Keep the newest event selected as events arrive (like `tail -f`).
    pub follow: bool,
    pub ended: Option<String>,
}

impl TailState {
    pub fn new(hub: &str, from: &str, capacity: usize) -> Self {
        Self {
            hub: hub.to_owned(),
            from: from.to_owned(),
            buffer: TailBuffer::new(capacity),
            selected: 0,
            follow: true,
            ended: None,
        }
    }

    pub fn receive(&mut self, events: &[TailEvent], lost: u64) {
        self.buffer.note_lost(lost);
        events.iter().for_each(|e| self.buffer.push(e));
        self.fix_selection();
    }

    pub fn fix_selection(&mut self) {
        let len = self.buffer.visible_len();
        if self.follow {
            self.selected = len.saturating_sub(1);
        } else {
            self.selected = self.selected.min(len.saturating_sub(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::state::packed::tests::sample_event;

    fn visible_sequences(buffer: &TailBuffer) -> Vec<i64> {
        (0..buffer.visible_len())
            .filter_map(|i| buffer.visible(i).map(|e| e.sequence))
            .collect()
    }

    #[test]
    fn keeps_newest_and_counts_dropped() {
        let mut buffer = TailBuffer::new(3);
        (0..5).for_each(|n| buffer.push(&sample_event(n, 8)));
        assert_eq!(visible_sequences(&buffer), [2, 3, 4]);
        assert_eq!(buffer.dropped(), 2);
        buffer.note_lost(10);
        assert_eq!(buffer.dropped(), 12);
    }

    #[test]
    fn filter_applies_to_visible_list_and_new_arrivals() {
        let mut buffer = TailBuffer::new(100);
        (0..10).for_each(|n| buffer.push(&sample_event(n, 8)));
        buffer.set_filter("CONTACT-3");
        assert_eq!(visible_sequences(&buffer), [3]);
        buffer.push(&sample_event(10, 8));
        buffer.push(&sample_event(17, 8));
        assert_eq!(visible_sequences(&buffer), [3, 10, 17]);
        buffer.set_filter("");
        assert_eq!(buffer.visible_len(), 12);
    }

    #[test]
    fn typing_on_narrows_and_deleting_widens() {
        let mut buffer = TailBuffer::new(100);
        (0..30).for_each(|n| buffer.push(&sample_event(n, 8)));
        buffer.set_filter("contact-");
        assert_eq!(buffer.visible_len(), 30);
        buffer.set_filter("contact-3");
        assert_eq!(visible_sequences(&buffer), [3, 10, 17, 24]);
        buffer.set_filter("contact-");
        assert_eq!(buffer.visible_len(), 30);
        buffer.set_filter("evt-00002");
        assert_eq!(buffer.visible_len(), 10);
    }

    #[test]
    fn filter_matches_sequence_numbers_and_ignores_case_beyond_ascii() {
        let mut buffer = TailBuffer::new(100);
        (0..12).for_each(|n| buffer.push(&sample_event(n, 8)));
        buffer.set_filter("11");
        assert_eq!(visible_sequences(&buffer), [11]);
        let mut event = sample_event(12, 8);
        event.cloud_event.subject = Some("Zoë-ÉTÉ".into());
        buffer.push(&event);
        buffer.set_filter("zoë-été");
        assert_eq!(visible_sequences(&buffer), [12]);
        assert_eq!(decimal(i64::MIN, &mut [0; 20]), "-9223372036854775808");
    }

    #[test]
    fn deleting_returns_to_the_wider_list_with_arrivals_and_without_evictions() {
        let mut buffer = TailBuffer::new(20);
        (0..20).for_each(|n| buffer.push(&sample_event(n, 8)));
        buffer.set_filter("contact-");
        buffer.set_filter("contact-3");
        assert_eq!(visible_sequences(&buffer), [3, 10, 17]);
        // While narrowed, five events arrive and push five out.
        (20..25).for_each(|n| buffer.push(&sample_event(n, 8)));
        assert_eq!(visible_sequences(&buffer), [10, 17, 24]);
        buffer.set_filter("contact-");
        assert_eq!(visible_sequences(&buffer), (5..25).collect::<Vec<_>>());
        buffer.set_filter("contact-1");
        assert_eq!(visible_sequences(&buffer), [8, 15, 22]);
        // Back to nothing, then a filter that is not a narrowing of the last.
        buffer.set_filter("");
        assert_eq!(buffer.visible_len(), 20);
        buffer.set_filter("contact-2");
        buffer.set_filter("evt-00002");
        assert_eq!(visible_sequences(&buffer), [20, 21, 22, 23, 24]);
    }

    #[test]
    fn filter_forgets_evicted_matches() {
        let mut buffer = TailBuffer::new(4);
        buffer.set_filter("contact-0");
        (0..10).for_each(|n| buffer.push(&sample_event(n, 8)));
        assert_eq!(visible_sequences(&buffer), [7]);
    }

    #[test]
    fn frozen_view_stays_still_while_events_arrive() {
        let mut buffer = TailBuffer::new(3);
        (0..3).for_each(|n| buffer.push(&sample_event(n, 8)));
        buffer.set_frozen(true);
        (3..8).for_each(|n| buffer.push(&sample_event(n, 8)));
        assert_eq!(visible_sequences(&buffer), [0, 1, 2]);
        assert_eq!(buffer.held(), 3);
        assert_eq!(buffer.dropped(), 2);
        buffer.set_frozen(false);
        assert_eq!(visible_sequences(&buffer), [5, 6, 7]);
        assert_eq!(buffer.held(), 0);
        assert_eq!(buffer.dropped(), 5);
    }

    #[test]
    fn follow_tracks_newest_until_user_moves() {
        let mut tail = TailState::new("sale", "latest", 10);
        tail.receive(&[sample_event(0, 1), sample_event(1, 1)], 0);
        assert_eq!(tail.selected, 1);
        tail.follow = false;
        tail.selected = 0;
        tail.receive(&[sample_event(2, 1)], 0);
        assert_eq!(tail.selected, 0);
    }
}
