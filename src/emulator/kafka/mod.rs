//! The Kafka endpoint, as Event Hubs offers it (docs/kafka.md): SASL PLAIN with a connection
//! string as password, a hub is a topic, and events are the same events AMQP clients see,
//! stored in the same partition logs (`store/`).

pub mod codec;
mod connection;
mod dispatch;
mod fetch;
mod group;
mod group_admin;
mod group_api;
mod groups;
mod interop;
mod length_guard;
mod list_offsets;
mod metadata;
mod offset_api;
mod offsets;
mod produce;
mod producer_id;
pub mod records;
mod sasl;
mod session;
mod versions;

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

pub use codec::{Decoded, MAX_REQUEST_BYTES, decode_request};

use super::config::EmulatorConfig;
use super::store::Store;

/// Everything the Kafka endpoint serves, shared by its connections.
pub struct Broker {
    pub(crate) config: Arc<EmulatorConfig>,
    pub(crate) store: Arc<Store>,
    /// The address clients are told to connect to (Metadata, FindCoordinator).
    pub(crate) advertised: SocketAddr,
    pub(crate) groups: groups::Coordinator,
    pub(crate) offsets: offsets::OffsetStore,
}

impl Broker {
    /// Opens the committed-offsets file under `data_dir`.
    pub fn open(
        config: Arc<EmulatorConfig>,
        store: Arc<Store>,
        data_dir: &Path,
        advertised: SocketAddr,
    ) -> io::Result<Broker> {
        Ok(Broker {
            config,
            store,
            advertised,
            groups: groups::Coordinator::default(),
            offsets: offsets::OffsetStore::open(data_dir)?,
        })
    }
}

/// How often the coordinator looks for expired sessions and overdue rebalances.
const COORDINATOR_TICK: Duration = Duration::from_millis(200);

/// Accepts Kafka clients until the task is aborted.
pub async fn serve(listener: TcpListener, broker: Arc<Broker>) {
    let ticker = Arc::clone(&broker);
    let tick = tokio::spawn(async move {
        let mut interval = tokio::time::interval(COORDINATOR_TICK);
        loop {
            interval.tick().await;
            ticker.groups.tick();
        }
    });
    // Aborting `serve` drops this guard, which stops the ticker with it.
    let _tick = AbortOnDrop(tick);
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection::run(stream, peer, Arc::clone(&broker)));
            }
            Err(error) => {
                tracing::warn!(%error, "kafka accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
