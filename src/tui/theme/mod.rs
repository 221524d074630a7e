//! Themes: TOML files with a `[palette]` of named colours, then semantic slots
//! (`[lag] stuck = { fg = "red", bold = true }`), resolved once into [`Style`]s.
//!
//! Every theme is layered: the built-in `dark` theme (which defines every slot), then the
//! built-in theme of that name, then a user file of that name. So a user file may be partial.

mod slot;
mod spec;

use ratatui::style::Style;

pub use slot::Slot;
pub use spec::ThemeError;
use spec::ThemeSpec;

/// Shipped themes as `(name, text)`; the first is the base every theme is layered on.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../../themes/dark.toml")),
    ("light", include_str!("../../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../../themes/high-contrast.toml"),
    ),
];

/// A resolved theme: one `Style` per slot.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: Vec<Style>,
}

impl Theme {
    pub fn get(&self, slot: Slot) -> Style {
        self.styles.get(slot.index()).copied().unwrap_or_default()
    }

    pub fn border(&self, focused: bool) -> Style {
        self.get(if focused {
            Slot::BorderFocused
        } else {
            Slot::Border
        })
    }

    pub fn title(&self, focused: bool) -> Style {
        self.get(if focused {
            Slot::TitleFocused
        } else {
            Slot::Title
        })
    }

    pub fn selected(&self, focused: bool) -> Style {
        self.get(if focused {
            Slot::Selected
        } else {
            Slot::SelectedUnfocused
        })
    }

    /// The built-in theme `name` with no user overrides.
    pub fn builtin(name: &str, no_color: bool) -> Option<Theme> {
        BUILTIN.iter().any(|(n, _)| *n == name).then(|| {
            Theme::layered(name, None, no_color)
                .expect("built-in themes are valid (tested in theme::tests)")
        })
    }

    /// `name` layered over the base theme, with an optional user file `(text, origin)` on top.
    pub fn layered(
        name: &str,
        user: Option<(&str, &str)>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let mut spec = ThemeSpec::default();
        for (builtin, text) in BUILTIN {
            if *builtin == BUILTIN[0].0 || *builtin == name {
                spec.merge(ThemeSpec::parse(text, &format!("themes/{builtin}.toml"))?);
            }
        }
        let origin = user.map_or_else(|| format!("themes/{name}.toml"), |(_, o)| o.to_owned());
        if let Some((text, origin)) = user {
            spec.merge(ThemeSpec::parse(text, origin)?);
        }
        let styles = Slot::ALL
            .iter()
            .map(|slot| spec.resolve(*slot, no_color))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|problem| ThemeError { origin, problem })?;
        Ok(Theme {
            name: name.to_owned(),
            styles,
        })
    }
}

/// All themes the user can switch to, resolved up front so switching needs no I/O.
#[derive(Debug, Clone)]
pub struct ThemeCatalog {
    themes: Vec<Theme>,
}

impl ThemeCatalog {
    /// Built-ins plus user files `(name, text, origin)`. A broken user file is skipped (the
    /// built-in of that name stays) and reported in the returned warnings.
    pub fn new(user_files: &[(String, String, String)], no_color: bool) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let mut names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        for (name, _, _) in user_files {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        let mut themes = Vec::new();
        for name in names {
            let user = user_files
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, text, origin)| (text.as_str(), origin.as_str()));
            match Theme::layered(name, user, no_color) {
                Ok(theme) => themes.push(theme),
                Err(e) => {
                    warnings.push(e.to_string());
                    themes.extend(Theme::builtin(name, no_color));
                }
            }
        }
        (Self { themes }, warnings)
    }

    pub fn get(&self, name: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.name == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.themes.iter().map(|t| t.name.as_str())
    }

    /// The theme after `current`, wrapping around.
    pub fn next_after(&self, current: &str) -> Option<&Theme> {
        let at = self.themes.iter().position(|t| t.name == current)?;
        self.themes.get((at + 1) % self.themes.len())
    }
}

#[cfg(test)]
mod tests;
