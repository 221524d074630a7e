//! A theme file before resolution: a palette of named colours and style specs per slot.
//! Specs are merged (built-in base, built-in theme, user file) and only then resolved, so a
//! user file can change one palette colour or one slot.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use super::Slot;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {problem}")]
pub struct ThemeError {
    pub origin: String,
    pub problem: String,
}

/// A style as written: `"red"` (foreground only) or `{ fg, bg, bold, ... }`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    modifiers: Modifier,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ThemeSpec {
    palette: BTreeMap<String, String>,
    slots: BTreeMap<&'static str, StyleSpec>,
}

const MODIFIERS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underline", Modifier::UNDERLINED),
    ("reverse", Modifier::REVERSED),
];

impl ThemeSpec {
    pub(super) fn parse(text: &str, origin: &str) -> Result<Self, ThemeError> {
        let fail = |problem: String| ThemeError {
            origin: origin.to_owned(),
            problem,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| fail(e.message().to_owned()))?;
        let mut spec = ThemeSpec::default();
        for (group, value) in table {
            let toml::Value::Table(entries) = value else {
                return Err(fail(format!("`{group}` must be a table such as [{group}]")));
            };
            for (key, value) in entries {
                if group == "palette" {
                    let toml::Value::String(colour) = value else {
                        return Err(fail(format!("palette.{key}: a colour is a string")));
                    };
                    Color::from_str(&colour)
                        .map_err(|_| fail(format!("palette.{key}: `{colour}` is not a colour")))?;
                    spec.palette.insert(key, colour);
                    continue;
                }
                let name = format!("{group}.{key}");
                let slot = Slot::from_name(&name)
                    .ok_or_else(|| fail(format!("unknown style slot `{name}`")))?;
                let style =
                    StyleSpec::from_value(value).map_err(|p| fail(format!("{name}: {p}")))?;
                spec.slots.insert(slot.name(), style);
            }
        }
        Ok(spec)
    }

    /// `other` wins where it says something.
    pub(super) fn merge(&mut self, other: ThemeSpec) {
        self.palette.extend(other.palette);
        self.slots.extend(other.slots);
    }

    #[cfg(test)]
    pub(super) fn missing_slots(&self) -> Vec<&'static str> {
        Slot::ALL
            .iter()
            .map(|s| s.name())
            .filter(|n| !self.slots.contains_key(n))
            .collect()
    }

    /// Resolves one slot; palette names are looked up first, then ratatui colour names.
    pub(super) fn resolve(&self, slot: Slot, no_color: bool) -> Result<Style, String> {
        let Some(spec) = self.slots.get(slot.name()) else {
            return Ok(Style::default());
        };
        let mut style = Style::default().add_modifier(spec.modifiers);
        if no_color {
            if slot.needs_reverse_without_colour() {
                style = style.add_modifier(Modifier::REVERSED);
            }
            return Ok(style);
        }
        if let Some(fg) = &spec.fg {
            style = style.fg(self.colour(fg, slot)?);
        }
        if let Some(bg) = &spec.bg {
            style = style.bg(self.colour(bg, slot)?);
        }
        Ok(style)
    }

    fn colour(&self, name: &str, slot: Slot) -> Result<Color, String> {
        let text = self.palette.get(name).map_or(name, String::as_str);
        Color::from_str(text).map_err(|_| {
            format!(
                "{}: `{name}` is neither a palette colour nor a colour",
                slot.name()
            )
        })
    }
}

impl StyleSpec {
    fn from_value(value: toml::Value) -> Result<Self, String> {
        match value {
            toml::Value::String(fg) => Ok(StyleSpec {
                fg: Some(fg),
                ..StyleSpec::default()
            }),
            toml::Value::Table(fields) => {
                let mut spec = StyleSpec::default();
                for (field, value) in fields {
                    match (field.as_str(), value) {
                        ("fg", toml::Value::String(c)) => spec.fg = Some(c),
                        ("bg", toml::Value::String(c)) => spec.bg = Some(c),
                        (name, toml::Value::Boolean(on)) => {
                            let (_, modifier) = MODIFIERS
                                .iter()
                                .find(|(n, _)| *n == name)
                                .ok_or_else(|| format!("unknown style field `{name}`"))?;
                            spec.modifiers.set(*modifier, on);
                        }
                        (name, _) => {
                            return Err(format!(
                                "`{name}` has the wrong type or is not a style field \
                                 (fg, bg: colour strings; bold, dim, italic, underline, reverse: true/false)"
                            ));
                        }
                    }
                }
                Ok(spec)
            }
            _ => Err("a style is a colour string or a table { fg, bg, bold, ... }".to_owned()),
        }
    }
}
