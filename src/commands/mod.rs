//! Headless commands behind `ehops <subcommand>`, and the console itself: each takes parsed
//! arguments, does its job, and returns the process exit code.

pub mod capture;
pub mod capture_history;
pub mod capture_replay;
pub mod console;
pub mod context;
pub mod deadletter;
pub mod decode;
mod duration_arg;
pub mod emulator;
pub mod export;
pub mod hubs;
pub mod import;
mod incident;
pub mod kafka_deadletter;
mod kafka_lag;
mod kafka_reset;
pub mod lag;
pub mod lint;
mod output;
pub mod partitions;
mod permission_gate;
pub mod replay;
pub mod reset;
mod sampled_groups;
pub mod schemas;
pub mod search;
mod search_output;
pub mod tail;
pub mod target;
pub mod team;
pub mod trace;
pub mod watch;

use crate::connect::error::{ConnectError, Failure};
use crate::tui::views::sanitize::sanitize;

/// Exit codes shared by every command, so scripts can tell failures apart.
pub mod exit {
    pub const OK: u8 = 0;
    /// Bad arguments or config: fix the command line or the file.
    pub const USAGE: u8 = 2;
    /// A service could not be reached, or refused the credentials.
    pub const CONNECTION: u8 = 3;
    /// The hub, consumer group or partition does not exist.
    pub const NOT_FOUND: u8 = 4;
    /// The event's data could not be decoded (`ehops decode`); the reason is in the output.
    pub const DECODE: u8 = 5;
    /// The signed-in identity lacks a permission the command needs; stderr names it.
    pub const PERMISSION_DENIED: u8 = 6;
    /// Sampled events break the mandate (`ehops lint`); the report says which and where.
    pub const VIOLATIONS: u8 = 7;
    /// A consumer group is over a lag threshold (`ehops watch --once`).
    pub const THRESHOLD: u8 = 8;
}

/// The exit code for a kind of failure.
pub fn exit_code(failure: Failure) -> u8 {
    match failure {
        Failure::Usage => exit::USAGE,
        // A refusal on the wire names no permission; exit 6 stays for the refusals ehops
        // makes itself, with the missing permission named.
        Failure::Auth | Failure::Denied | Failure::Unreachable | Failure::Service => {
            exit::CONNECTION
        }
        Failure::NotFound => exit::NOT_FOUND,
    }
}

/// Reports a failure on stderr and returns its exit code.
pub fn fail(error: &ConnectError) -> u8 {
    // Services' descriptions are quoted in messages: no control sequences reach the terminal.
    eprintln!("error: {}", sanitize(&error.message, false));
    exit_code(error.failure)
}
