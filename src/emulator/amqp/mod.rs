//! The AMQP 1.0 data plane, as the official Event Hubs SDKs use it (docs/protocol-notes.md section 1,
//! docs/sdk-quirks.md): SASL, CBS put-token with SAS validation, `$management` READ, producers,
//! consumers with start positions and owner levels.

mod consumer;
mod delivered_bytes;
mod filter;
mod frames;
mod held_frames;
pub mod ingress;
mod management;
pub(crate) mod message;
mod nodes;
mod ownership;
mod padding;
pub(crate) mod partition_key;
mod producer;
mod quick_ack;
mod refusal;
mod refused_links;
mod server;
mod sizes;
mod stand_ins;
mod token_expiry;
mod write_behind;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;

pub use server::serve;

use super::config::EmulatorConfig;
use super::faults::Faults;
use super::store::Store;

/// One connection's requests to its request/response nodes, for the fuzz target
/// `amqp_requests`: each is a node name (`$cbs`, `$management`) and the AMQP encoding of a
/// message, decoded as the server decodes a delivery and answered as the server answers it,
/// in order on one connection (a put-token before a READ). Each answer is the reply's status
/// code and its encoding, or the decode error.
#[doc(hidden)]
pub fn answer_encoded_requests<'a>(
    plane: Arc<DataPlane>,
    served: Vec<String>,
    sasl_host: Option<String>,
    requests: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Vec<Result<(i32, Vec<u8>), String>> {
    let state = server::ConnectionState::new(plane, Arc::new(served), sasl_host);
    requests
        .into_iter()
        .map(|(node, bytes)| {
            let request = message::decode(bytes).map_err(|e| e.to_string())?;
            let reply = nodes::answer(node, &request, &state);
            let status = match reply
                .application_properties
                .as_ref()
                .and_then(|p| p.0.get("status-code"))
            {
                Some(fe2o3_amqp::types::primitives::SimpleValue::Int(code)) => *code,
                _ => return Err("a reply without an int status-code".to_string()),
            };
            let encoded = message::encode(&reply).map_err(|e| e.to_string())?;
            Ok((status, encoded))
        })
        .collect()
}

/// Everything the data plane serves, shared by all connections.
pub struct DataPlane {
    pub config: Arc<EmulatorConfig>,
    pub store: Arc<Store>,
    ownership: ownership::Ownership,
    /// Reported as each hub's `created_at`.
    pub created_ms: i64,
    round_robin: HashMap<(String, String), Arc<AtomicU32>>,
    /// Faults to inject (none unless asked for).
    pub faults: Faults,
}

impl DataPlane {
    pub fn new(config: Arc<EmulatorConfig>, store: Arc<Store>, created_ms: i64) -> Self {
        let round_robin = config
            .namespaces
            .iter()
            .flat_map(|ns| {
                ns.hubs
                    .iter()
                    .map(move |h| (ns.name.to_ascii_lowercase(), h.name.to_ascii_lowercase()))
            })
            .map(|key| (key, Arc::new(AtomicU32::new(0))))
            .collect();
        DataPlane {
            config,
            store,
            ownership: ownership::Ownership::default(),
            created_ms,
            round_robin,
            faults: Faults::default(),
        }
    }

    /// The counter that spreads a hub's unkeyed sends over its partitions.
    fn round_robin(&self, namespace: &str, hub: &str) -> Arc<AtomicU32> {
        self.round_robin
            .get(&(namespace.to_ascii_lowercase(), hub.to_ascii_lowercase()))
            .cloned()
            .unwrap_or_default()
    }
}
