//! Who the backend works as: `:team NAME` signs in as another demo team, `:ctx NAME` connects
//! to a context off the loop and installs it when reached. Either way what was running stops,
//! since it ran as someone else, and the audit trail's actor follows.

use std::sync::Arc;

use super::context::{ContextConnection, ContextTarget};
use super::{Backend, ContextReached};
use crate::connect::Connection;
use crate::connect::checkpoints::CheckpointStore;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::model::{Identity, SwitchedContext};
use crate::ops::audited::Actor;
use crate::protocol::{Reply, RequestId};

impl Backend {
    /// Replaces the data plane with one signed in as `team`; what was running stops, since
    /// it ran as someone else.
    pub(super) fn switch_team(&mut self, request: RequestId, team: &str) {
        let connection = match &self.services.sign_in {
            Some(sign_in) => sign_in(team),
            None => Err(ConnectError::usage(
                "switching teams needs the embedded demo; use --connection-string for another identity",
            )),
        };
        let reply = match connection {
            Ok(connection) => {
                let principal = connection.principal.clone();
                self.install(connection, None);
                self.services.trail.actor = Actor {
                    principal: principal.clone(),
                    team: Some(team.to_owned()),
                };
                Reply::TeamSwitched {
                    request,
                    team: team.to_owned(),
                    principal,
                }
            }
            Err(error) => Reply::RequestFailed {
                request,
                message: error.message,
            },
        };
        let _ = self.replies.send(reply);
    }

    /// Works as `connection` from now on (and reads lag from `checkpoints`, when given); what
    /// was running stops, since it ran as someone else.
    fn install(&mut self, connection: Connection, checkpoints: Option<Arc<dyn CheckpointStore>>) {
        if let Some(tail) = self.tail.take() {
            tail.stop();
        }
        self.search = None;
        // Sampled as the new identity from the console's next `WatchLag`.
        if let Some(feed) = self.lag_feed.take() {
            feed.stop();
        }
        self.watch = None;
        // The Kafka endpoint signed in with the previous identity's rule; Kafka groups are
        // read again after a restart as the new one (docs/kafka.md).
        self.services.kafka = None;
        self.home_kafka = None;
        let group = self.services.plane.consumer_group().to_owned();
        self.services.plane = Arc::new(DataPlane::new(connection, &group));
        // Every other namespace is listed again, as the new identity sees them.
        self.namespaces = Arc::new(super::NamespacePlanes::new(Arc::clone(
            &self.services.plane,
        )));
        if let Some(checkpoints) = checkpoints {
            self.services.checkpoints = checkpoints;
        }
    }

    /// Connects to a context off the loop (sign-in can take seconds); `context_reached`
    /// installs it.
    pub(super) fn switch_context(&mut self, request: RequestId, name: String) {
        let Some(connect) = self.services.switch_context.clone() else {
            let _ = self.replies.send(Reply::RequestFailed {
                request,
                message: "contexts need the console's config file; none is available here"
                    .to_owned(),
            });
            return;
        };
        let contexts = self.contexts.clone();
        tokio::spawn(async move {
            let result = connect(name.clone()).await;
            let _ = contexts.send(ContextReached {
                request,
                name,
                result,
            });
        });
    }

    pub(super) fn context_reached(&mut self, reached: ContextReached) {
        let ContextReached {
            request,
            name,
            result,
        } = reached;
        let installed = result.and_then(|context| {
            let ContextConnection {
                target,
                read_only,
                theme,
                own_team_only,
            } = context;
            let (connection, checkpoints, team) = match target {
                ContextTarget::DemoTeam(team) => {
                    let sign_in = self.services.sign_in.as_ref().ok_or_else(|| {
                        ConnectError::usage(format!(
                            "context {name} is the embedded demo, which this console is not running"
                        ))
                    })?;
                    (sign_in(&team)?, None, Some(team))
                }
                ContextTarget::Elsewhere {
                    connection,
                    checkpoints,
                } => (*connection, Some(checkpoints), None),
            };
            let switched = SwitchedContext {
                name: name.clone(),
                identity: Identity {
                    name: connection.principal.clone(),
                    team,
                },
                namespace: connection.namespace.clone(),
                read_only,
                theme,
                own_team_only,
            };
            Ok((switched, connection, checkpoints))
        });
        let reply = match installed {
            Ok((switched, connection, checkpoints)) => {
                self.install(connection, checkpoints);
                self.services.trail.actor = Actor {
                    principal: switched.identity.name.clone(),
                    team: switched.identity.team.clone(),
                };
                Reply::ContextSwitched { request, switched }
            }
            Err(error) => Reply::RequestFailed {
                request,
                message: format!("context {name}: {}", error.message),
            },
        };
        let _ = self.replies.send(reply);
    }
}
