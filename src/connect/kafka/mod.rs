//! A minimal Kafka client for Event Hubs' Kafka endpoint (docs/kafka.md): enough to read and
//! reset Kafka consumer groups, which keep their offsets in the service where the blob
//! checkpoints ehops reads for AMQP groups do not exist. SASL PLAIN with the connection string
//! as password, over TLS to `{namespace}.servicebus.windows.net:9093` on Azure and plain TCP
//! to an emulator. Wire types from the `kafka-protocol` crate.
//!
//! - [`wire`]: the connection, SASL, and one request/response at a time.
//! - [`admin`]: the group APIs: ListGroups, DescribeGroups, OffsetFetch, ListOffsets,
//!   OffsetCommit.
//! - [`offsets`]: a group's committed offsets as a checkpoint store, for dead-letter and
//!   checkpoint-on-error.

pub mod admin;
pub mod offsets;
pub mod wire;

pub use admin::KafkaAdmin;
pub use offsets::KafkaOffsets;

/// Where a namespace's Kafka endpoint is and how to sign in to it.
#[derive(Clone)]
pub struct KafkaEndpoint {
    /// `host:port`.
    pub address: String,
    /// TLS (Azure's SASL_SSL); plain TCP for an emulator (SASL_PLAINTEXT).
    pub tls: bool,
    /// The SASL PLAIN password: the namespace's connection string.
    pub connection_string: String,
}

impl std::fmt::Debug for KafkaEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaEndpoint")
            .field("address", &self.address)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

/// Event Hubs' Kafka port (DOCS-KAFKA in docs/kafka.md).
pub const AZURE_KAFKA_PORT: u16 = 9093;

impl KafkaEndpoint {
    /// Azure's endpoint for a namespace host (`contoso.servicebus.windows.net`).
    pub fn azure(host: &str, connection_string: String) -> Self {
        KafkaEndpoint {
            address: format!("{host}:{AZURE_KAFKA_PORT}"),
            tls: true,
            connection_string,
        }
    }
}
