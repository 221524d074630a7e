//! Launch to first frame with data: the embedded demo emulator started in-process, the
//! console connected to it and its backend started (`commands::console::launch`, what `ehops`
//! does), then the real console loop (`tui::run::drive`) until the first frame drawn with the
//! hub list. The terminal is ratatui's in-memory backend; each launch gets a fresh data dir.
//! Run: `cargo bench --bench console_launch`.

mod common;

use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::Criterion;
use ehops::commands::console;
use ehops::commands::target::{DEFAULT_CONSUMER_GROUP, TargetArgs};
use ehops::tui::app::{App, ScreenLayout};
use ehops::tui::{run, views};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::OffsetDateTime;
use tokio::sync::mpsc;

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;

/// Whether the screen shows this text somewhere.
fn shows(term: &Terminal<TestBackend>, text: &str) -> bool {
    let buffer = term.backend().buffer();
    let screen: String = buffer.content().iter().map(|cell| cell.symbol()).collect();
    screen.contains(text)
}

async fn first_frame_with_data(data: &Path) -> Result<Duration, String> {
    let started = Instant::now();
    let args = TargetArgs {
        data: Some(data.to_path_buf()),
        ..TargetArgs::default()
    };
    let launched = console::launch(&args, DEFAULT_CONSUMER_GROUP)
        .await
        .map_err(|e| e.to_string())?;
    let (input, input_rx) = mpsc::unbounded_channel();
    let (shown, mut shown_rx) = mpsc::unbounded_channel();
    let mut term = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).map_err(|e| e.to_string())?;
    let draw = move |app: &App| -> io::Result<Option<ScreenLayout>> {
        let now = OffsetDateTime::now_utc();
        let Ok(_) = term.draw(|frame| {
            views::render(frame, app, now);
        });
        if let Some(hub) = app.hubs.first()
            && shows(&term, &hub.name)
        {
            let _ = shown.send(started.elapsed());
        }
        Ok(None)
    };
    let running = tokio::spawn(run::drive(
        launched.app,
        launched.link,
        input_rx,
        (WIDTH, HEIGHT),
        draw,
    ));
    let elapsed = tokio::time::timeout(Duration::from_secs(60), shown_rx.recv()).await;
    drop(input);
    let _ = running.await;
    launched.backend.abort();
    drop(launched.target);
    match elapsed {
        Ok(Some(elapsed)) => Ok(elapsed),
        _ => Err("no frame showed the hubs within 60 s".to_owned()),
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();
    println!(
        "console_launch: embedded demo emulator + console to first frame with hubs, \
         {WIDTH}x{HEIGHT}; {}",
        common::load()
    );
    c.bench_function("launch/first_frame_with_hubs", |b| {
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| {
                    let data = tempfile::tempdir().expect("a temporary data dir");
                    runtime
                        .block_on(first_frame_with_data(data.path()))
                        .unwrap_or_else(|e| panic!("launch failed: {e}"))
                })
                .sum()
        });
    });
    c.final_summary();
}
