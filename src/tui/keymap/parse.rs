//! Reading one keymap file and validating it: every error names the file and the entry.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Binding, Context, Key, Keymap};
use crate::tui::action::Action;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {problem}")]
pub struct KeymapError {
    /// The file the error is in (a path, or `keymaps/<name>.toml` for shipped ones).
    pub origin: String,
    pub problem: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    #[serde(default)]
    keymap: Vec<RawBinding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    on: RawKeys,
    run: String,
    #[serde(default)]
    desc: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawKeys {
    One(String),
    Chord(Vec<String>),
}

impl RawKeys {
    fn as_list(&self) -> Vec<&str> {
        match self {
            RawKeys::One(k) => vec![k.as_str()],
            RawKeys::Chord(keys) => keys.iter().map(String::as_str).collect(),
        }
    }

    fn label(&self) -> String {
        match self {
            RawKeys::One(k) => format!("on = {k:?}"),
            RawKeys::Chord(keys) => format!("on = {keys:?}"),
        }
    }
}

pub(super) fn parse(text: &str, origin: &str) -> Result<Keymap, KeymapError> {
    let fail = |problem: String| KeymapError {
        origin: origin.to_owned(),
        problem,
    };
    let raw: BTreeMap<String, RawSection> =
        toml::from_str(text).map_err(|e| fail(e.message().to_owned()))?;
    let mut sections = BTreeMap::new();
    for (name, section) in raw {
        let context = parse_context(&name).ok_or_else(|| {
            fail(format!(
                "unknown section [{name}]; expected one of {}",
                context_names()
            ))
        })?;
        let mut bindings: Vec<Binding> = Vec::new();
        for entry in section.keymap {
            let at = format!("[{name}] {}", entry.on.label());
            let keys = entry
                .on
                .as_list()
                .into_iter()
                .map(str::parse::<Key>)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| fail(format!("{at}: {e}")))?;
            if keys.is_empty() {
                return Err(fail(format!("{at}: no keys")));
            }
            let action = Action::from_name(&entry.run)
                .ok_or_else(|| fail(format!("{at}: unknown action `{}`", entry.run)))?;
            if bindings.iter().any(|b| b.keys == keys) {
                return Err(fail(format!(
                    "{at}: the key is bound twice in this section"
                )));
            }
            let desc = entry.desc.unwrap_or_else(|| entry.run.replace('_', " "));
            bindings.push(Binding { keys, action, desc });
        }
        sections.insert(context, bindings);
    }
    let map = Keymap { sections };
    check_chord_conflicts(&map.sections, origin)?;
    Ok(map)
}

/// A key that is both a binding and the start of a chord could never reach the chord.
pub(super) fn check_chord_conflicts(
    sections: &BTreeMap<Context, Vec<Binding>>,
    origin: &str,
) -> Result<(), KeymapError> {
    for (context, bindings) in sections {
        for short in bindings {
            if let Some(long) = bindings
                .iter()
                .find(|b| b.keys.len() > short.keys.len() && b.keys.starts_with(&short.keys))
            {
                return Err(KeymapError {
                    origin: origin.to_owned(),
                    problem: format!(
                        "[{}] `{}` is bound and also starts the chord `{}`",
                        context.name(),
                        short.keys_label(),
                        long.keys_label()
                    ),
                });
            }
        }
    }
    Ok(())
}

fn parse_context(name: &str) -> Option<Context> {
    Context::all().into_iter().find(|c| c.name() == name)
}

fn context_names() -> String {
    let names: Vec<&str> = Context::all().into_iter().map(Context::name).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_names_are_snake_case() {
        assert_eq!(
            parse_context("consumer_groups"),
            Some(Context::Pane("consumer_groups"))
        );
        assert_eq!(parse_context("global"), Some(Context::Global));
        assert_eq!(parse_context("command_line"), Some(Context::CommandLine));
    }
}
