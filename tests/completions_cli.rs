//! `ehops completions SHELL` and `ehops man`, generated from the command definitions: what a
//! user of k9s, az or kubectl installs once and expects to know every command.

use std::process::Command;

fn ehops(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ehops"))
        .args(args)
        .output()
        .expect("ehops runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every subcommand a person types, as the completion scripts must offer them.
const SUBCOMMANDS: [&str; 14] = [
    "emulator",
    "hubs",
    "partitions",
    "lag",
    "lint",
    "tail",
    "schemas",
    "schema",
    "reset",
    "deadletter",
    "replay",
    "redrive",
    "decode",
    "completions",
];

/// What bash offers for the words typed so far, from the real completion script.
fn bash_offers(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let current = words.len() - 1;
    let program = format!(
        "source {script:?}; COMP_WORDS=({words}); COMP_CWORD={current}; \
         _ehops ehops {word:?} {previous:?}; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = words.join(" "),
        word = words[current],
        previous = words[current - 1],
    );
    let output = Command::new("bash")
        .args(["-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_their_options() {
    let (code, script, stderr) = ehops(&["completions", "bash"]);
    assert_eq!(code, 0, "{stderr}");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ehops.bash");
    std::fs::write(&path, &script).expect("script written");

    let all = bash_offers(&path, &["ehops", ""]);
    for subcommand in SUBCOMMANDS.iter().chain(&["man"]) {
        assert!(
            all.iter().any(|w| w == subcommand),
            "{subcommand} not offered: {all:?}"
        );
    }
    assert_eq!(bash_offers(&path, &["ehops", "ta"]), ["tail"]);
    assert_eq!(bash_offers(&path, &["ehops", "tail", "--fr"]), ["--from"]);
}

#[test]
fn every_shell_gets_a_script_naming_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, script, stderr) = ehops(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        for subcommand in SUBCOMMANDS {
            assert!(
                script.contains(subcommand),
                "{shell} script lacks {subcommand}"
            );
        }
    }
    let (code, _, stderr) = ehops(&["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error: {stderr}");
    assert!(stderr.contains("bash"), "the shells are listed: {stderr}");
}

#[test]
fn the_man_page_is_roff_that_man_renders() {
    let (code, page, stderr) = ehops(&["man"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(page.contains(".TH ehops 1"), "{page}");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ehops.1");
    std::fs::write(&path, &page).expect("page written");
    // man-db renders a local file with -l; without man on the machine the roff check stands.
    let Ok(rendered) = Command::new("man")
        .arg("-l")
        .arg(&path)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
    else {
        return;
    };
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(
        text.contains("Operations console for Azure Event Hubs"),
        "{text}"
    );
    for words in ["--connection-string", "tail", "completions"] {
        assert!(
            text.contains(words),
            "the rendered page lacks {words}: {text}"
        );
    }
}

#[test]
fn man_pages_for_every_subcommand_go_to_a_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("man1");
    let out_text = out.to_string_lossy().into_owned();
    let (code, _, stderr) = ehops(&["man", "--out-dir", &out_text]);
    assert_eq!(code, 0, "{stderr}");
    for page in [
        "ehops.1",
        "ehops-tail.1",
        "ehops-deadletter.1",
        "ehops-schema-diff.1",
    ] {
        let text =
            std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page} is roff");
    }
}
