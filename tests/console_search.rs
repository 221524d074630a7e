//! The search pane on the demo, as an on-call engineer uses it: `:search` a word, the matches
//! stream in and the search ends saying what it read; `Enter` opens a match, `T` there follows
//! its aggregate across the hubs.

mod common;

use std::ffi::OsStr;
use std::process::Command;
use std::time::Duration;

use common::tmux::Terminal;

/// The number before `what` in the search pane's summary (`1234 events scanned`).
fn count_before(screen: &str, what: &str) -> Option<u64> {
    let line = screen.lines().find(|l| l.contains(what))?;
    let before = &line[..line.find(what)?];
    let word = before.trim_end().rsplit([' ', ',', '│']).next()?;
    word.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_streams_its_matches_and_a_match_traces_its_aggregate() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data");
    let args: [&OsStr; 2] = ["--data".as_ref(), data.as_os_str()];
    let socket = format!("ehops-search-{}", std::process::id());
    let terminal = Terminal::start_sized(socket, &args, &home.path().join("config"), (140, 40));
    // The overview lists the hubs once the demo is up (the customer team reads `contact`).
    terminal.wait_for(&["contact"]).await;

    terminal.keys(&[":"]);
    terminal.type_line("search purchased");
    let screen = terminal
        .wait_for_within(&["events scanned in", "matched"], Duration::from_secs(60))
        .await;
    assert!(screen.contains("search where purchased"), "{screen}");
    let scanned = count_before(&screen, "events scanned").unwrap_or(0);
    let matched = count_before(&screen, "matched").unwrap_or(0);
    assert!(scanned > 0, "the demo's hubs were read:\n{screen}");
    assert!(
        matched > 0 && matched <= scanned,
        "contacts purchase in the demo:\n{screen}"
    );
    assert!(
        screen.contains("contact.purchased"),
        "the matches are listed:\n{screen}"
    );

    // A match in full, then its aggregate across the hubs.
    terminal.keys(&["Enter"]);
    let detail = terminal.wait_for(&["subject"]).await;
    let subject = detail
        .lines()
        .find_map(|l| {
            let at = l.find("subject")?;
            l[at + "subject".len()..]
                .split(|c: char| c.is_whitespace() || c == '│' || c == ':')
                .find(|w| !w.is_empty())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("the detail names the subject:\n{detail}"));
    terminal.keys(&["T"]);
    let traced = terminal
        .wait_for_within(
            &[&format!("search trace {subject}"), "events scanned in"],
            Duration::from_secs(60),
        )
        .await;
    assert!(
        count_before(&traced, "matched").is_some_and(|n| n >= 1),
        "the traced event itself is found:\n{traced}"
    );
    assert!(traced.contains(&subject), "{traced}");
    terminal.keys(&["q"]);
    terminal.wait_quit().await;
}
