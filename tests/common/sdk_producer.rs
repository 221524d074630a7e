//! Microsoft's Rust SDK producer as the tests drive it: every call on ehops's sending thread.
//! On a runtime of several threads the SDK can miss a send's outcome under load and wait
//! for it forever (`src/connect/sdk_thread.rs` says why); tests send under load all the time.

use std::future::Future;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_messaging_eventhubs::models::EventData;
use azure_messaging_eventhubs::{EventHubsError, ProducerClient, SendEventOptions};
use ehops::connect::sdk_thread;

use super::TestEmulator;

pub struct SdkProducer {
    client: Arc<ProducerClient>,
}

impl SdkProducer {
    pub async fn open(
        endpoint: String,
        namespace: String,
        hub: String,
        credential: Arc<dyn TokenCredential>,
    ) -> Result<Self, EventHubsError> {
        let client = sdk_thread::run(async move {
            ProducerClient::builder()
                .with_custom_endpoint(endpoint)
                .open(&namespace, &hub, credential)
                .await
        })
        .await?;
        Ok(Self {
            client: Arc::new(client),
        })
    }

    /// A producer on `hub` of `emulator` with its root rule.
    pub async fn root(emulator: &TestEmulator, hub: &str) -> Self {
        Self::open(
            emulator.endpoint(),
            emulator.namespace(),
            hub.to_owned(),
            emulator.credential("RootManageSharedAccessKey"),
        )
        .await
        .expect("producer opens")
    }

    /// Runs `call` with the client, on the sending thread.
    pub async fn call<T, Fut>(&self, call: impl FnOnce(Arc<ProducerClient>) -> Fut) -> T
    where
        T: Send + 'static,
        Fut: Future<Output = T> + Send + 'static,
    {
        sdk_thread::run(call(Arc::clone(&self.client))).await
    }

    pub async fn send_event(
        &self,
        event: impl Into<EventData>,
        options: Option<SendEventOptions>,
    ) -> Result<(), EventHubsError> {
        let event = event.into();
        self.call(|client| async move { client.send_event(event, options).await })
            .await
    }

    /// Sends `bodies` in one batch to `partition`.
    pub async fn send_batch(
        &self,
        partition: &str,
        bodies: Vec<Vec<u8>>,
    ) -> Result<(), EventHubsError> {
        let partition = partition.to_owned();
        self.call(|client| async move {
            let batch = client
                .create_batch(Some(azure_messaging_eventhubs::EventDataBatchOptions {
                    partition_id: Some(partition),
                    ..Default::default()
                }))
                .await?;
            for body in bodies {
                assert!(batch.try_add_event_data(body, None)?, "the batch is full");
            }
            client.send_batch(batch, None).await
        })
        .await
    }

    pub async fn close(self) {
        if let Ok(client) = Arc::try_unwrap(self.client) {
            let _ = sdk_thread::run(async move { client.close().await }).await;
        }
    }
}
