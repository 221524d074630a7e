//! The overview from a sampling round of the sample organisation: at the three sizes the
//! console adapts to, what floats to the top, zoom, and redraws only where it shows.

use std::sync::Arc;

use crate::model::{ConsumerGroupLag, GroupBoard, GroupHistory, HubBoard, LagBoard, LagPolicy};
use crate::protocol::{ReadRequest, Reply, Request};
use crate::tui::action::Action;
use crate::tui::app::{App, View};
use crate::tui::sample;

/// Two samples of `crm-sync` on `sale` (partition 1 stuck, 3 past retention) as one board.
fn board() -> LagBoard {
    let policy = LagPolicy {
        retention: std::time::Duration::from_secs(7 * 86_400),
        stuck_after: std::time::Duration::from_secs(300),
    };
    let mut history = GroupHistory::default();
    let mut lag = None;
    for (seconds, growth) in [(-20, 0), (-10, 40), (0, 90)] {
        let snapshot = sample::lag_snapshot(seconds, growth);
        let next = ConsumerGroupLag::compute_with_history(&snapshot, Some(&history), policy);
        history.record(&next);
        lag = Some(next);
    }
    let lag = lag.expect("three samples");
    let mut board = LagBoard {
        sampled_at: Some(lag.sampled_at),
        ..LagBoard::default()
    };
    let sale = HubBoard {
        groups: vec![GroupBoard::new(lag, &history)],
        failures: Vec::new(),
        ingress_trend: vec![3, 5, 8, 13, 12],
    };
    board
        .hubs
        .insert(("contoso-events".into(), "sale".into()), sale);
    board
}

/// The console as opened: the overview, hubs listed, one round of lag in.
fn overview() -> App {
    let mut app = App::new(sample::config());
    let Some(Request::Read(ReadRequest::ListHubs { request, .. })) = app.start().into_iter().next()
    else {
        panic!("start lists hubs");
    };
    let commands = app.update(Action::Reply(Reply::HubsLoaded {
        request,
        namespace: "contoso-events".into(),
        hubs: sample::hubs(),
    }));
    let Some(Request::WatchLag { request, .. }) = commands.last().cloned() else {
        panic!("the hubs' lag is sampled, got {commands:?}");
    };
    app.update(Action::Reply(Reply::LagSampled {
        request,
        board: Arc::new(board()),
    }));
    app
}

fn draw(app: &App, width: u16, height: u16) -> String {
    sample::screen(app, width, height)
}

#[test]
fn the_first_screen_shows_the_stuck_group_with_no_key_pressed() {
    let app = overview();
    assert_eq!(app.view(), View::OVERVIEW);
    for (w, h) in [(200, 60), (120, 40), (80, 24)] {
        let screen = draw(&app, w, h);
        // The stuck hub floats above the signed-in team's own.
        let first_row = screen.lines().nth(2).unwrap_or_default();
        assert!(first_row.contains("sale"), "{w}x{h}: {first_row}");
        assert!(screen.contains("crm-sync"), "{w}x{h}");
        insta::assert_snapshot!(format!("overview_{w}x{h}"), screen);
    }
}

#[test]
fn zoom_fills_the_screen_with_the_list_in_focus_and_back() {
    let mut app = overview();
    app.update(Action::FocusNext);
    app.update(Action::Zoom);
    let zoomed = draw(&app, 120, 40);
    assert!(zoomed.contains("sale › consumer groups"), "{zoomed}");
    assert!(
        !zoomed.contains("hubs ("),
        "the hub list is hidden:\n{zoomed}"
    );
    app.update(Action::Zoom);
    assert!(draw(&app, 120, 40).contains("hubs ("));
}

#[test]
fn a_lag_round_redraws_only_the_panes_that_show_it() {
    let mut app = overview();
    app.take_dirty();
    let round = |app: &mut App| {
        // The round answers the feed's request: the one the hub listing started.
        let commands = app.update(Action::Refresh);
        assert!(matches!(
            commands.last(),
            Some(Request::Read(ReadRequest::ListHubs { .. }))
        ));
        app.take_dirty();
    };
    round(&mut app);
    let request = watch_request(&mut app);
    app.update(Action::Reply(Reply::LagSampled {
        request,
        board: Arc::new(board()),
    }));
    assert!(app.take_dirty(), "the overview shows the round");
    app.update(Action::ShowHubs);
    app.take_dirty();
    app.update(Action::Reply(Reply::LagSampled {
        request,
        board: Arc::new(board()),
    }));
    assert!(!app.take_dirty(), "the hub list does not show it");
}

/// The feed's request id, as a hub listing asks for the lag of its hubs again.
fn watch_request(app: &mut App) -> crate::protocol::RequestId {
    let commands = app.update(Action::Refresh);
    let Some(Request::Read(ReadRequest::ListHubs { request, .. })) = commands.last() else {
        panic!("refresh lists hubs");
    };
    let commands = app.update(Action::Reply(Reply::HubsLoaded {
        request: *request,
        namespace: "contoso-events".into(),
        hubs: sample::hubs(),
    }));
    match commands.last() {
        Some(Request::WatchLag { request, .. }) => *request,
        other => panic!("expected WatchLag, got {other:?}"),
    }
}

#[test]
fn a_pane_opened_on_a_wide_terminal_keeps_the_hubs_beside_it() {
    let mut app = overview();
    let request = watch_request(&mut app);
    app.update(Action::Resize(200, 60));
    app.update(Action::ShowConsumerGroups);
    let wide = draw(&app, 200, 60);
    let top = wide.lines().next().unwrap_or_default();
    assert!(
        top.contains("hubs (") && top.contains("sale › consumer groups"),
        "the hubs stay in sight beside the pane:\n{wide}"
    );
    // The rail shows the lag rounds: one asks for a redraw there.
    app.take_dirty();
    app.update(Action::Reply(Reply::LagSampled {
        request,
        board: Arc::new(board()),
    }));
    assert!(app.take_dirty(), "a round redraws the rail");

    app.update(Action::Zoom);
    assert!(
        !draw(&app, 200, 60).contains("hubs ("),
        "zoomed: the pane alone"
    );
    app.update(Action::Zoom);
    app.update(Action::Resize(120, 40));
    assert!(
        !draw(&app, 120, 40).contains("hubs ("),
        "narrow: the pane alone"
    );
}
