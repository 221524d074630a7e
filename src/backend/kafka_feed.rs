//! The Kafka consumer groups of the listed hubs, read each lag round over the namespace's
//! Kafka endpoint (their offsets live in the service, not in blob checkpoints). One
//! connection, owned by the lag feed's task, kept between rounds; a failed round drops it and
//! the next round connects again.

use std::time::Duration;

use crate::connect::data_plane::DataPlane;
use crate::connect::error::{ConnectError, Failure};
use crate::connect::kafka::{KafkaAdmin, KafkaEndpoint};
use crate::ops::kafka_groups::{self, KafkaGroupSnapshot};
use crate::ops::lag_sampler::HubGroups;

/// A round of Kafka groups that takes longer than this is abandoned, so a hung endpoint never
/// holds up the AMQP groups' lag for long. Each Kafka request and each AMQP read inside is
/// bounded on its own already; this bounds their sum (a round peeks every group's next event,
/// which can take seconds per group on a busy machine).
const ROUND_TIMEOUT: Duration = Duration::from_secs(60);

pub struct KafkaGroups {
    endpoint: KafkaEndpoint,
    admin: Option<KafkaAdmin>,
}

impl KafkaGroups {
    pub fn new(endpoint: KafkaEndpoint) -> Self {
        Self {
            endpoint,
            admin: None,
        }
    }

    /// Every Kafka group on `hubs`, with the lag facts of each hub it reads.
    pub async fn round(
        &mut self,
        plane: &DataPlane,
        hubs: &[HubGroups],
    ) -> Result<Vec<KafkaGroupSnapshot>, ConnectError> {
        let read = tokio::time::timeout(ROUND_TIMEOUT, self.read(plane, hubs)).await;
        let result = read.unwrap_or_else(|_| {
            Err(ConnectError::new(
                Failure::Unreachable,
                format!(
                    "the Kafka endpoint {} did not answer within {}s; retrying next round",
                    self.endpoint.address,
                    ROUND_TIMEOUT.as_secs()
                ),
            ))
        });
        if let Err(error) = &result {
            tracing::info!(%error, "Kafka groups not read; connecting again next round");
            self.admin = None;
        }
        result
    }

    async fn read(
        &mut self,
        plane: &DataPlane,
        hubs: &[HubGroups],
    ) -> Result<Vec<KafkaGroupSnapshot>, ConnectError> {
        let admin = match &mut self.admin {
            Some(admin) => admin,
            None => self
                .admin
                .insert(KafkaAdmin::connect(&self.endpoint).await?),
        };
        kafka_groups::snapshots(plane, admin, hubs, None).await
    }
}
