//! `:ctx NAME` on the backend side: the console's launcher (which knows the config file and
//! how to sign in) connects to the context; the backend then swaps its services, as it does
//! for a team switch, and tells the app who and where it now is.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::connect::checkpoints::CheckpointStore;
use crate::connect::connection::Connection;
use crate::connect::error::ConnectError;

/// Where a context leads.
pub enum ContextTarget {
    /// The embedded demo, as one of its teams: the running emulator's identities serve it.
    DemoTeam(String),
    /// Another namespace: a connection and the checkpoint store to read lag from.
    Elsewhere {
        connection: Box<Connection>,
        checkpoints: Arc<dyn CheckpointStore>,
    },
}

/// A context, connected, with how it asks to be shown.
pub struct ContextConnection {
    pub target: ContextTarget,
    pub read_only: bool,
    pub theme: Option<String>,
    pub own_team_only: bool,
}

/// Connects to the named context; supplied by whoever launched the console.
pub type ContextSwitch = Arc<
    dyn Fn(String) -> BoxFuture<'static, Result<ContextConnection, ConnectError>> + Send + Sync,
>;
