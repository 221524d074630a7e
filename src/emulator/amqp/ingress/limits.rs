//! The limits `ingress.rs` enforces on what a client may make the emulator hold, and the
//! violation a connection is closed with when it breaks one.

/// The largest event or batch the service accepts (Standard tier; protocol-notes section 9).
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// The largest frame the emulator accepts (and advertises in its Open).
pub const MAX_FRAME_BYTES: usize = 65_536;
/// The highest channel number the emulator accepts (and advertises in its Open).
pub const CHANNEL_MAX: u16 = 255;
/// A delivery's bytes on the wire: an event or batch of the service's largest size plus room
/// for the envelope around it; the exact limit is checked once the delivery is whole.
pub const MAX_DELIVERY_BYTES: usize = MAX_MESSAGE_BYTES + 64 * 1024;
/// Before a valid token only `$cbs` put-token requests are possible: a token is a few KiB.
pub const UNAUTHENTICATED_DELIVERY_BYTES: usize = 64 * 1024;
pub const MAX_ARRIVING_BYTES: usize = 32 * MAX_DELIVERY_BYTES;
pub const MAX_UNSETTLED_BYTES: usize = 32 * MAX_DELIVERY_BYTES;
const UNAUTHENTICATED_BUDGET_DIVISOR: usize = 10;
pub const MAX_LINKS: usize = 4096;
pub const UNAUTHENTICATED_LINKS: usize = 8;

/// Why a connection is closed: an AMQP error condition and a description for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub condition: &'static str,
    pub description: String,
}

impl Violation {
    pub(super) fn new(condition: &'static str, description: impl Into<String>) -> Self {
        Violation {
            condition,
            description: description.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.condition, self.description)
    }
}

/// The share of `full` a connection may use: all of it once it has put a valid token.
pub(super) fn budget(full: usize, authenticated: bool) -> usize {
    if authenticated {
        full
    } else {
        full / UNAUTHENTICATED_BUDGET_DIVISOR
    }
}
