//! The request/response nodes: `$cbs` (put-token) and `$management` (READ of an event hub or a
//! partition). Replies go to the client's receiver link named by `reply-to` (JS, Rust), or to
//! the receiver attached to the same node in the same session (Python sends no `reply-to`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fe2o3_amqp::link::delivery::Delivery;
use fe2o3_amqp::types::messaging::{AmqpValue, ApplicationProperties, Body, Message, Properties};
use fe2o3_amqp::types::primitives::{SimpleValue, Value};
use fe2o3_amqp::{Receiver, Sender};
use tokio::sync::mpsc;

use super::management;
use super::message::AmqpMessage;
use super::server::ConnectionState;
use crate::emulator::entity_path::EntityPath;
use crate::emulator::sas;

/// Reply links of one session, by the keys a request can name them with.
#[derive(Clone, Default)]
pub struct Replies(Arc<Mutex<HashMap<String, mpsc::Sender<AmqpMessage>>>>);

impl Replies {
    fn find(&self, key: &str) -> Option<mpsc::Sender<AmqpMessage>> {
        self.0.lock().ok()?.get(key).cloned()
    }
}

/// Sends replies on a client's receiver link until the client detaches it.
pub async fn serve_replies(mut sender: Sender, keys: Vec<String>, replies: Replies) {
    let (tx, mut rx) = mpsc::channel::<AmqpMessage>(64);
    if let Ok(mut routes) = replies.0.lock() {
        for key in &keys {
            routes.insert(key.clone(), tx.clone());
        }
    }
    drop(tx);
    loop {
        tokio::select! {
            reply = rx.recv() => {
                let Some(reply) = reply else { break };
                let sendable = fe2o3_amqp::link::delivery::Sendable::builder().message(reply).settled(true).build();
                if sender.send(sendable).await.is_err() {
                    break;
                }
                tracing::debug!(keys = ?keys, "reply sent");
            }
            _ = sender.on_detach() => break,
        }
    }
    if let Ok(mut routes) = replies.0.lock() {
        for key in &keys {
            routes.remove(key);
        }
    }
    let _ = sender.close().await;
}

/// Answers requests sent to `node` until the client detaches the link.
pub async fn serve_requests(
    mut receiver: Receiver,
    node: String,
    state: Arc<ConnectionState>,
    replies: Replies,
) {
    loop {
        let delivery: Delivery<Body<Value>> = match receiver.recv().await {
            Ok(delivery) => delivery,
            Err(error) => {
                tracing::debug!(%error, node, "request link ended");
                break;
            }
        };
        // fe2o3 clients wait for the request to be settled Accepted before reading a reply.
        if receiver.accept(&delivery).await.is_err() {
            break;
        }
        let request = delivery.into_message();
        let reply = answer(&node, &request, &state);
        let key = request
            .properties
            .as_ref()
            .and_then(|p| p.reply_to.clone())
            .unwrap_or_else(|| format!("node:{}", node.to_ascii_lowercase()));
        // The reply link may attach just after the request link: give it a moment.
        let mut route = replies.find(&key);
        for _ in 0..50 {
            if route.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            route = replies.find(&key);
        }
        match route {
            Some(route) => {
                let sent = route.send(reply).await.is_ok();
                tracing::debug!(node, key, sent, "request answered");
            }
            None => tracing::warn!(node, key, "no reply link for a request"),
        }
    }
    let _ = receiver.close().await;
}

/// The reply to a request sent to `node` (`$cbs` or `$management`).
pub fn answer(node: &str, request: &AmqpMessage, state: &ConnectionState) -> AmqpMessage {
    let (status, description, body) = match node.to_ascii_lowercase().as_str() {
        "$cbs" => {
            let (status, description) = put_token(request, state);
            tracing::debug!(status, description, "put-token");
            (status, description, None)
        }
        "$management" => management::handle(request, state),
        _ => (404, format!("no node {node:?}"), None),
    };
    reply_to(request, status, &description, body)
}

/// Builds a reply: `correlation-id` is the request's `message-id` with its AMQP type kept.
fn reply_to(
    request: &AmqpMessage,
    status: i32,
    description: &str,
    body: Option<Value>,
) -> AmqpMessage {
    let correlation_id = request
        .properties
        .as_ref()
        .and_then(|p| p.message_id.clone());
    let properties = Properties {
        correlation_id,
        ..Properties::default()
    };
    let mut application = ApplicationProperties::default();
    application
        .0
        .insert("status-code".into(), SimpleValue::Int(status));
    application.0.insert(
        "status-description".into(),
        SimpleValue::String(description.into()),
    );
    Message::builder()
        .properties(properties)
        .application_properties(application)
        .body(Body::Value(AmqpValue(body.unwrap_or(Value::Null))))
        .build()
}

pub fn application_string(request: &AmqpMessage, key: &str) -> Option<String> {
    match request.application_properties.as_ref()?.0.get(key)? {
        SimpleValue::String(s) => Some(s.clone()),
        SimpleValue::Symbol(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

pub fn now_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `$cbs` put-token: validates a SAS token for an audience and records the grant on the
/// connection. 202 is the only success code the Rust SDK accepts.
fn put_token(request: &AmqpMessage, state: &ConnectionState) -> (i32, String) {
    if application_string(request, "operation").as_deref() != Some("put-token") {
        return (400, "unsupported $cbs operation".into());
    }
    let Some(audience) = application_string(request, "name") else {
        return (400, "put-token needs the audience in 'name'".into());
    };
    let token = match &request.body {
        Body::Value(AmqpValue(Value::String(token))) => token.clone(),
        _ => return (400, "put-token needs the token as a string body".into()),
    };
    let Some(namespace) = state.namespace_for(&audience) else {
        return (404, "no namespace is served here".into());
    };
    // Clients label SAS tokens `jwt` too; the body says what the token is.
    if !sas::is_sas(&token) {
        return (
            401,
            "the emulator accepts SharedAccessSignature tokens only".into(),
        );
    }
    let wanted = EntityPath::from_resource_uri(&audience);
    match sas::validate(&token, namespace, &wanted, now_seconds()) {
        // What the grant reaches is checked when a link attaches: clients name audiences
        // more or less specific than their tokens (Python's consumers do both).
        Ok(grant) => {
            state.add_grant(&namespace.name, grant);
            (202, "Accepted".into())
        }
        Err(error) => (401, format!("Unauthorized: {error}")),
    }
}
