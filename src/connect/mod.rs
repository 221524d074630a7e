//! Everything that talks to a service: the Event Hubs data plane through Microsoft's SDK,
//! the ARM catalog, checkpoint stores, and the credentials for them. The console reaches
//! Azure and the embedded emulator the same way, through these.
//!
//! - [`connection`]: what reaching one namespace takes (endpoint, credential, catalog).
//! - [`catalog`]: namespaces, hubs and consumer groups from Azure Resource Manager.
//! - [`registry`]: Azure Schema Registry: groups, versions, schemas by id (cached);
//!   [`schema_source`] turns its answer for one id into what the decoders' cache keeps.
//! - [`data_plane`]: hub and partition properties; consumer clients.
//! - [`tail`]: live tails through bounded channels; [`received`] converts each event;
//!   [`read`] reads a bounded stretch of a partition with each event's AMQP message;
//!   [`scan`] passes over a stretch of a partition without keeping it;
//!   [`peek`] reads when each partition's next unprocessed event was enqueued.
//! - [`checkpoints`]: consumer checkpoints and ownerships in the standard blob layout.
//! - [`kafka`]: Kafka consumer groups through the namespace's Kafka endpoint.
//! - [`identity`]: signing in to Azure (CLI, environment, workload or managed identity).
//! - [`error`]: failures sorted by what the user can do about them; [`sdk_error`] reads
//!   the SDKs' typed errors into them.

pub mod backoff;
pub mod capture;
pub mod catalog;
pub mod checkpoints;
pub mod connection;
pub mod connection_string;
pub mod data_plane;
pub mod error;
pub mod http_retry;
pub mod identity;
pub mod kafka;
pub mod peek;
pub mod producer;
pub mod read;
pub mod received;
pub mod registry;
pub mod sas_credential;
pub mod scan;
pub mod schema_source;
pub mod sdk_error;
pub mod sdk_thread;
pub mod shared_client;
pub mod tail;
mod tail_partition;

pub use connection::Connection;
pub use error::{ConnectError, Failure};
