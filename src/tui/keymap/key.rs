//! One key press in keymap notation: `j`, `G`, `<C-r>`, `<S-Tab>`, `<Enter>`, `<F1>`.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

/// Names usable inside `<...>`, matched case-insensitively.
const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("cr", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("bs", KeyCode::Backspace),
    ("backspace", KeyCode::Backspace),
    ("del", KeyCode::Delete),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("lt", KeyCode::Char('<')),
];

impl Key {
    pub const fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        Self { code, modifiers }.normalized()
    }

    pub const fn plain(code: KeyCode) -> Self {
        Self::new(code, KeyModifiers::NONE)
    }

    /// The key of a terminal event, in the same normal form as parsed keys.
    pub fn from_event(event: KeyEvent) -> Self {
        Self::new(event.code, event.modifiers)
    }

    /// Shift is folded into the character (`G`, `?`) and into `BackTab`, because terminals
    /// disagree on whether they also report the Shift modifier.
    const fn normalized(self) -> Self {
        match self.code {
            KeyCode::Char(_) | KeyCode::BackTab => Self {
                code: self.code,
                modifiers: self.modifiers.difference(KeyModifiers::SHIFT),
            },
            _ => self,
        }
    }

    /// A printable character with no Ctrl/Alt, i.e. something to type into an input line.
    pub fn typed_char(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if (self.modifiers - KeyModifiers::SHIFT).is_empty() => Some(c),
            _ => None,
        }
    }
}

impl FromStr for Key {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Key::plain(KeyCode::Char(c)));
        }
        let inner = text
            .strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .ok_or_else(|| format!("`{text}` is not a key; write `a` or `<C-a>`"))?;
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = inner;
        while let Some((prefix, tail)) = rest.split_once('-').filter(|(_, t)| !t.is_empty()) {
            modifiers |= match prefix {
                "C" | "c" => KeyModifiers::CONTROL,
                "A" | "a" | "M" | "m" => KeyModifiers::ALT,
                "S" | "s" => KeyModifiers::SHIFT,
                _ => return Err(format!("unknown modifier `{prefix}` in `{text}`")),
            };
            rest = tail;
        }
        let code = named_code(rest).ok_or_else(|| format!("unknown key `{rest}` in `{text}`"))?;
        // `<S-Tab>` is what terminals send as BackTab.
        let code = if code == KeyCode::Tab && modifiers.contains(KeyModifiers::SHIFT) {
            KeyCode::BackTab
        } else {
            code
        };
        Ok(Key::new(code, modifiers))
    }
}

fn named_code(name: &str) -> Option<KeyCode> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(KeyCode::Char(c));
    }
    let lower = name.to_ascii_lowercase();
    if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
        return (1..=24).contains(&n).then_some(KeyCode::F(n));
    }
    NAMED
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|(_, code)| *code)
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char('<') => "lt".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "S-Tab".to_owned(),
            KeyCode::Backspace => "BS".to_owned(),
            KeyCode::Delete => "Del".to_owned(),
            KeyCode::Insert => "Insert".to_owned(),
            KeyCode::Up => "Up".to_owned(),
            KeyCode::Down => "Down".to_owned(),
            KeyCode::Left => "Left".to_owned(),
            KeyCode::Right => "Right".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::PageUp => "PageUp".to_owned(),
            KeyCode::PageDown => "PageDown".to_owned(),
            other => format!("{other:?}"),
        };
        let mut prefix = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            prefix.push_str("C-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            prefix.push_str("A-");
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            prefix.push_str("S-");
        }
        let single_char =
            prefix.is_empty() && matches!(self.code, KeyCode::Char(c) if c != ' ' && c != '<');
        if single_char {
            f.write_str(&name)
        } else {
            write!(f, "<{prefix}{name}>")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Key {
        text.parse().expect("test key parses")
    }

    #[test]
    fn parses_plain_named_and_modified_keys() {
        assert_eq!(key("j"), Key::plain(KeyCode::Char('j')));
        assert_eq!(key("<Enter>"), Key::plain(KeyCode::Enter));
        assert_eq!(
            key("<C-r>"),
            Key::new(KeyCode::Char('r'), KeyModifiers::CONTROL)
        );
        assert_eq!(key("<S-Tab>"), Key::plain(KeyCode::BackTab));
        assert_eq!(key("<F1>"), Key::plain(KeyCode::F(1)));
        assert_eq!(
            key("<C-->"),
            Key::new(KeyCode::Char('-'), KeyModifiers::CONTROL)
        );
    }

    #[test]
    fn rejects_unknown_names() {
        assert!("<Hyper-x>".parse::<Key>().unwrap_err().contains("modifier"));
        assert!(
            "<Enterr>"
                .parse::<Key>()
                .unwrap_err()
                .contains("unknown key")
        );
        assert!("gg".parse::<Key>().is_err());
    }

    #[test]
    fn terminal_events_match_parsed_keys() {
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(shifted), key("G"));
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(backtab), key("<S-Tab>"));
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "j",
            "G",
            "<C-r>",
            "<Enter>",
            "<S-Tab>",
            "<Space>",
            "<F5>",
            "<PageDown>",
        ] {
            assert_eq!(key(text).to_string(), text);
        }
    }
}
