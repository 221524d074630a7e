//! One line of text being typed (the command line, the filter, the incident dialogs'
//! fields): a `ratatui-textarea` editor kept to one line, so editing keys behave as in other
//! terminal programs (cursor and word moves, deleting words, undo and redo, pasting what was
//! cut) wherever the console takes text.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};

use crate::tui::keymap::Key;

#[derive(Debug, Clone)]
pub struct TextField {
    /// Boxed: an editor is several hundred bytes, and forms hold six.
    editor: Box<TextArea<'static>>,
}

impl TextField {
    /// A field holding `text`, the cursor after it.
    pub fn new(text: &str) -> Self {
        let mut editor = TextArea::new(vec![text.to_owned()]);
        editor.move_cursor(CursorMove::End);
        Self {
            editor: Box::new(editor),
        }
    }

    pub fn text(&self) -> &str {
        self.editor.lines().first().map_or("", String::as_str)
    }

    /// The text before and after the cursor.
    pub fn split_at_cursor(&self) -> (&str, &str) {
        let text = self.text();
        let column = self.editor.cursor().1;
        let at = text
            .char_indices()
            .nth(column)
            .map_or(text.len(), |(i, _)| i);
        text.split_at(at)
    }

    pub fn insert(&mut self, c: char) {
        // Control characters would corrupt the screen: the field is plain text.
        if !c.is_control() {
            self.editor.insert_char(c);
        }
    }

    pub fn delete(&mut self) {
        self.editor.delete_char();
    }

    pub fn clear(&mut self) {
        *self = Self::new("");
    }

    /// A key the keymap leaves to the editor; whether the text changed. Keys that would
    /// start a second line or insert a tab are not the editor's: the field stays one line of
    /// plain text.
    pub fn edit(&mut self, key: Key) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let breaks_line = match key.code {
            KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab => true,
            KeyCode::Char('m' | 'j') => ctrl,
            KeyCode::Char(c) => c.is_control(),
            _ => false,
        };
        if breaks_line {
            return false;
        }
        self.editor.input(KeyEvent::new(key.code, key.modifiers))
    }

    /// The editor, for drawing.
    pub fn editor(&self) -> &TextArea<'static> {
        &self.editor
    }
}

/// Fields are equal when their text is: where the cursor is, or what undo remembers, is not
/// what a form holds.
impl PartialEq for TextField {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl Eq for TextField {}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(field: &mut TextField, keys: &[&str]) {
        for key in keys {
            field.edit(key.parse().expect("a key name"));
        }
    }

    #[test]
    fn editing_keys_move_by_word_delete_words_and_undo() {
        let mut field = TextField::new("theme light");
        // Alt-b: back a word; typing lands before it.
        typed(&mut field, &["<A-b>", "x"]);
        assert_eq!(field.text(), "theme xlight");
        assert_eq!(field.split_at_cursor(), ("theme x", "light"));
        // Ctrl-u undoes the last edit; Home and End jump.
        typed(&mut field, &["<C-u>", "<Home>", ":"]);
        assert_eq!(field.text(), ":theme light");
        // Ctrl-w deletes the word before the cursor.
        typed(&mut field, &["<End>", "<C-w>"]);
        assert_eq!(field.text(), ":theme ");
    }

    #[test]
    fn the_field_stays_one_line_of_plain_text() {
        let mut field = TextField::new("sale");
        typed(&mut field, &["<C-m>", "<C-j>", "<Tab>", "<Enter>"]);
        field.insert('\u{1b}');
        assert_eq!(field.editor().lines(), ["sale"]);
    }
}
