use crossterm::event::{KeyCode, KeyModifiers};

use super::*;

fn key(text: &str) -> Key {
    text.parse().expect("test key parses")
}

#[test]
fn every_shipped_preset_parses() {
    for (name, _) in PRESETS {
        let map = Keymap::preset(name).expect("preset exists");
        assert!(map.is_ok(), "{name}: {map:?}");
    }
}

#[test]
fn every_bindable_action_is_bound_in_the_default() {
    let map = Keymap::builtin();
    for action in Action::BINDABLE {
        let bound = Context::all()
            .iter()
            .any(|c| map.key_for(*c, action).is_some());
        assert!(bound, "{action:?} has no key in keymaps/default.toml");
    }
}

#[test]
fn context_binding_wins_over_global() {
    let map = Keymap::builtin();
    assert_eq!(
        map.lookup(Context::Pane("hubs"), &[key("r")]),
        Lookup::Run(Action::Refresh)
    );
    assert_eq!(
        map.lookup(Context::Pane("tail"), &[key("q")]),
        Lookup::Run(Action::Quit)
    );
    assert_eq!(
        map.lookup(Context::Help, &[key("<Esc>")]),
        Lookup::Run(Action::Back)
    );
}

#[test]
fn command_line_does_not_inherit_global_keys() {
    let map = Keymap::builtin();
    assert_eq!(
        map.lookup(Context::CommandLine, &[key("q")]),
        Lookup::Unbound
    );
    assert_eq!(
        map.lookup(Context::CommandLine, &[key("<Enter>")]),
        Lookup::Run(Action::Submit)
    );
}

#[test]
fn chords_are_pending_until_complete() {
    let map = Keymap::preset("vim")
        .expect("vim exists")
        .expect("vim parses");
    let Lookup::Pending(candidates) = map.lookup(Context::Pane("hubs"), &[key("g")]) else {
        panic!("g should start a chord");
    };
    assert_eq!(candidates[0].keys_label(), "g g");
    assert_eq!(
        map.lookup(Context::Pane("hubs"), &[key("g"), key("g")]),
        Lookup::Run(Action::SelectFirst)
    );
}

#[test]
fn user_file_merges_by_key() {
    let user = r#"
[hubs]
keymap = [
	{ on = "r", run = "show_tail", desc = "Tail instead" },
	{ on = "<C-l>", run = "show_consumer_groups", desc = "Lag" },
]
"#;
    let (map, warning) = Keymap::load("default", Some((user, "user keymap.toml")));
    assert_eq!(warning, None);
    assert_eq!(
        map.lookup(Context::Pane("hubs"), &[key("r")]),
        Lookup::Run(Action::ShowTail)
    );
    let ctrl_l = Key::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
    assert_eq!(
        map.lookup(Context::Pane("hubs"), &[ctrl_l]),
        Lookup::Run(Action::ShowConsumerGroups)
    );
    // Untouched bindings survive.
    assert_eq!(
        map.lookup(Context::Pane("hubs"), &[key("t")]),
        Lookup::Run(Action::ShowTail)
    );
}

#[test]
fn broken_user_file_falls_back_with_a_warning() {
    let broken = include_str!("../../../tests/fixtures/invalid/keymap_unknown_action.toml");
    let (map, warning) = Keymap::load("default", Some((broken, "my-keymap.toml")));
    assert_eq!(map, Keymap::builtin());
    let warning = warning.expect("a warning for the broken file");
    assert!(warning.contains("my-keymap.toml"), "{warning}");
    assert!(warning.contains("reload_everything"), "{warning}");
}

#[test]
fn invalid_fixtures_give_their_expected_error() {
    let cases = [
        (
            include_str!("../../../tests/fixtures/invalid/keymap_unknown_action.toml"),
            "[hubs] on = \"r\": unknown action `reload_everything`",
        ),
        (
            include_str!("../../../tests/fixtures/invalid/keymap_duplicate_key.toml"),
            "[tail] on = \"p\": the key is bound twice",
        ),
        (
            include_str!("../../../tests/fixtures/invalid/keymap_unknown_section.toml"),
            "unknown section [hubz]",
        ),
        (
            include_str!("../../../tests/fixtures/invalid/keymap_bad_key.toml"),
            "unknown modifier `Hyper`",
        ),
        (
            include_str!("../../../tests/fixtures/invalid/keymap_chord_conflict.toml"),
            "`g` is bound and also starts the chord `g g`",
        ),
        (
            include_str!("../../../tests/fixtures/invalid/keymap_not_toml.toml"),
            "fixture.toml: ",
        ),
    ];
    for (text, expected) in cases {
        let err = Keymap::builtin()
            .merged(text, "fixture.toml")
            .expect_err("fixture is invalid");
        let message = err.to_string();
        assert!(message.starts_with("fixture.toml: "), "{message}");
        assert!(
            message.contains(expected),
            "expected {expected:?} in {message:?}"
        );
    }
}

#[test]
fn every_panes_own_keys_parse_and_bind_only_its_section() {
    for pane in crate::tui::views::PANES {
        let Some(keys) = pane.default_keys() else {
            continue;
        };
        let name = pane.view().name();
        let map = Keymap::default()
            .merged(keys, name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let sections: Vec<Context> = map.sections.keys().copied().collect();
        assert_eq!(sections, [Context::Pane(name)], "{name} binds elsewhere");
    }
}
