//! Headless tests: drive the app with actions and keys, check state and commands.

use super::*;
use crate::model::StartPosition;
use crate::protocol::{ReadRequest, Reply, Request};
use crate::tui::sample;

fn key(text: &str) -> Key {
    text.parse().expect("test key parses")
}

fn press(app: &mut App, keys: &[&str]) -> Vec<Request> {
    keys.iter().flat_map(|k| app.handle_key(key(k))).collect()
}

fn only(commands: Vec<Request>) -> Request {
    assert_eq!(commands.len(), 1, "{commands:?}");
    commands.into_iter().next().expect("one command")
}

#[test]
fn signed_in_team_hubs_come_first() {
    let app = sample::app_with_hubs();
    let names: Vec<&str> = app.visible_hubs().iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names[..2], ["account", "contact"]);
}

#[test]
fn navigate_hubs_to_consumer_group_to_tail_and_back() {
    let mut app = sample::app_with_hubs();
    press(&mut app, &["/"]);
    press(&mut app, &["s", "a", "l"]);
    // "sal" also matches dead-letter-sale, listed first.
    press(&mut app, &["<Enter>", "j"]);
    assert_eq!(app.selected_hub().map(|h| h.name.as_str()), Some("sale"));

    let Request::Read(ReadRequest::Lag {
        request,
        hub,
        consumer_group,
    }) = only(press(&mut app, &["c"]))
    else {
        panic!("c asks for lag");
    };
    assert_eq!(
        (hub.as_str(), consumer_group.as_str()),
        ("sale", "crm-sync")
    );
    assert_eq!(app.view(), View::CONSUMER_GROUPS);
    app.update(Action::Reply(Reply::LagLoaded {
        request,
        snapshot: sample::lag_snapshot(0, 0),
    }));
    assert_eq!(
        app.groups.lag.as_ref().map(|l| l.total_behind()),
        Some(2 + 588 + 5_000)
    );

    // Focus the lag table, pick partition 1, tail from its first unprocessed event.
    press(&mut app, &["<Enter>", "j"]);
    let commands = press(&mut app, &["t"]);
    let Request::StartTail {
        hub,
        partition,
        from,
        ..
    } = only(commands)
    else {
        panic!("t starts a tail");
    };
    assert_eq!((hub.as_str(), partition.as_deref()), ("sale", Some("1")));
    assert_eq!(from, StartPosition::Sequence(10_413));
    assert_eq!(app.stack(), [View::HUBS, View::CONSUMER_GROUPS, View::TAIL]);

    let Request::StopTail { .. } = only(press(&mut app, &["<Esc>"])) else {
        panic!("leaving the tail stops it");
    };
    assert_eq!(app.view(), View::CONSUMER_GROUPS);
}

#[test]
fn stale_replies_are_dropped() {
    let mut app = sample::app_with_hubs();
    let Request::Read(ReadRequest::PartitionInfo { request: first, .. }) =
        only(press(&mut app, &["<Enter>"]))
    else {
        panic!("enter on a hub asks for partitions");
    };
    // The user refreshes before the first answer arrives; only the second counts.
    let Request::Read(ReadRequest::PartitionInfo {
        request: second,
        hub,
        ..
    }) = only(press(&mut app, &["r"]))
    else {
        panic!("r refreshes");
    };
    app.take_dirty();
    app.update(Action::Reply(Reply::PartitionsLoaded {
        request: first,
        hub: hub.clone(),
        partitions: sample::partitions(0),
        sampled_at: sample::now(),
    }));
    assert!(app.partitions.partitions.is_empty());
    assert!(!app.is_dirty(), "a stale reply must not cause a redraw");
    app.update(Action::Reply(Reply::PartitionsLoaded {
        request: second,
        hub,
        partitions: sample::partitions(0),
        sampled_at: sample::now(),
    }));
    assert_eq!(app.partitions.partitions.len(), 4);
}

#[test]
fn tail_events_after_leaving_are_dropped() {
    let mut app = sample::app_with_hubs();
    let Request::StartTail { request, .. } = only(press(&mut app, &["t"])) else {
        panic!("t tails");
    };
    app.update(Action::Reply(Reply::TailReceived {
        request,
        events: vec![sample::event(1)],
        lost: 0,
    }));
    press(&mut app, &["<Esc>"]);
    app.update(Action::Reply(Reply::TailReceived {
        request,
        events: vec![sample::event(2)],
        lost: 0,
    }));
    let tail = app.tail.as_ref().expect("tail state kept");
    assert_eq!(tail.buffer.buffered(), 1);
}

#[test]
fn pause_freezes_the_tail_and_filter_narrows_it() {
    let mut app = sample::app_with_hubs();
    let Request::StartTail { request, .. } = only(press(&mut app, &["t"])) else {
        panic!("t tails");
    };
    let batch = |range: std::ops::Range<i64>| range.map(sample::event).collect::<Vec<_>>();
    app.update(Action::Reply(Reply::TailReceived {
        request,
        events: batch(0..10),
        lost: 3,
    }));
    press(&mut app, &["<Space>"]);
    app.update(Action::Reply(Reply::TailReceived {
        request,
        events: batch(10..15),
        lost: 0,
    }));
    let tail = app.tail.as_ref().expect("tail");
    assert_eq!(
        (
            tail.buffer.visible_len(),
            tail.buffer.held(),
            tail.buffer.dropped()
        ),
        (10, 5, 3)
    );

    press(&mut app, &["<Space>", "/", "4", "0", "0", "3", "<Enter>"]);
    let tail = app.tail.as_ref().expect("tail");
    let seqs: Vec<i64> = (0..tail.buffer.visible_len())
        .filter_map(|i| tail.buffer.visible(i).map(|e| e.sequence))
        .collect();
    assert_eq!(seqs, [3, 12]);
    assert!(app.input.is_none());
}

#[test]
fn open_event_detail_and_toggle_hex() {
    let mut app = sample::app_with_hubs();
    let Request::StartTail { request, .. } = only(press(&mut app, &["t"])) else {
        panic!("t tails");
    };
    app.update(Action::Reply(Reply::TailReceived {
        request,
        events: vec![sample::event(7)],
        lost: 0,
    }));
    press(&mut app, &["<Enter>", "h"]);
    assert_eq!(app.view(), View::DETAIL);
    assert_eq!(app.detail.event.as_ref().map(|e| e.sequence), Some(7));
    assert!(app.detail.hex);
    press(&mut app, &["<Esc>"]);
    assert_eq!(app.view(), View::TAIL);
}

#[test]
fn command_line_switches_panes_and_themes() {
    let mut app = sample::app_with_hubs();
    let commands = press(&mut app, &[":", "c", "g", "<Enter>"]);
    assert!(matches!(
        only(commands),
        Request::Read(ReadRequest::Lag { .. })
    ));
    press(
        &mut app,
        &[
            ":", "t", "h", "e", "m", "e", "<Space>", "l", "i", "g", "h", "t", "<Enter>",
        ],
    );
    assert_eq!(app.theme.name, "light");
    press(&mut app, &[":", "n", "o", "p", "e", "<Enter>"]);
    assert_eq!(
        app.notice,
        Some(Notice::Error("unknown command :nope".into()))
    );
    press(&mut app, &[":", "q", "<Enter>"]);
    assert!(app.should_quit());
}

#[test]
fn typing_q_in_the_command_line_does_not_quit() {
    let mut app = sample::app_with_hubs();
    press(&mut app, &[":", "q"]);
    assert!(!app.should_quit());
    assert_eq!(app.input.as_ref().map(|i| i.text()), Some("q"));
    press(&mut app, &["<Esc>"]);
    assert!(app.input.is_none());
}

#[test]
fn help_toggles_and_tick_only_dirties_relative_time_views() {
    let mut app = sample::app_with_hubs();
    press(&mut app, &["?"]);
    assert!(app.help_open);
    press(&mut app, &["<Esc>"]);
    assert!(!app.help_open);
    app.take_dirty();
    app.update(Action::Tick);
    assert!(!app.is_dirty(), "the hubs list has no relative times");
}

/// A key press changes the screen; whatever lands before the frame (a stale answer, a tail
/// batch or a schema for a pane not on screen, the clock) must not take its redraw back.
#[test]
fn nothing_arriving_before_the_frame_takes_back_a_key_press_redraw() {
    let mut app = sample::app_with_hubs();
    let Request::Read(ReadRequest::PartitionInfo {
        request: stale,
        hub,
        ..
    }) = only(press(&mut app, &["<Enter>"]))
    else {
        panic!("enter on a hub asks for partitions");
    };
    press(&mut app, &["r"]);
    let Request::StartTail { request: tail, .. } = only(press(&mut app, &["t"])) else {
        panic!("t tails the hub");
    };
    press(&mut app, &["<Esc>"]);
    let arrivals = [
        Action::Reply(Reply::PartitionsLoaded {
            request: stale,
            hub,
            partitions: sample::partitions(0),
            sampled_at: sample::now(),
        }),
        Action::Reply(Reply::TailReceived {
            request: tail,
            events: vec![sample::event(1)],
            lost: 0,
        }),
        Action::Reply(Reply::SchemaFetched {
            request: crate::protocol::RequestId(999),
            id: "f2600ec82dbe92fb381627826536bda5".into(),
            outcome: crate::model::SchemaFetch::NotRegistered,
        }),
        Action::Reply(Reply::RefusalAudited {
            request: crate::protocol::RequestId(998),
        }),
        Action::Tick,
    ];
    for arrival in arrivals {
        app.take_dirty();
        press(&mut app, &["j"]);
        app.update(arrival.clone());
        assert!(
            app.is_dirty(),
            "the key press went undrawn after {arrival:?}"
        );
    }
}

#[test]
fn leaving_a_refreshed_pane_stops_its_refresh() {
    let mut app = sample::app_with_hubs();
    let Request::Read(ReadRequest::PartitionInfo { request, .. }) =
        only(press(&mut app, &["<Enter>"]))
    else {
        panic!("enter on a hub asks for partitions");
    };
    assert_eq!(
        only(press(&mut app, &["<Esc>"])),
        Request::StopRefresh { request }
    );
    let Request::Read(ReadRequest::Lag { request, .. }) = only(press(&mut app, &["c"])) else {
        panic!("c asks for lag");
    };
    assert_eq!(
        only(press(&mut app, &["<Esc>"])),
        Request::StopRefresh { request }
    );
}

/// Draws `app` as the terminal would and hands the app the frame's layout, as the run loop
/// does; returns the screen text, one string per row.
fn draw_frame(app: &mut App) -> Vec<String> {
    use ratatui::{Terminal, backend::TestBackend};
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    let mut layout = None;
    terminal
        .draw(|frame| layout = Some(crate::tui::views::render(frame, app, sample::now())))
        .expect("draw");
    app.remember_layout(layout.expect("drawn"));
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect()
        })
        .collect()
}

fn click(app: &mut App, column: u16, row: u16) -> Vec<Request> {
    app.update(Action::Click { column, row })
}

#[test]
fn a_click_selects_the_hub_drawn_under_the_pointer() {
    let mut app = sample::app_with_hubs();
    let screen = draw_frame(&mut app);
    let third = app.visible_hubs()[2].name.clone();
    let y = screen
        .iter()
        .position(|line| line.starts_with(&format!("│{third} ")))
        .expect("the third hub is on screen");
    assert!(click(&mut app, 5, y as u16).is_empty());
    assert_eq!(app.selected_hub().map(|h| h.name.clone()), Some(third));

    // The border, the header and the status bar select nothing.
    for row in [0, 1, 39] {
        click(&mut app, 5, row);
        assert_eq!(app.hubs_list.selected, 2, "row {row}");
    }
}

#[test]
fn a_click_focuses_the_pane_and_picks_its_row() {
    let mut app = sample::app_with_hubs();
    // "sal" matches dead-letter-sale first, then sale.
    press(&mut app, &["/", "s", "a", "l", "<Enter>", "j"]);
    let Request::Read(ReadRequest::Lag { request, .. }) = only(press(&mut app, &["c"])) else {
        panic!("c asks for lag");
    };
    app.update(Action::Reply(Reply::LagLoaded {
        request,
        snapshot: sample::lag_snapshot(0, 0),
    }));
    let screen = draw_frame(&mut app);
    // Partition 2's lag row: focus moves to the lag table and selects it.
    let lag_row = screen
        .iter()
        .position(|line| line.starts_with("│2 "))
        .expect("partition 2 is on screen");
    assert!(!app.groups.lag_focused);
    assert!(click(&mut app, 3, lag_row as u16).is_empty());
    assert!(app.groups.lag_focused);
    assert_eq!(app.groups.lag_list.selected, 2);

    // The other group in the list above: focus returns there and its lag is asked for.
    draw_frame(&mut app);
    let group_row = screen
        .iter()
        .position(|line| line.starts_with("│lake-ingest"))
        .expect("second group is on screen");
    let Request::Read(ReadRequest::Lag { consumer_group, .. }) =
        only(click(&mut app, 3, group_row as u16))
    else {
        panic!("a new group asks for its lag");
    };
    assert_eq!(consumer_group, "lake-ingest");
    assert!(!app.groups.lag_focused);

    // A click on a layout drawn for another view hits nothing.
    press(&mut app, &["<Esc>"]);
    let before = app.hubs_list.selected;
    click(&mut app, 3, group_row as u16);
    assert_eq!(app.hubs_list.selected, before);
}

#[test]
fn a_click_in_the_tail_stops_following_until_the_newest_row() {
    let mut app = sample::app_with_hubs();
    let Request::StartTail { request, .. } = only(press(&mut app, &["t"])) else {
        panic!("t tails");
    };
    app.update(Action::Reply(Reply::TailReceived {
        request,
        events: (0..5).map(sample::event).collect(),
        lost: 0,
    }));
    let screen = draw_frame(&mut app);
    let header = screen
        .iter()
        .position(|line| line.contains("TIME") && line.contains("SUBJECT"))
        .expect("tail header on screen") as u16;
    click(&mut app, 10, header + 2);
    let tail = app.tail.as_ref().expect("tail");
    assert_eq!((tail.selected, tail.follow), (1, false));

    draw_frame(&mut app);
    click(&mut app, 10, header + 5);
    let tail = app.tail.as_ref().expect("tail");
    assert_eq!(
        (tail.selected, tail.follow),
        (4, true),
        "the newest row follows again"
    );
}
