//! The embedded Event Hubs-compatible emulator.

pub mod config;
mod entity_path;
pub mod sas;
pub mod store;
