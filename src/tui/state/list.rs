/// Selection and filter of a list pane. The list itself lives with its data; this only
/// remembers where the user is, so it survives a refresh.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListState {
    pub selected: usize,
    pub filter: String,
}

impl ListState {
    pub fn up(&mut self, by: usize) {
        self.selected = self.selected.saturating_sub(by);
    }

    pub fn down(&mut self, by: usize, len: usize) {
        self.selected = (self.selected + by).min(len.saturating_sub(1));
    }

    pub fn last(&mut self, len: usize) {
        self.selected = len.saturating_sub(1);
    }

    /// Keeps the selection inside a list that may have shrunk.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// Case-insensitive substring match of the filter against any of `fields`.
    pub fn matches<'a>(&self, fields: impl IntoIterator<Item = &'a str>) -> bool {
        matches_filter(&self.filter, fields)
    }
}

pub(super) fn matches_filter<'a>(filter: &str, fields: impl IntoIterator<Item = &'a str>) -> bool {
    if filter.is_empty() {
        return true;
    }
    matches_lowered(&filter.to_lowercase(), fields)
}

/// [`matches_filter`] with the filter already lowercased, for callers that test it against
/// many rows (the tail's million events): no allocation per field when the text is ASCII.
pub(super) fn matches_lowered<'a>(needle: &str, fields: impl IntoIterator<Item = &'a str>) -> bool {
    needle.is_empty()
        || fields
            .into_iter()
            .any(|field| contains_ignoring_case(field, needle))
}

fn contains_ignoring_case(haystack: &str, lowered_needle: &str) -> bool {
    // Most fields (types, sources, ids, numbers) have no capitals: the plain search is fast
    // and settles them; folding case is needed only for a field with capitals.
    if haystack.contains(lowered_needle) {
        return true;
    }
    if haystack.is_ascii() && lowered_needle.is_ascii() {
        if !haystack.bytes().any(|b| b.is_ascii_uppercase()) {
            return false;
        }
        let needle = lowered_needle.as_bytes();
        haystack
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
    } else {
        haystack.to_lowercase().contains(lowered_needle)
    }
}

/// First row to draw so that `selected` is visible in `height` rows.
pub fn scroll_offset(selected: usize, height: usize) -> usize {
    (selected + 1).saturating_sub(height.max(1))
}

/// The selections of a pane with several lists (each with its filter), and which one has
/// the focus.
#[derive(Debug, Clone, Default)]
pub struct PaneLists {
    lists: Vec<ListState>,
    pub focus: usize,
    /// Whether the user has moved a selection (by key or click): from then on the pane keeps
    /// what they chose when its rows are reordered; before, the top row is the selection.
    pub chosen: bool,
}

impl PaneLists {
    pub fn list(&mut self, index: usize) -> &mut ListState {
        if self.lists.len() <= index {
            self.lists.resize_with(index + 1, ListState::default);
        }
        &mut self.lists[index]
    }

    /// The list in focus.
    pub fn focused(&mut self) -> &mut ListState {
        self.list(self.focus)
    }

    /// The selected row of list `index` (0 before it was used).
    pub fn selected(&self, index: usize) -> usize {
        self.lists.get(index).map_or(0, |l| l.selected)
    }

    /// The filter of list `index`.
    pub fn filter(&self, index: usize) -> &str {
        self.lists.get(index).map_or("", |l| l.filter.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stay_in_bounds() {
        let mut list = ListState::default();
        list.up(3);
        assert_eq!(list.selected, 0);
        list.down(10, 4);
        assert_eq!(list.selected, 3);
        list.clamp(2);
        assert_eq!(list.selected, 1);
        list.down(1, 0);
        assert_eq!(list.selected, 0);
    }

    #[test]
    fn filter_is_case_insensitive_substring() {
        let list = ListState {
            selected: 0,
            filter: "CUST".into(),
        };
        assert!(list.matches(["contact", "customer"]));
        assert!(list.matches(["TheCustomer"]));
        assert!(!list.matches(["sale", "conversions"]));
    }

    #[test]
    fn offset_keeps_selection_visible() {
        assert_eq!(scroll_offset(0, 10), 0);
        assert_eq!(scroll_offset(9, 10), 0);
        assert_eq!(scroll_offset(10, 10), 1);
        assert_eq!(scroll_offset(5, 0), 5);
    }
}
