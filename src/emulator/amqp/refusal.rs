//! Refusing a link the way each SDK understands. Event Hubs answers a refused attach with an
//! attach that has no terminus, then a detach carrying the error; fe2o3-based clients (the
//! Rust SDK) otherwise wait forever on a link that was closed under them. pyamqp instead
//! raises a bare "Invalid link" on a missing terminus, so Python's links (named `EH...`) get
//! their terminus echoed and learn the reason from the detach.

use fe2o3_amqp::acceptor::{LinkEndpoint, ListenerSessionHandle};
use fe2o3_amqp::types::definitions::{Error, ErrorCondition, Role};
use fe2o3_amqp::types::performatives::Attach;

use super::server::Acceptor;

#[derive(Debug, Clone)]
pub struct Refused {
    pub condition: ErrorCondition,
    pub description: String,
}

impl Refused {
    pub fn new(condition: impl Into<ErrorCondition>, description: impl Into<String>) -> Self {
        Refused {
            condition: condition.into(),
            description: description.into(),
        }
    }
}

pub async fn refuse(
    mut attach: Attach,
    refused: Refused,
    acceptor: &Acceptor,
    session: &mut ListenerSessionHandle,
) {
    tracing::debug!(
        link = attach.name,
        description = refused.description,
        "refusing a link"
    );
    if !attach.name.starts_with("EH") {
        match attach.role {
            Role::Sender => attach.target = None,
            Role::Receiver => attach.source = None,
        }
    }
    let error = Error::new(refused.condition, refused.description, None);
    match acceptor.accept_incoming_attach(attach, session).await {
        Ok(LinkEndpoint::Receiver(receiver)) => {
            tokio::spawn(async move { receiver.close_with_error(error).await });
        }
        Ok(LinkEndpoint::Sender(sender)) => {
            tokio::spawn(async move { sender.close_with_error(error).await });
        }
        Err(error) => tracing::debug!(%error, "refused attach did not complete"),
    }
}

/// The service's wording for a missing entity.
pub fn not_found(namespace: &str, entity: &str) -> String {
    format!("The messaging entity '{namespace}:eventhub:{entity}' could not be found.")
}
