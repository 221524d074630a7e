//! Entering and leaving the terminal's full-screen mode, and never leaving it broken: a
//! panic restores the terminal before the message is printed.

use std::io::{self, Stdout, stdout};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::{Frame, Terminal};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Raw mode, alternate screen and mouse capture, with a panic hook that undoes them.
pub fn enter() -> io::Result<Term> {
    install_panic_hook();
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Undoes [`enter`]; safe to call more than once.
pub fn leave() -> io::Result<()> {
    disable_raw_mode()?;
    execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    )
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Best effort: the terminal may already be gone; the panic message matters more.
        let _ = leave();
        previous(info);
    }));
}

/// Draws one frame inside a synchronized update, so terminals that support it show the
/// whole frame at once instead of tearing.
pub fn draw(terminal: &mut Term, render: impl FnOnce(&mut Frame<'_>)) -> io::Result<()> {
    execute!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    let drawn = terminal.draw(render).map(|_| ());
    execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    drawn
}
