//! Tokens that run out early (fault kind `expire-tokens`). Azure drops the links a token
//! authorized once it expires: the service detaches them with `amqp:link:detach-forced` and
//! "Unauthorized access. 'Listen' claim(s) are required to perform this operation" (seen by
//! clients in azure-sdk-for-python#5314 and azure-event-hubs-go#81), and refuses new links
//! under it with `amqp:unauthorized-access`. A client that puts a fresh token on `$cbs` (the
//! SDKs do on reconnect, and ahead of expiry) goes on.

use fe2o3_amqp::types::definitions::{Error, LinkError};

use super::consumer::INJECTED;
use super::server::ConnectionState;
use crate::emulator::config::Rights;
use crate::emulator::entity_path::EntityPath;
use crate::emulator::faults::Place;

/// Whether the newest token allowing `need` on `path` counts as expired for a link at
/// `place` now, under a fault.
pub fn expired(
    state: &ConnectionState,
    place: &Place<'_>,
    path: &EntityPath,
    need: fn(Rights) -> bool,
) -> bool {
    state
        .token_age(place.namespace, path, need)
        .is_some_and(|age| state.plane.faults.token_expired(place, age))
}

/// Azure's words for a link without a valid token for the claim it needs.
pub fn unauthorized(claim: &str, namespace: &str, hub: &str) -> String {
    format!(
        "Unauthorized access. '{claim}' claim(s) are required to perform this operation. \
         Resource: 'sb://{namespace}/{hub}'."
    )
}

/// The detach of a live link whose token ran out.
pub fn detach_error(claim: &str, place: &Place<'_>) -> Error {
    let description = format!(
        "{} The token put on $cbs expired; {INJECTED}",
        unauthorized(claim, place.namespace, place.hub)
    );
    Error::new(LinkError::DetachForced, description, None)
}
