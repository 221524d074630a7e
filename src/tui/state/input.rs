//! The one-line input at the bottom: the `:` command line or the `/` filter.

use super::TextField;

/// What the one-line input at the bottom is being used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    /// `:hubs`, `:theme light`, ...
    Command,
    /// A filter for the focused list, applied as it is typed.
    Filter,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine {
    pub mode: InputMode,
    pub field: TextField,
}

impl InputLine {
    pub fn new(mode: InputMode, text: &str) -> Self {
        Self {
            mode,
            field: TextField::new(text),
        }
    }

    pub fn prompt(&self) -> char {
        match self.mode {
            InputMode::Command => ':',
            InputMode::Filter => '/',
        }
    }

    /// The text typed so far.
    pub fn text(&self) -> &str {
        self.field.text()
    }
}
