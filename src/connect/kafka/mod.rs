//! A minimal Kafka client for Event Hubs' Kafka endpoint (docs/kafka.md): enough to read and
//! reset Kafka consumer groups, which keep their offsets in the service where the blob
//! checkpoints ehops reads for AMQP groups do not exist. SASL PLAIN with the connection string
//! as password, or OAUTHBEARER with the Entra sign-in, over TLS to `{namespace}.servicebus.windows.net:9093` on Azure and plain TCP
//! to an emulator. Wire types from the `kafka-protocol` crate.
//!
//! - [`wire`]: the connection, SASL, and one request/response at a time.
//! - [`admin`]: the group APIs: ListGroups, DescribeGroups, OffsetFetch, ListOffsets,
//!   OffsetCommit.
//! - [`offsets`]: a group's committed offsets as a checkpoint store, for dead-letter and
//!   checkpoint-on-error.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;

pub mod admin;
pub mod offsets;
mod sasl;
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
    pub sign_in: KafkaSignIn,
}

/// The SASL mechanism and what it proves (DOCS-KAFKA in docs/kafka.md).
#[derive(Clone)]
pub enum KafkaSignIn {
    /// PLAIN, username `$ConnectionString`, the namespace's connection string as password.
    ConnectionString(String),
    /// OAUTHBEARER with a token for `scope` (`https://{namespace}/.default`): the Entra
    /// sign-in the rest of ehops uses on Azure, or a SAS credential's token on an emulator.
    Bearer {
        credential: Arc<dyn TokenCredential>,
        scope: String,
    },
}

impl std::fmt::Debug for KafkaEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mechanism = match self.sign_in {
            KafkaSignIn::ConnectionString(_) => "PLAIN",
            KafkaSignIn::Bearer { .. } => "OAUTHBEARER",
        };
        f.debug_struct("KafkaEndpoint")
            .field("address", &self.address)
            .field("tls", &self.tls)
            .field("mechanism", &mechanism)
            .finish_non_exhaustive()
    }
}

/// Event Hubs' Kafka port (DOCS-KAFKA in docs/kafka.md).
pub const AZURE_KAFKA_PORT: u16 = 9093;

impl KafkaEndpoint {
    /// Azure's endpoint for a namespace host (`contoso.servicebus.windows.net`).
    pub fn azure(host: &str, sign_in: KafkaSignIn) -> Self {
        KafkaEndpoint {
            address: format!("{host}:{AZURE_KAFKA_PORT}"),
            tls: true,
            sign_in,
        }
    }
}

impl KafkaSignIn {
    /// OAUTHBEARER with `credential`'s tokens for the namespace host's `.default` scope, the
    /// scope Event Hubs' Kafka endpoint takes (DOCS-KAFKA).
    pub fn entra(credential: Arc<dyn TokenCredential>, host: &str) -> Self {
        KafkaSignIn::Bearer {
            credential,
            scope: format!("https://{host}/.default"),
        }
    }
}
