/// What the one-line input at the bottom is being used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    /// `:hubs`, `:theme light`, ...
    Command,
    /// A filter for the focused list, applied as it is typed.
    Filter,
}

/// The text being typed; the cursor is always at the end (enough for short commands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine {
    pub mode: InputMode,
    pub text: String,
}

impl InputLine {
    pub fn new(mode: InputMode, text: &str) -> Self {
        Self {
            mode,
            text: text.to_owned(),
        }
    }

    pub fn prompt(&self) -> char {
        match self.mode {
            InputMode::Command => ':',
            InputMode::Filter => '/',
        }
    }

    pub fn insert(&mut self, c: char) {
        // Control characters would corrupt the screen; the input line is plain text.
        if !c.is_control() {
            self.text.push(c);
        }
    }

    pub fn delete(&mut self) {
        self.text.pop();
    }
}
