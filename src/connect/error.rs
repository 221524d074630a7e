//! One error type for everything that talks to a service, sorted by what the user can do
//! about it: fix the command line, fix the credentials or network, or look for another name.
//! Errors from the SDKs are read by their types in [`super::sdk_error`].

use std::fmt;

/// What kind of failure, as scripts see it through exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The input was wrong (a malformed connection string, an unknown start position).
    Usage,
    /// The service refused the credentials (a wrong key, an expired token), or none could
    /// be had.
    Auth,
    /// The credentials were accepted, but the identity lacks the right for this.
    Denied,
    /// The service could not be reached at all.
    Unreachable,
    /// The hub, consumer group or partition does not exist.
    NotFound,
    /// The service answered with an error none of the above explains.
    Service,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConnectError {
    pub failure: Failure,
    pub message: String,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ConnectError {
    pub fn new(failure: Failure, message: impl Into<String>) -> Self {
        Self {
            failure,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Failure::Usage, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Failure::NotFound, message)
    }
}
