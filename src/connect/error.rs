//! One error type for everything that talks to a service, sorted by what the user can do
//! about it: fix the command line, fix the credentials or network, or look for another name.

use std::fmt;

/// What kind of failure, as scripts see it through exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The input was wrong (a malformed connection string, an unknown start position).
    Usage,
    /// The service refused the credentials or the identity lacks the right.
    Auth,
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

    /// Sorts an error from the Event Hubs SDK, which (0.15) carries the AMQP condition only
    /// in its text: `amqp:unauthorized-access`, `com.microsoft:entity-not-found`, a status
    /// code from the management node, or an I/O failure.
    pub fn from_sdk(context: &str, error: &dyn fmt::Display) -> Self {
        let text = error.to_string();
        let failure = classify(&text);
        let hint = match failure {
            Failure::Auth => " (check the key or the identity's rights)",
            Failure::Unreachable => " (is the service or emulator running?)",
            _ => "",
        };
        Self::new(failure, format!("{context}: {}{hint}", shorten(&text)))
    }
}

/// Maps the words the SDK and AMQP use to the kind of failure.
pub fn classify(text: &str) -> Failure {
    let lower = text.to_ascii_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if any(&[
        "unauthorized",
        "401",
        "403",
        "forbidden",
        "invalid signature",
        "put-token",
        "authentication",
    ]) {
        Failure::Auth
    } else if any(&["not-found", "notfound", "not found", "404", "no such"]) {
        Failure::NotFound
    } else if any(&[
        "connection refused",
        "connectionrefused",
        "timed out",
        "timeout",
        "dns",
        "unreachable",
        "broken pipe",
        "connection reset",
        "io error",
    ]) {
        Failure::Unreachable
    } else {
        Failure::Service
    }
}

/// SDK errors nest Debug dumps; keep a screenful.
fn shorten(text: &str) -> String {
    const MAX: usize = 300;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_common_conditions() {
        assert_eq!(
            classify("AMQP Error: amqp:unauthorized-access"),
            Failure::Auth
        );
        assert_eq!(
            classify("com.microsoft:entity-not-found: no hub"),
            Failure::NotFound
        );
        assert_eq!(
            classify("io error: Connection refused (os error 111)"),
            Failure::Unreachable
        );
        assert_eq!(classify("something odd"), Failure::Service);
    }
}
