//! The embedded Event Hubs-compatible emulator. Start it with [`launch`]; the console reaches
//! it only through the wire protocols it uses against Azure.

pub mod amqp;
pub mod capture;
pub mod catalog;
pub mod checkpoint_proxy;
pub mod checkpoints;
pub mod config;
pub mod demo;
mod entity_path;
pub mod faults;
mod http;
pub mod kafka;
mod launch;
pub mod registry;
pub mod sas;
pub mod store;

pub use config::EmulatorConfig;
pub use launch::{
    Credential, DEFAULT_AMQP, DEFAULT_CHECKPOINT_PROXY, DEFAULT_HTTP, DEFAULT_KAFKA, LaunchError,
    LaunchOptions, NamespaceEndpoint, RunningEmulator, launch,
};
