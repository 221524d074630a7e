//! State of the schema pane: every version of every schema, as rows grouped by group and
//! schema, a filter on group and schema name, a selection among the rows it lets through, and
//! an optional marked version to compare the selection with.

use super::list::ListState;
use crate::model::RegisteredSchema;

#[derive(Debug, Clone, Default)]
pub struct SchemasState {
    /// Sorted by group, schema name, version.
    pub versions: Vec<RegisteredSchema>,
    /// `selected` counts rows the filter lets through.
    pub list: ListState,
    /// Index into `versions` of the version marked for comparison.
    pub marked: Option<usize>,
    /// A schema id to select once versions arrive (the jump from an event).
    pub pending_id: Option<String>,
    pub loaded: bool,
}

/// Two versions of one schema to show side by side: the older first.
pub struct Comparison<'a> {
    pub old: &'a RegisteredSchema,
    pub new: &'a RegisteredSchema,
}

impl SchemasState {
    /// Takes a fresh listing, keeping the selection on the same version when it is still
    /// there, or moving it to the pending id.
    pub fn load(&mut self, mut versions: Vec<RegisteredSchema>) {
        versions
            .sort_by(|a, b| (&a.group, &a.name, a.version).cmp(&(&b.group, &b.name, b.version)));
        let key = |s: &RegisteredSchema| (s.group.clone(), s.name.clone(), s.version);
        let selected = self.selected().map(key);
        let marked = self.marked.and_then(|i| self.versions.get(i)).map(key);
        self.versions = versions;
        self.loaded = true;
        let find =
            |wanted: &(String, String, u32)| self.versions.iter().position(|s| &key(s) == wanted);
        self.marked = marked.as_ref().and_then(find);
        if let Some(at) = selected.as_ref().and_then(find) {
            self.select_index(at);
        }
        if let Some(id) = self.pending_id.take() {
            self.select_id(&id);
        }
        self.list.clamp(self.visible().len());
    }

    /// Indexes into `versions` of the rows the filter lets through, in order.
    pub fn visible(&self) -> Vec<usize> {
        self.versions
            .iter()
            .enumerate()
            .filter(|(_, s)| self.list.matches([s.group.as_str(), s.name.as_str()]))
            .map(|(at, _)| at)
            .collect()
    }

    /// Selects the row of `versions[at]`, clearing a filter that hides it.
    fn select_index(&mut self, at: usize) {
        if !self.visible().contains(&at) {
            self.list.filter.clear();
        }
        if let Some(row) = self.visible().iter().position(|v| *v == at) {
            self.list.selected = row;
        }
    }

    fn selected_index(&self) -> Option<usize> {
        self.visible().get(self.list.selected).copied()
    }

    /// Selects the version with this id; false when none has it (yet).
    pub fn select_id(&mut self, id: &str) -> bool {
        match self
            .versions
            .iter()
            .position(|s| s.id.eq_ignore_ascii_case(id))
        {
            Some(at) => {
                self.select_index(at);
                true
            }
            None => false,
        }
    }

    pub fn selected(&self) -> Option<&RegisteredSchema> {
        self.versions.get(self.selected_index()?)
    }

    pub fn toggle_mark(&mut self) {
        let at = self.selected_index();
        self.marked = match (self.marked, at) {
            (Some(marked), Some(at)) if marked == at => None,
            (_, at) => at,
        };
    }

    /// What the right-hand side compares: the marked version with the selected one when both
    /// are versions of the same schema, else the selected version with its predecessor.
    pub fn comparison(&self) -> Option<Comparison<'_>> {
        let selected = self.selected()?;
        let same_schema =
            |s: &&RegisteredSchema| s.group == selected.group && s.name == selected.name;
        let other = match self
            .marked
            .and_then(|i| self.versions.get(i))
            .filter(same_schema)
        {
            Some(marked) if marked.version != selected.version => marked,
            _ => self
                .versions
                .iter()
                .filter(same_schema)
                .filter(|s| s.version < selected.version)
                .max_by_key(|s| s.version)?,
        };
        let (old, new) = if other.version < selected.version {
            (other, selected)
        } else {
            (selected, other)
        };
        Some(Comparison { old, new })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(name: &str, version: u32, id: &str) -> RegisteredSchema {
        RegisteredSchema {
            id: id.into(),
            group: "g".into(),
            name: name.into(),
            version,
            format: "Avro".into(),
            content: "{}".into(),
        }
    }

    #[test]
    fn compares_with_the_mark_or_the_previous_version() {
        let mut state = SchemasState {
            pending_id: Some("b2".into()),
            ..SchemasState::default()
        };
        state.load(vec![
            version("b", 3, "b3"),
            version("a", 1, "a1"),
            version("b", 1, "b1"),
            version("b", 2, "b2"),
        ]);
        assert_eq!(
            state.selected().map(|s| s.id.as_str()),
            Some("b2"),
            "jumped to the id"
        );
        let pair = state.comparison().expect("b2 has a predecessor");
        assert_eq!((pair.old.version, pair.new.version), (1, 2));

        state.list.selected = 3;
        state.toggle_mark();
        state.list.selected = 1;
        let pair = state.comparison().expect("marked b3");
        assert_eq!((pair.old.version, pair.new.version), (1, 3));
        state.list.selected = 0;
        assert!(
            state.comparison().is_none(),
            "a1: another schema, no predecessor"
        );

        state.load(vec![version("b", 3, "b3"), version("b", 1, "b1")]);
        assert_eq!(state.marked, Some(1), "the mark follows its version");

        state.load(vec![version("a", 1, "a1"), version("b", 1, "b1")]);
        state.list.filter = "b".into();
        state.list.selected = 0;
        assert_eq!(state.visible(), [1]);
        assert_eq!(state.selected().map(|s| s.id.as_str()), Some("b1"));
        assert!(
            state.select_id("a1"),
            "a jump clears a filter hiding its target"
        );
        assert_eq!(state.selected().map(|s| s.id.as_str()), Some("a1"));
    }
}
