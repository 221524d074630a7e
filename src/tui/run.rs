//! The console loop: terminal input, backend replies and tail batches in, requests out.
//!
//! Rendering happens only when the app is dirty, at most once per ~16 ms window so a burst of
//! tail batches becomes one frame. A 4 Hz tick runs only while the screen shows relative
//! times; an idle console does no work.

use std::io;
use std::time::Duration;

use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

use super::action::Action;
use super::app::{App, ScreenLayout};
use super::keymap::Key;
use super::{terminal, views};
use crate::protocol::{BackendLink, Request};

const RENDER_COALESCE: Duration = Duration::from_millis(16);
const TICK: Duration = Duration::from_millis(250);

/// Runs the console until the user quits or a signal (SIGTERM, SIGINT, SIGHUP) asks it to
/// end, restoring the terminal on the way out either way.
pub async fn run(app: App, link: BackendLink) -> io::Result<()> {
    // Listening before the terminal changes mode: from here on a signal ends the loop below
    // instead of killing the process with the terminal left raw.
    let stop = stop_signal()?;
    let mut term = terminal::enter()?;
    let result = match term.size() {
        Ok(size) => {
            let draw = |app: &App| {
                let now = OffsetDateTime::now_utc();
                let mut layout = None;
                terminal::draw(&mut term, |frame| {
                    layout = Some(views::render(frame, app, now));
                })?;
                Ok(layout)
            };
            let console = drive(
                app,
                link,
                spawn_input_reader(),
                (size.width, size.height),
                draw,
            );
            // Dropping the loop drops the backend link: the backend then stops the tail and
            // lets incident actions under way finish, as it does after `q`.
            tokio::select! {
                result = console => result,
                signal = stop => {
                    tracing::info!(signal, "ending on a signal");
                    Ok(())
                }
            }
        }
        Err(error) => Err(error),
    };
    let restored = terminal::leave();
    result.and(restored)
}

/// Resolves with the signal's name on the first SIGTERM, SIGINT or SIGHUP. Raw mode turns
/// Ctrl-C into a key, so these come from `kill`, a closing terminal or a supervisor.
#[cfg(unix)]
fn stop_signal() -> io::Result<impl Future<Output = &'static str>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut hangup = signal(SignalKind::hangup())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
            _ = hangup.recv() => "SIGHUP",
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> io::Result<impl Future<Output = &'static str>> {
    Ok(async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl-C",
            // No way to listen: never end on a signal.
            Err(_) => std::future::pending().await,
        }
    })
}

/// The console loop apart from the terminal: terminal events in, frames out through `draw`,
/// until the user quits or `input` closes. Benchmarks and tests drive it headless; `draw`
/// returns where the lists were drawn, when it knows, for mouse hit-testing.
pub async fn drive(
    mut app: App,
    mut link: BackendLink,
    mut input: mpsc::UnboundedReceiver<Event>,
    (width, height): (u16, u16),
    mut draw: impl FnMut(&App) -> io::Result<Option<ScreenLayout>>,
) -> io::Result<()> {
    app.update(Action::Resize(width, height));
    send(&link, app.start());
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut render_at: Option<Instant> = None;
    while !app.should_quit() {
        if app.is_dirty() && render_at.is_none() {
            render_at = Some(Instant::now() + RENDER_COALESCE);
        }
        let commands = tokio::select! {
            event = input.recv() => match event {
                Some(event) => handle_event(&mut app, event),
                None => break, // the terminal is gone
            },
            Some(reply) = link.replies.recv() => app.update(Action::Reply(reply)),
            Some(batch) = link.tail.recv() => app.update(Action::Reply(batch)),
            Some(round) = link.lag.recv() => app.update(Action::Reply(round)),
            _ = tick.tick(), if app.needs_tick() => app.update(Action::Tick),
            () = sleep_until(render_at.unwrap_or_else(Instant::now)), if render_at.is_some() => {
                render_at = None;
                // Mouse clicks are hit-tested against what was drawn last.
                if app.take_dirty()
                    && let Some(layout) = draw(&app)?
                {
                    app.remember_layout(layout);
                }
                Vec::new()
            }
        };
        send(&link, commands);
    }
    Ok(())
}

fn handle_event(app: &mut App, event: Event) -> Vec<Request> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            app.handle_key(Key::from_event(key))
        }
        Event::Resize(width, height) => app.update(Action::Resize(width, height)),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollUp => app.update(Action::SelectUp),
            MouseEventKind::ScrollDown => app.update(Action::SelectDown),
            MouseEventKind::Down(MouseButton::Left) => app.update(Action::Click {
                column: mouse.column,
                row: mouse.row,
            }),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn send(link: &BackendLink, commands: Vec<Request>) {
    for command in commands {
        // A closed channel means the backend stopped; its last error reaches the app as a
        // reply, so there is nothing more to do here.
        let _ = link.requests.send(command);
    }
}

/// crossterm's reader blocks, so it lives on its own thread and forwards events.
fn spawn_input_reader() -> mpsc::UnboundedReceiver<Event> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        while let Ok(event) = crossterm::event::read() {
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    rx
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
