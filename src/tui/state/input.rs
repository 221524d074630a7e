//! The one-line input at the bottom (the `:` command line and the `/` filter): a
//! `ratatui-textarea` editor kept to one line, so editing keys behave as in other terminal
//! programs (cursor and word moves, deleting words, undo and redo, pasting what was cut).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};

use crate::tui::keymap::Key;

/// What the one-line input at the bottom is being used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    /// `:hubs`, `:theme light`, ...
    Command,
    /// A filter for the focused list, applied as it is typed.
    Filter,
}

#[derive(Debug, Clone)]
pub struct InputLine {
    pub mode: InputMode,
    pub editor: TextArea<'static>,
}

impl InputLine {
    pub fn new(mode: InputMode, text: &str) -> Self {
        let mut editor = TextArea::new(vec![text.to_owned()]);
        editor.move_cursor(CursorMove::End);
        Self { mode, editor }
    }

    pub fn prompt(&self) -> char {
        match self.mode {
            InputMode::Command => ':',
            InputMode::Filter => '/',
        }
    }

    /// The text typed so far.
    pub fn text(&self) -> &str {
        self.editor.lines().first().map_or("", String::as_str)
    }

    pub fn insert(&mut self, c: char) {
        // Control characters would corrupt the screen; the input line is plain text.
        if !c.is_control() {
            self.editor.insert_char(c);
        }
    }

    pub fn delete(&mut self) {
        self.editor.delete_char();
    }

    /// A key the keymap leaves to the editor; whether the text changed. Keys that would
    /// start a second line or insert a tab are not the editor's: the line stays one line of
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(line: &mut InputLine, keys: &[&str]) {
        for key in keys {
            line.edit(key.parse().expect("a key name"));
        }
    }

    #[test]
    fn editing_keys_move_by_word_delete_words_and_undo() {
        let mut line = InputLine::new(InputMode::Command, "theme light");
        // Alt-b: back a word; typing lands before it.
        typed(&mut line, &["<A-b>", "x"]);
        assert_eq!(line.text(), "theme xlight");
        // Ctrl-u undoes the last edit; Home and End jump.
        typed(&mut line, &["<C-u>", "<Home>", ":"]);
        assert_eq!(line.text(), ":theme light");
        // Ctrl-w deletes the word before the cursor.
        typed(&mut line, &["<End>", "<C-w>"]);
        assert_eq!(line.text(), ":theme ");
    }

    #[test]
    fn the_line_stays_one_line_of_plain_text() {
        let mut line = InputLine::new(InputMode::Filter, "sale");
        typed(&mut line, &["<C-m>", "<C-j>", "<Tab>", "<Enter>"]);
        line.insert('\u{1b}');
        assert_eq!(line.editor.lines(), ["sale"]);
    }
}
