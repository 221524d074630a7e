//! The dead-letter pane's state: the team's dead-letter hub's events with their provenance,
//! a selection and the rows marked for a redrive.

use std::collections::BTreeSet;

use super::list::ListState;
pub use crate::protocol::DeadLetterRow;

#[derive(Debug, Clone, Default)]
pub struct DeadLettersState {
    /// The dead-letter hub shown.
    pub hub: String,
    pub rows: Vec<DeadLetterRow>,
    pub list: ListState,
    pub marked: BTreeSet<(String, i64)>,
    /// Whether the hub has been read at least once (an empty list then means empty).
    pub loaded: bool,
}

impl DeadLettersState {
    pub fn for_hub(hub: &str) -> Self {
        Self {
            hub: hub.to_owned(),
            ..Self::default()
        }
    }

    pub fn load(&mut self, rows: Vec<DeadLetterRow>) {
        let present: BTreeSet<(String, i64)> = rows.iter().map(DeadLetterRow::key).collect();
        self.marked.retain(|k| present.contains(k));
        self.rows = rows;
        self.loaded = true;
        self.list.clamp(self.visible().len());
    }

    /// The rows passing the filter (source, group, reason, who), in hub order.
    pub fn visible(&self) -> Vec<&DeadLetterRow> {
        self.rows
            .iter()
            .filter(|r| {
                let p = &r.provenance;
                self.list.matches([
                    p.hub.as_str(),
                    p.consumer_group.as_deref().unwrap_or_default(),
                    p.reason.as_deref().unwrap_or_default(),
                    p.by.as_deref().unwrap_or_default(),
                ])
            })
            .collect()
    }

    pub fn selected(&self) -> Option<&DeadLetterRow> {
        self.visible().get(self.list.selected).copied()
    }

    pub fn toggle_mark(&mut self) {
        if let Some(key) = self.selected().map(DeadLetterRow::key)
            && !self.marked.remove(&key)
        {
            self.marked.insert(key);
        }
    }

    /// What a redrive sends: the marked rows, or else the selected one.
    pub fn redrive_targets(&self) -> Vec<(String, i64)> {
        if self.marked.is_empty() {
            self.selected()
                .map(DeadLetterRow::key)
                .into_iter()
                .collect()
        } else {
            self.marked.iter().cloned().collect()
        }
    }
}
