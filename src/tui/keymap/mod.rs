//! Key bindings: TOML files with one section per context, like
//! `[hubs] keymap = [{ on = "<C-r>", run = "refresh", desc = "Refresh" }]`.
//!
//! The shipped presets are embedded; a preset or a user file is merged over the default by
//! key (same keys replace the binding, new keys are added). Help and the hint bar are
//! generated from the merged result, so they cannot drift from the bindings.

mod key;
mod parse;

use std::collections::BTreeMap;

use super::action::Action;
pub use key::Key;
pub use parse::KeymapError;

const DEFAULT: &str = include_str!("../../../keymaps/default.toml");
const VIM: &str = include_str!("../../../keymaps/vim.toml");

/// Shipped presets, as `(name, text)`; `default` is the base of every other.
pub const PRESETS: &[(&str, &str)] = &[("default", DEFAULT), ("vim", VIM)];

/// Where a key press is interpreted; each has its own keymap section. A pane's section is
/// named after the pane (`[hubs]`, `[consumer_groups]`), so a new pane brings its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    /// A pane of the console, by its name (see `tui::views::PANES`).
    Pane(&'static str),
    CommandLine,
    Help,
    /// The incident dialog (reset, dead-letter, redrive, replay) on a field: typed
    /// characters are its text.
    Dialog,
    /// The incident dialog on a dry run, a button or a result: keys confirm, move, cancel.
    Confirm,
}

impl Context {
    /// Every context in help order: global, each pane as listed, then the overlays.
    pub fn all() -> Vec<Context> {
        std::iter::once(Context::Global)
            .chain(
                crate::tui::views::PANES
                    .iter()
                    .map(|p| Context::Pane(p.view().name())),
            )
            .chain([
                Context::CommandLine,
                Context::Help,
                Context::Dialog,
                Context::Confirm,
            ])
            .collect()
    }

    /// The section name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Pane(name) => name,
            Context::CommandLine => "command_line",
            Context::Help => "help",
            Context::Dialog => "dialog",
            Context::Confirm => "confirm",
        }
    }

    /// Whether `[global]` bindings apply too; not while typing, so `q` inserts a `q`.
    fn inherits_global(self) -> bool {
        !matches!(
            self,
            Context::CommandLine | Context::Global | Context::Dialog | Context::Confirm
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: String,
}

impl Binding {
    /// The keys as written in help: `g g`, `<C-r>`.
    pub fn keys_label(&self) -> String {
        let keys: Vec<String> = self.keys.iter().map(Key::to_string).collect();
        keys.join(" ")
    }
}

/// What a sequence of key presses means in a context.
#[derive(Debug, PartialEq)]
pub enum Lookup<'a> {
    Run(Action),
    /// The keys start one or more chords; these are the candidates (for a which-key hint).
    Pending(Vec<&'a Binding>),
    Unbound,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Keymap {
    sections: BTreeMap<Context, Vec<Binding>>,
}

impl Keymap {
    /// The embedded default keymap: the bindings panes bring, with `keymaps/default.toml`
    /// merged over them.
    pub fn builtin() -> Self {
        let mut map = Self::default();
        for pane in crate::tui::views::PANES {
            if let Some(keys) = pane.default_keys() {
                let origin = format!("the {} pane's default keys", pane.view().name());
                map = map
                    .merged(keys, &origin)
                    .expect("a pane's default keys are valid (tested in keymap::tests)");
            }
        }
        map.merged(DEFAULT, "keymaps/default.toml")
            .expect("the embedded default keymap is valid (tested in keymap::tests)")
    }

    /// A shipped preset merged over the default; `None` if there is no such preset.
    pub fn preset(name: &str) -> Option<Result<Self, KeymapError>> {
        let (_, text) = PRESETS.iter().find(|(n, _)| *n == name)?;
        let origin = format!("keymaps/{name}.toml");
        Some(Self::builtin().merged(text, &origin))
    }

    /// Parses `text` (from `origin`, named in errors) and merges it over `self` by key.
    pub fn merged(&self, text: &str, origin: &str) -> Result<Self, KeymapError> {
        let overlay = parse::parse(text, origin)?;
        let mut merged = self.clone();
        for (context, bindings) in overlay.sections {
            let section = merged.sections.entry(context).or_default();
            for binding in bindings {
                match section.iter_mut().find(|b| b.keys == binding.keys) {
                    Some(existing) => *existing = binding,
                    None => section.push(binding),
                }
            }
        }
        parse::check_chord_conflicts(&merged.sections, origin)?;
        Ok(merged)
    }

    /// The preset, with the user's file merged over it. A broken user file never stops the
    /// console: the preset is used and the error comes back as a warning to show on screen.
    pub fn load(preset: &str, user: Option<(&str, &str)>) -> (Self, Option<String>) {
        let (base, mut warning) = match Self::preset(preset) {
            Some(Ok(map)) => (map, None),
            Some(Err(e)) => (Self::builtin(), Some(e.to_string())),
            None => (
                Self::builtin(),
                Some(format!("no keymap preset `{preset}`; using default")),
            ),
        };
        let Some((text, origin)) = user else {
            return (base, warning);
        };
        match base.merged(text, origin) {
            Ok(map) => (map, warning),
            Err(e) => {
                warning = Some(format!("{e}; using the built-in keymap"));
                (base, warning)
            }
        }
    }

    /// Bindings of one context, in file order (not including `[global]`).
    pub fn bindings(&self, context: Context) -> &[Binding] {
        self.sections.get(&context).map_or(&[], Vec::as_slice)
    }

    /// Resolves the keys pressed so far in `context`, then in `[global]`.
    pub fn lookup(&self, context: Context, pressed: &[Key]) -> Lookup<'_> {
        let mut contexts = vec![context];
        if context.inherits_global() {
            contexts.push(Context::Global);
        }
        let mut pending = Vec::new();
        for ctx in contexts {
            for binding in self.bindings(ctx) {
                if binding.keys == pressed {
                    return Lookup::Run(binding.action.clone());
                }
                if binding.keys.len() > pressed.len() && binding.keys.starts_with(pressed) {
                    pending.push(binding);
                }
            }
        }
        if pending.is_empty() {
            Lookup::Unbound
        } else {
            Lookup::Pending(pending)
        }
    }

    /// The first binding of `action` visible in `context` (for hints such as "? help").
    pub fn key_for(&self, context: Context, action: &Action) -> Option<&Binding> {
        let global = context.inherits_global().then_some(Context::Global);
        std::iter::once(context)
            .chain(global)
            .flat_map(|c| self.bindings(c))
            .find(|b| &b.action == action)
    }
}

#[cfg(test)]
mod tests;
