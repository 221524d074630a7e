//! Headless commands behind `ehops <subcommand>`: each takes parsed arguments, does its job,
//! and returns the process exit code.

pub mod emulator;

/// Exit codes shared by every command, so scripts can tell failures apart.
pub mod exit {
    pub const OK: u8 = 0;
    /// Bad arguments or config: fix the command line or the file.
    pub const USAGE: u8 = 2;
    /// A service could not be reached, or refused the credentials.
    pub const CONNECTION: u8 = 3;
    /// The hub, consumer group or partition does not exist.
    pub const NOT_FOUND: u8 = 4;
}
