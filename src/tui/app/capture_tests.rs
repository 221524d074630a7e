//! The capture pane driven by keys and replies: hub -> files -> a page of events -> detail,
//! a failing destination on screen, pages, and a file's replay through the dry run.

use super::View;
use crate::model::{CaptureFailure, CaptureFileInfo};
use crate::protocol::{
    CaptureListing, CapturePage, IncidentRequest, ReadRequest, Reply, Request, RequestId,
};
use crate::tui::action::Action;
use crate::tui::sample;
use crate::tui::state::{CAPTURE_PAGE, Stage};

fn file(name: &str, events: usize) -> CaptureFileInfo {
    CaptureFileInfo {
        name: name.to_owned(),
        partition: "0".to_owned(),
        window_start: sample::at(-120),
        size: 4096,
        events,
        first_sequence: Some(100),
        last_sequence: Some(100 + events as i64 - 1),
        first_enqueued: Some(sample::at(-120)),
        last_enqueued: Some(sample::at(-61)),
        problems: Vec::new(),
    }
}

fn files_request(commands: &[Request]) -> RequestId {
    match commands.last() {
        Some(Request::Read(ReadRequest::CaptureFiles { request, .. })) => *request,
        other => panic!("the pane asks for the files, got {other:?}"),
    }
}

fn page_request(commands: &[Request]) -> (RequestId, usize) {
    match commands.last() {
        Some(Request::Read(ReadRequest::CaptureEvents { request, start, .. })) => {
            (*request, *start)
        }
        other => panic!("a page of events is asked for, got {other:?}"),
    }
}

/// The capture pane on `sale` with one file of `events` events listed, and a failure.
fn opened(events: usize) -> crate::tui::app::App {
    let mut app = sample::app_with_hubs();
    let commands = app.update(Action::ShowCapture);
    assert_eq!(app.view(), View::CAPTURE);
    let request = files_request(&commands);
    let hub = app.capture.hub.clone();
    app.update(Action::Reply(Reply::CaptureFilesLoaded {
        request,
        hub: hub.clone(),
        listing: CaptureListing {
            source: "directory capture".to_owned(),
            files: vec![file(
                &format!("contoso-events/{hub}/0/2024/05/01/11/57/00.avro"),
                events,
            )],
            failures: vec![CaptureFailure {
                hub,
                partition: "1".to_owned(),
                destination: "container http://127.0.0.1:1/capture".to_owned(),
                doing: "write a capture file".to_owned(),
                cause: "connection refused".to_owned(),
                since_ms: (sample::at(-90).unix_timestamp_nanos() / 1_000_000) as i64,
            }],
        },
    }));
    app
}

fn page(request: RequestId, start: usize, total: usize, app: &crate::tui::app::App) -> Action {
    let count = CAPTURE_PAGE.min(total - start);
    Action::Reply(Reply::CaptureEventsLoaded {
        request,
        page: CapturePage {
            file: app
                .capture
                .selected_file()
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            start,
            total,
            events: (start..start + count)
                .map(|i| sample::event(100 + i as i64))
                .collect(),
            problems: Vec::new(),
        },
    })
}

#[test]
fn files_then_their_events_then_an_event_in_full() {
    let mut app = opened(3);
    let screen = sample::screen(&app, 140, 30);
    assert!(
        screen.contains("57/00.avro") && screen.contains("102"),
        "{screen}"
    );
    assert!(
        screen.contains("CAPTURE FAILING") && screen.contains("connection refused"),
        "the failing destination shows over the files:\n{screen}"
    );
    let commands = app.update(Action::Open);
    let (request, start) = page_request(&commands);
    assert_eq!(start, 0);
    app.update(page(request, 0, 3, &app));
    let screen = sample::screen(&app, 140, 30);
    assert!(
        screen.contains("events 1–3 of 3")
            && screen.contains("com.example.conversions.sale.confirmed"),
        "{screen}"
    );
    app.update(Action::SelectDown);
    app.update(Action::Open);
    assert_eq!(app.view(), View::DETAIL);
    assert_eq!(app.detail.event.as_ref().map(|e| e.sequence), Some(101));
    app.update(Action::Back);
    assert_eq!(app.view(), View::CAPTURE);
}

#[test]
fn a_big_file_is_read_one_page_at_a_time() {
    let total = CAPTURE_PAGE * 2 + 5;
    let mut app = opened(total);
    let (request, _) = page_request(&app.update(Action::Open));
    app.update(page(request, 0, total, &app));
    assert_eq!(
        app.capture.page.as_ref().map(|p| p.events.len()),
        Some(CAPTURE_PAGE)
    );
    let (request, start) = page_request(&app.update(Action::NextPage));
    assert_eq!(start, CAPTURE_PAGE);
    app.update(page(request, start, total, &app));
    let (request, start) = page_request(&app.update(Action::NextPage));
    app.update(page(request, start, total, &app));
    assert_eq!(app.capture.page.as_ref().map(|p| p.events.len()), Some(5));
    assert!(
        app.update(Action::NextPage).is_empty(),
        "no page after the last"
    );
    let (_, start) = page_request(&app.update(Action::PreviousPage));
    assert_eq!(start, CAPTURE_PAGE);
}

#[test]
fn the_range_key_asks_again_for_a_wider_range() {
    let mut app = opened(1);
    let commands = app.update(Action::CaptureRange);
    match commands.last() {
        Some(Request::Read(ReadRequest::CaptureFiles { within, .. })) => {
            assert_eq!(*within, Some(std::time::Duration::from_secs(7 * 24 * 3600)));
        }
        other => panic!("{other:?}"),
    }
    assert!(sample::screen(&app, 140, 30).contains("range: last 7d"));
}

#[test]
fn replaying_a_file_starts_with_its_dry_run() {
    let mut app = opened(3);
    let commands = app.update(Action::ReplayCapture);
    let Some(Request::Incident(IncidentRequest::PlanCaptureReplay {
        file, partition, ..
    })) = commands.last()
    else {
        panic!("the dry run is asked for, got {commands:?}");
    };
    assert!(file.ends_with("57/00.avro") && partition == "0");
    let dialog = app.incident.as_ref().expect("the replay dialog is open");
    assert!(matches!(dialog.stage, Stage::ReplayPlanning { .. }));
}
