//! The console as a new user opens it on the demo, at the sizes it adapts to: with no key
//! pressed, the overview shows `crm-sync` stuck on `sale` with how long it is behind and a
//! forecast, within 15 s of opening; and a console opened again shows the lag history of the
//! earlier run (its sparkline has earlier points).

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::demo_incident;
use common::tmux::Terminal;

/// Sparkline bars, as the console draws them.
const BARS: &[char] = &['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Opens the console on the demo in `data` at `size`, and waits until the overview shows
/// `crm-sync` stuck with a time behind and a forecast; returns the screen and how long that
/// took.
async fn open_until_stuck(
    data: &Path,
    home: &Path,
    size: (u16, u16),
    within: Duration,
) -> (Terminal, String, Duration) {
    let socket = format!(
        "ehops-overview-{}-{}x{}",
        std::process::id(),
        size.0,
        size.1
    );
    let args: [&OsStr; 2] = ["--data".as_ref(), data.as_os_str()];
    let opened = Instant::now();
    let terminal = Terminal::start_sized(socket, &args, &home.join("config"), size);
    let deadline = opened + within;
    loop {
        let screen = terminal.screen();
        if stuck_row(&screen).is_some() {
            let took = opened.elapsed();
            let screen = settled(&terminal, screen, deadline).await;
            return (terminal, screen, took);
        }
        assert!(
            Instant::now() < deadline,
            "crm-sync never showed stuck with a time behind and a forecast:\n{screen}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The screen once two captures in a row show the same incident: a capture can catch a frame
/// half written, lines of the one before beside lines of this one (seen once in CI: `sale`
/// both STUCK and not yet sampled on one screen).
async fn settled(terminal: &Terminal, mut screen: String, deadline: Instant) -> String {
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let next = terminal.screen();
        if stuck_row(&next).is_some() && incident_lines(&next) == incident_lines(&screen) {
            return next;
        }
        assert!(
            Instant::now() < deadline,
            "the screen never settled:\n{next}"
        );
        screen = next;
    }
}

/// The overview's row for `crm-sync`, once it says stuck (or losing, its next stage), how
/// long it is behind, and where it is heading.
fn stuck_row(screen: &str) -> Option<&str> {
    screen.lines().find(|line| {
        // Panes touch (`STUCK││crm-sync`): their borders separate cells too.
        let cells: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == '│')
            .filter(|c| !c.is_empty())
            .collect();
        let Some(at) = cells.iter().position(|c| *c == "crm-sync") else {
            return false;
        };
        let rest = cells[at..].join(" ");
        let alarm = rest.contains("STUCK") || rest.contains("LOSING");
        let time_behind = cells[at..]
            .iter()
            .any(|c| c.starts_with(|ch: char| ch.is_ascii_digit()) && c.ends_with(['s', 'm', 'h']));
        let forecast = rest.contains("loses unread in") || rest.contains("already losing");
        alarm && time_behind && forecast
    })
}

/// The screen without what the clock and the traffic change: numbers, sparklines, and the
/// padding their widths move.
fn masked(screen: &str) -> String {
    screen
        .lines()
        .map(|line| {
            let mut out = String::new();
            let mut last = ' ';
            for c in line.chars() {
                let c = if c.is_ascii_digit() {
                    '#'
                } else if BARS.contains(&c) {
                    '~'
                } else {
                    c
                };
                if (c == '#' || c == '~' || c == ' ') && c == last {
                    continue;
                }
                out.push(c);
                last = c;
            }
            // A duration reads `#s`, `#m#s`, `#h#m` or `#d#h` as the clock moves on.
            let mut out = out.trim_end().to_owned();
            for unit in ["#d#h", "#h#m", "#m#s", "#d", "#h", "#m", "#s"] {
                out = out.replace(unit, "#t");
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the overview says about the incident, pane by pane: the `sale` hub row, the titles
/// of its groups and of crm-sync's lag, and the `crm-sync` row (a line of a wide terminal
/// crosses several panes; each is taken on its own).
fn incident_lines(screen: &str) -> String {
    let screen = masked(screen);
    let parts: Vec<String> = screen
        .lines()
        .flat_map(|line| line.split(['│', '┌', '┐', '└', '┘']))
        .map(|part| part.trim_matches([' ', '─']).to_owned())
        .filter(|part| {
            part.starts_with("sale ")
                || part.starts_with("crm-sync ")
                || part.ends_with("› sale › consumer groups (#)")
                || part.contains("› crm-sync › lag per partition")
        })
        .collect();
    parts.join("\n")
}

/// The hubs pane's row of `hub` (the first pane of its line).
fn hub_row<'a>(screen: &'a str, hub: &str) -> Option<&'a str> {
    screen
        .lines()
        .filter_map(|line| line.split('│').nth(1))
        .find(|cell| cell.starts_with(&format!("{hub} ")))
}

fn spark_points(row: &str) -> usize {
    row.chars().filter(|c| BARS.contains(c)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_opens_on_crm_sync_stuck_and_keeps_its_history_across_restarts() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data");
    // The demo's consumer reaches its poison event and stops: the first run waits for it.
    let (first, _, _) =
        open_until_stuck(&data, home.path(), (120, 40), Duration::from_secs(120)).await;
    // Two rounds on disk for sure, then leave.
    tokio::time::sleep(Duration::from_secs(11)).await;
    first.keys(&["q"]);
    first.wait_quit().await;
    drop(first);

    for size in [(80, 24), (120, 40), (200, 60)] {
        let (terminal, screen, took) =
            open_until_stuck(&data, home.path(), size, Duration::from_secs(15)).await;
        assert!(took <= Duration::from_secs(15), "{size:?}: {took:?}");
        let row = stuck_row(&screen).unwrap_or_default();
        // The first round of this run is one point; the rest came from disk.
        assert!(
            spark_points(row) >= 2,
            "{size:?}: the trend keeps the earlier run's points: {row}"
        );
        // So does the hub's ingress, from the rates the history on disk holds.
        if size.0 >= 120 {
            let hub = hub_row(&screen, "sale").unwrap_or_default();
            assert!(
                spark_points(hub) >= 2,
                "{size:?}: the ingress keeps the earlier run's points: {hub}\n{screen}"
            );
        }
        insta::assert_snapshot!(
            format!("overview_demo_{}x{}", size.0, size.1),
            incident_lines(&screen)
        );
        terminal.keys(&["q"]);
        terminal.wait_quit().await;
    }
}

/// The overview says why crm-sync is stuck (its next event does not decode) and where
/// dead-lettering would send it; `a` on the overview offers the dead-letter of that event,
/// whose dry run and confirmation unstick the group without leaving the overview.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stuck_group_says_why_and_is_dead_lettered_from_the_overview() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data");
    let (terminal, _, _) =
        open_until_stuck(&data, home.path(), (200, 50), Duration::from_secs(120)).await;
    terminal.wait_for(&["why partition 1 is STUCK"]).await;
    // The why box wraps its sentences where the numbers in them put the words, so they are
    // read from the box's text, its lines joined, not from one line of the screen.
    let says = [
        "com.example.conversions.sale.confirmed) does not decode (Avro data does not match",
        "a: dead-letter it to deadletter-customer or checkpoint-on-error",
    ];
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = terminal.screen();
        let why = rightmost_pane_text(&screen);
        if says.iter().all(|said| why.contains(said)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the why box never said {says:?}:\n{screen}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let (dry_run, sequence) = demo_incident::dead_letter_dry_run(&terminal).await;
    assert!(dry_run.contains("crm-sync"), "{dry_run}");
    demo_incident::confirm_dead_letter(&terminal, sequence).await;

    // The next lag rounds see crm-sync move again: its row stops saying STUCK.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let screen = terminal.screen();
        let crm_sync = screen.lines().find(|l| l.contains("│crm-sync "));
        if crm_sync.is_some_and(|row| !row.contains("STUCK") && !row.contains("LOSING")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "crm-sync stayed stuck after its poison event was dead-lettered:\n{screen}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    terminal.keys(&["q"]);
    terminal.wait_quit().await;
}

/// The text of the rightmost column of panes, its wrapped lines joined with single spaces.
fn rightmost_pane_text(screen: &str) -> String {
    let cells: Vec<&str> = screen
        .lines()
        .filter_map(|line| line.trim_end().strip_suffix('│'))
        .filter_map(|line| line.rsplit('│').next())
        .collect();
    cells
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_stuck_row_is_found_where_panes_touch() {
    let line =
        "│sale conversions ▁█ STUCK││crm-sync    164    1m54s ▃▄ STUCK  loses unread in 6d23h │";
    assert_eq!(stuck_row(line), Some(line));
    assert_eq!(stuck_row("│crm-sync 0 0s ▁ ok caught up │"), None);
}

#[test]
fn the_incident_is_taken_pane_by_pane() {
    let screen = "┌ hubs (6) ──┐┌ ns › sale › consumer groups (2) ──┐\n\
                  │sale  conversions ▁█ STUCK ││crm-sync  117  1m04s ▄▅ STUCK  loses unread in 6d23h │\n\
                  │account  customer ▁█ ok    ││lake-ingest 16 5s █▁ ok drains in ~1s │";
    assert_eq!(
        incident_lines(screen),
        "ns › sale › consumer groups (#)\nsale conversions ~ STUCK\ncrm-sync # #t ~ STUCK loses unread in #t"
    );
}

#[test]
fn masking_hides_numbers_and_sparklines() {
    assert_eq!(
        masked("│crm-sync   69   2m10s  ▁▃▅   STUCK   loses unread in 6d23h │"),
        "│crm-sync # #t ~ STUCK loses unread in #t │"
    );
}
