//! The terminal console: actions, keymap, theme, pane state, views and the app loop.
//!
//! Data flow: key -> [`keymap`] -> [`action::Action`] -> [`app::App::update`] ->
//! [`crate::protocol::Request`] for the backend -> its `Reply` -> state -> render when dirty.
//! Nothing here awaits the network or imports an Azure crate.

pub mod action;
pub mod app;
pub mod keymap;
pub mod run;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod views;

#[cfg(test)]
mod sample;
