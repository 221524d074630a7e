//! Frame time of the console with a large organisation: 200 hubs of 32 partitions (the
//! overview with 5 consumer groups each and their history sparklines) and a tail holding
//! 1,000,000 events of 300 bytes (issue #3's and #11's goal: under 5 ms a frame).
//!
//! Each frame is a real one: `views::render` into a ratatui terminal whose crossterm backend
//! encodes the diff as escape sequences (written to a sink), and every measured frame changes
//! the rows on screen (the selection jumps between the ends of the list, or new events
//! arrive). Run: `cargo bench --bench console_frames` (`-- overview` for the overview alone).

mod common;
mod lag_board;

use std::io;

use criterion::{BatchSize, Criterion};
use ehops::model::TailEvent;
use ehops::protocol::{ReadRequest, Reply, Request, RequestId};
use ehops::tui::action::Action;
use ehops::tui::app::App;
use ehops::tui::views;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use time::OffsetDateTime;

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
const HUBS: usize = 200;
const PARTITIONS: u32 = 32;
const TAIL_EVENTS: i64 = 1_000_000;
const EVENT_BYTES: usize = 300;
/// Events per backend batch: the backend sends what arrived in 100 ms.
const BATCH: i64 = 100;

type Term = Terminal<CrosstermBackend<io::Sink>>;

fn terminal() -> Term {
    let viewport = Viewport::Fixed(Rect::new(0, 0, WIDTH, HEIGHT));
    Terminal::with_options(
        CrosstermBackend::new(io::sink()),
        TerminalOptions { viewport },
    )
    .expect("a terminal on a sink")
}

fn draw(term: &mut Term, app: &App, now: OffsetDateTime) {
    term.draw(|frame| {
        views::render(frame, app, now);
    })
    .expect("drawing to a sink");
}

fn only_request(commands: Vec<Request>) -> RequestId {
    let request = commands.iter().find_map(|c| match c {
        Request::Read(ReadRequest::ListHubs { request, .. })
        | Request::Read(ReadRequest::PartitionInfo { request, .. })
        | Request::StartTail { request, .. } => Some(*request),
        _ => None,
    });
    request.unwrap_or_else(|| panic!("a request among {commands:?}"))
}

/// The console after start-up (the overview), its hub list answered.
fn overview_app() -> App {
    let mut app = common::app(TAIL_EVENTS as usize);
    app.update(Action::Resize(WIDTH, HEIGHT));
    let request = only_request(app.start());
    app.update(Action::Reply(Reply::HubsLoaded {
        request,
        namespace: common::NAMESPACE.into(),
        hubs: common::hubs(HUBS, PARTITIONS),
    }));
    app
}

/// The hub list (`H`), answered.
fn app_with_hubs() -> App {
    let mut app = overview_app();
    let request = only_request(app.update(Action::ShowHubs));
    app.update(Action::Reply(Reply::HubsLoaded {
        request,
        namespace: common::NAMESPACE.into(),
        hubs: common::hubs(HUBS, PARTITIONS),
    }));
    app
}

fn open_partitions(app: &mut App, now: OffsetDateTime) {
    let request = only_request(app.update(Action::Open));
    let hub = app.partitions.hub.clone();
    app.update(Action::Reply(Reply::PartitionsLoaded {
        request,
        hub,
        partitions: common::partitions(PARTITIONS, now),
        sampled_at: now,
    }));
}

fn batch(request: RequestId, first: i64) -> Action {
    let events: Vec<TailEvent> = (first..first + BATCH)
        .map(|n| common::event(n, EVENT_BYTES))
        .collect();
    Action::Reply(Reply::TailReceived {
        request,
        events,
        lost: 0,
    })
}

/// Starts a tail and fills it to `TAIL_EVENTS`; returns its request for later batches.
fn fill_tail(app: &mut App) -> RequestId {
    let request = only_request(app.update(Action::ShowTail));
    for first in (0..TAIL_EVENTS).step_by(BATCH as usize) {
        app.update(batch(request, first));
    }
    request
}

/// Alternates between the two ends of the focused list, drawing each time.
fn bench_jumps(c: &mut Criterion, name: &str, app: &mut App, term: &mut Term, now: OffsetDateTime) {
    let mut at_end = false;
    c.bench_function(name, |b| {
        b.iter(|| {
            at_end = !at_end;
            let jump = if at_end {
                Action::SelectLast
            } else {
                Action::SelectFirst
            };
            app.update(jump);
            draw(term, app, now);
        });
    });
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(50)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    println!(
        "console_frames: {WIDTH}x{HEIGHT} terminal, {HUBS} hubs x {PARTITIONS} partitions, \
         {TAIL_EVENTS} buffered {EVENT_BYTES}-byte events; {}",
        common::load()
    );
    let now = OffsetDateTime::now_utc();
    let mut term = terminal();

    let mut overview = lag_board::overview_with_history(overview_app(), now);
    bench_jumps(
        &mut c,
        "frame/overview_200x32x5_history",
        &mut overview,
        &mut term,
        now,
    );
    drop(overview);

    let mut app = app_with_hubs();
    bench_jumps(&mut c, "frame/hubs_200", &mut app, &mut term, now);
    open_partitions(&mut app, now);
    bench_jumps(&mut c, "frame/partitions_32", &mut app, &mut term, now);

    let request = fill_tail(&mut app);
    bench_jumps(&mut c, "frame/tail_1m_jump", &mut app, &mut term, now);

    app.update(Action::SelectLast);
    let mut next = TAIL_EVENTS;
    c.bench_function("frame/tail_1m_live_batch_of_100", |b| {
        b.iter_batched(
            || {
                next += BATCH;
                batch(request, next)
            },
            |arrived| {
                app.update(arrived);
                draw(&mut term, &app, now);
            },
            BatchSize::SmallInput,
        );
    });

    // A filter keystroke rechecks buffered events: not a frame, but what decides whether
    // typing feels instant.
    // `order-421` matches 11 of the 9,973 keys: about 1,100 events. Typing its last `1`
    // rechecks the ~11,000 matches of `order-42`; deleting a `1` returns to the list kept for
    // `order-42` (checking only what arrived since, dropping what was evicted).
    app.update(Action::Filter);
    for c in "order-421".chars() {
        app.update(Action::InsertChar(c));
    }
    let mut keystrokes = c.benchmark_group("keystroke");
    keystrokes.sample_size(10);
    // Typing on narrows (rechecks the matches); deleting widens (back to the kept list).
    for (name, untimed, timed) in [
        (
            "tail_1m_filter_type",
            Action::DeleteChar,
            Action::InsertChar('1'),
        ),
        (
            "tail_1m_filter_delete",
            Action::InsertChar('1'),
            Action::DeleteChar,
        ),
    ] {
        keystrokes.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                let mut total = std::time::Duration::ZERO;
                for _ in 0..iterations {
                    app.update(untimed.clone());
                    let started = std::time::Instant::now();
                    app.update(timed.clone());
                    draw(&mut term, &app, now);
                    total += started.elapsed();
                }
                total
            });
        });
    }
    keystrokes.finish();
    app.update(Action::Submit);
    bench_jumps(
        &mut c,
        "frame/tail_1m_filtered_jump",
        &mut app,
        &mut term,
        now,
    );

    c.final_summary();
}
