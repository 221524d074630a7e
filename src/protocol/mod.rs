//! The protocol between the console and its backend, owned by neither: the console sends
//! [`Request`]s, the backend answers each with [`Reply`]s carrying the request's
//! [`RequestId`], over the channels of [`backend_channels`].
//!
//! Requests are grouped by how the backend runs them ([`ReadRequest`]: one read, one answer;
//! [`IncidentRequest`]: an incident action that runs to the end; the rest steer the
//! backend's own state), and each group is routed by a `match` with no catch-all: a request
//! added here and handled nowhere does not compile.

mod channels;
mod reply;
mod request;

use std::sync::Arc;

pub use channels::{BackendEnd, BackendLink, backend_channels};
pub use reply::{CaptureListing, CapturePage, ConnectionState, DeadLetterRow, Reply};
pub use request::{IncidentRequest, ReadRequest, Request, SearchAsk};

/// Identifies one request; ids only grow, so the latest request of a kind wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

/// A plan the backend made and the user saw, travelling back unchanged to be executed: the
/// console executes exactly what its dry run showed. Equal only to itself (the same plan),
/// since plans hold whole AMQP messages.
#[derive(Debug)]
pub struct Seen<T>(pub Arc<T>);

impl<T> Seen<T> {
    pub fn new(plan: T) -> Self {
        Self(Arc::new(plan))
    }
}

impl<T> Clone for Seen<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Seen<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Eq for Seen<T> {}

impl<T> std::ops::Deref for Seen<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
