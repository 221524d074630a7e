//! The search pane: a search of the namespace's hubs streams its matches in, `Enter` opens
//! one, `T` there traces its aggregate, and leaving a running search stops it.

use crate::model::{CloudEventAttributes, TailEvent};
use crate::ops::search::Progress;
use crate::protocol::{Reply, Request, SearchAsk};
use crate::tui::action::Action;
use crate::tui::sample;
use crate::tui::views::View;

fn event(sequence: i64, subject: &str, seconds: i64) -> TailEvent {
    TailEvent {
        enqueued_time: sample::at(seconds),
        partition: "1".into(),
        sequence,
        offset: (sequence * 100).to_string(),
        cloud_event: CloudEventAttributes {
            id: Some(format!("id-{sequence}")),
            event_type: Some("com.example.contact.purchased".into()),
            subject: Some(subject.into()),
            ..CloudEventAttributes::default()
        },
        content_type: None,
        properties: Vec::new(),
        annotations: Vec::new(),
        body: b"{}".to_vec(),
    }
}

#[test]
fn matches_stream_in_in_time_order_and_open_and_trace_from_there() {
    let mut app = sample::app_with_hubs();
    let asked = app.start_search(SearchAsk::Where("purchased".into()));
    let [Request::StartSearch { request, hubs, ask }] = asked.as_slice() else {
        panic!("{asked:?}");
    };
    let request = *request;
    assert_eq!(ask, &SearchAsk::Where("purchased".into()));
    let names: Vec<String> = app.hubs.iter().map(|h| h.name.clone()).collect();
    assert_eq!(hubs, &names, "every hub of the namespace is searched");
    assert_eq!(app.view(), View::SEARCH);

    // Two partitions read side by side: the later event arrives first.
    app.update(Action::Reply(Reply::SearchFound {
        request,
        found: vec![("contact".into(), event(9, "cont-00042", 30))],
    }));
    app.update(Action::Reply(Reply::SearchFound {
        request,
        found: vec![("sale".into(), event(3, "cont-00042", 10))],
    }));
    let progress = Progress {
        scanned: 50,
        total: 100,
        matched: 2,
        events_per_second: 1_000.0,
    };
    app.update(Action::Reply(Reply::SearchProgress { request, progress }));
    let order: Vec<i64> = (app.search.visible().iter())
        .map(|h| h.event.unpack().sequence)
        .collect();
    assert_eq!(order, [3, 9], "in enqueued order");
    assert_eq!(app.search.progress, Some(progress));
    assert!(app.search.running());

    // A stale search's matches are not this one's.
    app.update(Action::Reply(Reply::SearchFound {
        request: crate::protocol::RequestId(request.0 + 100),
        found: vec![("sale".into(), event(77, "other", 5))],
    }));
    assert_eq!(app.search.hits.len(), 2);

    app.update(Action::Reply(Reply::SearchFinished {
        request,
        summary: "100 events scanned in 0.1 s, 2 matched, 0 undecodable".into(),
        complete: true,
    }));
    assert!(!app.search.running());

    app.update(Action::Open);
    assert_eq!(app.view(), View::DETAIL);
    assert_eq!(
        app.detail.event.as_ref().map(|e| e.sequence),
        Some(3),
        "Enter opens the selected match"
    );
    let traced = app.update(Action::Trace);
    let Some(Request::StartSearch { ask, .. }) = traced.last() else {
        panic!("{traced:?}");
    };
    assert_eq!(ask, &SearchAsk::Trace("cont-00042".into()));
    assert!(
        !traced
            .iter()
            .any(|r| matches!(r, Request::StopSearch { .. })),
        "the finished search has nothing to stop: {traced:?}"
    );
    assert_eq!(app.search.asked, "trace cont-00042");
}

#[test]
fn leaving_a_running_search_stops_it() {
    let mut app = sample::app_with_hubs();
    let asked = app.start_search(SearchAsk::Trace("cont-00042".into()));
    let [Request::StartSearch { request, .. }] = asked.as_slice() else {
        panic!("{asked:?}");
    };
    let request = *request;
    let left = app.update(Action::Back);
    assert_eq!(left, [Request::StopSearch { request }]);
}

/// `D` on a match (or in its detail) dead-letters from the hub the match was found in, not
/// from whatever hub a tail opened earlier reads.
#[test]
fn a_match_is_dead_lettered_from_its_own_hub() {
    let mut app = sample::app_with_hubs();
    let mut dead_letter = app.hubs[0].clone();
    dead_letter.name = "deadletter-customer".into();
    dead_letter.dead_letter_for = Some("customer".into());
    app.hubs.push(dead_letter);
    let asked = app.start_search(SearchAsk::Where("purchased".into()));
    let [Request::StartSearch { request, .. }] = asked.as_slice() else {
        panic!("{asked:?}");
    };
    app.update(Action::Reply(Reply::SearchFound {
        request: *request,
        found: vec![("contact".into(), event(9, "cont-00042", 30))],
    }));
    let permissions_for = |requests: &[Request]| {
        requests.iter().find_map(|r| match r {
            Request::Read(crate::protocol::ReadRequest::Permissions { hub, .. }) => {
                Some(hub.clone())
            }
            _ => None,
        })
    };
    let from_list = app.update(Action::DeadLetterEvent);
    assert_eq!(permissions_for(&from_list), Some("contact".into()));
    app.gated = None;
    app.update(Action::Open);
    let from_detail = app.update(Action::DeadLetterEvent);
    assert_eq!(permissions_for(&from_detail), Some("contact".into()));
}
