use ratatui::style::{Color, Modifier};

use super::*;

#[test]
fn every_builtin_theme_parses_and_defines_every_slot() {
    for (name, text) in BUILTIN {
        let spec = ThemeSpec::parse(text, name).expect("built-in theme parses");
        assert_eq!(spec.missing_slots(), Vec::<&str>::new(), "{name}");
        assert!(Theme::builtin(name, false).is_some(), "{name}");
    }
}

#[test]
fn palette_names_resolve_to_colours() {
    let theme = Theme::builtin("dark", false).expect("dark exists");
    let lost = theme.get(Slot::LagLost);
    assert_eq!(lost.fg, Some(Color::Rgb(0xf7, 0x76, 0x8e)));
    assert!(lost.add_modifier.contains(Modifier::BOLD));
}

#[test]
fn no_color_strips_colours_but_keeps_selection_visible() {
    let theme = Theme::builtin("dark", true).expect("dark exists");
    for slot in Slot::ALL {
        let style = theme.get(slot);
        assert_eq!((style.fg, style.bg), (None, None), "{slot:?}");
    }
    let selected = theme.get(Slot::Selected);
    assert!(selected.add_modifier.contains(Modifier::REVERSED));
    assert!(selected.add_modifier.contains(Modifier::BOLD));
}

#[test]
fn user_file_patches_the_theme_of_the_same_name() {
    let user = "[palette]\nred = \"#ff0000\"\n[tail]\ntype = { fg = \"blue\", italic = true }\n";
    let files = vec![(
        "dark".to_owned(),
        user.to_owned(),
        "my/dark.toml".to_owned(),
    )];
    let (catalog, warnings) = ThemeCatalog::new(&files, false);
    assert!(warnings.is_empty(), "{warnings:?}");
    let theme = catalog.get("dark").expect("dark exists");
    assert_eq!(theme.get(Slot::TailType).fg, Some(Color::Blue));
    assert_eq!(theme.get(Slot::LagLost).fg, Some(Color::Rgb(0xff, 0, 0)));
    // Untouched slots keep the built-in value.
    assert_eq!(
        theme.get(Slot::TailSubject),
        Theme::builtin("dark", false)
            .expect("dark")
            .get(Slot::TailSubject)
    );
}

#[test]
fn new_user_theme_is_layered_on_the_base_and_listed() {
    let files = vec![(
        "ocean".to_owned(),
        "[border]\nfocused = \"blue\"\n".to_owned(),
        "ocean.toml".to_owned(),
    )];
    let (catalog, _) = ThemeCatalog::new(&files, false);
    let names: Vec<&str> = catalog.names().collect();
    assert_eq!(names, ["dark", "light", "high-contrast", "ocean"]);
    assert_eq!(
        catalog.next_after("ocean").map(|t| t.name.as_str()),
        Some("dark")
    );
}

#[test]
fn broken_user_theme_keeps_builtin_and_warns() {
    let files = vec![(
        "light".to_owned(),
        "[lag]\nstuk = \"red\"\n".to_owned(),
        "my/light.toml".to_owned(),
    )];
    let (catalog, warnings) = ThemeCatalog::new(&files, false);
    assert_eq!(
        catalog.get("light"),
        Theme::builtin("light", false).as_ref()
    );
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].starts_with("my/light.toml: "),
        "{}",
        warnings[0]
    );
}

#[test]
fn invalid_fixtures_give_their_expected_error() {
    let cases = [
        (
            include_str!("../../../tests/fixtures/invalid/theme_unknown_slot.toml"),
            "unknown style slot `lag.stuk`",
        ),
        (
            include_str!("../../../tests/fixtures/invalid/theme_bad_palette.toml"),
            "palette.warning: `amber` is not a colour",
        ),
        (
            include_str!("../../../tests/fixtures/invalid/theme_unknown_colour.toml"),
            "lag.stuck: `not-in-palette` is neither a palette colour nor a colour",
        ),
        (
            include_str!("../../../tests/fixtures/invalid/theme_bad_field.toml"),
            "lag.stuck: unknown style field `blink`",
        ),
    ];
    for (text, expected) in cases {
        let err = Theme::layered("dark", Some((text, "fixture.toml")), false)
            .expect_err("fixture is invalid");
        assert_eq!(err.origin, "fixture.toml");
        assert!(
            err.to_string().contains(expected),
            "expected {expected:?} in {err}"
        );
    }
}
