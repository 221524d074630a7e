//! Reads what went wrong from the SDKs' typed errors, never from their text.
//!
//! An Event Hubs SDK error (0.15) is a chain of wrappers: `EventHubsError` around an
//! `AmqpError` around an `azure_core::Error` around, say, another `AmqpError` carrying the
//! management node's status code, or an `std::io::Error`. Printing it gives
//! "AMQP Error: AMQP Error: Azure Core Error: Error ensuring connection" and hides the
//! answer that matters (a 401 from the `$cbs` node, for a wrong key). Walking the chain
//! (`std::error::Error::source`) and reading each link's kind finds it: an AMQP error
//! condition, a management or HTTP status code, an I/O failure, a credential failure. Which
//! links exist and what they carry: `docs/sdk-quirks.md`, "Errors".

use std::error::Error;

use azure_core::error::ErrorKind as CoreKind;
use azure_core_amqp::{AmqpError, AmqpErrorCondition, AmqpErrorKind};
use azure_messaging_eventhubs::EventHubsError;
use azure_messaging_eventhubs::error::ErrorKind as HubsKind;

use super::error::{ConnectError, Failure};

/// What went wrong, in terms of what a person can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The service refused the credentials: a wrong key, an expired or altered token
    /// (`$cbs` put-token answered 401).
    CredentialRefused,
    /// The credentials were accepted but do not grant this (`amqp:unauthorized-access`, 403).
    NotPermitted,
    /// The hub, consumer group or partition does not exist (`amqp:not-found`, 404).
    NotFound,
    /// No connection could be made: refused, unknown host, TLS, timed out.
    Unreachable,
    /// A connection was made and then lost.
    ConnectionLost,
    /// The credential could not produce a token (no sign-in, expired sign-in).
    NoToken,
    /// The service is busy or throttling (`com.microsoft:server-busy`, 429, 503).
    Busy,
    /// Another reader with a higher owner level took the partition (`amqp:link:stolen`).
    Displaced,
    /// The service refused the request as given: a position or argument it does not accept,
    /// an event too large.
    Rejected,
    /// Anything the types do not explain.
    Other,
}

impl Cause {
    pub fn failure(self) -> Failure {
        match self {
            Cause::CredentialRefused | Cause::NoToken => Failure::Auth,
            Cause::NotPermitted => Failure::Denied,
            Cause::NotFound => Failure::NotFound,
            Cause::Unreachable | Cause::ConnectionLost => Failure::Unreachable,
            Cause::Rejected => Failure::Usage,
            Cause::Busy | Cause::Displaced | Cause::Other => Failure::Service,
        }
    }

    /// The cause, as the middle of a sentence.
    fn summary(self) -> &'static str {
        match self {
            Cause::CredentialRefused => "the service refused the key or token",
            Cause::NotPermitted => "the credentials do not grant this",
            Cause::NotFound => "not found",
            Cause::Unreachable => "cannot reach the namespace",
            Cause::ConnectionLost => "the connection was lost",
            Cause::NoToken => "no token could be had from the credential",
            Cause::Busy => "the service is busy",
            Cause::Displaced => "another reader took the partition",
            Cause::Rejected => "the service refused the request",
            Cause::Other => "the service answered with an error",
        }
    }

    /// What to do about it.
    fn advice(self) -> &'static str {
        match self {
            Cause::CredentialRefused => {
                "check the key in the connection string (SharedAccessKeyName and SharedAccessKey) and that its rule applies here, or sign in again"
            }
            Cause::NotPermitted => {
                "use a rule with the right (Listen to read, Send to send) or a role that grants it"
            }
            Cause::NotFound => {
                "check the hub, consumer group and partition names (`ehops hubs` lists them)"
            }
            Cause::Unreachable => "check the address and that the service or emulator is running",
            Cause::ConnectionLost => "try again; if it keeps happening, check the network",
            Cause::NoToken => "sign in again (`az login`) or check the credential's settings",
            Cause::Busy => "wait a moment and try again",
            Cause::Displaced => "stop the other reader, or read with a consumer group of your own",
            Cause::Rejected => "check the position, partition or event given",
            Cause::Other => "try again, and see the log for the whole error",
        }
    }
}

/// What the chain of an error says: its cause, and the most telling words for it (the
/// service's description, or the I/O error), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub cause: Cause,
    pub detail: Option<String>,
}

/// Reads an error's chain from the outside in; the first link whose type says what went
/// wrong decides. Wrappers that say nothing (`azure_core` "Other", a plain message) pass
/// the question on to what they wrap.
pub fn read(error: &(dyn Error + 'static)) -> Reading {
    let mut link = Some(error);
    let mut innermost = error;
    while let Some(current) = link {
        if let Some(reading) = read_link(current) {
            return reading;
        }
        innermost = current;
        link = current.source();
    }
    Reading {
        cause: Cause::Other,
        detail: Some(innermost.to_string()),
    }
}

impl ConnectError {
    /// One sentence from an SDK error: what failed (`context`), the cause, and what to do.
    pub fn from_sdk(context: &str, error: &(dyn Error + 'static)) -> Self {
        tracing::debug!(%context, ?error, "SDK error");
        Self::from_reading(context, &read(error))
    }

    pub fn from_reading(context: &str, reading: &Reading) -> Self {
        let cause = reading.cause;
        let detail = match reading.detail.as_deref().map(str::trim) {
            Some(detail) if !detail.is_empty() => format!(" ({})", shorten(detail)),
            _ => String::new(),
        };
        Self::new(
            cause.failure(),
            format!("{context}: {}{detail}; {}", cause.summary(), cause.advice()),
        )
    }
}

fn read_link(link: &(dyn Error + 'static)) -> Option<Reading> {
    if let Some(error) = link.downcast_ref::<EventHubsError>() {
        return read_event_hubs(error);
    }
    if let Some(error) = link.downcast_ref::<AmqpError>() {
        return read_amqp(error);
    }
    if let Some(error) = link.downcast_ref::<azure_core::Error>() {
        return read_core(error);
    }
    if let Some(error) = link.downcast_ref::<std::io::Error>() {
        return Some(Reading {
            cause: Cause::Unreachable,
            detail: Some(error.to_string()),
        });
    }
    None
}

fn read_event_hubs(error: &EventHubsError) -> Option<Reading> {
    match &error.kind {
        HubsKind::SendRejected(Some(described)) => Some(Reading {
            cause: match condition_cause(&described.condition) {
                Cause::Other => Cause::Rejected,
                cause => cause,
            },
            detail: described_detail(&described.condition, described.description.as_deref()),
        }),
        HubsKind::SendRejected(None) => Some(Reading {
            cause: Cause::Rejected,
            detail: Some("the hub rejected the event".to_owned()),
        }),
        HubsKind::ConsumerDisconnected(described) => Some(Reading {
            cause: Cause::Displaced,
            detail: described.as_ref().and_then(|d| d.description.clone()),
        }),
        HubsKind::InvalidManagementResponse => Some(Reading {
            cause: Cause::Other,
            detail: Some("the management node's answer was not understood".to_owned()),
        }),
        // Wrappers and plain messages: what they wrap (if anything) says more.
        _ => None,
    }
}

fn read_amqp(error: &AmqpError) -> Option<Reading> {
    match error.kind() {
        AmqpErrorKind::AmqpDescribedError(described) => Some(Reading {
            cause: condition_cause(&described.condition),
            detail: described_detail(&described.condition, described.description.as_deref()),
        }),
        AmqpErrorKind::ManagementStatusCode(status, description) => Some(Reading {
            cause: status_cause(u16::from(*status)),
            detail: Some(match description {
                Some(description) => description.clone(),
                None => format!("status {}", u16::from(*status)),
            }),
        }),
        AmqpErrorKind::ConnectionDropped(_)
        | AmqpErrorKind::ConnectionClosedByRemote(_)
        | AmqpErrorKind::ConnectionDetachedByRemote(_)
        | AmqpErrorKind::IdleTimeoutElapsed(_)
        | AmqpErrorKind::FramingError(_) => Some(Reading {
            cause: Cause::ConnectionLost,
            detail: Some(error.to_string()),
        }),
        AmqpErrorKind::SendRejected => Some(Reading {
            cause: Cause::Rejected,
            detail: Some("the hub rejected the event".to_owned()),
        }),
        _ => None,
    }
}

fn read_core(error: &azure_core::Error) -> Option<Reading> {
    let cause = match error.kind() {
        CoreKind::Io | CoreKind::Connection => Cause::Unreachable,
        CoreKind::Credential => Cause::NoToken,
        CoreKind::HttpResponse { status, .. } => status_cause(u16::from(*status)),
        _ => return None,
    };
    // The innermost words are the ones with content ("Connection refused (os error 111)").
    let mut detail = error.to_string();
    let mut inner = error.source();
    while let Some(link) = inner {
        detail = link.to_string();
        inner = link.source();
    }
    Some(Reading {
        cause,
        detail: Some(detail),
    })
}

/// The standard AMQP conditions and Microsoft's own, as the SDK parses them.
fn condition_cause(condition: &AmqpErrorCondition) -> Cause {
    use AmqpErrorCondition as C;
    match condition {
        C::UnauthorizedAccess => Cause::NotPermitted,
        C::NotFound | C::MessageNotFound | C::SessionNotFound | C::ResourceDeleted => {
            Cause::NotFound
        }
        C::ServerBusyError | C::ResourceLimitExceeded | C::TimeoutError => Cause::Busy,
        C::LinkStolen | C::PartitionNotOwnedError => Cause::Displaced,
        C::ConnectionForced
        | C::ConnectionFramingError
        | C::ConnectionRedirect
        | C::LinkDetachForced
        | C::ProtonIo => Cause::ConnectionLost,
        C::ArgumentError
        | C::ArgumentOutOfRangeError
        | C::InvalidField
        | C::NotAllowed
        | C::LinkPayloadSizeExceeded
        | C::EntityDisabledError
        | C::PublisherRevokedError => Cause::Rejected,
        _ => Cause::Other,
    }
}

/// An HTTP or management status code's cause.
pub fn status_cause(status: u16) -> Cause {
    match status {
        401 => Cause::CredentialRefused,
        403 => Cause::NotPermitted,
        404 | 410 => Cause::NotFound,
        400 | 409 | 413 => Cause::Rejected,
        408 | 429 | 503 => Cause::Busy,
        _ => Cause::Other,
    }
}

/// The service's description, or the condition's symbol when it gave none.
fn described_detail(condition: &AmqpErrorCondition, description: Option<&str>) -> Option<String> {
    Some(match description {
        Some(description) => description.to_owned(),
        None => <&str>::from(condition).to_owned(),
    })
}

/// A service's description may be long; keep a line's worth.
fn shorten(text: &str) -> String {
    const MAX: usize = 240;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
#[path = "sdk_error_tests.rs"]
mod tests;
