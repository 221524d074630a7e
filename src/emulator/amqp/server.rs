//! Accepting clients: TCP, SASL, sessions, and routing each attached link to its handler.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fe2o3_amqp::acceptor::{
    ConnectionAcceptor, LinkAcceptor, LinkEndpoint, ListenerSessionHandle, SaslAcceptor,
    SessionAcceptor, SupportedReceiverSettleModes, SupportedSenderSettleModes,
    sasl_acceptor::SaslServerFrame,
};
use fe2o3_amqp::types::definitions::{
    AmqpError, ConnectionError, Error, ReceiverSettleMode, Role, SenderSettleMode,
};
use fe2o3_amqp::types::messaging::{Source, Target, TargetArchetype};
use fe2o3_amqp::types::performatives::Attach;
use fe2o3_amqp::types::primitives::{Array, Symbol};
use fe2o3_amqp::types::sasl::{SaslCode, SaslInit, SaslOutcome, SaslResponse};
use tokio::net::{TcpListener, TcpStream};

use super::DataPlane;
use super::consumer::INJECTED;
use super::ingress::{CHANNEL_MAX, MAX_FRAME_BYTES};
use super::message::MAX_MESSAGE_BYTES;
use super::nodes::{self, Replies};
use super::padding::PaddedStream;
use super::refusal::{self, Refused};
use super::stand_ins::StandIns;
use super::{consumer, producer};
use crate::emulator::config::{HubConfig, NamespaceConfig, Rights};
use crate::emulator::entity_path::{EntityPath, LinkTarget};
use crate::emulator::faults::{self, connection::ConnectionFault};
use crate::emulator::sas::Grant;

/// What one client connection has established: the namespace it talks to and the tokens it
/// has put on `$cbs`.
pub struct ConnectionState {
    pub plane: Arc<DataPlane>,
    /// The namespaces served on the port this client connected to, the first the default.
    served: Arc<Vec<String>>,
    sasl_host: Arc<Mutex<Option<String>>>,
    /// The namespace the client last named in an address or audience.
    last_named: Mutex<Option<String>>,
    /// Each token's grant, with when it was put (an early-expiry fault counts from there).
    grants: Mutex<Vec<(String, Grant, Instant)>>,
    /// Set by the first valid token; the ingress limits (`ingress.rs`) read it.
    authenticated: Arc<AtomicBool>,
    /// Consumer links' events on their way to the socket (`stand_ins.rs`).
    pub stand_ins: Arc<StandIns>,
}

impl ConnectionState {
    /// A connection to `plane` on a port serving `served`, before any token.
    pub fn new(plane: Arc<DataPlane>, served: Arc<Vec<String>>, sasl_host: Option<String>) -> Self {
        ConnectionState {
            plane,
            served,
            sasl_host: Arc::new(Mutex::new(sasl_host)),
            last_named: Mutex::new(None),
            grants: Mutex::new(Vec::new()),
            authenticated: Arc::new(AtomicBool::new(false)),
            stand_ins: Arc::new(StandIns::default()),
        }
    }

    /// The namespace an address or audience refers to: by the host name in it (its first DNS
    /// label, as in `contoso.servicebus.windows.net`), else by the SASL host name, else the
    /// port's default namespace.
    pub fn namespace_for(&self, address: &str) -> Option<&NamespaceConfig> {
        let first_label = |host: &str| host.split('.').next().unwrap_or(host).to_ascii_lowercase();
        let host_of = |text: &str| -> Option<String> {
            let (_, rest) = text.split_once("://")?;
            Some(first_label(rest.split(['/', ':']).next()?))
        };
        let sasl_host = self.sasl_host.lock().ok().and_then(|h| h.clone());
        let candidates = [host_of(address), sasl_host.as_deref().map(first_label)];
        for candidate in candidates.into_iter().flatten() {
            if let Some(name) = self
                .served
                .iter()
                .find(|n| n.eq_ignore_ascii_case(&candidate))
            {
                if let Ok(mut last) = self.last_named.lock() {
                    *last = Some(name.clone());
                }
                return self.plane.config.namespace(name);
            }
        }
        self.default_namespace()
    }

    /// The namespace and hub a link address names, or the refusal a client should get.
    pub fn resolve_hub(
        &self,
        address: &str,
        hub: &str,
    ) -> Result<(&NamespaceConfig, &HubConfig), Refused> {
        let namespace = self
            .namespace_for(address)
            .ok_or_else(|| Refused::new(AmqpError::NotFound, "no namespace is served here"))?;
        let hub_config = namespace.hub(hub).ok_or_else(|| {
            Refused::new(
                AmqpError::NotFound,
                refusal::not_found(&namespace.name, hub),
            )
        })?;
        Ok((namespace, hub_config))
    }

    /// For requests that name no host (`$management` READ): the namespace this connection
    /// last named, else the port's default.
    pub fn current_namespace(&self) -> Option<&NamespaceConfig> {
        let last = self.last_named.lock().ok().and_then(|l| l.clone());
        match last {
            Some(name) => self.plane.config.namespace(&name),
            None => self.default_namespace(),
        }
    }

    fn default_namespace(&self) -> Option<&NamespaceConfig> {
        self.served
            .first()
            .and_then(|n| self.plane.config.namespace(n))
    }

    pub fn add_grant(&self, namespace: &str, grant: Grant) {
        if let Ok(mut grants) = self.grants.lock() {
            grants.retain(|(ns, g, _)| {
                !(ns == namespace && g.scope == grant.scope && g.rule == grant.rule)
            });
            grants.push((namespace.to_string(), grant, Instant::now()));
        }
        self.authenticated.store(true, Ordering::Release);
    }

    /// Whether the client has put a valid token on `$cbs`: until then only `$cbs` is served.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated.load(Ordering::Acquire)
    }

    /// Whether a token put on `$cbs` and still valid allows `need` on `path`.
    pub fn authorized(&self, namespace: &str, path: &EntityPath, need: fn(Rights) -> bool) -> bool {
        let now = super::nodes::now_seconds();
        self.grants(namespace)
            .iter()
            .any(|g| g.allows(path, need, now))
    }

    pub fn grants(&self, namespace: &str) -> Vec<Grant> {
        self.grants
            .lock()
            .map(|g| {
                g.iter()
                    .filter(|(ns, _, _)| ns == namespace)
                    .map(|(_, g, _)| g.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How long ago the newest token that allows `need` on `path` was put, if one does.
    pub fn token_age(
        &self,
        namespace: &str,
        path: &EntityPath,
        need: fn(Rights) -> bool,
    ) -> Option<Duration> {
        let now = super::nodes::now_seconds();
        let grants = self.grants.lock().ok()?;
        grants
            .iter()
            .filter(|(ns, g, _)| ns == namespace && g.allows(path, need, now))
            .map(|(_, _, put)| put.elapsed())
            .min()
    }
}

/// Accepts every SASL mechanism the SDKs use and remembers the host name the client gave;
/// authorization happens per entity on `$cbs`, as on Event Hubs.
#[derive(Clone)]
struct AnySasl {
    host: Arc<Mutex<Option<String>>>,
}

impl SaslAcceptor for AnySasl {
    fn mechanisms(&self) -> Array<Symbol> {
        // Python aborts unless ANONYMOUS is offered; .NET uses MSSBCBS.
        Array::from(
            ["ANONYMOUS", "MSSBCBS", "PLAIN", "EXTERNAL"]
                .map(Symbol::from)
                .to_vec(),
        )
    }

    fn on_init(&mut self, init: SaslInit) -> SaslServerFrame {
        if let Ok(mut host) = self.host.lock() {
            *host = init.hostname;
        }
        SaslServerFrame::Outcome(SaslOutcome {
            code: SaslCode::Ok,
            additional_data: None,
        })
    }

    fn on_response(&mut self, _response: SaslResponse) -> SaslServerFrame {
        SaslServerFrame::Outcome(SaslOutcome {
            code: SaslCode::Ok,
            additional_data: None,
        })
    }
}

/// Serves AMQP clients on `listener` for the namespaces in `served` (the first is the
/// default) until the task is dropped.
pub async fn serve(listener: TcpListener, plane: Arc<DataPlane>, served: Vec<String>) {
    let served = Arc::new(served);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let plane = Arc::clone(&plane);
        let served = Arc::clone(&served);
        tokio::spawn(async move {
            if let Err(error) = serve_connection(stream, plane, served).await {
                tracing::debug!(%peer, %error, "connection ended");
            }
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    plane: Arc<DataPlane>,
    served: Arc<Vec<String>>,
) -> Result<(), String> {
    let sasl_host = Arc::new(Mutex::new(None));
    let authenticated = Arc::new(AtomicBool::new(false));
    let acceptor = ConnectionAcceptor::builder()
        .container_id("ehops-emulator")
        .max_frame_size(MAX_FRAME_BYTES as u32)
        .channel_max(CHANNEL_MAX)
        .sasl_acceptor(AnySasl {
            host: Arc::clone(&sasl_host),
        })
        .build();
    let stand_ins = Arc::new(StandIns::default());
    let stream = PaddedStream::guarded(stream, Arc::clone(&authenticated), Arc::clone(&stand_ins));
    let kill = stream.kill_switch();
    let mut connection = acceptor
        .accept(stream)
        .await
        .map_err(|e| format!("open failed: {e}"))?;
    let state = Arc::new(ConnectionState {
        plane,
        served,
        sasl_host,
        last_named: Mutex::new(None),
        grants: Mutex::new(Vec::new()),
        authenticated,
        stand_ins,
    });
    // pyamqp compares against handle-max and fails on the null that u32::MAX encodes to.
    let session_acceptor = SessionAcceptor::builder().handle_max(u32::MAX - 1).build();
    loop {
        let incoming = tokio::select! {
            incoming = connection.next_incoming_session() => incoming,
            fault = faults::connection::struck(&state.plane.faults, &state.served) => {
                tracing::info!(?fault, "fault injected on a connection");
                if fault == ConnectionFault::Drop {
                    kill.throw();
                    return Ok(());
                }
                let forced = Error::new(ConnectionError::ConnectionForced, INJECTED.to_owned(), None);
                let _ = connection.close_with_error(forced).await;
                return Ok(());
            }
        };
        let Some(incoming) = incoming else { break };
        match session_acceptor
            .accept_incoming_session(incoming, &mut connection)
            .await
        {
            Ok(session) => {
                tokio::spawn(serve_session(session, Arc::clone(&state)));
            }
            Err(error) => tracing::debug!(%error, "session refused"),
        }
    }
    let _ = connection.close().await;
    Ok(())
}

/// fe2o3's link acceptor with its default (non-dynamic) terminus handlers.
pub type Acceptor = LinkAcceptor<fn(Source) -> Option<Source>, fn(Target) -> Option<Target>>;

fn address_of_target(attach: &Attach) -> Option<String> {
    match attach.target.as_deref() {
        Some(TargetArchetype::Target(target)) => target.address.clone(),
        _ => None,
    }
}

fn address_of_source(attach: &Attach) -> Option<String> {
    attach.source.as_ref().and_then(|s| s.address.clone())
}

/// Links where the client sends: producers and requests to `$cbs`/`$management`. The SDKs
/// ask for receiver-settle-mode `second` but wait forever on its extra disposition round;
/// Event Hubs settles on first.
///
/// No max-message-size is set here: fe2o3 would enforce it by detaching the link, which the
/// SDKs treat as a lost connection and retry. The limit is advertised on the wire instead
/// (`padding.rs`) and enforced per delivery with `Rejected{message-size-exceeded}`, which
/// they report as a send error.
fn inbound_acceptor() -> Acceptor {
    LinkAcceptor::builder()
        .supported_receiver_settle_modes(SupportedReceiverSettleModes::First)
        .fallback_receiver_settle_mode(ReceiverSettleMode::First)
        .build()
}

/// Links where the client receives: consumers and replies. Everything the service sends is
/// pre-settled; the SDKs never send dispositions for it.
fn outbound_acceptor() -> Acceptor {
    LinkAcceptor::builder()
        .supported_sender_settle_modes(SupportedSenderSettleModes::Settled)
        .fallback_sender_settle_mode(SenderSettleMode::Settled)
        .max_message_size(MAX_MESSAGE_BYTES as u64)
        .build()
}

async fn serve_session(mut session: ListenerSessionHandle, state: Arc<ConnectionState>) {
    let replies = Replies::default();
    let inbound = inbound_acceptor();
    let outbound = outbound_acceptor();
    while let Some(attach) = session.next_incoming_attach().await {
        tracing::trace!(?attach, "attach");
        let client_sends = attach.role == Role::Sender;
        let address = if client_sends {
            address_of_target(&attach)
        } else {
            address_of_source(&attach)
        }
        .unwrap_or_default();
        let acceptor = if client_sends { &inbound } else { &outbound };
        let route = match LinkTarget::parse(&address) {
            Some(LinkTarget::Node(node)) => Ok(Route::Node(node)),
            Some(LinkTarget::Hub { hub, partition }) if client_sends => {
                producer::check(&state, &address, &hub, partition).map(Route::Producer)
            }
            Some(LinkTarget::Partition {
                hub,
                consumer_group,
                partition,
            }) if !client_sends => {
                consumer::check(&state, &attach, &address, &hub, &consumer_group, &partition)
                    .map(Route::Consumer)
            }
            _ => Err(Refused::new(
                AmqpError::NotFound,
                format!("no entity at address {address:?}"),
            )),
        };
        let route = route.and_then(|route| match route {
            Route::Node(node)
                if !node.eq_ignore_ascii_case("$cbs") && !state.is_authenticated() =>
            {
                Err(Refused::new(
                    AmqpError::UnauthorizedAccess,
                    format!("put a token on $cbs before using {node}"),
                ))
            }
            route => Ok(route),
        });
        let route = match route {
            Ok(route) => route,
            Err(refused) => {
                refusal::refuse(attach, refused, acceptor, &mut session).await;
                continue;
            }
        };
        let reply_to = address_of_target(&attach);
        let link_name = attach.name.clone();
        let endpoint = match acceptor.accept_incoming_attach(attach, &mut session).await {
            Ok(endpoint) => endpoint,
            Err(error) => {
                tracing::debug!(%error, "attach failed");
                continue;
            }
        };
        let state = Arc::clone(&state);
        match (endpoint, route) {
            (LinkEndpoint::Receiver(receiver), Route::Node(node)) => {
                tokio::spawn(nodes::serve_requests(
                    receiver,
                    node,
                    state,
                    replies.clone(),
                ));
            }
            (LinkEndpoint::Sender(sender), Route::Node(node)) => {
                // Requests name their reply link by its target address (Rust), by its link
                // name (JS's `$cbs` client), or not at all (Python: same node, same session).
                let keys = [
                    reply_to,
                    Some(link_name),
                    Some(format!("node:{}", node.to_ascii_lowercase())),
                ];
                tokio::spawn(nodes::serve_replies(
                    sender,
                    keys.into_iter().flatten().collect(),
                    replies.clone(),
                ));
            }
            (LinkEndpoint::Receiver(receiver), Route::Producer(checked)) => {
                tokio::spawn(producer::serve(receiver, checked, state));
            }
            (LinkEndpoint::Sender(sender), Route::Consumer(checked)) => {
                tokio::spawn(consumer::serve(sender, checked, state));
            }
            // The role decided the route above; these cannot pair up.
            (LinkEndpoint::Receiver(receiver), _) => {
                let _ = receiver.close().await;
            }
            (LinkEndpoint::Sender(sender), _) => {
                let _ = sender.close().await;
            }
        }
    }
}

/// Where an accepted link goes.
enum Route {
    Node(String),
    Producer(producer::Producer),
    Consumer(consumer::Consumer),
}
