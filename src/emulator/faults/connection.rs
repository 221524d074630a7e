//! Faults on a whole connection, as Azure's gateways produce them when they restart or
//! rebalance: the socket shut down with no AMQP goodbye, or a Close carrying
//! `amqp:connection:forced`.

use std::time::Duration;

use super::Faults;

/// How often a connection asks whether a fault ends it.
const CHECK_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionFault {
    /// Shut the socket down.
    Drop,
    /// Close with `amqp:connection:forced`.
    Close,
}

/// Waits until a fault strikes a connection to `namespaces`; each second is an opportunity.
pub async fn struck(faults: &Faults, namespaces: &[String]) -> ConnectionFault {
    let mut tick = tokio::time::interval(CHECK_EVERY);
    // The first tick is at once; a connection lives a second before it can be struck.
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Some(fault) = faults.connection(namespaces) {
            return fault;
        }
    }
}
